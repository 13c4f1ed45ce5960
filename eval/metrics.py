"""Retrieval and answer metrics: small pure functions over ranked ids and answer text."""
from __future__ import annotations

import math
import statistics


def recall_at(ranked: list[str], relevant: set[str] | frozenset[str], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def hit_at(ranked: list[str], relevant: set[str] | frozenset[str], k: int) -> float:
    """1 if any relevant id is in the top k: paragraph Recall@k when several paragraphs hold the same answer."""
    return float(bool(set(ranked[:k]) & set(relevant)))


def mrr(ranked: list[str], relevant: set[str] | frozenset[str]) -> float:
    for i, r in enumerate(ranked, 1):
        if r in relevant:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: list[str], relevant: set[str] | frozenset[str], k: int = 10) -> float:
    """Binary-relevance nDCG (Järvelin & Kekäläinen 2002), as BEIR computes it with pytrec_eval."""
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def dedupe(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def fact_match(answer: str, facts: tuple[str, ...], alternatives: tuple[str, ...] = ()) -> float:
    """1 if every fact is in the answer (case and spacing aside); ``alternatives[i]``, where given, is another
    accepted form of ``facts[i]`` (a date printed "03/04/2019" may be answered "2019-04-03")."""
    def norm(s: str) -> str:
        return " ".join(s.replace("’", "'").split()).lower()

    text = norm(answer)
    alts = list(alternatives) + [""] * (len(facts) - len(alternatives))
    return float(all(norm(f) in text or (alt and norm(alt) in text) for f, alt in zip(facts, alts)))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
