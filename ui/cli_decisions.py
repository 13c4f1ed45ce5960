"""``councilqa decisions``: the decisions an index knows, as a person reads them or as JSON."""
from __future__ import annotations

import argparse
import json

from ui.cli import EXIT_OK, _index_dir, _open_store


def cmd_decisions(args: argparse.Namespace) -> int:
    from index.decisions import list_decisions, numbers_matching
    from index.filters import parse_filters

    filters = parse_filters(args.filter)
    with _open_store(_index_dir(args.index)) as store:
        decisions = list_decisions(store)
        allowed = numbers_matching(store.conn, filters)
    decisions = [d for d in decisions if allowed is None or d.number in allowed]
    if args.json:
        print(json.dumps({"decisions": [d.to_dict() for d in decisions]}, ensure_ascii=False, indent=2))
    else:
        print_decisions(decisions)
    return EXIT_OK


def print_decisions(decisions) -> None:
    from index.sanitise import printable

    for d in decisions:
        when = d.date or ", ".join(f"{k} {v}" for k, v in sorted(d.dates.items())) or "no date"
        council = f" · {d.council}" if d.council else ""
        print(f"\n{d.number}  {d.title or '(untitled)'}\n  {d.status or 'status unknown'} · "
              f"{d.decision_maker or 'maker unknown'} · {when}{council}")
        for doc in d.documents:
            print(f"  - {doc.doc_type or 'document'}: {printable(doc.path)}")
        if d.mentions:
            print(f"  refers to: {', '.join(d.mentions)}")
