"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): score(d) = sum 1 / (k + rank)."""
from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(runs: Sequence[Sequence[int]], k: int = 60) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for run in runs:
        for rank, doc in enumerate(run, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
