"""``councilqa similar DECISION_ID``: the decisions most like one decision, across councils (``qa.similar``)."""
from __future__ import annotations

import argparse
import json

from ui.cli import EXIT_OK, _index_dir


def add_parser(sub) -> None:
    p = sub.add_parser("similar", help="decisions like one decision, across councils, each with the passages that "
                       "make them alike")
    p.add_argument("decision", metavar="DECISION_ID", help="a decision's id or reference as printed "
                   "(`councilqa decisions` lists them)")
    p.add_argument("--k", type=int, default=10, help="decisions shown, 1 to 100 (default 10)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--council", default="", help="only this council's decisions: "
                       "a council's name (Kent, Suffolk County Council: that council only); else a part of its name")
    where.add_argument("--other-councils", action="store_true", help="only other councils' decisions")
    p.add_argument("--from", dest="date_from", default="", metavar="DATE", help="decided (or filed) on or after")
    p.add_argument("--to", dest="date_to", default="", metavar="DATE", help="decided (or filed) on or before")
    p.add_argument("--index", help="index directory")
    p.add_argument("--model", help="embedding model (default: the one the index was built with)")
    p.add_argument("--json", action="store_true", help="print one JSON object (ids as `decisions --json` has them)")


def cmd_similar(args: argparse.Namespace) -> int:
    from index.requests import similar_request
    from index.sanitise import printable
    from index.backends import open_searcher
    from qa.similar import SimilarFinder

    request = similar_request(args.decision, args.k, args.council, args.other_councils, args.date_from, args.date_to,
                              k_name="--k")
    result = SimilarFinder(open_searcher(_index_dir(args.index), model=args.model)).similar_to(request)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(printable(line) for line in result.text.splitlines()))
    return EXIT_OK
