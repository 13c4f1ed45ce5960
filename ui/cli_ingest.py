"""``councilqa ingest``: read documents into the index, report what was added, skipped and failed. Thin, as
``ui.cli``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ui.cli_common import EXIT_ALL_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, _index_dir, _open_store


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.backends import build, describe
    from index.decisions import list_decisions
    from index.embed import DEFAULT_MODEL, load_embedder
    from index.requests import k_value
    from index.sanitise import printable
    from ingest.pipeline import DEFAULT_MAX_PASSAGES, DEFAULT_TIMEOUT_S, NO_SUCH_PATH, IngestOptions

    index_dir = _index_dir(args.index)
    max_passages = DEFAULT_MAX_PASSAGES if args.max_passages is None else \
        k_value(args.max_passages, "--max-passages", upper=10_000_000)
    from index.requests import text as checked_text

    council = checked_text(args.council, "council name") if args.council is not None else ""
    timeout_s = DEFAULT_TIMEOUT_S if args.timeout is None else k_value(args.timeout, "--timeout", upper=3600)
    options = IngestOptions(follow_symlinks=args.follow_symlinks, max_passages=max_passages, council=council,
                            timeout_s=timeout_s)
    spec = args.model or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
    embedder = load_embedder(spec)
    progress = None if args.json else (lambda line: print(printable(line), file=sys.stderr))
    from ui.cli_ray import executor_for

    with executor_for(args, progress) as executor:  # --ray: parse and embed on a Ray cluster
        report = build([Path(p) for p in args.paths], index_dir, embedder, spec, remove=args.remove,
                       progress=progress, options=options, executor=executor)
    if report.generation:
        with _open_store(index_dir) as store:
            decisions, totals = list_decisions(store), store.counts()
    else:
        decisions, totals = [], {"documents": 0, "passages": 0, "decisions": 0}
    from ui.cli_watch import after_build

    if args.json:
        out = {
            "documents": report.documents,
            "passages": report.passages,
            "added": len(report.added),
            "replaced": len(report.replaced),
            "unchanged": len(report.unchanged),
            "removed": len(report.removed),
            "embedded": report.embedded,
            "embedded_sentences": report.embedded_sentences,
            "index": totals,
            "decisions": [d.to_dict() for d in decisions],
            "skipped": [{"path": f.path, "reason": f.reason} for f in report.skipped],
            "failed": [{"path": f.path, "reason": f.reason} for f in report.failed],
        }
        if not after_build(args, index_dir, embedder, out):
            print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{report.documents} documents read ({len(report.added)} new, {len(report.replaced)} changed, "
              f"{len(report.unchanged)} unchanged), {report.passages} passages; the index at "
              f"{printable(describe(index_dir))} holds {totals['documents']} documents, {totals['passages']} passages, "
              f"{totals['decisions']} decisions")
        for f in report.skipped:
            print(f"skipped {printable(f.path)}: {printable(f.reason)}")
        for f in report.failed:
            print(f"FAILED {printable(f.path)}: {printable(f.reason)}")
        from ui.cli_decisions import print_decisions

        print_decisions(decisions)
        after_build(args, index_dir, embedder)
    if report.failed and not report.documents and all(f.reason == NO_SUCH_PATH for f in report.failed):
        return EXIT_USAGE  # only paths that do not exist: a mistyped command
    if report.failed:
        return EXIT_PARTIAL if report.documents else EXIT_ALL_FAILED
    return EXIT_OK
