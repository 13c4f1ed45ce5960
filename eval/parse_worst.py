"""The slowest parses: one file's read, clean, split and extraction timed on adversarial but plausible inputs.

``python -m eval.parse_worst [--cap 30] [--only NAME ...] [--bounded] [--json]`` builds each input in code (within
the size bound: 25 MB a file, 4M characters of text), parses it as ``ingest`` does one file (``parse_parts``) in
a child process stopped after ``--cap`` seconds, and prints a table: the seconds taken (or ">cap"), the stage
the time went to (read, split, council, clean, paragraphs, passages, metadata, ledger, orgs, locate: exclusive
times), and what came out. ``--bounded`` times ``parse_job`` instead, the path every ingest takes, whose own
time bound (``timeout_s`` = the cap) turns a parse that cannot finish into a ``Failure``.

``--fork-cost [--model minilm]`` prices the bound instead: ~50 corpus files parsed in this process and each in
its own child, with the embedding model loaded first so that the process forked is as large as an ingest's.

The inputs aim at what the parser does per line, per word and per amount: a 3.9 MB line, 200k short lines, a
paragraph wrapped over 150k lines, HTML nested 100k deep, a 1 MB table, runs of spaces and tabs after a label or a
date, a heading of capitalised words with no organisation's ending, a paragraph dense with amounts, thousands of
headings, a decision list of 20k entries.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable

STAGES = {  # module attribute -> stage name (the functions ``ingest.pipeline`` calls, and two inside them)
    ("ingest.pipeline", "read_bytes"): "read", ("ingest.pipeline", "split"): "split",
    ("ingest.pipeline", "page_council"): "council", ("ingest.metadata", "page_council"): "council",
    ("ingest.pipeline", "clean"): "clean", ("ingest.pipeline", "paragraphs"): "paragraphs",
    ("ingest.pipeline", "passages"): "passages", ("ingest.pipeline", "extract"): "metadata",
    ("ingest.ledger", "entries"): "ledger", ("ingest.orgs", "mentions"): "orgs",
    ("ingest.pipeline", "locate"): "locate",
}


def _words(n: int, word: str = "word") -> str:
    return " ".join(f"{word}{i % 97}" for i in range(n))


def _cases() -> dict[str, tuple[str, str, Callable[[], bytes]]]:
    """name -> (suffix, what it is, bytes)."""
    line = "the quick brown fox jumps over the lazy dog and"
    return {
        "line-5mb": (".txt", "5 MB line without spaces (over the text cap)", lambda: b"a" * 5_000_000),
        "line-3.9mb": (".txt", "3.9 MB line without spaces", lambda: b"a" * 3_900_000),
        "caps-token": (".txt", "a 'contract' sentence: one 200k-letter capital word, an amount",
                       lambda: ("The contract with " + "A" * 200_000 + " x costs £5.").encode()),
        "short-lines": (".txt", "200k short lines", lambda: "\n".join(_words(200_000)).encode()),
        "wrapped": (".txt", "one paragraph wrapped over 80k equal lines",
                    lambda: "\n".join([line] * 80_000).encode()),
        "space-run": (".txt", "a line of 'a', 1M spaces, 'b'", lambda: b"Notes\n\nThe text reads a" + b" " * 1_000_000 + b"b and goes on.\n"),
        "label-tabs": (".txt", "a label, 200k tabs, a value", lambda: b"Decision notes\n\nDecision" + b"\t" * 200_000 + b"x\n"),
        "date-spaces": (".txt", "a decision list line, 200k spaces inside",
                        lambda: b"01/01/2020 - a" + b" " * 200_000 + b"b\n\n02/01/2020 - c\n"),
        "caps-heading": (".txt", "a heading of 26 capitalised words, no organisation's ending",
                         lambda: ("Report\n\n" + "AB " * 26 + "x\n\nThe text.\n").encode()),
        "caps-words": (".txt", "a line of 20k capitalised words", lambda: ("Note\n\n" + _words(20_000, "Word") + "\n").encode()),
        "hyphen-caps": (".txt", "A-A-A-... 1 MB token", lambda: ("Note\n\nText " + "A-" * 500_000 + "x\n").encode()),
        "amounts": (".txt", "a contract paragraph with 50k amounts",
                    lambda: ("Note\n\nThe contract costs " + " and ".join(f"£{i}" for i in range(50_000)) + ".\n").encode()),
        "bracket-amounts": (".txt", "an amount, then 5k amounts inside one bracket",
                            lambda: ("Note\n\nThe contract costs £5m (" + ", ".join(["£1"] * 5_000) + ").\n").encode()),
        "headings": (".md", "20k Markdown headings, each over a sentence",
                     lambda: "".join(f"## Heading {i}\n\nThe council agreed item {i}.\n\n" for i in range(20_000)).encode()),
        "labels": (".txt", "200k 'Decision: x' lines", lambda: "\n".join(f"Decision: item {i}" for i in range(200_000)).encode()),
        "decision-list": (".txt", "a decision list of 20k entries",
                          lambda: ("Decisions\n\n" + "".join(f"{1 + i % 28:02d}/01/2020 - Item {i} ref: {i}  Recommendations "
                                                             "Approved\n\n" for i in range(20_000))).encode()),
        "agenda": (".txt", "an agenda page: 5k items, each a numbered decision",
                   lambda: ("Agenda and decisions\n\n" + "".join(
                       f"Item heading {i}\n\nThe Cabinet considered the report on item {i} of the plan.\n\n{i}/2003 "
                       f"The Cabinet approved item {i}.\n\n" for i in range(5_000))).encode()),
        "html-nested": (".html", "HTML nested 100k tags deep",
                        lambda: b"<html><body>" + b"<div>" * 100_000 + b"text" + b"</div>" * 100_000 + b"</body></html>"),
        "html-table": (".html", "a 1 MB HTML table (20k rows)", lambda: (
            "<html><body><table>" + "".join(f"<tr><td>Row {i}</td><td>£{i},000</td><td>Acme {i} Ltd</td></tr>"
                                            for i in range(20_000)) + "</table></body></html>").encode()),
        "text-table": (".txt", "a 1 MB tab-separated table (25k rows)",
                       lambda: ("Costs\n\n" + "\n".join(f"Row {i}\t£{i},000\t\t\t{i}.5" for i in range(25_000))).encode()),
    }


def _timed(report, current) -> None:
    """Wrap the stages so each call's own time (nested calls excluded) adds up under its name."""
    import importlib

    stack: list[list] = []

    def wrap(func, stage):
        def timed(*args, **kwargs):
            now = time.perf_counter()
            if stack:
                report[stack[-1][0]] = report.get(stack[-1][0], 0.0) + now - stack[-1][1]
            stack.append([stage, now])
            current.value = stage.encode()
            try:
                return func(*args, **kwargs)
            finally:
                name, since = stack.pop()
                end = time.perf_counter()
                report[name] = report.get(name, 0.0) + end - since
                if stack:
                    stack[-1][1] = end
                    current.value = stack[-1][0].encode()
        return timed

    for (module, attr), stage in STAGES.items():
        mod = importlib.import_module(module)
        setattr(mod, attr, wrap(getattr(mod, attr), stage))


def _child(conn, name: str, data: bytes, suffix: str, bounded: bool, cap: float, current) -> None:
    from ingest.errors import UnreadableDocument
    from ingest.pipeline import FileJob, parse_job, parse_parts
    from ingest.records import Failure

    stages: dict[str, float] = {}
    if bounded:
        from ingest.bounded import warm

        warm()  # once an ingest, not once a file: left out of the file's time
    else:
        _timed(stages, current)
    start = time.perf_counter()
    try:
        if bounded:
            got = parse_job(FileJob(f"{name}{suffix}", data, timeout_s=cap))
            result = got.reason if isinstance(got, Failure) else f"{len(got)} docs"
        else:
            docs = parse_parts(data, f"{name}{suffix}")
            result = f"{len(docs)} docs, {sum(len(d.passages) for d in docs)} passages"
    except UnreadableDocument as exc:
        result = f"refused: {exc.reason}"
    except Exception as exc:  # what the parse raised that is no reason for a person: a finding
        result = f"RAISED {type(exc).__name__}: {str(exc)[:80]}"
    seconds = time.perf_counter() - start
    conn.send_bytes(json.dumps({"seconds": seconds, "stages": stages, "result": result}).encode())
    conn.close()


def measure(name: str, suffix: str, data: bytes, cap: float, bounded: bool = False) -> dict:
    """One input parsed in a forked child; stopped ``cap`` seconds in (plus 30 s for ``bounded``, whose own bound
    should stop it first)."""
    ctx = mp.get_context("fork")
    current = ctx.Array("c", 32)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, name, data, suffix, bounded, cap, current), daemon=True)
    start = time.perf_counter()
    proc.start()
    child.close()
    try:
        if parent.poll(cap + (30 if bounded else 0)):
            out = json.loads(parent.recv_bytes())
        else:
            out = {"seconds": None, "stages": {}, "result": f"stopped after {cap:g} s in {current.value.decode()}"}
    except EOFError:
        out = {"seconds": None, "stages": {}, "result": "the child died"}
    finally:
        proc.kill()
        proc.join()
    out.update(case=name, bytes=len(data), wall=time.perf_counter() - start)
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def fork_cost(limit: int = 50, model: str = "", rounds: int = 3) -> dict:
    """The bound's price: up to ``limit`` corpus files (../shared/corpus-uk, ../shared/corpus) parsed here as
    before (``parse_parts``) and each in its own child (``parse_job``), ``rounds`` times each, best round kept.
    ``model``: an embedder to load first (``minilm``), so that the parent forked is as large as an ingest's."""
    from pathlib import Path

    from ingest.bounded import parse_in_child, warm
    from ingest.pipeline import FileJob, parse_job, read_all

    if model:
        from index.embed import load_embedder

        load_embedder(model).embed(["warm the model up"])
    roots = [Path(__file__).resolve().parents[2] / "shared" / name for name in ("corpus-uk", "corpus")]
    jobs = [j for j in read_all([r for r in roots if r.is_dir()]) if isinstance(j, FileJob)][:limit]
    start = time.perf_counter()
    warm()
    warm_s = time.perf_counter() - start
    here, bounded = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for job in jobs:
            parse_in_child(job)  # the child's own work, in this process: the parse and its JSON
        here.append(time.perf_counter() - start)
        start = time.perf_counter()
        for job in jobs:
            parse_job(job)
        bounded.append(time.perf_counter() - start)
    return {"files": len(jobs), "parent_rss_mb": round(_rss_mb()), "model": model or "none",
            "warm_s": round(warm_s, 3), "here_s": round(min(here), 3), "bounded_s": round(min(bounded), 3),
            "per_file_ms": round(1000 * (min(bounded) - min(here)) / max(1, len(jobs)), 1)}


def format_table(rows: list[dict], cap: float) -> str:
    lines = [f"| case | bytes | seconds | slowest stage | result |", "| --- | ---: | ---: | --- | --- |"]
    for r in rows:
        secs = f"{r['seconds']:.2f}" if r["seconds"] is not None else f">{cap:g}"
        top = max(r["stages"].items(), key=lambda kv: kv[1]) if r["stages"] else None
        stage = f"{top[0]} {top[1]:.2f}" if top else ""
        lines.append(f"| {r['case']} | {r['bytes']:,} | {secs} | {stage} | {r['result']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cap", type=float, default=30.0, help="seconds one parse may take (default 30)")
    ap.add_argument("--only", nargs="*", help="case names")
    ap.add_argument("--bounded", action="store_true", help="time parse_job, the bounded path of every ingest")
    ap.add_argument("--fork-cost", action="store_true", help="time ~50 corpus files parsed here and bounded")
    ap.add_argument("--model", default="", help="with --fork-cost: an embedder to load first (minilm)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.fork_cost:
        print(json.dumps(fork_cost(model=args.model)))
        return 0
    cases = _cases()
    rows = []
    for name, (suffix, what, make) in cases.items():
        if args.only and name not in args.only:
            continue
        row = measure(name, suffix, make(), args.cap, args.bounded)
        row["what"] = what
        rows.append(row)
        if not args.json:
            print(format_table([row], args.cap).splitlines()[-1], flush=True)
    load = " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "?"
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"\n{format_table(rows, args.cap)}\n(load average {load})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
