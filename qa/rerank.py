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

FITS_BONUS = 0.1  # the passage holds the kind of fact asked for (an amount for "how much")
TITLE_PENALTY = 0.15  # the passage only states the decision's title, or is page furniture: it answers nothing
# of the share of the question covered by the passage's decision, through all its passages in the pool: among
# decisions that repeat a paragraph word for word, it tells the one the question is about (eval/README.md §7)
DECISION_WEIGHT = 0.15


def adjusted(hit: Hit, strength: float, intent: Intent) -> float:
    score = strength
    if intent not in (Intent.GENERAL, Intent.LIST) and satisfies(intent, hit.text):
        score += FITS_BONUS
    if states_title(hit.text, hit.title) or is_furniture(hit.text, part="#" in hit.document):
        score -= TITLE_PENALTY
    return score


def scored(evidence: Evidence, hits: list[Hit]) -> list[tuple[Hit, float]]:
    """The hits, best first, each with its score: its evidence, adjusted for the kind of fact asked for, plus
    the share of the question its decision's passages cover together (``Evidence.decision_coverage``)."""
    strengths = evidence.strengths(hits)
    intent = evidence.frame.intent
    covered = evidence.decision_coverage(hits)
    scores = [adjusted(h, s, intent) + DECISION_WEIGHT * covered[h.decision] for h, s in zip(hits, strengths)]
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [(hits[i], scores[i]) for i in order]
