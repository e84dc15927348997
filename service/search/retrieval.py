"""Retrieval: how a query becomes ranked chunks, the same on the embedded engine and on a server.

A backend only answers a few primitive requests (``Engine``); the ranking is
decided here, once:

1. **Candidates**: the nearest chunk vectors (HNSW) and the best BM25 chunks,
   ``candidates`` of each, under the query's filter.
2. **Dense score**: every candidate is rescored by its best line (Qdrant max-sim
   over the chunk's line vectors) plus its chunk vector's cosine. A paraphrase
   usually matches one sentence of a section, not the section's average.
3. **Fusion**: the first ``depth`` of the dense and BM25 lists are fused by
   distribution-based score fusion (DBSF): each list's scores are mapped through
   mean ± 3 standard deviations, then summed. Unlike reciprocal ranks it keeps how
   far a confident top hit stands above the rest. The depth is fixed, so the head
   of the ranking is the same whatever page is asked for. The passages below it come
   in tiers: the lists read ``deeper`` long, then twice that and so on, each fused
   the same way and placed below the tiers before it, so that no page of a question
   repeats or skips a passage.
4. **Feedback** (hybrid only): the BM25 query is widened with the most telling
   terms (tf × idf) of the ``feedback_docs`` best fused chunks, and run again;
   its list replaces the first BM25 list in a second fusion. Minutes on one topic
   share its vocabulary, so a query that finds a few of them in its own words
   then finds the rest in theirs. IDF for choosing terms comes from a sample of
   the index's BM25 vectors, refreshed as the index grows.

5. **The head** (``Retriever.search``): a question that asks for a meeting type or
   a split vote also ranks the passages of the minutes that have it (``facet_candidates``
   dense candidates, no feedback); those it alone found join the end of the head.
   Minute support (hybrid), then the boosts for what the question names (a period,
   a facet), reorder the head; only passages the words found lend a minute support.

``dense`` mode stops after step 2 and ``sparse`` mode is plain BM25 (step 5 applies
to both), so the two can be compared with the full pipeline.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from service.search.base import SearchHit, SearchQuery
from service.search.encoding import (
    BROAD_FACETS,
    DENSE,
    FACETS,
    FIELD_FACETS,
    LINES,
    SPARSE,
    ChunkEncoder,
    FilterSpec,
    filter_spec,
    hit_of,
)
from service.search.query import QueryPlan, plan_query
from service.search.sparse import SparseVector

Ranked = list[tuple[str, float]]


@dataclass(frozen=True)
class RetrievalParams:
    """How many candidates to take and how to weigh, fuse and boost them."""

    candidates: int = 100  # of each of dense and BM25, before rescoring
    depth: int = 100  # of each list fused into the head of the ranking, whatever page is asked for
    deeper: int = 400  # of each list read for the first tier below the head (pages past it); then doubled
    feedback_docs: int = 3  # 0 turns feedback off
    feedback_terms: int = 30
    feedback_weight: float = 0.5  # of the strongest added term, against 1 for a query term
    ascii_dense_weight: float = 0.0  # dense weight for unaccented text whose diacritics could not be restored
    min_restored: float = 0.6  # share of restored syllables above which unaccented text is embedded as restored
    restored_dense_weight: float = 0.5  # dense weight for unaccented text embedded as restored
    dense_weight: float = 1.0  # of the dense list in the fusion, against 1 for BM25 (times the plan's own weight)
    expansion_weight: float = 0.5  # of a thesaurus or lexicon word, against 1 for a query word
    minute_support: float = 0.5  # hybrid: share of a minute's next best passages added to each of its passages
    period_boost: float = 0.5  # added, as a share of the best score, to passages of the period a query names
    facet_boost: float = 1.0  # likewise, for each facet a query asks for that the passage's minute has
    facet_candidates: int = 25  # dense candidates when ranking only the minutes with what a query asks for
    idf_sample: int = 5000  # BM25 vectors read to estimate IDF for feedback
    idf_refresh_s: float = 600.0


@dataclass(frozen=True)
class Candidate:
    """A point a search found: its id, its score and, when asked for, its chunk vector."""

    pid: str
    score: float
    dense: np.ndarray | None = None


class Engine(Protocol):
    """What a Qdrant backend answers; ``pid`` is a point id as a string."""

    def nearest(self, using: str, vector: np.ndarray | SparseVector, spec: FilterSpec, limit: int, *,
                among: Collection[str] | None = None, with_dense: bool = False,
                exact: bool = False) -> list[Candidate]:
        """Up to ``limit`` points nearest ``vector`` in field ``using`` under the filter (within ``among`` if given)."""
        ...

    def payloads(self, pids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payloads of the given points by point id."""
        ...

    def sparse_vectors(self, pids: Sequence[str]) -> dict[str, SparseVector]:
        """BM25 vectors of the given points by point id."""
        ...

    def sample_sparse(self, limit: int) -> list[SparseVector]:
        """BM25 vectors of up to ``limit`` points, a fair sample of the index."""
        ...

    def count(self) -> int:
        """Number of points in the index."""
        ...


def dbsf(lists: Sequence[tuple[float, Ranked]]) -> Ranked:
    """Distribution-based score fusion of weighted (id, score) lists; an id missing from a list gets 0 there."""
    total: dict[str, float] = {}
    for weight, ranked in lists:
        if weight <= 0.0 or not ranked:
            continue
        scores = [s for _, s in ranked]
        mu = statistics.fmean(scores)
        sd = statistics.pstdev(scores)
        for pid, s in ranked:
            norm = 0.5 if sd == 0.0 else min(1.0, max(0.0, (s - mu + 3.0 * sd) / (6.0 * sd)))
            total[pid] = total.get(pid, 0.0) + weight * norm
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))


class IdfEstimate:
    """Inverse document frequencies of BM25 terms, estimated from a sample of the index."""

    def __init__(self, engine: Engine, sample: int, refresh_s: float) -> None:
        self.engine = engine
        self.sample = sample
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._df: Counter[int] = Counter()
        self._n = 0
        self._count_at = -1  # points in the index when the sample was read
        self._checked = 0.0

    def _stale(self) -> int | None:
        """The index's size when the sample should be read again, else None."""
        now = time.monotonic()
        if self._n and now - self._checked < self.refresh_s:  # an empty sample is looked at again each time
            return None
        self._checked = now
        count = self.engine.count()
        if self._count_at < 0 or abs(count - self._count_at) > 0.1 * max(self._count_at, 1):
            return count
        return None

    def table(self) -> tuple[Counter[int], int, int]:
        """Document frequencies in the sample, the sample's size and the index's size."""
        with self._lock:
            count = self._stale()
            if count is not None:
                df: Counter[int] = Counter()
                vectors = self.engine.sample_sparse(self.sample)
                for v in vectors:
                    df.update(v.indices)
                self._df, self._n, self._count_at = df, len(vectors), count
            return self._df, self._n, self._count_at


def idf(df: int, n: int) -> float:
    """BM25 inverse document frequency of a term found in ``df`` of ``n`` documents."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def expand(query: SparseVector, docs: Sequence[SparseVector], df: Counter[int], n: int, *, terms: int,
           weight: float, total: int | None = None) -> SparseVector:
    """``query`` plus the ``terms`` strongest tf × idf terms of ``docs``, the strongest at ``weight``.

    ``df`` counts terms in a sample of ``n`` chunks out of ``total``. A term that no other
    chunk of the index is estimated to hold cannot find anything new and is not added.
    """
    scale = (total or n) / max(n, 1)
    acc: dict[int, float] = {}
    for d in docs:
        for t, w in zip(d.indices, d.values, strict=True):
            if df.get(t, 0) * scale >= 2.0:
                acc[t] = acc.get(t, 0.0) + w * idf(df[t], n)
    best = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))[:terms]
    out = dict(zip(query.indices, query.values, strict=True))
    if best and best[0][1] > 0.0:
        top = best[0][1]
        for t, a in best:
            out[t] = out.get(t, 0.0) + weight * a / top
    keys = sorted(out)
    return SparseVector(indices=keys, values=[out[k] for k in keys])


def prefer(ranked: Ranked, payloads: dict[str, dict[str, Any]], plan: QueryPlan, boost: float,
           depth: int, facet_boost: float = 0.0) -> Ranked:
    """``ranked`` with the passages that have what the query names moved up among its first ``depth``.

    A passage of the month named gains ``boost`` × the best score; one of the same year but another
    month a quarter of that; a year alone asked for counts as the period. A passage of a minute
    with a facet the query asks for (its meeting type, a split vote) gains ``facet_boost`` × the
    best score for each. A soft filter: nothing is dropped.
    """
    if not ranked or not (plan.period or plan.facets):
        return ranked
    head = ranked[:depth]
    top = max(s for _, s in head) or 1.0
    out = []
    for pid, score in head:
        payload = payloads.get(pid, {})
        out.append((pid, score + top * (boost * _period_share(payload, plan.period)
                                        + facet_boost * _facet_share(payload, plan.facets))))
    out.sort(key=lambda kv: (-kv[1], kv[0]))
    return out + ranked[depth:]


def with_facets(spec: FilterSpec, facets: tuple[tuple[str, str], ...]) -> FilterSpec | None:
    """``spec`` narrowed to passages whose minute has the facets asked for; None where that narrows nothing.

    A facet is a payload field (``meeting_type``) or a word of the minute's ``facets`` list. A
    meeting type the filter already sets otherwise is left out, as is a regular meeting (the
    kind most minutes are: narrowing to it narrows little).
    """
    any_of, equals = dict(spec.any_of), dict(spec.equals)
    words = []
    for name, value in facets:
        if (name, value) in BROAD_FACETS:
            continue
        if name in FIELD_FACETS:
            if equals.get(name, value) == value:
                equals[name] = value
        else:
            words.append(f"{name}={value}")
    if words:
        any_of[FACETS] = words  # any of them (one condition a field); the boost counts each
    narrowed = replace(spec, any_of=any_of, equals=equals)
    return None if narrowed == spec else narrowed


def joined(ranked: Ranked, found: Ranked, depth: int) -> tuple[Ranked, int]:
    """``ranked`` with the passages only ``found`` has put at the end of its head, and the head's new length.

    ``found`` ranks passages on a scale of its own, so its passages keep their order but are
    scored below the last of the head, in proportion to their own scores; what both rankings
    found keeps the score the whole ranking gave it. Nothing below the head changes their
    scores, so the head is the same whatever page is asked for.
    """
    head = ranked[:depth]
    known = {pid for pid, _ in head}
    extra = [(pid, score) for pid, score in found if pid not in known]
    if not extra:
        return ranked, len(head)
    added = {pid for pid, _ in extra}
    rest = [(pid, score) for pid, score in ranked[depth:] if pid not in added]
    scaled = beneath(extra, head[-1][1] if head else 1.0)
    return head + scaled + rest, len(head) + len(scaled)


def beneath(ranked: Ranked, ceiling: float) -> Ranked:
    """``ranked`` (best first) rescored below ``ceiling``, its order and the spread of its scores kept.

    Its scores, from the lowest (or zero, when none is negative) to the best, are mapped into
    a range just below ``ceiling`` that never reaches zero when ``ceiling`` is positive.
    """
    if not ranked:
        return []
    top = ranked[0][1]
    lo = min(0.0, min(score for _, score in ranked))
    spread = (top - lo) or 1.0
    floor, span = (0.001 * ceiling, 0.998 * ceiling) if ceiling > 0.0 else (ceiling - 1.0, 0.999)
    return [(pid, floor + span * (score - lo) / spread) for pid, score in ranked]


def tier_ends(depth: int, deeper: int, reach: int) -> list[int]:
    """How deep each tier of the ranking reads its lists: the head, then ``deeper``, doubling until ``reach``."""
    ends = [max(depth, 1)]
    end = max(deeper, ends[0] + 1)
    while ends[-1] < reach:
        ends.append(end)
        end *= 2
    return ends


def ranked_by_score(found: Sequence[Candidate]) -> Ranked:
    """(id, score) best first, ties in id order (an engine may order ties differently for another limit)."""
    return sorted(((c.pid, c.score) for c in found), key=lambda kv: (-kv[1], kv[0]))


def below(head: Ranked, deeper: Ranked) -> Ranked:
    """``head``, then the passages of ``deeper`` it lacks, in their order, every one scored below the head's last."""
    seen = {pid for pid, _ in head}
    rest = [(pid, score) for pid, score in deeper if pid not in seen]
    if not head:
        return rest
    return head + beneath(rest, head[-1][1])


def _period_share(payload: dict[str, Any], period: tuple[int, int | None] | None) -> float:
    if period is None:
        return 0.0
    year, month = period
    got = str(payload.get("period") or "")
    if got[:4] == str(year) and (month is None or got[5:7] == f"{month:02d}"):
        return 1.0
    return 0.25 if month is not None and got[:4] == str(year) else 0.0


def _facet_share(payload: dict[str, Any], facets: tuple[tuple[str, str], ...]) -> float:
    """One for each facet asked for that the passage's minute has: a payload field, or a word of ``facets``."""
    has = set(payload.get("facets") or ())
    return float(sum(1 for name, value in facets if payload.get(name) == value or f"{name}={value}" in has))


def with_minute_support(hits: list[SearchHit], support: float, depth: int = 3,
                        givers: Collection[str] | None = None) -> list[SearchHit]:
    """``hits`` re-ranked so that a minute speaking of the query in several passages comes first.

    Each passage gets ``support`` × the scores of the ``depth - 1`` best other passages of its
    minute (of those whose chunk id is in ``givers``, when given). A minute that answers a
    question usually does so in more than one section (the report, the discussion and the
    resolution); one that mentions it in passing has one good passage. With ``support`` < 1 a
    minute's best passage stays its first.
    """
    by_id = {h.chunk_id: h for h in hits}
    ranked = supported([(h.chunk_id, h.score) for h in hits], {h.chunk_id: h.minute_id for h in hits},
                       support, depth, givers)
    return [replace(by_id[cid], score=score) for cid, score in ranked]


def supported(ranked: Ranked, minute_of: dict[str, str], support: float, depth: int = 3,
              givers: Collection[str] | None = None) -> Ranked:
    """``with_minute_support`` on (id, score) pairs, ``minute_of`` giving each id's minute."""
    by_minute: dict[str, list[tuple[str, float]]] = {}
    for key, score in ranked:
        if givers is None or key in givers:
            by_minute.setdefault(minute_of[key], []).append((key, score))
    out = []
    for key, score in ranked:
        others = sorted((s for k, s in by_minute.get(minute_of[key], []) if k != key), reverse=True)
        out.append((key, score + support * sum(others[:depth - 1])))
    out.sort(key=lambda kv: -kv[1])  # stable: ties keep the ranking's order
    return out


class Retriever:
    """Runs a SearchQuery through the stages above on one engine."""

    def __init__(self, engine: Engine, encoder: ChunkEncoder, params: RetrievalParams | None = None) -> None:
        self.engine = engine
        self.encoder = encoder
        self.params = params or RetrievalParams()
        self.idf = IdfEstimate(engine, self.params.idf_sample, self.params.idf_refresh_s)

    def _rescored(self, dense: np.ndarray, spec: FilterSpec, pool: Collection[str]) -> Ranked:
        """``pool`` ranked by its best line's cosine to ``dense`` plus its chunk vector's."""
        if not pool:
            return []
        rescored = self.engine.nearest(LINES, dense, spec, len(pool), among=pool, with_dense=True, exact=True)
        ranked = [(c.pid, c.score + (float(c.dense @ dense) if c.dense is not None else 0.0)) for c in rescored]
        ranked.sort(key=lambda kv: (-kv[1], kv[0]))
        return ranked

    def _dense_list(self, dense: np.ndarray, spec: FilterSpec, pool: set[str], exact: bool,
                    p: RetrievalParams) -> Ranked:
        pool |= {c.pid for c in self.engine.nearest(DENSE, dense, spec, p.candidates, exact=exact)}
        return self._rescored(dense, spec, pool)

    def _plan(self, query: SearchQuery) -> QueryPlan:
        p = self.params
        return query.plan or plan_query(query.text, ascii_dense_weight=p.ascii_dense_weight,
                                        min_restored=p.min_restored, expansion_weight=p.expansion_weight,
                                        restored_dense_weight=p.restored_dense_weight)

    def rank(self, query: SearchQuery, *, exact: bool = False) -> Ranked:
        """Chunk point ids with their fused scores, best first.

        The lists are read deep enough for ``offset + limit`` passages: BM25 (and, in dense mode,
        the chunk vectors) that deep; hybrid's dense list stays its ``candidates`` rescored.
        """
        return self._rank(query, self._plan(query), exact)

    def _rank(self, query: SearchQuery, plan: QueryPlan, exact: bool, spec: FilterSpec | None = None,
              params: RetrievalParams | None = None) -> Ranked:
        p = params or self.params
        # The ranking is built in tiers: the head fuses the lists read ``depth`` deep, whatever page is
        # asked for; each further tier fuses them read deeper and places what it adds below what came
        # before. Every list a tier fuses is read by a search of its own length (an engine keeps a
        # different few of passages tied at the cut for another length), so a tier depends only on
        # its own depth and the pages of one question neither repeat nor skip a passage.
        depth = p.depth
        ends = tier_ends(depth, p.deeper, query.offset + query.limit)
        spec = spec or filter_spec(query.filter)
        dense, sparse = self.encoder.encode_query(plan, query.mode)

        def by_words(vector: SparseVector, limit: int) -> Ranked:
            return ranked_by_score(self.engine.nearest(SPARSE, vector, spec, limit, exact=exact))

        if query.mode == "dense":
            return self._dense_tiers(dense, spec, ends, exact, p) if dense is not None else []
        bm25 = by_words(sparse, max(p.candidates, depth)) if sparse is not None else []
        if query.mode == "sparse":
            ranked = bm25[:depth]
            if sparse is not None:
                for end in ends[1:]:
                    ranked = below(ranked, by_words(sparse, end))
            return ranked
        by_dense: Ranked = []
        if dense is not None:
            by_dense = self._dense_list(dense, spec, {pid for pid, _ in bm25[:p.candidates]}, exact, p)
        w = p.dense_weight * plan.dense_weight if sparse is not None else 1.0
        fused = dbsf([(w, by_dense[:depth]), (1.0, bm25[:depth])])
        words = sparse
        if p.feedback_docs > 0 and sparse is not None and fused:
            top = [pid for pid, _ in fused[:p.feedback_docs]]
            docs = list(self.engine.sparse_vectors(top).values())
            df, n, total = self.idf.table()
            words = expand(sparse, docs, df, n, terms=p.feedback_terms, weight=p.feedback_weight, total=total)
            fused = dbsf([(w, by_dense[:depth]), (1.0, by_words(words, depth))])
        for end in ends[1:]:
            deeper = by_words(words, end) if words is not None else []
            fused = below(fused, dbsf([(w, by_dense[:end]), (1.0, deeper)]))
        return fused

    def _dense_tiers(self, dense: np.ndarray, spec: FilterSpec, ends: list[int], exact: bool,
                     p: RetrievalParams) -> Ranked:
        """Dense mode: the head's candidates rescored, then each tier's nearest chunks rescored below it."""
        ranked = self._dense_list(dense, spec, set(), exact, replace(p, candidates=max(p.candidates, ends[0])))
        for end in ends[1:]:
            seen = {pid for pid, _ in ranked}
            pool = {c.pid for c in self.engine.nearest(DENSE, dense, spec, end, exact=exact)} - seen
            ranked = below(ranked, self._rescored(dense, spec, pool))
        return ranked

    def search(self, query: SearchQuery, *, exact: bool = False) -> list[SearchHit]:
        """The page of hits: the ranking, then what the query names (period, facets) and minute support (hybrid).

        Both read the payloads of the head of the ranking, which is fetched once.
        """
        p = self.params
        plan = self._plan(query)
        ranked = self._rank(query, plan, exact)
        end = query.offset + query.limit
        cut = p.depth  # the head that what the query names and minute support reorder
        ranked_first = {pid for pid, _ in ranked[:cut]}  # what the words found: it alone supports a minute
        if p.facet_boost > 0.0 and plan.facets:
            # The passages of minutes with what the question asks for, ranked among themselves: a
            # split vote or a thematic meeting is rarely in the words that find the topic.
            narrowed = with_facets(filter_spec(query.filter), plan.facets)
            if narrowed is not None:
                light = replace(p, candidates=p.facet_candidates, feedback_docs=0)  # fewer minutes to rank
                head_only = replace(query, offset=0, limit=p.depth)
                ranked, cut = joined(ranked, self._rank(head_only, plan, exact, narrowed, light)[:p.depth], p.depth)
        named = (p.period_boost > 0.0 and plan.period is not None) or (p.facet_boost > 0.0 and bool(plan.facets))
        support = p.minute_support if query.mode == "hybrid" else 0.0
        if not (named or support > 0.0):
            page = ranked[query.offset:end]
            payloads = self.engine.payloads([pid for pid, _ in page])
            return [hit_of(payloads[pid], score) for pid, score in page if pid in payloads]
        # Minute support, then what the query names, reorder the head (support first, so that a minute
        # does not gain from the boosts of its other passages); a deeper page follows it as ranked.
        head, tail = ranked[:cut], ranked[cut:end]
        payloads = self.engine.payloads([pid for pid, _ in head + tail])
        head = [(pid, score) for pid, score in head if pid in payloads]
        if support > 0.0:
            minute_of = {pid: str(payloads[pid].get("minute_id")) for pid, _ in head}
            head = supported(head, minute_of, support, givers=ranked_first)
        if named:
            head = prefer(head, payloads, plan, p.period_boost, len(head), p.facet_boost)
        if head and tail:  # what follows the reordered head stays below it
            tail = beneath(tail, min(score for _, score in head))
        return [hit_of(payloads[pid], score) for pid, score in head + tail if pid in payloads][query.offset:end]
