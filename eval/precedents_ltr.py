"""``python -m eval.precedents_ltr``: a learned pairwise scorer, a kind-of-decision facet and k-reciprocal re-ranking
for ``similar``, each checked leave-one-council-out on the labelled precedent set (``eval/README.md``, issue #19).

For every (query, candidate) pair of the precedent index's decisions, features are computed in memory: the cosines
of each pair of views (title, subject fields, passage centroid, and across views), the decision-vector cosine
``similar`` ranks by, the best and the mean best passage-pair cosine, TF-IDF cosines of titles, subject text and
passage text, same council, the date gap, both untitled, where each stands in the other's list, and the likeness
of the two decisions' *kinds* (what a decision does: award or extend a contract, waive procurement rules, adopt a
policy ...), read by the embedding model against the vocabulary ``eval/data/precedents_kinds.json``.

A logistic model (or a pairwise, RankNet-style one) over standardised features, L2, fitted with numpy: for each
council of the queries it is fitted on the other councils' queries only and ranks that council's (LOCO); the pooled
per-query figures are what it is worth on councils it never saw. Beside it, the same fitted on all 54 queries
(optimistic). k-reciprocal re-ranking (Zhong et al. 2017) has three settings, chosen LOCO from a grid.
"""
from __future__ import annotations

import itertools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.precedents import Rankers, hits, precision_at

KINDS = Path(__file__).resolve().parent / "data" / "precedents_kinds.json"
LAMBDAS = (0.1, 1.0, 10.0, 100.0)
_STOP = frozenset("a an and the of to for in on at by with from or as is be are this that its it into under report"
                  " decision council approval approve approved proposed".split())


@dataclass
class Data:
    ids: list[str]
    rankers: Rankers
    groups: list
    views: dict[str, np.ndarray]  # title, fields, passages (normalised, zero where absent), each (n, d)
    passages: list[np.ndarray]  # each decision's subject passage vectors
    texts: dict[str, list[str]]  # title, subject, passages: per decision
    council: np.ndarray
    date: np.ndarray
    base: np.ndarray  # the decision vectors' cosines, as ``similar`` ranks


def load() -> Data:
    import sqlite3

    from eval.precedents_tune import setup, views as tune_views
    from index import decision_vectors as dv
    from index.cache import CACHE_NAME, EmbeddingCache
    from index.embed import embed_input
    from index.store import content_hash

    searcher, groups, finder, rankers = setup()
    v = tune_views(searcher, True)
    conn = sqlite3.connect(f"file:{searcher.generation / 'councilqa.sqlite'}?mode=ro", uri=True)
    rows = conn.execute("SELECT id, heading, text FROM passages").fetchall()
    keys = {pid: content_hash(embed_input(h, t)) for pid, h, t in rows}
    text_of = {content_hash(embed_input(h, t)): t for _, h, t in rows}
    items = dv.inputs(conn, keys)
    cache = EmbeddingCache(searcher.generation.parent / CACHE_NAME)
    emb = searcher.embedder
    passages = []
    for it in items:
        p = cache.get(emb.model_id, list(it.passages), emb.dim) if it.passages else np.zeros((0, emb.dim), np.float32)
        passages.append(p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9))
    cache.close()
    texts = {"title": [it.title for it in items], "subject": [f"{it.title}\n{it.fields}" for it in items],
             "passages": [" ".join(text_of.get(k, "") for k in it.passages) for it in items]}
    vec = finder.vectors.vectors
    return Data([it.number for it in items], rankers, groups, v, passages, texts, finder.table.council,
                finder.table.date, vec @ vec.T)


def tfidf_cos(docs: list[str]) -> np.ndarray:
    toks = [[w for w in re.findall(r"[a-z][a-z0-9]+", d.lower()) if w not in _STOP] for d in docs]
    vocab = {w: i for i, w in enumerate(sorted({w for t in toks for w in t}))}
    m = np.zeros((len(docs), max(len(vocab), 1)))
    for r, t in enumerate(toks):
        for w in t:
            m[r, vocab[w]] += 1
    df = (m > 0).sum(axis=0)
    m = np.log1p(m) * np.log((1 + len(docs)) / (1 + df))[None, :]
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return m @ m.T


def kind_profiles(d: Data, searcher_embedder) -> np.ndarray:
    """Each decision's likeness to each kind of decision (title and fields views against the kinds' phrases),
    centred over the decisions and normalised: what a decision does, apart from what it is about."""
    kinds = json.loads(KINDS.read_text(encoding="utf-8"))["kinds"]
    phrases = [p for k in kinds for p in k["phrases"]]
    owner = np.array([i for i, k in enumerate(kinds) for _ in k["phrases"]])
    e = searcher_embedder.embed(phrases)
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    text = d.views["title"] + d.views["fields"]
    text = np.where(np.linalg.norm(text, axis=1, keepdims=True) > 0, text, d.views["passages"])
    text = text / np.maximum(np.linalg.norm(text, axis=1, keepdims=True), 1e-9)
    sims = text @ e.T
    prof = np.stack([sims[:, owner == i].max(axis=1) for i in range(len(kinds))], axis=1)
    prof = prof - prof.mean(axis=0, keepdims=True)
    return prof / np.maximum(np.linalg.norm(prof, axis=1, keepdims=True), 1e-9)


def ranks(s: np.ndarray) -> np.ndarray:
    """r[q, c]: c's rank (0 = first) in q's list by ``s``, the diagonal set aside."""
    s = s.copy()
    np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")
    r = np.empty_like(order)
    r[np.arange(len(s))[:, None], order] = np.arange(len(s))[None, :]
    return r


def features(d: Data, kinds: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    t, f, p = d.views["title"], d.views["fields"], d.views["passages"]
    has_t, has_f = np.linalg.norm(t, axis=1) > 0, np.linalg.norm(f, axis=1) > 0
    sym = lambda a, b: (a @ b.T + b @ a.T) / 2  # noqa: E731
    n = len(d.ids)
    best = np.zeros((n, n))
    chamfer = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if len(d.passages[i]) and len(d.passages[j]):
                m = d.passages[i] @ d.passages[j].T
                best[i, j] = m.max()
                chamfer[i, j] = (m.max(axis=1).mean() + m.max(axis=0).mean()) / 2
    r = ranks(d.base)
    dates = [np.datetime64(x) if x else None for x in d.date]
    gap = np.array([[abs((a - b).astype(int)) / 365.25 if a is not None and b is not None else 0.0 for b in dates]
                    for a in dates])
    known = np.array([[a is not None and b is not None for b in dates] for a in dates], float)
    feats = {
        "decision vector cosine": d.base,
        "title.title": t @ t.T, "fields.fields": f @ f.T, "passages.passages": p @ p.T,
        "title.fields (both ways)": sym(t, f), "title.passages": sym(t, p), "fields.passages": sym(f, p),
        "best passage pair": best, "chamfer passages": chamfer,
        "tfidf titles": tfidf_cos(d.texts["title"]), "tfidf subject": tfidf_cos(d.texts["subject"]),
        "tfidf passages": tfidf_cos(d.texts["passages"]),
        "same council": (d.council[:, None] == d.council[None, :]) & (d.council[:, None] > 0),
        "years apart": np.log1p(gap), "dates unknown": 1 - known,
        "both untitled": ~has_t[:, None] & ~has_t[None, :], "either without fields": ~has_f[:, None] | ~has_f[None, :],
        "1/(1+rank in query's list)": 1 / (1 + r), "1/(1+query's rank in its list)": 1 / (1 + r.T),
    }
    if kinds is not None:
        feats["kind likeness"] = kinds @ kinds.T
    names = list(feats)
    return np.stack([np.asarray(feats[k], float) for k in names], axis=2), names


def shown(d: Data, g, s: np.ndarray):
    q = d.ids.index(g.query)
    order = [d.ids[j] for j in np.argsort(-s, kind="stable") if j != q]
    return d.rankers.grouped(g.query, order)


def measure(d: Data, g, s: np.ndarray) -> tuple[float, float, float, float]:
    top = shown(d, g, s)
    rel = set(g.relevant)
    return (precision_at(top, rel, 1), precision_at(top, rel, min(3, len(rel))), len(hits(top[:10], rel)) / len(rel),
            float(bool(hits(top[:3], g.traps))))


def labels(d: Data, g) -> tuple[np.ndarray, np.ndarray]:
    """(candidate rows, 1 where a precedent or one decision with one) for a query; its own duplicates set aside."""
    q = d.ids.index(g.query)
    same = d.rankers.finder.same_decision
    rows = [j for j in range(len(d.ids)) if j != q and not same(q, j)]
    rel = {d.ids.index(x) for x in g.relevant}
    y = [float(j in rel or any(same(j, k) for k in rel)) for j in rows]
    return np.array(rows), np.array(y)


def fit(d: Data, X: np.ndarray, train, lam: float, pairwise: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, mean, sd) of an L2 logistic model (pointwise, with an intercept) or a RankNet one (pairwise: each
    precedent against each other candidate of its query), by Newton's method."""
    rows = [(d.ids.index(g.query), *labels(d, g)) for g in train]
    allx = np.concatenate([X[q, c] for q, c, _ in rows])
    mu, sd = allx.mean(axis=0), allx.std(axis=0) + 1e-9
    if pairwise:
        diffs = []
        for q, c, y in rows:
            z = (X[q, c] - mu) / sd
            diffs.append((z[y == 1][:, None, :] - z[y == 0][None, :, :]).reshape(-1, z.shape[1]))
        A, b = np.concatenate(diffs), None
        A = np.concatenate([A, -A])
        b = np.concatenate([np.ones(len(A) // 2), np.zeros(len(A) // 2)])
    else:
        A = np.concatenate([(X[q, c] - mu) / sd for q, c, _ in rows])
        A = np.hstack([A, np.ones((len(A), 1))])
        b = np.concatenate([y for _, _, y in rows])
    w = np.zeros(A.shape[1])
    reg = np.full(A.shape[1], lam)
    if not pairwise:
        reg[-1] = 0.0
    for _ in range(30):
        p = 1 / (1 + np.exp(-A @ w))
        grad = A.T @ (p - b) + reg * w
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return (w if pairwise else w[:-1]), mu, sd


def model_scores(X: np.ndarray, q: int, w, mu, sd) -> np.ndarray:
    return ((X[q] - mu) / sd) @ w


def k_reciprocal(s: np.ndarray, k1: int, k2: int, lam: float) -> np.ndarray:
    """Zhong et al. 2017 on a similarity matrix (all decisions are the gallery and the probes): returns a
    similarity, -( (1-lam) * Jaccard distance + lam * original distance )."""
    n = len(s)
    dist = 2 - 2 * s
    order = np.argsort(dist, axis=1, kind="stable")
    V = np.zeros((n, n))
    half = max(1, int(round(k1 / 2)))
    for i in range(n):
        fwd = order[i, :k1 + 1]
        recip = fwd[[i in order[j, :k1 + 1] for j in fwd]]
        exp = set(recip)
        for c in recip:
            cf = order[c, :half + 1]
            cr = cf[[c in order[j, :half + 1] for j in cf]]
            if len(set(cr) & set(recip)) > 2 / 3 * len(cr):
                exp |= set(cr)
        exp = np.array(sorted(exp))
        w = np.exp(-dist[i, exp])
        V[i, exp] = w / w.sum()
    if k2 > 1:
        V = np.stack([V[order[i, :k2]].mean(axis=0) for i in range(n)])
    mins = np.minimum(V[:, None, :], V[None, :, :]).sum(axis=2)
    jac = 1 - mins / np.maximum(2 - mins, 1e-9)
    return -((1 - lam) * jac + lam * dist)


KR_GRID = [(k1, k2, lam) for k1 in (3, 4, 5, 6, 8, 10, 15, 20) for k2 in (1, 2, 3, 4, 6)
           for lam in (0.1, 0.3, 0.5, 0.7, 0.9)]


def pooled(s: np.ndarray, q: int, pool: int, k1: int, k2: int, lam: float) -> np.ndarray:
    """k-reciprocal re-ranking of the query's first ``pool`` decisions among themselves (what ``similar`` could
    afford at 100,000 decisions: a pool x pool product); the rest stay below, in their order."""
    order = np.argsort(-s[q], kind="stable")
    top = np.concatenate([[q], order[order != q][:pool]])
    sub = k_reciprocal(s[np.ix_(top, top)], k1, k2, lam)[0]
    out = s[q] - 10.0
    out[top] = sub
    return out


def loco_grid(d: Data, grid: dict) -> dict:
    """Each setting's score matrix measured; for each council the setting best on the others (P@1 + P@3, then
    R@10) scored on it. Returns LOCO and best-on-all figures, with the settings chosen."""
    per = {p: {g.gid: measure(d, g, s[d.ids.index(g.query)]) for g in d.groups} for p, s in grid.items()}

    def obj(p, gs):
        return (np.mean([per[p][g.gid][0] + per[p][g.gid][1] for g in gs]), np.mean([per[p][g.gid][2] for g in gs]))

    lo, chosen = [], []
    for council in sorted({g.council for g in d.groups}):
        best = max(per, key=lambda p: obj(p, [g for g in d.groups if g.council != council]))
        chosen.append(str(best))
        lo += [per[best][g.gid] for g in d.groups if g.council == council]
    best_all = max(per, key=lambda p: obj(p, d.groups))
    return {"LOCO": summary(lo), "all": summary(list(per[best_all].values())), "best on all": str(best_all),
            "chosen": sorted(set(chosen))}


def summary(rows: list[tuple]) -> list[float]:
    return [round(float(np.mean([r[i] for r in rows])), 3) for i in range(4)]


def loco(d: Data, score_for) -> list[tuple]:
    """score_for(train groups, query row) -> scores; pooled over each council held out."""
    out = []
    for council in sorted({g.council for g in d.groups}):
        train = [g for g in d.groups if g.council != council]
        for g in (g for g in d.groups if g.council == council):
            out.append(measure(d, g, score_for(train, d.ids.index(g.query))))
    return out


def nested(d: Data, Xs: np.ndarray, pairwise: bool) -> tuple[list[tuple], dict[str, float]]:
    """LOCO with the L2 strength itself chosen on the training councils (an inner LOCO over them), so nothing
    about the held-out council is chosen on it. Returns the pooled per-query figures and the strengths chosen."""
    cache: dict = {}

    def fitted(train, lam):
        key = (tuple(g.gid for g in train), lam)
        if key not in cache:
            cache[key] = fit(d, Xs, train, lam, pairwise)
        return cache[key]

    def inner(train, lam) -> tuple[float, float]:
        rows = []
        for council in sorted({g.council for g in train}):
            sub = [g for g in train if g.council != council]
            w = fitted(sub, lam)
            rows += [measure(d, g, model_scores(Xs, d.ids.index(g.query), *w)) for g in train if g.council == council]
        return float(np.mean([r[0] + r[1] for r in rows])), float(np.mean([r[2] for r in rows]))

    out, chosen = [], {}
    for council in sorted({g.council for g in d.groups}):
        train = [g for g in d.groups if g.council != council]
        lam = max(LAMBDAS, key=lambda lam: inner(train, lam))
        chosen[council] = lam
        w = fitted(train, lam)
        out += [measure(d, g, model_scores(Xs, d.ids.index(g.query), *w)) for g in d.groups if g.council == council]
    return out, chosen


def main(argv: list[str] | None = None) -> int:
    learned = "--no-learned" not in (sys.argv[1:] if argv is None else argv)  # the learned scorers take 4 minutes
    d = load()
    kinds = kind_profiles(d, d.rankers.searcher.embedder)
    X, names = features(d, kinds)
    table: dict[str, dict] = {}
    base_rows = [measure(d, g, d.base[d.ids.index(g.query)]) for g in d.groups]
    table["decision vectors (now)"] = {"LOCO": summary(base_rows), "all": summary(base_rows)}
    weights = {}
    subsets = {"all features": list(range(len(names))),
               "without kind": [i for i, n in enumerate(names) if n != "kind likeness"],
               "cosines of views + kind": [names.index(n) for n in ("decision vector cosine", "title.title",
                                           "fields.fields", "passages.passages", "kind likeness")]}
    for (label, cols), pairwise in itertools.product(subsets.items() if learned else (), (False, True)):
        Xs = X[:, :, cols]
        name = f"{'RankNet' if pairwise else 'logistic'}, {label}"
        rows, chosen = nested(d, Xs, pairwise)
        lam_all = max(set(chosen.values()), key=list(chosen.values()).count)
        w, mu, sd = fit(d, Xs, d.groups, lam_all, pairwise)
        opt = [measure(d, g, model_scores(Xs, d.ids.index(g.query), w, mu, sd)) for g in d.groups]
        table[name] = {"LOCO": summary(rows), "all": summary(opt), "L2 chosen": sorted(chosen.values())}
        weights[name] = {names[c]: round(float(x), 3) for c, x in zip(cols, w)}
    kk = kinds @ kinds.T
    grids = {
        "decision vectors + alpha x kind likeness (alpha chosen LOCO)":
            {a: d.base + a * kk for a in (0.0, 0.05, 0.1, 0.2, 0.3)},
        "k-reciprocal over all decisions (k1, k2, lambda chosen LOCO)":
            {p: k_reciprocal(d.base, *p) for p in KR_GRID},
        "k-reciprocal of decision vectors + alpha x kind likeness (alpha, k1, k2, lambda chosen LOCO)":
            {(a, *p): k_reciprocal(d.base + a * kk, *p) for a in (0.05, 0.1, 0.2) for p in KR_GRID},
    }
    for pool in (20, 40):
        grids[f"k-reciprocal within the query's first {pool} (k1, k2, lambda chosen LOCO)"] = {
            p: np.stack([pooled(d.base, q, pool, *p) for q in range(len(d.ids))]) for p in KR_GRID}
    for name, grid in grids.items():
        table[name] = loco_grid(d, grid)
    print(json.dumps({"columns": "P@1, P@3, R@10, trap@3", "table": table, "weights (fitted on all)": weights},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
