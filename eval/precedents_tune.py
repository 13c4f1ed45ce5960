"""``python -m eval.precedents_tune``: which mix of a decision's views (title, subject fields, passages) and how much
council-style removal rank precedents best, checked leave-one-council-out so a choice is judged only on councils
it was not chosen on (``eval/README.md``, issue #19).

Each recipe's decision vectors are recomputed in memory from the embedding cache (nothing is embedded but a
view the cache lacks); each is scored on the labelled set by ``eval.precedents``. For every council of the
queries, the recipe best on the *other* councils' queries (P@1 + P@3, then R@10) is scored on that council's
queries: the pooled figures are what the choice is worth on councils it never saw.
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

from eval.precedents import INDEX, Mapper, Rankers, build_index, load_groups, precision_at, hits

WEIGHTS = (0.0, 0.5, 1.0, 2.0)
CENTRE = (0.0, 0.5, 1.0)
LEAD = (True, False)


def views(searcher, use_lead: bool):
    """Per decision (in decision-vector order): title, fields and passages views, zero where absent."""
    import sqlite3

    from index import decision_vectors as dv
    from index.cache import CACHE_NAME, EmbeddingCache
    from index.embed import embed_input
    from index.store import content_hash

    conn = sqlite3.connect(f"file:{searcher.generation / 'councilqa.sqlite'}?mode=ro", uri=True)
    keys = {pid: content_hash(embed_input(h, t)) for pid, h, t in conn.execute("SELECT id, heading, text FROM passages")}
    items = dv.inputs(conn, keys)
    if not use_lead:
        titles = dict(conn.execute("SELECT number, max(title) FROM documents WHERE number != '' GROUP BY number"))
        items = [dv.DecisionInput(it.number, " ".join((titles.get(it.number) or "").split()), it.fields,
                                  it.passages, it.key) for it in items]
    cache = EmbeddingCache(searcher.generation.parent / CACHE_NAME)
    emb = searcher.embedder
    texts = {content_hash(t): t for it in items for t in (it.title, it.fields) if t}
    missing = cache.missing(emb.model_id, list(texts))
    if missing:
        cache.put(emb.model_id, missing, emb.embed([texts[k] for k in missing]))
    dim = emb.dim
    out = {name: np.zeros((len(items), dim), np.float32) for name in ("title", "fields", "passages")}
    for r, it in enumerate(items):
        if it.title:
            out["title"][r] = cache.get(emb.model_id, [content_hash(it.title)], dim)[0]
        if it.fields:
            out["fields"][r] = cache.get(emb.model_id, [content_hash(it.fields)], dim)[0]
        if it.passages:
            c = cache.get(emb.model_id, list(it.passages), dim).mean(axis=0)
            out["passages"][r] = c / (np.linalg.norm(c) or 1.0)
    cache.close()
    assert [it.number for it in items] == [str(n) for n in searcher.decision_vectors().ids]
    return out


def recipe_matrix(v: dict, w: tuple[float, float, float], centre: float, council: np.ndarray) -> np.ndarray:
    m = w[0] * v["title"] + w[1] * v["fields"] + w[2] * v["passages"]
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    if centre:
        out = m.copy()
        for c in np.unique(council):
            rows = np.flatnonzero(council == c)
            if c == 0 or len(rows) < 2:
                continue
            for r in rows:  # the mean of the council's *other* decisions: its style, not this decision's subject
                out[r] = m[r] - centre * m[rows[rows != r]].mean(axis=0)
        m = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return m.astype(np.float32)


def per_query(groups, rankers) -> dict[str, tuple[float, float, float]]:
    out = {}
    for g in groups:
        shown = rankers.decision_vectors(g.query)
        rel = set(g.relevant)
        out[g.gid] = (precision_at(shown, rel, 1), precision_at(shown, rel, min(3, len(rel))),
                      len(hits(shown[:10], rel)) / len(rel))
    return out


def setup():
    """The precedents index (built if needed), its searcher, the labelled groups, ``similar``'s finder and the
    rankers: what every tuning experiment starts from."""
    from index.decisions import list_decisions
    from index.search import Searcher
    from index.store import DB_NAME, Store
    from qa.similar import SimilarFinder

    build_index(INDEX, None, lambda m: None)
    searcher = Searcher(INDEX)
    with Store(searcher.generation / DB_NAME, readonly=True) as store:
        decisions = list_decisions(store)
    groups = load_groups(Mapper.of(decisions))
    finder = SimilarFinder(searcher)
    return searcher, groups, finder, Rankers(searcher, finder, {})


def main() -> int:
    searcher, groups, finder, rankers = setup()
    original = finder.vectors.vectors
    results = {}
    for lead in LEAD:
        v = views(searcher, lead)
        for w in itertools.product(WEIGHTS, WEIGHTS, WEIGHTS):
            if not any(w) or (max(w) == 2.0 and min(x for x in w if x) == 2.0):
                continue  # all zero; all equal at 2 is the same recipe as all equal at 1
            for centre in CENTRE:
                finder.vectors.vectors = recipe_matrix(v, w, centre, finder.table.council)
                results[(lead, w, centre)] = per_query(groups, rankers)
    finder.vectors.vectors = original
    by_council: dict[str, list[str]] = {}
    for g in groups:
        by_council.setdefault(g.council, []).append(g.gid)

    def objective(recipe, gids):
        rows = [results[recipe][g] for g in gids]
        return (np.mean([r[0] + r[1] for r in rows]), np.mean([r[2] for r in rows]))

    loco, chosen = [], {}
    for council, held in by_council.items():
        train = [g.gid for g in groups if g.council != council]
        best = max(results, key=lambda r: objective(r, train))
        chosen[council] = best
        loco += [results[best][g] for g in held]
    every = [g.gid for g in groups]
    best_all = max(results, key=lambda r: objective(r, every))
    first = (True, (1.0, 1.0, 1.0), 0.0)

    def row(recipe):
        rows = [results[recipe][g] for g in every]
        return [round(float(np.mean([r[i] for r in rows])), 3) for i in range(3)]

    lo = [round(float(np.mean([r[i] for r in loco])), 3) for i in range(3)]
    print(json.dumps({
        "recipes": len(results),
        "first (lead title, 1/1/1, no centring)": row(first),
        "best on all queries": {"recipe": str(best_all), "P@1/P@3/R@10": row(best_all)},
        "leave-one-council-out": {"P@1/P@3/R@10": lo},
        "chosen per held-out council": {c: str(r) for c, r in chosen.items()},
        "top 10 on all": [(str(r), row(r)) for r in sorted(results, key=lambda r: objective(r, every), reverse=True)[:10]],
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
