"""Search and ask latency over an index already built, on either backend, without building anything.

``python -m eval.search_timing --index DIR_OR_URL [--queries 100] [--rounds 2] [--no-ask] [--json]`` times the
bench's queries (``eval.bench.queries``: hybrid search, k=10, each query paying for its own embedding) unfiltered
and with the bench's maker and date range, then warm ``ask``. It is how a database that ``councilqa bench
--backend postgres --index URL`` left behind (``bench_<time>`` on that server) is measured again on a quieter
machine: a build at a million passages takes about half an hour, a timing a minute. Each round is reported, so the
spread of a shared machine shows; the machine's load average is printed beside them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def _load() -> str:
    try:
        return " ".join(open("/proc/loadavg", encoding="ascii").read().split()[:3])
    except OSError:
        return "unknown"


def measure(index: str, query_count: int = 100, rounds: int = 2, ask: bool = True, model: str = "minilm",
            say=print) -> dict:
    from eval.bench import FILTERED, _ask_latencies, _p, _percentiles, _timed_searches, machine, queries
    from index.backends import describe, open_searcher, resolve, url_of
    from index.filters import Filters

    place = resolve(index)
    searcher = open_searcher(place, model=model)
    try:
        total = searcher.passage_count()
        qs = queries(query_count)
        for q in qs[:5]:
            searcher.search(q, k=10)
        out: dict = {"index": describe(place), "passages": total, "queries": len(qs), "machine": machine(),
                     "backend": "postgres" if url_of(place) else "embedded", "rounds": []}
        for n in range(rounds):
            load = _load()
            say(f"round {n + 1}: searching {len(qs)} queries over {total:,} passages (load {load})")
            lat, stages, _ = _timed_searches(searcher, qs, Filters())
            flat, fstages, fhits = _timed_searches(searcher, qs, Filters(**FILTERED))
            row = {"load_before": load, "search_p50_ms": _p(lat, 50), "search_p95_ms": _p(lat, 95),
                   "stages": _percentiles(stages), "filtered_p50_ms": _p(flat, 50), "filtered_p95_ms": _p(flat, 95),
                   "filtered_stages": _percentiles(fstages), "filtered_hits": round(fhits, 2)}
            if ask:
                ask_lat, abstained = _ask_latencies(searcher, qs)
                row.update(ask_p50_ms=_p(ask_lat, 50), ask_p95_ms=_p(ask_lat, 95), asks_abstained=abstained)
            row["load_after"] = _load()
            out["rounds"].append(row)
        return out
    finally:
        searcher.close()


def format_result(r: dict) -> str:
    lines = [f"{r['backend']} index {r['index']}: {r['passages']:,} passages, {r['queries']} queries, {r['machine']}"]
    for n, row in enumerate(r["rounds"], 1):
        ask = (f"; ask p50 / p95 {row['ask_p50_ms']} / {row['ask_p95_ms']} ms ({row['asks_abstained']} abstained)"
               if "ask_p50_ms" in row else "")
        lines.append(f"round {n} (load {row['load_before']} -> {row['load_after']}): search p50 / p95 "
                     f"{row['search_p50_ms']} / {row['search_p95_ms']} ms; filtered {row['filtered_p50_ms']} / "
                     f"{row['filtered_p95_ms']} ms{ask}")
        for stage, ms in row["stages"].items():
            f = row["filtered_stages"][stage]
            lines.append(f"  {stage:<10} {ms['p50_ms']:>8} / {ms['p95_ms']:<8} filtered {f['p50_ms']:>8} / "
                         f"{f['p95_ms']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.search_timing", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", required=True, help="an index directory or postgresql://...")
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--no-ask", action="store_true", help="time searches only")
    p.add_argument("--model", default="minilm")
    p.add_argument("--state", help="the PostgreSQL backend's local state folder (councilqa's default otherwise)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.state:
        from index import backends

        os.environ[backends.STATE_ENV] = args.state
    r = measure(args.index, args.queries, args.rounds, not args.no_ask, args.model,
                say=lambda m: print(m, file=sys.stderr))
    print(json.dumps(r) if args.json else format_result(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
