"""Second-stage ranking of fused hits by their evidence (``qa.evidence``): dense cosine of the question with the
passage plus IDF-weighted coverage of the question's terms by the passage *and its context* (decision number,
title, heading). No cross-encoder ships its weights in a package we can install offline, so this is the
reranker; ``councilqa eval`` shows what it buys over plain fusion.
"""
from __future__ import annotations

from index.search import Hit
from qa.evidence import Evidence


def rerank(evidence: Evidence, hits: list[Hit]) -> list[Hit]:
    strengths = evidence.strengths(hits)
    order = sorted(range(len(hits)), key=lambda i: (-strengths[i], i))
    return [hits[i] for i in order]
