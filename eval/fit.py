"""Fit the weights answers are ranked and abstained by (``qa/data/weights.json``) on the uk gold sets, and say,
leaving one council out, whether the fit does better than the weights written there.

``python -m eval.fit [--sets uk ukheldout ...] [--write]``

- *sentence* weights (``qa.evidence``): a small logistic model (L2, fitted by Newton's method) of "this sentence
  holds a fact of the answer" over every sentence an answer is drafted from; judged by how often the best-scored
  sentence of a question holds a fact (top-1), for questions of councils the model was not fitted on;
- *rerank* weights (``qa.rerank``): the same over the passages of the reranking pool ("holds a gold quote or
  fact"), judged by the mean reciprocal rank of the first such passage;
- the abstention *threshold*: chosen among the evidence values, on the other councils' questions, to abstain on
  the out-of-corpus questions and answer the rest; judged by abstention accuracy;
- *dominance*: chosen from a small grid by whole answers right, each council's with the value best on the others'.
Sentence and rerank fits are also judged by whole answers: each question asked with the weights fitted without its
council, against the written weights.
Each is reported overall and per kind of question; with ``--write`` a fitted part replaces the written one only
where it does better on held-out councils (a tie keeps what is written). ukheldout5 and ukheldout6 are never
fitted on: they stay held out.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FIT_SETS = ("uk", "ukheldout", "ukheldout2", "ukheldout3", "ukheldout4")
SAMPLE_SETS = ("", "heldout", "heldout2", "heldout3", "heldout4")  # over the bundled sample ("" the gold set)
L2 = 1.0


@dataclass
class Item:
    """One question's candidates: their features and whether each holds the answer."""

    qid: str
    council: str
    kind: str
    features: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Weights (bias last) of an L2-regularised logistic regression, by Newton's method (IRLS)."""
    X = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(X.shape[1])
    reg = l2 * np.eye(X.shape[1])
    reg[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + reg @ w
        hess = X.T @ (X * (p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def conditional_logit(items: list[Item], names: list[str], l2: float = L2, steps: int = 50) -> np.ndarray:
    """Weights of a conditional (per-question softmax) logit: the chance that each candidate is the one that
    answers, among its question's candidates (McFadden 1974); questions with no candidate that answers are left
    out. Fitted by Newton's method with an L2 penalty."""
    groups = [(np.array([[f[n] for n in names] for f in it.features], dtype=float),
               np.array(it.labels, dtype=float) / sum(it.labels)) for it in items if any(it.labels)]
    w = np.zeros(len(names))
    for _ in range(steps):
        grad = -l2 * w
        hess = -l2 * np.eye(len(names))
        for x, t in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            grad += x.T @ (t - p)
            hess -= x.T @ (x * p[:, None]) - np.outer(x.T @ p, x.T @ p)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _matrix(items: list[Item], names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    rows = [[f[n] for n in names] for it in items for f in it.features]
    labels = [y for it in items for y in it.labels]
    return np.array(rows, dtype=float).reshape(-1, len(names)), np.array(labels, dtype=float)


def _scores(item: Item, names: list[str], weights: dict[str, float]) -> list[float]:
    return [sum(weights[n] * f[n] for n in names) for f in item.features]


def top1(item: Item, names: list[str], weights: dict[str, float]) -> float:
    s = _scores(item, names, weights)
    return float(item.labels[max(range(len(s)), key=lambda i: (s[i], -i))]) if s else 0.0


def rr(item: Item, names: list[str], weights: dict[str, float]) -> float:
    s = _scores(item, names, weights)
    order = sorted(range(len(s)), key=lambda i: (-s[i], i))
    return next((1 / (r + 1) for r, i in enumerate(order) if item.labels[i]), 0.0)


def leave_one_council_out(items: list[Item], names: list[str], judge):
    """Each item judged by weights fitted on the other councils' items; the weights fitted on all; and the
    weights each council's questions are judged by (fitted without it)."""
    results, folds = [], {}
    for it in items:
        if it.council not in folds:
            w = conditional_logit([o for o in items if o.council != it.council], names)
            folds[it.council] = dict(zip(names, (float(v) for v in w)))
        results.append(judge(it, names, folds[it.council]))
    w = conditional_logit(items, names)
    fitted = dict(zip(names, (round(float(v), 4) for v in w)))
    return fitted, results, folds


def whole_answers(runs, written: dict, part: str, folds: dict[str, dict], fitted: dict) -> dict:
    """Whole answers, each question asked with ``part``'s weights fitted without its council (``qa.weights.
    trying``), against the written weights: the share right (the facts stated, or "not found" out of the
    corpus), per kind of question."""
    from qa.weights import trying

    mine: dict[str, list[float]] = defaultdict(list)
    theirs: dict[str, list[float]] = defaultdict(list)
    for asker, name, q in _questions(runs, written):
        for weights, out in ((written, mine), ({**written, part: folds.get(_council(name, q), fitted)}, theirs)):
            with trying(weights):
                right = _right(asker.ask(q.text), q)
            out[q.kind].append(right)
            out["all"].append(right)
    return {"written": {k: round(sum(v) / len(v), 3) for k, v in sorted(mine.items())},
            "fitted_held_out": {k: round(sum(v) / len(v), 3) for k, v in sorted(theirs.items())}}


def _questions(runs, written: dict):
    """(asker, set name, question) for every gold question but the lists, of each run's index and sets."""
    from eval.data import gold_dir, load_gold
    from index.search import Searcher
    from qa.ask import Asker

    for directory, sets in runs:
        asker = Asker(Searcher(directory), threshold=float(written["threshold"]))
        for name in sets:
            for q in load_gold(gold_dir(name or None)):
                if q.kind != "list":
                    yield asker, name, q


def _right(ans, q) -> float:
    """1.0 where a whole answer is right: every fact stated and not abstained, or abstained where it should."""
    from eval.metrics import fact_match

    if not q.answerable:
        return float(ans.abstained)
    return float(fact_match(" ".join(c.text for c in ans.claims), q.facts, q.alternatives) == 1.0
                 and not ans.abstained)


DOMINANCE_GRID = (0.05, 0.1, 0.15, 0.2, 0.3)


def fit_dominance(runs, written: dict) -> dict:
    """The dominance margin from a small grid: each council's questions answered with the value that does best
    on the other councils' (ties to the written value); whole answers right, either way."""
    from qa.weights import trying

    rows = []  # (council, kind, {value: right})
    for asker, name, q in _questions(runs, written):
        right = {}
        for value in DOMINANCE_GRID:
            with trying({**written, "dominance": value}):
                right[value] = _right(asker.ask(q.text), q)
        rows.append((_council(name, q), q.kind, right))
    current = float(written["dominance"])

    def best(part):
        return max(DOMINANCE_GRID, key=lambda v: (sum(r[2][v] for r in part), -abs(v - current)))

    held = [r[2][best([o for o in rows if o[0] != r[0]])] for r in rows]
    return {"written": current, "fitted": best(rows),
            "right_written": round(sum(r[2][current] for r in rows) / len(rows), 3),
            "right_fitted_held_out": round(sum(held) / len(held), 3),
            "by_value": {v: round(sum(r[2][v] for r in rows) / len(rows), 3) for v in DOMINANCE_GRID}}


def _scaled(fitted: dict, written: dict, names: list[str]) -> dict:
    """Fitted weights at the written weights' scale (their absolute sum), without a bias."""
    scale = sum(abs(written[n]) for n in names) / (sum(abs(fitted[n]) for n in names) or 1)
    return {n: round(fitted[n] * scale, 4) for n in names}


def by_kind(items: list[Item], values: list[float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for it, v in zip(items, values):
        groups[it.kind].append(v)
        groups["all"].append(v)
    return {k: round(sum(v) / len(v), 3) for k, v in sorted(groups.items())}


def _council(name: str, q) -> str:
    """The council a question is about, for leaving it out: its page's folder; the sample's is Kent's; an
    out-of-corpus question of a set with no page is its own group."""
    if name in SAMPLE_SETS:
        return "kent-sample"
    return q.files[0].split("/")[0] if q.files else f"{name}:{q.qid}"


def _holds(text: str, facts, quotes) -> int:
    from qa.text import normalise

    plain = normalise(text).lower()
    return int(any(normalise(f).lower() in plain for f in facts if f)
               or any(normalise(q).lower() in plain for q in quotes if q))


def collect(index_dir: Path, sets: tuple[str, ...]):
    """Per question: the sentences drafted from and the reranking pool, with features and labels; and the
    evidence each question's answer is abstained on. A set over the sample is one council's (Kent's)."""
    from dataclasses import replace

    from eval.data import gold_dir, load_gold
    from index.filters import Filters
    from index.search import Searcher
    from qa.ask import RERANK_POOL, Asker
    from qa.evidence import Evidence
    from qa.frame import read
    from qa.intent import Intent
    from qa.rerank import features as rerank_features

    searcher = Searcher(index_dir)
    asker = Asker(searcher)
    sentences, pools, evidence = [], [], []
    for name in sets:
        for q in load_gold(gold_dir(name or None)):
            council = _council(name, q)
            quotes = [r.split("#", 1)[1] for r in q.relevant if "#" in r and q.files]
            frame = read(q.text, searcher.councils())
            filters = asker.scoped(q.text, Filters(), frame.intent)
            ev = Evidence(searcher, q.text, frame)
            pool = searcher.search(q.text, k=RERANK_POOL, filters=filters, distinct=True)
            pool += asker.copies(q.text, pool, filters, ev)
            if pool and not filters.decision:
                pool = asker.focus(q.text, pool, ev.strengths(pool), filters, ev)
            strengths = ev.strengths(pool)
            evidence.append((council, q.kind, q.answerable, max(strengths[:8] or [0.0]), q.qid))
            if not q.answerable or q.kind == "list" or not pool:
                continue
            covered = ev.decision_coverage(pool)
            pools.append(Item(q.qid, council, q.kind,
                              [rerank_features(h, s, frame.intent, covered[h.decision]) for h, s in zip(pool, strengths)],
                              [_holds(h.text, q.facts, quotes) for h in pool]))
            hits = [h for h, _ in asker.ranked(q.text, 8, filters, ev)]
            if frame.intent is not Intent.LIST and not filters.decision:
                hits = asker.focus(q.text, hits, ev.strengths(hits), filters)
            scored = ev.sentences(hits[:20], frame.intent)
            sentences.append(Item(q.qid, council, q.kind, [s.features for s in scored],
                                  [_holds(s.text, q.facts, ()) for s in scored]))
    return sentences, pools, evidence


MISSED_COST = 2.0  # an answer the documents do not support is worse than "not found" (the guide): a missed
# abstention costs twice a false one when the threshold is chosen


def outcomes(index_dir: Path, sets: tuple[str, ...]) -> list[tuple[str, str, bool, float, bool, float]]:
    """Each question asked with no threshold: (council, kind, answerable, evidence, abstained for another reason,
    fact match): what any threshold would make of it."""
    from eval.data import gold_dir, load_gold
    from eval.metrics import fact_match
    from index.search import Searcher
    from qa.ask import Asker

    asker = Asker(Searcher(index_dir), threshold=0.0)
    out = []
    for name in sets:
        for q in load_gold(gold_dir(name or None)):
            council = _council(name, q)
            ans = asker.ask(q.text)
            fact = fact_match(" ".join(c.text for c in ans.claims), q.facts, q.alternatives) if q.answerable else 0.0
            out.append((council, q.kind, q.answerable, ans.evidence, ans.abstained, fact))
    return out


def _cost(rows, t: float) -> float:
    total = 0.0
    for _, _, answerable, evidence, abstained, fact in rows:
        answers = not abstained and evidence >= t
        if not answerable:
            total += MISSED_COST * answers
        else:
            total += 0.0 if answers and fact == 1.0 else 1.0  # a false abstention, or a wrong answer kept
    return total


def fit_threshold(rows, written: float) -> dict:
    """The abstention threshold with the least cost on the other councils' questions (a missed abstention costs
    MISSED_COST, a false one or a wrong answer 1); the cost of each question either way."""
    def best(part):
        cands = sorted({round(r[3], 3) for r in part} | {written, 0.0})
        return min(cands, key=lambda t: (_cost(part, t), abs(t - written)))

    held = sum(_cost([r], best([o for o in rows if o[0] != r[0]])) for r in rows)
    return {"written": written, "fitted": best(rows), "cost_written": _cost(rows, written),
            "cost_fitted_held_out": held, "questions": len(rows)}


def main(argv: list[str] | None = None) -> int:
    from eval.data import corpus_of
    from eval.run import index_name, sample_index
    from qa.weights import WEIGHTS

    ap = argparse.ArgumentParser(prog="python -m eval.fit", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", nargs="+", default=list(FIT_SETS), help="uk gold sets (over corpus-uk)")
    ap.add_argument("--sample-sets", nargs="*", default=list(SAMPLE_SETS),
                    help="gold sets over the bundled sample (\"\" for the gold set itself)")
    ap.add_argument("--index", help="an index of corpus-uk (default: build .councilqa/eval-index-corpus-uk)")
    ap.add_argument("--model", help="embedding model of the indexes it builds (default: minilm; eval --model)")
    ap.add_argument("--write", action="store_true", help="write the parts the fit does better on")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if {"ukheldout5", "ukheldout6"} & set(args.sets):
        ap.error("ukheldout5 and ukheldout6 are held out: they are never fitted on")
    uk = corpus_of("uk", None)
    index_dir = Path(args.index) if args.index else sample_index(Path(".councilqa") / index_name(uk, args.model),
                                                                  args.model, uk)
    sample_dir = sample_index(Path(".councilqa") / index_name(None, args.model), args.model, None)
    runs = [(index_dir, tuple(args.sets)), (sample_dir, tuple(args.sample_sets))]
    written = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    sentences, pools = [], []
    for directory, sets in runs:
        s_items, p_items, _ = collect(directory, sets)
        sentences += s_items
        pools += p_items
    report: dict = {}
    for part, items, judge in (("sentence", sentences, top1), ("rerank", pools, rr)):
        names = [n for n in written[part] if n != "bias"]
        fitted, held, folds = leave_one_council_out(items, names, judge)
        mine = [judge(it, names, written[part]) for it in items]
        folds = {c: _scaled(w, written[part], names) for c, w in folds.items()}  # at the written scale
        report[part] = {"questions": len(items), "written": by_kind(items, mine), "fitted_held_out": by_kind(items, held),
                        "fitted_on_all": fitted,
                        "answers": whole_answers(runs, written, part, folds, _scaled(fitted, written[part], names))}
        answers = report[part]["answers"]
        if args.write and answers["fitted_held_out"]["all"] > answers["written"]["all"]:
            # scores are compared by ratio (a second sentence) and by margins (the dominance margin): the
            # written scale kept
            written[part] = _scaled(fitted, written[part], names)
            report[part]["written_now"] = written[part]
    rows = [row for directory, sets in runs for row in outcomes(directory, sets)]
    report["threshold"] = fit_threshold(rows, float(written["threshold"]))
    if args.write and report["threshold"]["cost_fitted_held_out"] < report["threshold"]["cost_written"]:
        written["threshold"] = report["threshold"]["fitted"]
    report["dominance"] = fit_dominance(runs, written)
    if args.write and report["dominance"]["right_fitted_held_out"] > report["dominance"]["right_written"]:
        written["dominance"] = report["dominance"]["fitted"]
    if args.write:
        WEIGHTS.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _table(report: dict) -> str:
    lines = []
    for part in ("sentence", "rerank"):
        r = report[part]
        what = "top-1 holds a fact" if part == "sentence" else "MRR of a passage holding the answer"
        lines.append(f"{part} ({r['questions']} questions; {what}):")
        for kind in r["written"]:
            lines.append(f"  {kind:12} written {r['written'][kind]:.3f}   fitted, council held out "
                         f"{r['fitted_held_out'][kind]:.3f}")
        lines.append(f"  fitted on all: {r['fitted_on_all']}")
        a = r["answers"]
        lines.append("  whole answers right (facts stated, or not found out of the corpus): " + ", ".join(
            f"{k} {a['written'][k]:.3f} -> {a['fitted_held_out'][k]:.3f}" for k in a["written"]))
    t = report["threshold"]
    lines.append(f"threshold over {t['questions']} questions: written {t['written']} (cost {t['cost_written']}), fitted "
                 f"{t['fitted']} (cost with each council held out {t['cost_fitted_held_out']}; a missed abstention "
                 f"costs {MISSED_COST}, a false one or a wrong answer 1)")
    d = report["dominance"]
    lines.append(f"dominance: written {d['written']} (whole answers right {d['right_written']}), fitted {d['fitted']} "
                 f"(each council held out {d['right_fitted_held_out']}); by value {d['by_value']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
