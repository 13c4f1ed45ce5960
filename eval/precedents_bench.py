"""``python -m eval.precedents_bench [--decisions 10000 100000]``: how long ``similar`` takes among N decisions.

For each N it writes N synthetic decisions (``eval/synthetic.py``: the sample's layouts, services, sums, years and
people varied; each keeps its header and a few of its template's paragraphs), spread over ``COUNCILS`` invented
councils (the name printed on each page replaced), and ingests them with the real pipeline: store, FAISS (HNSW
past 50,000 passages), keywords, sentence and decision vectors. The embedder is ``hash:384`` (deterministic
hashing, no model): every query in ``similar`` embeds nothing, so its cost does not depend on the model, and a
real model would take hours to embed 100,000 decisions on two cores. The index is kept in ``--workdir`` between
runs (a second run ingests nothing new).

Then it times ``SimilarFinder.similar`` (k=10: ranking every decision by its vector, near-duplicates set aside,
the ten decisions' records and their verified passage pairs) for ``--queries`` decisions drawn at random, warm,
and reports p50 and p95 in ms, again with ``--other-councils`` and with a date range, the share spent ranking,
and what loading the decision vectors costs once (time, and their size in memory). Prints figures; asserts none.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

COUNCILS = [f"{name} District Council" for name in (
    "Eastmarsh", "Northvale", "Westshire", "Southbury", "Highmoor", "Lowfield", "Kingsford", "Ashcombe", "Brackley",
    "Coldwater", "Dunmere", "Elmstead", "Farrowdale", "Greystone", "Hollins", "Ivybridge Vale", "Juniper",
    "Kestrel", "Larkhill", "Marlow Heath")]
_COUNCIL = re.compile(r"kent county council", re.I)


def write_corpus(directory: Path, count: int, say) -> list[Path]:
    from eval.synthetic import decisions

    marker = directory / ".count"
    files = sorted(directory.glob("*.txt"))
    if marker.exists() and marker.read_text() == str(count):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    for old in files:
        old.unlink()
    out = []
    for i, d in enumerate(decisions(count, keep=0.05, seed=19, header=5)):
        council = COUNCILS[i % len(COUNCILS)]
        path = directory / d.name
        path.write_text(_COUNCIL.sub(council, d.text), encoding="utf-8")
        out.append(path)
    marker.write_text(str(count))
    say(f"wrote {count:,} synthetic decisions in {directory}")
    return out


def ensure_index(workdir: Path, count: int, say) -> Path:
    from index.build import build
    from index.embed import HashEmbedder

    files = write_corpus(workdir / f"corpus-{count}", count, say)
    index_dir = workdir / f"index-{count}"
    t0 = time.perf_counter()
    report = build(files, index_dir, HashEmbedder(384), "hash:384",
                   progress=lambda m: say(m) if not m.startswith(("added", "unchanged")) else None)
    if report.added:
        say(f"ingested {len(report.added):,} files, {report.passages:,} passages in {time.perf_counter() - t0:.0f} s")
    return index_dir


def _p(values: list[float], q: int) -> float:
    return round(float(np.percentile(values, q)), 1) if values else 0.0


def time_similar(index_dir: Path, queries: int, seed: int = 5) -> dict:
    from index.embed import HashEmbedder
    from index.requests import similar_request
    from index.search import Searcher
    from qa.similar import SimilarFinder

    searcher = Searcher(index_dir, embedder=HashEmbedder(384))
    t0 = time.perf_counter()
    finder = SimilarFinder(searcher)
    load_s = time.perf_counter() - t0
    ids = [str(n) for n in finder.vectors.ids]
    picks = random.Random(seed).sample(ids, min(queries, len(ids)))
    dates = sorted(d for d in finder.table.date if d)
    span = (dates[len(dates) // 4], dates[3 * len(dates) // 4]) if dates else ("", "")
    out = {"decisions": len(ids), "passages": searcher.passage_count(), "faiss_index":
           searcher.manifest.get("faiss_index", ""), "load_s": round(load_s, 2),
           "decision_vectors_mb": round(finder.vectors.vectors.nbytes / 2**20, 1)}
    for name, extra in (("all", {}), ("other_councils", {"other_councils": True}),
                        ("date_range", {"date_from": span[0], "date_to": span[1]})):
        for n in picks[:5]:
            finder.similar(n, **extra)  # warm
        total, ranking, found = [], [], 0
        for n in picks:
            request = similar_request(n, 10, **extra)
            t = time.perf_counter()
            finder.ranked(request)
            ranking.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            result = finder.similar_to(request)
            total.append((time.perf_counter() - t) * 1000)
            found += len(result.results)
        out[name] = {"p50_ms": _p(total, 50), "p95_ms": _p(total, 95), "ranking_p50_ms": _p(ranking, 50),
                     "mean_results": round(found / len(picks), 1)}
    searcher.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.precedents_bench", description=__doc__.split("\n")[0])
    p.add_argument("--decisions", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--workdir", default=".councilqa/precedents-bench")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    results = []
    for count in args.decisions:
        index_dir = ensure_index(Path(args.workdir), count, say)
        results.append(time_similar(index_dir, args.queries))
        r = results[-1]
        if not args.json:
            print(f"{r['decisions']:,} decisions, {r['passages']:,} passages ({r['faiss_index']}): decision vectors "
                  f"{r['decision_vectors_mb']} MB, loaded in {r['load_s']} s")
            for name in ("all", "other_councils", "date_range"):
                x = r[name]
                print(f"  similar k=10, {name}: p50 {x['p50_ms']} ms, p95 {x['p95_ms']} ms (ranking p50 "
                      f"{x['ranking_p50_ms']} ms), {x['mean_results']} results", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
