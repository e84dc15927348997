"""How a query is read before it is searched: its language, its diacritics, its other words.

``plan_query`` decides, per query:

- **Vietnamese with diacritics** (``vi``): searched as typed, dense and BM25 both on.
- **Vietnamese without diacritics** (``vi-ascii``): the words are restored
  ("dang phi" → "đảng phí") from the word list of underthesea (Viet74K) and counts of
  words in chi bộ minutes (``data/word_counts.tsv``). Restored words join the BM25
  query beside the folded ones, and the restored text is embedded, so the dense side
  stays on when the restoration is confident.
- **English** (``en``): the multilingual model embeds the question as typed; the
  domain's bilingual lexicon (``data/lexicon_en.tsv``) turns its phrases into the
  Vietnamese words that minutes use, for BM25 and for a second dense view.
- **What is asked of a minute**: a meeting type or a split vote named in the question
  (``data/facets.tsv``) moves the minutes that have it up the ranking, as a named month does.
- **Paraphrase**: the thesaurus (``data/thesaurus.tsv``) adds the words a clerk writes
  for the everyday words of a question ("heo" → "lợn", "bỏ họp" → "vắng sinh hoạt"),
  at a lower BM25 weight than the question's own words, and embeds them as a second
  dense view, averaged with the question's.

Tables are data, each row with its source; they load once, on first use.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from service.nlp.language import detect
from service.schema.spelling import fix_tone_marks
from service.search.sparse import fold

DATA = Path(__file__).resolve().parent / "data"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A Vietnamese syllable without diacritics: onset, vowels, final consonant.
_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                       r"(?:[aeiouy]{1,3})(?:ng|nh|ch|[cmnpt])?$")
MAX_WORD = 4  # syllables in the longest dictionary word tried
GAP = 2  # other words a table phrase may have between its own ("xây nhà mà không xin phép")
# English words that are well-formed Vietnamese syllables but rare as unaccented Vietnamese ("an", "to",
# "be", "on" are common there: an toàn, to lớn, bê tông, ôn tập, so they tell nothing).
_EN_WORDS = frozenset("the that them then there these those they their this what who whom".split())


@dataclass(frozen=True)
class QueryPlan:
    """What each side of the search is given for one query."""

    text: str  # as typed, NFC
    language: str  # vi, vi-ascii, en, other
    dense_texts: tuple[str, ...]  # embedded; their vectors are averaged
    sparse_text: str  # BM25 at full weight
    expansion: str = ""  # BM25 at ``expansion_weight``
    expansion_weight: float = 0.5
    restored: str | None = None
    dense_weight: float = 1.0
    period: tuple[int, int | None] | None = None  # (year, month) the query names: "tháng 10/2025", "năm 2013"
    facets: tuple[tuple[str, str], ...] = ()  # what the query asks of a minute: ("meeting_type", "chuyen_de"), …

    @property
    def restored_words(self) -> tuple[str, ...]:
        """The words of the restored text, lower case."""
        return tuple(w.lower() for w in _WORD.findall(self.restored or ""))


# --- tables ---------------------------------------------------------------------------------


def _rows(name: str) -> list[list[str]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append([unicodedata.normalize("NFC", c.strip()) for c in line.split("\t")])
    return out


@functools.cache
def word_counts() -> dict[str, int]:
    """Words of chi bộ minutes (lower case, 1–3 syllables) and how often they occur."""
    return {fix_tone_marks(r[0]): int(r[1]) for r in _rows("word_counts.tsv")}


@functools.cache
def _lexicon() -> frozenset[str]:
    """underthesea's Viet74K word list, lower case (empty when the package is absent)."""
    try:
        import underthesea

        path = Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt"
        words = path.read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    out = (fix_tone_marks(unicodedata.normalize("NFC", w.strip().lower())) for w in words)
    return frozenset(w for w in out if w and len(w.split()) <= MAX_WORD and _WORD.fullmatch(w.replace(" ", "")))


@functools.cache
def _dictionary() -> dict[str, dict[str, float]]:
    """Folded word → its spellings with diacritics and their weight (log counts; dictionary words 0)."""
    out: dict[str, dict[str, float]] = {}
    for w in _lexicon():
        out.setdefault(fold(w), {}).setdefault(w, 0.0)
    for w, n in word_counts().items():
        out.setdefault(fold(w), {})[w] = math.log1p(n)
    return out


def _stem(word: str) -> str:
    """A crude English stem, the same for a table's phrases and a question's words: fees → fee, voted → vot."""
    for end in ("ing", "ed", "es", "s"):
        if len(word) > len(end) + 2 and word.endswith(end):
            return word[:-len(end)]
    return word


@functools.cache
def _phrase_table(name: str) -> list[tuple[str, str, str]]:
    """(phrase folded, what it adds, phrase as written in lower case) from a two-column table, longest first."""
    english = name.endswith("_en.tsv")
    rows = [(" ".join(_stem(w) if english else w for w in _WORD.findall(fold(alt))), r[1],
             " ".join(_WORD.findall(alt.lower())))
            for r in _rows(name) if len(r) >= 2 for alt in r[0].split("|") if _WORD.search(alt)]
    return sorted(set(rows), key=lambda r: (-len(r[0]), r[0], r[1], r[2]))


# --- restoration ----------------------------------------------------------------------------


def is_syllable(word: str) -> bool:
    """Could ``word`` (lower case, no diacritics) be a Vietnamese syllable?"""
    return bool(_SYLLABLE.match(word))


def _spelling(spellings: dict[str, float], k: int, counts: dict[str, int]) -> str | None:
    """The spelling of a word to restore, or None when the evidence does not settle it.

    A word of several syllables is rare enough to take its most frequent spelling; a single
    syllable ("dat": đất, đạt, dát …) only when one spelling holds 85 % of the counts.
    """
    form, _ = max(spellings.items(), key=lambda kv: (kv[1], kv[0]))
    if k > 1 or len(spellings) == 1:
        return form
    total = sum(counts.get(w, 0) for w in spellings)
    return form if total and counts.get(form, 0) >= 0.85 * total else None


def has_diacritics(word: str) -> bool:
    """Whether ``word`` is typed with diacritics (a capital is not one)."""
    return word.lower() != fold(word)


def restore(text: str, *, single: bool = True, capitals: bool = False) -> tuple[str, float]:
    """``text`` with diacritics restored, and the share of its syllables restored with evidence.

    Segments the folded syllables into dictionary words (dynamic programming), preferring
    longer words and words frequent in minutes (see ``_spelling``); a syllable that the
    evidence does not settle keeps its typing, as does every syllable typed with diacritics.
    ``single=False`` restores words of two or more syllables only. A word with a capital is
    kept as typed unless ``capitals``: in a question it is most often a name, whose spelling
    the counts of minutes' words cannot tell ("Lo" is Lò, "Van" Văn). A minute typed without
    diacritics writes its headings in capitals and opens its sentences and titles with one
    ("Chu tri", "Bi thu"), so with ``capitals`` those are restored; names stay as typed there
    too: capitalised words two or more in a row ("Nguyen Van Hai").
    """
    words, sure = _restored_words(text, single=single, capitals=capitals)
    return " ".join(words), sure


def _restored_words(text: str, *, single: bool, capitals: bool) -> tuple[list[str], float]:
    """``restore`` word for word: one word out for each word of ``text`` (``_WORD``), and the share."""
    found = list(_WORD.finditer(text))
    words = [m.group(0) for m in found]
    folded = [fold(w) for w in words]
    as_typed = [has_diacritics(w) if capitals else w != fold(w) for w in words]
    if capitals:
        for j in _name_words(text, found):
            as_typed[j] = True
    table = _dictionary()
    counts = word_counts()
    lexicon = _lexicon()
    n = len(words)
    # best[j]: the best score of the first j words, the start of its last word and that word's spelling
    start: tuple[float, int, str | None] = (0.0, 0, None)
    unreached: tuple[float, int, str | None] = (-1e9, 0, None)
    best = [start] + [unreached] * n
    for i in range(n):
        score = best[i][0]
        if score <= -1e9:
            continue
        for k in range(1, min(MAX_WORD, n - i) + 1):
            key = " ".join(folded[i:i + k])
            spellings = table.get(key)
            if k > 1 and not spellings:
                continue
            chosen = _spelling(spellings, k, counts) if spellings and (single or k > 1) else None
            if chosen is not None and spellings:
                # a dictionary word that minutes use outweighs a pair of syllables merely seen together
                # ("bí thư đảng ủy"); one they never use counts as such a pair (on the independent
                # minutes' lines: 92.9 % → 94.1 % of the restored syllables right, 63.9 % → 63.4 % restored)
                known = k == 1 or (chosen in lexicon and counts.get(chosen, 0) > 0)
                gain = (k * k if known else k) + spellings[chosen] * 0.1
            else:
                gain, chosen = 0.0, None
            if score + gain > best[i + k][0]:
                best[i + k] = (score + gain, i, chosen)
    steps: list[tuple[int, int, str | None]] = []
    j = n
    while j > 0:
        _, i, form = best[j]
        steps.append((i, j, form))
        j = i
    out: list[str] = []
    sure = 0
    for a, b, form in reversed(steps):
        typed = words[a:b]
        if form is None or any(as_typed[a:b]):
            out += typed  # unknown, ambiguous, a name, or already typed with diacritics
            continue
        sure += b - a
        parts = form.split()
        out += [p.upper() if t.isupper() and len(t) > 1 else p.capitalize() if t[:1].isupper() else p
                for p, t in zip(parts, typed, strict=True)]
    return out, sure / n if n else 0.0


def _name_words(text: str, found: list[re.Match[str]]) -> set[int]:
    """Indexes of capitalised (not all-capital) words that stand in a row of two or more, spaces between."""
    title = [m.group(0)[:1].isupper() and not (m.group(0).isupper() and len(m.group(0)) > 1) for m in found]
    names: set[int] = set()
    for j in range(1, len(found)):
        if title[j - 1] and title[j] and not text[found[j - 1].end():found[j].start()].strip():
            names.update((j - 1, j))
    return names


def accented_share(text: str) -> float:
    """The share of ``text``'s words (with a letter) typed with diacritics; 1.0 for text without words."""
    words = [w for w in _WORD.findall(text) if not w.isdigit()]
    return sum(map(has_diacritics, words)) / len(words) if words else 1.0


def restore_text(text: str, *, below: float = 1.0) -> str:
    """``text`` (NFC) with the diacritics of its words restored line by line, everything else as it was.

    Only lines with fewer than ``below`` of their words typed with diacritics are restored
    (a minute may be typed with them in its template and without them in its body). Each
    letter folds from one code point, so the result has the same length and spans into it
    still hold.
    """
    out = []
    for line in text.split("\n"):
        if below < 1.0 and accented_share(line) >= below:
            out.append(line)
            continue
        restored, _ = _restored_words(line, single=True, capitals=True)
        pieces = _WORD.split(line)  # the text around the words, one more piece than words
        fixed = "".join(p + w for p, w in zip(pieces, [*restored, ""], strict=True))
        out.append(fixed if len(fixed) == len(line) else line)
    return "\n".join(out)


# --- phrase tables --------------------------------------------------------------------------


def _lookup(text: str, table: str) -> list[str]:
    """What ``table`` adds for the phrases found in ``text``, longest phrases first, each row's words once."""
    return list(dict.fromkeys(adds for adds, _, _ in _found(text, table)))


def _found(text: str, table: str) -> Iterator[tuple[str, list[int], list[str]]]:
    """Each phrase of ``table`` found in ``text``: what it adds, the positions of its words among the
    text's folded words, and those words.

    A phrase is found when its words occur in order, whole and folded, with at most ``GAP``
    other words between them, and a word typed with diacritics is the table's own spelling;
    in a text typed mostly with diacritics, a plain word that is a word of its own is too.
    Words that a phrase has used are not used again.
    """
    english = table.endswith("_en.tsv")
    typed = [w.lower() for w in _WORD.findall(text)]
    words = [_stem(fold(w)) if english else fold(w) for w in typed]
    strict = not english and accented_share(text) >= STRICT_ACCENTS
    used = [False] * len(words)
    for phrase, adds, written in _phrase_table(table):
        at = _find(words, used, phrase.split())
        if at is not None and not _accents_differ([typed[i] for i in at], written.split(), strict=strict):
            for i in at:
                used[i] = True
            yield adds, at, words


# Above this share of words typed with diacritics, a text's plain words that are words of their
# own are taken as spelled: "cãi nhau" (each other) is not "nhậu" (drinking).
STRICT_ACCENTS = 0.5


def _accents_differ(typed: list[str], written: list[str], *, strict: bool = False) -> bool:
    """Whether a typed word differs from the table's word where both have diacritics ("góp" is not
    "gộp"), or, with ``strict``, where the table's has them and the typed one is a plain word of
    its own, as common in minutes as the table's ("nhau" is not "nhậu"; "bo" is "bỏ" typed in
    haste). A word written without them in the table matches any spelling."""
    counts = word_counts() if strict else {}
    return any(t != w for t, w in zip(typed, written, strict=False)
               if has_diacritics(w) and (has_diacritics(t) or counts.get(t, 0) >= max(1, counts.get(w, 0))))


def _find(words: list[str], used: list[bool], parts: list[str]) -> list[int] | None:
    """Positions of ``parts`` in ``words``, in order, each within ``GAP`` words of the last, all unused."""
    for start, w in enumerate(words):
        if w != parts[0] or used[start]:
            continue
        at = [start]
        for part in parts[1:]:
            nxt = next((j for j in range(at[-1] + 1, min(len(words), at[-1] + 2 + GAP))
                        if words[j] == part and not used[j]), None)
            if nxt is None:
                break
            at.append(nxt)
        if len(at) == len(parts):
            return at
    return None


def _vietnamese_words(text: str) -> list[str]:
    """The Vietnamese words an English question quotes: accented words and the syllables between them."""
    words = _WORD.findall(text)
    marked = [fold(w) != w.lower() for w in words]
    keep = [m or (0 < i < len(words) - 1 and marked[i - 1] and marked[i + 1] and is_syllable(w.lower()))
            for i, (w, m) in enumerate(zip(words, marked, strict=True))]
    return [w for w, k in zip(words, keep, strict=True) if k]


def _english_share(words: list[str]) -> float:
    """The share of the unaccented ``words`` that are English: known English words or not Vietnamese syllables."""
    plain = [w for w in words if fold(w) == w]
    if not plain:
        return 0.0
    english = sum(1 for w in plain if w in _EN_WORDS or not is_syllable(w))
    return english / len(plain)


def _language(text: str) -> str:
    """vi, vi-ascii, en or other; short queries are told by their words' shape, not by a text detector."""
    words = [w.lower() for w in _WORD.findall(text) if not w.isdigit()]
    if not words:
        return "other"
    marked = sum(1 for w in words if fold(w) != w)
    english = _english_share(words)
    if marked and marked < len(words) / 2 and english >= 0.6:
        return "en"  # English quoting a Vietnamese term: "self-correction (tự soi, tự sửa)"
    if marked:
        return "vi"
    if english >= 0.5 or (len(words) > 12 and detect(text).code == "en"):
        return "en"
    return "vi-ascii"


def facets_of(text: str) -> tuple[tuple[str, str], ...]:
    """What a question asks of the minutes it wants (``data/facets.tsv``): a meeting type, a split vote.

    ("sinh hoạt chuyên đề …", "thematic meeting on …" → meeting_type=chuyen_de; "… không tán
    thành", "… voted against" → vote=split.) One value per facet, the first phrase found.
    """
    out: dict[str, str] = {}
    for found, at, words in _found(text, "facets.tsv"):
        name, _, value = found.partition("=")
        if name == "vote" and _NEGATION.search(" ".join(words[max(0, at[0] - 6):at[0]])):
            continue  # "không có ai không tán thành", "nobody voted against": the opposite
        before = " ".join(words[max(0, at[0] - 4):at[0]])
        if name == "meeting_type" and (_PREPARING.search(before) or _AHEAD_OF.search(before)):
            continue  # "… ahead of the regular meeting", "chuẩn bị cho kỳ sinh hoạt thường kỳ": another meeting
        out.setdefault(name, value)
    return tuple(sorted(out.items()))


_NEGATION = re.compile(r"\b(?:khong co|khong ai|chang ai|khong mot|nobody|no one|none|without|no)\b")
# Words that make the meeting named after them the topic of the one asked for, not that one.
_PREPARING = re.compile(r"\b(?:prepar\w*|chuan bi)\b")
_AHEAD_OF = re.compile(r"\b(?:ahead of|before|prior to|in advance of|truoc)(?: (?:the|a|an|ky|buoi|cuoc|cho))?"
                       r"(?: (?:next|upcoming|coming|regular|monthly|usual))?$")


_MONTH_YEAR = re.compile(r"\b(?:thang|month)\s*(\d{1,2})\s*(?:/|-|nam|,|of)?\s*((?:19|20)\d{2})\b"
                         r"|\b(\d{1,2})\s*/\s*((?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def period_of(text: str) -> tuple[int, int | None] | None:
    """The month or year a query names ("tháng 10/2025", "10/2025", "năm 2013", "in 2021"), if one."""
    folded = fold(text)
    m = _MONTH_YEAR.search(folded)
    if m:
        month, year = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), int(m.group(4)))
        if 1 <= month <= 12:
            return year, month
    years = set(_YEAR.findall(folded))
    return (int(years.pop()), None) if len(years) == 1 else None


@functools.lru_cache(maxsize=1024)
def plan_query(text: str, *, ascii_dense_weight: float = 0.0, min_restored: float = 0.6,
               expansion_weight: float = 0.5, restored_dense_weight: float = 0.5) -> QueryPlan:
    """How ``text`` is searched (see the module's docstring); cached, as every door plans a query twice
    (the retriever to search, the use case to mark what matched)."""
    text = unicodedata.normalize("NFC", text).strip()
    language = _language(text)
    if language == "en":
        quoted = _vietnamese_words(text)
        vi = _lookup(text, "lexicon_en.tsv") + ([" ".join(quoted)] if quoted else [])
        translated = " ".join(vi)
        dense = (text, translated) if translated else (text,)
        return QueryPlan(text=text, language=language, dense_texts=dense, sparse_text=translated,
                         expansion_weight=expansion_weight, period=period_of(text), facets=facets_of(text))
    restored: str | None = None
    dense_weight = 1.0
    searched = text
    if language == "vi-ascii":
        # How sure restoration is counts every syllable; what is used of it is only its words of two
        # syllables or more: a lone syllable ("tien": tiến or tiền, "the": thẻ or thể) needs a context
        # that word counts do not have, and a wrong guess misleads the dense side more than the
        # syllable as typed does.
        _, sure = restore(text)
        restored = restore(text, single=False)[0]
        if sure >= min_restored:
            searched, dense_weight = restored, restored_dense_weight
        else:
            dense_weight = ascii_dense_weight * sure
        if restored == text:
            restored = None
    elif language == "vi" and any(fold(w) == w and is_syllable(w) for w in _WORD.findall(text.lower())):
        fixed, _ = restore(text, single=False)  # "xa dat chuan nông thôn mới": the unaccented words only
        if fixed != text:
            restored = searched = fixed
    # The folded BM25 terms of the typed words already match every spelling; the restored words
    # (a guess) only add their exact forms, at the expansion weight.
    # Tables are read against the words as typed: a restored word's diacritics are a guess.
    clerks = _lookup(text, "thesaurus.tsv")
    extra = " ".join([*([restored] if restored else []), *clerks])
    # The clerk's words are also embedded, as a second view averaged with the question's: the
    # dense side then looks for the passage in the words minutes use as well as the asker's.
    views = (searched, " ".join(clerks)) if clerks else (searched,)
    return QueryPlan(text=text, language=language, dense_texts=views, sparse_text=text, expansion=extra,
                     expansion_weight=expansion_weight, restored=restored, dense_weight=dense_weight,
                     period=period_of(text), facets=facets_of(text))
