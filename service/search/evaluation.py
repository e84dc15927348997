"""Retrieval metrics over graded judgements: nDCG@k and recall@k at the level of minutes.

Hits are chunks; a minute ranks where its best chunk ranks. Gains are
``2**grade - 1``. Recall@k counts judged minutes of any grade found in the top
k, over ``min(k, number judged)``, so a query with more relevant minutes than k
can still reach 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def minute_ranking(minute_ids: Iterable[str]) -> list[str]:
    """Minute ids in order of first appearance."""
    return list(dict.fromkeys(minute_ids))


def dcg(gains: list[float]) -> float:
    """Discounted cumulative gain of gains in rank order."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranking: list[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of a minute ranking against graded judgements (0 when nothing judged is relevant)."""
    gains = [2.0 ** judged.get(m, 0) - 1.0 for m in ranking[:k]]
    ideal = sorted((2.0 ** g - 1.0 for g in judged.values()), reverse=True)[:k]
    best = dcg(ideal)
    return dcg(gains) / best if best > 0 else 0.0


def recall_at(ranking: list[str], judged: Mapping[str, int], k: int = 10, *, min_grade: int = 1) -> float:
    """Share of minutes graded at least ``min_grade`` found in the top k, over ``min(k, their number)``."""
    relevant = {m for m, g in judged.items() if g >= min_grade}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / min(k, len(relevant))


def overlap_at(approx: list[str], exact: list[str], k: int = 10) -> float:
    """Share of the exact top k that the approximate search also returns (recall vs exact)."""
    truth = set(exact[:k])
    return len(truth & set(approx[:k])) / len(truth) if truth else 1.0
