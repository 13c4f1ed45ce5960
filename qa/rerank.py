"""Second-stage ranking of fused hits by their evidence (``qa.evidence``): dense cosine of the question with the
passage plus IDF-weighted coverage of the question's terms by the passage *and its context* (decision number,
title, heading). No cross-encoder ships its weights in a package we can install offline, so this is the
reranker; ``councilqa eval`` shows what it buys over plain fusion.
"""
from __future__ import annotations

from index.search import Hit
from qa.evidence import Evidence
from qa.fields import is_furniture
from qa.intent import Intent, satisfies
from qa.titles import states_title
from qa.weights import weights_of



def features(hit: Hit, strength: float, intent: Intent, covered: float) -> dict[str, float]:
    """What a passage's rank weighs (``qa/data/weights.json``, "rerank"): its evidence; whether it holds the kind
    of fact asked for (an amount for "how much"); whether it only states its decision's title or is page furniture
    (it answers nothing); and the share of the question its decision's passages in the pool cover together (among
    decisions that repeat a paragraph word for word, it tells the one the question is about)."""
    return {"strength": strength,
            "fits": float(intent not in (Intent.GENERAL, Intent.LIST) and satisfies(intent, hit.text)),
            "title": float(states_title(hit.text, hit.title) or is_furniture(hit.text, part="#" in hit.document)),
            "decision": covered}


def scored(evidence: Evidence, hits: list[Hit]) -> list[tuple[Hit, float]]:
    """The hits, best first, each with its score: the weighted sum of its ``features``."""
    strengths = evidence.strengths(hits)
    intent = evidence.frame.intent
    covered = evidence.decision_coverage(hits)
    weights = weights_of("rerank")
    scores = [sum(weights[k] * v for k, v in features(h, s, intent, covered[h.decision]).items())
              for h, s in zip(hits, strengths)]
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [(hits[i], scores[i]) for i in order]
