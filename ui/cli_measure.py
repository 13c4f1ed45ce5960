"""``councilqa eval`` and ``councilqa bench``: the commands that measure. Thin, as ``ui.cli``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ui.cli import EXIT_OK, _open_store


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.data import corpus_of, gold_dir, load_gold, scaled
    from index.requests import k_value
    from eval.run import calibration, distractor_index, evaluate, format_table, index_name, sample_index

    if args.distractors:
        k_value(args.distractors, "--distractors", upper=100_000)
    from index.backends import is_url, resolve

    database = is_url(args.index)  # a database is filled with the gold set's corpus first, as a directory is
    if args.index and not database:
        index_dir = Path(args.index)
    elif args.distractors:
        say = lambda msg: print(msg, file=sys.stderr) if msg.startswith(("embed", "failed")) else None  # noqa: E731
        index_dir = distractor_index(resolve(args.index) if database else
                                     Path(f".councilqa/eval-distractors-{args.distractors}"), args.distractors,
                                     args.model, say)
    else:
        corpus = corpus_of(args.gold, args.corpus)
        index_dir = sample_index(resolve(args.index) if database else Path(".councilqa") / index_name(corpus, args.model),
                                 args.model, corpus)
    gold = load_gold(gold_dir(args.gold))
    if args.gold == "amounts" and not args.json:  # the labelled amounts first: how the ledger reads them
        from eval.ledger import evaluate as evaluate_ledger, format_score

        print(format_score(evaluate_ledger(corpus_of(args.gold, args.corpus))))
    table, details = evaluate(index_dir, args.config, gold=scaled(gold) if args.distractors else gold,
                              threshold=args.threshold)
    recognised = _decision_check(gold_dir(args.gold), index_dir)
    if args.json:
        print(json.dumps({"table": table, "calibration": {k: calibration(v) for k, v in details.items()},
                          **({"decisions": recognised.summary()} if recognised else {})}, indent=2))
        return EXIT_OK
    if recognised:
        print("decisions as printed:", ", ".join(f"{k} {v}" for k, v in recognised.summary().items()))
        if args.details:
            for miss in recognised.missed:
                print(f"  not recognised: {miss}")
            for name, wrong in recognised.wrong.items():
                for line in wrong:
                    print(f"  {name}: {line}")
    print(format_table(table, distractors=bool(args.distractors)))
    print("questions about the record answered right from it:",
          ", ".join(f"{row['config']} {row['record_asks']}" for row in table))
    for name, results in details.items():
        print(f"{name}: abstention margin {calibration(results)}")
        if args.details:
            for r in results:
                if (r.kind != "out" and r.fact < 1) or (r.kind == "out" and not r.abstained):
                    print(f"  {r.qid} ({r.kind}, {r.answerer}, evidence {r.evidence:.3f}): "
                          f"{' '.join(r.answer.split())[:200]}")
    return EXIT_OK


def _decision_check(gold: Path, index_dir: Path):
    """The gold set's printed decisions (``decisions.jsonl``) against the index's, where the set has them."""
    if not (gold / "decisions.jsonl").is_file():
        return None
    from eval.decisions import check
    from index.decisions import list_decisions

    with _open_store(index_dir) as store:
        return check(gold / "decisions.jsonl", list_decisions(store))


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench import format_result, run

    from index.requests import k_value

    k_value(args.passages, "--passages", upper=5_000_000)
    k_value(args.sample, "--sample", upper=args.passages)
    k_value(args.queries, "--queries", upper=100_000)
    say = lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True)  # noqa: E731
    from index.backends import is_url

    database = args.index if is_url(args.index) else None
    if args.index and not database:
        raise ValueError("bench --index takes a postgresql://... URL (a new database is made on its server)")
    result = run(args.passages, args.sample, args.model or "minilm", args.queries,
                 Path(args.workdir) if args.workdir else None, say,
                 backend="postgres" if database else args.backend, database=database)
    print(json.dumps(result.to_json()) if args.json else format_result(result))
    return EXIT_OK
