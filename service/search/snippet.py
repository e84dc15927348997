"""Snippets: the part of a hit's text that best matches the query, with the matching words marked.

A query word typed with diacritics marks the same word only ("đảng" marks "Đảng",
never "đang"; hòa and hoà are one). A word typed without diacritics could be any of
several words ("dang": đảng, đang, đăng), so it marks a word of the text only where
its neighbour in the query matches the neighbour in the text too ("dang phi" marks
"đảng phí"), or where it is the query's only word; once the query's diacritics are
restored ("thu đảng phí"), the restored words mark as if typed so. A few very common words are never marked on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.schema.spelling import fix_tone_marks
from service.search.sparse import fold

_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
# Function words that would light up every line: written forms, and the folded forms of
# those that fold to no content word.
_COMMON = frozenset(
    "và của các những là được có trong cho với đã này để ở bị khi thì một về từ người ai gì nào theo tại "
    "đến ra vào lên cũng còn chưa không sẽ đang rất nhiều ít mọi".split())
_COMMON_FOLDED = frozenset("va cua cac nhung duoc trong cho voi khi thi mot tai cung chua khong nhieu".split())


@dataclass(frozen=True)
class Snippet:
    """A cut of a hit's text with the offsets of the words to mark."""

    text: str
    start: int  # offset of ``text`` in the text it was cut from
    highlights: list[tuple[int, int]]  # offsets into ``text``


def _common(word: str) -> bool:
    folded = fold(word)
    return word in _COMMON or (word == folded and folded in _COMMON_FOLDED)


def query_terms(query: str) -> set[str]:
    """Folded syllables of a query worth marking."""
    return {fold(w) for w in _SYLLABLE.findall(query.lower()) if not _common(w)}


def _words(text: str) -> list[str]:
    return [fix_tone_marks(w) for w in _SYLLABLE.findall(text.lower())]


def matches(text: str, query: str, restored: Sequence[str] = ()) -> list[tuple[int, int]]:
    """[start, end) of the words of ``text`` that the query names (see the module's rules).

    ``restored`` is the query word by word as diacritics restoration spelt it; a restored
    word counts as typed with its diacritics.
    """
    typed = _words(query)
    again = [fix_tone_marks(w.lower()) for w in restored]
    if len(again) != len(typed):
        again = typed
    q = [r if fold(r) == fold(w) else w for w, r in zip(typed, again, strict=True)]
    q_fold = [fold(w) for w in q]
    content = [w for w in q if not _common(w)]
    exact = {w for w in content if fold(w) != w}
    loose = {fold(w) for w in content if fold(w) == w}
    alone = len(content) == 1
    pairs = set(zip(q_fold, q_fold[1:], strict=False))
    spans = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text)]
    t = [fix_tone_marks(text[a:b].lower()) for a, b in spans]
    t_fold = [fold(w) for w in t]
    marked = [False] * len(t)
    for i, w in enumerate(t):
        if w in exact or (alone and t_fold[i] in loose):
            marked[i] = True
        if i + 1 < len(t) and (t_fold[i], t_fold[i + 1]) in pairs and not (_common(t[i]) and _common(t[i + 1])):
            # a pair typed with diacritics must agree with them, word by word
            if _agrees(t[i], q, q_fold, t_fold[i]) and _agrees(t[i + 1], q, q_fold, t_fold[i + 1]):
                marked[i] = marked[i + 1] = True
    return [spans[i] for i in range(len(t)) if marked[i]]


def _agrees(word: str, q: list[str], q_fold: list[str], folded: str) -> bool:
    """Some query word folding to ``folded`` is either typed without diacritics or is ``word``."""
    return any(qf == folded and (qw == qf or qw == word) for qw, qf in zip(q, q_fold, strict=True))


def make_snippet(text: str, query: str, *, width: int = 240, restored: Sequence[str] = ()) -> Snippet:
    """The ``width``-character window of ``text`` holding most query words, cut at word edges."""
    found = matches(text, query, restored)
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        best, best_n = 0, -1
        j = 0
        for i, (a, _) in enumerate(found):
            while j < len(found) and found[j][1] <= a + width:
                j += 1
            distinct = len({fold(text[x:y]) for x, y in found[i:j]})
            if distinct > best_n:
                best, best_n = a, distinct
        start = max(0, best - width // 6) if found else 0
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 20 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + width // 2 else end
    piece = text[start:end]
    marks = [(a - start, b - start) for a, b in found if a >= start and b <= end]
    return Snippet(text=piece, start=start, highlights=_merge(piece, marks))


def _merge(text: str, marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join marks separated only by spaces, so "nông thôn mới" is one highlight."""
    out: list[tuple[int, int]] = []
    for a, b in marks:
        if out and text[out[-1][1]:a].strip() == "":
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def mark(snippet: Snippet, left: str = "[", right: str = "]") -> str:
    """The snippet with each highlight wrapped, for terminals."""
    parts, pos = [], 0
    for a, b in snippet.highlights:
        parts += [snippet.text[pos:a], left, snippet.text[a:b], right]
        pos = b
    parts.append(snippet.text[pos:])
    return "".join(parts)
