"""The ``councilqa`` command. Thin: parse arguments, call the library, turn domain errors into a sentence.

Exit codes: 0 success; 2 usage error or nothing usable; 3 some files failed and the rest were kept.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_INDEX = ".councilqa/index"
EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 2, 3


def _index_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("COUNCILQA_INDEX") or DEFAULT_INDEX)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councilqa", description="Search and question answering over local-council decision documents."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read documents (files or folders) into the index")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--index", help=f"index directory (default: $COUNCILQA_INDEX or {DEFAULT_INDEX})")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p.add_argument("--model", help="embedding model: minilm (default), hash:DIM, or a model directory "
                   "(default: $COUNCILQA_MODEL or minilm)")
    p.add_argument("--remove", nargs="*", default=[], metavar="PATH", help="documents to drop from the index")

    p = sub.add_parser("search", help="ranked passages for a query (hybrid: dense + keyword)")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help="decision, maker, status, key (yes/no), type, from, to (ISO dates); repeatable")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    p.add_argument("--index", help="index directory")
    p.add_argument("--model", help="embedding model (default: the one the index was built with)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("decisions", help="list the decisions in the index")
    p.add_argument("--index", help="index directory")
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from index.errors import IndexError_
    from ingest.errors import IngestError

    try:
        return {"ingest": cmd_ingest, "decisions": cmd_decisions, "search": cmd_search}[args.command](args)
    except (IndexError_, IngestError, ValueError) as exc:
        print(f"councilqa: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _open_store(index_dir: Path):
    from index.build import current_generation
    from index.errors import IndexNotFound
    from index.store import DB_NAME, Store

    gen = current_generation(index_dir)
    if gen is None or not (gen / DB_NAME).exists():
        raise IndexNotFound(str(index_dir))
    return Store(gen / DB_NAME, readonly=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.build import build
    from index.decisions import list_decisions
    from index.embed import DEFAULT_MODEL, load_embedder

    index_dir = _index_dir(args.index)
    spec = args.model or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
    embedder = load_embedder(spec)
    progress = None if args.json else (lambda line: print(line, file=sys.stderr))
    report = build([Path(p) for p in args.paths], index_dir, embedder, spec, remove=args.remove, progress=progress)
    if report.generation:
        with _open_store(index_dir) as store:
            decisions = list_decisions(store)
    else:
        decisions = []
    failed = [{"path": f.path, "reason": f.reason} for f in report.failed]
    if args.json:
        print(json.dumps({
            "documents": report.documents,
            "passages": report.passages,
            "added": len(report.added),
            "replaced": len(report.replaced),
            "unchanged": len(report.unchanged),
            "removed": len(report.removed),
            "embedded": report.embedded,
            "decisions": [_decision_json(d) for d in decisions],
            "skipped": [{"path": f.path, "reason": f.reason} for f in report.skipped],
            "failed": failed,
        }, ensure_ascii=False, indent=2))
    else:
        print(f"{report.documents} documents read ({len(report.added)} new, {len(report.replaced)} changed, "
              f"{len(report.unchanged)} unchanged), {report.passages} passages; {len(decisions)} decisions in "
              f"{index_dir}")
        for f in report.skipped:
            print(f"skipped {f.path}: {f.reason}")
        for f in report.failed:
            print(f"FAILED {f.path}: {f.reason}")
        _print_decisions(decisions)
    if report.failed:
        return EXIT_PARTIAL if report.documents else EXIT_USAGE
    return EXIT_OK


def cmd_decisions(args: argparse.Namespace) -> int:
    from index.decisions import list_decisions

    with _open_store(_index_dir(args.index)) as store:
        decisions = list_decisions(store)
    if args.json:
        print(json.dumps({"decisions": [d.to_dict() for d in decisions]}, ensure_ascii=False, indent=2))
    else:
        _print_decisions(decisions)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from index.filters import parse_filters
    from index.search import Searcher

    filters = parse_filters(args.filter)
    searcher = Searcher(_index_dir(args.index), model=args.model)
    hits = searcher.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        print(json.dumps({"hits": [
            {"decision": h.decision, "paragraph": h.paragraph, "document": h.document, "score": h.score,
             "text": h.text} for h in hits]}, ensure_ascii=False, indent=2))
    else:
        if not hits:
            print("no passages match")
        for rank, h in enumerate(hits, 1):
            snippet = " ".join(h.text.split())
            print(f"{rank:>2}. [{h.decision} {h.paragraph}] {h.score:.4f}  {h.title}\n    "
                  f"{snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return EXIT_OK


def _decision_json(d) -> dict:
    return {
        "number": d.number,
        "title": d.title,
        "decision_maker": d.decision_maker,
        "status": d.status,
        "key_decision": d.key_decision,
        "date": d.date,
        "dates": d.dates,
        "mentions": d.mentions,
        "mentioned_by": d.mentioned_by,
        "documents": [doc.path for doc in d.documents],
    }


def _print_decisions(decisions) -> None:
    for d in decisions:
        when = d.date or ", ".join(f"{k} {v}" for k, v in sorted(d.dates.items())) or "no date"
        print(f"\n{d.number}  {d.title}\n  {d.status or 'status unknown'} · {d.decision_maker or 'maker unknown'}"
              f" · {when}")
        for doc in d.documents:
            print(f"  - {doc.doc_type or 'document'}: {doc.path}")
        if d.mentions:
            print(f"  refers to: {', '.join(d.mentions)}")


if __name__ == "__main__":
    sys.exit(main())
