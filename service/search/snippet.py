"""Snippets: the part of a hit's text that best matches the query, with the matching words marked.

Matching ignores case and diacritics ("nong thon" marks "Nông thôn"), so a
query typed without diacritics is highlighted as well as one typed with them.
A few very common words are never marked on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    text: str
    start: int  # offset of ``text`` in the text it was cut from
    highlights: list[tuple[int, int]]  # offsets into ``text``


def query_terms(query: str) -> set[str]:
    """Folded syllables of a query worth marking."""
    terms = set()
    for word in _SYLLABLE.findall(query.lower()):
        folded = fold(word)
        if word in _COMMON or (word == folded and folded in _COMMON_FOLDED):
            continue
        terms.add(folded)
    return terms


def make_snippet(text: str, query: str, *, width: int = 240) -> Snippet:
    """The ``width``-character window of ``text`` holding most query words, cut at word edges."""
    terms = query_terms(query)
    matches = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text) if fold(m.group()) in terms]
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        best, best_n = 0, -1
        j = 0
        for i, (a, _) in enumerate(matches):
            while j < len(matches) and matches[j][1] <= a + width:
                j += 1
            distinct = len({fold(text[x:y]) for x, y in matches[i:j]})
            if distinct > best_n:
                best, best_n = a, distinct
        start = max(0, best - width // 6) if matches else 0
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 20 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + width // 2 else end
    piece = text[start:end]
    marks = [(a - start, b - start) for a, b in matches if a >= start and b <= end]
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
