"""``councilqa awards`` and ``councilqa orgs``: the awards ledger and the organisations named. Thin, as ``ui.cli``:
the queries are ``index.ledger.awards`` and ``index.orgs`` (the app and the HTTP API call the same)."""
from __future__ import annotations

import argparse
import csv
import json
import sys

from ui.cli import EXIT_OK, _index_dir, _open_store

CSV_COLUMNS = ["decision", "council", "title", "maker", "status", "date", "date_kind", "amount", "value_gbp", "kind",
               "period", "term_years", "counterparty", "role", "row", "qualifier", "citation", "paragraph", "quote",
               "document", "source"]
PAGE = 1000


def add_parsers(sub) -> None:
    p = sub.add_parser("awards", help="the awards ledger: every amount with its decision, kind, period and "
                       "counterparty, filtered (CSV, JSON or OCDS)")
    p.add_argument("--min", metavar="AMOUNT", help="at least this much: 1m, 250k, £1.5m, 1000000")
    p.add_argument("--max", metavar="AMOUNT", help="at most this much")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="decided (or put to its meeting) on or after")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="on or before")
    p.add_argument("--council", metavar="C", help="council name contains")
    p.add_argument("--maker", metavar="M", help="decision maker contains")
    p.add_argument("--kind", action="append", default=[], metavar="K",
                   help="contract_value, annual_cost, grant, loan, saving, budget, fee_or_rate, income, other, "
                   "threshold (repeatable; default: all but threshold)")
    p.add_argument("--org", metavar="NAME", help="the counterparty's name (normalised: 'Acme Care Ltd' = 'ACME CARE "
                   "LIMITED')")
    p.add_argument("--status", help="proposed, recommendations approved, taken")
    p.add_argument("--decision", metavar="ID", help="one decision's amounts")
    p.add_argument("--sort", default="value", choices=["value", "-value", "date", "-date", "council"])
    p.add_argument("--limit", type=int, metavar="N", help="rows shown (default: 100 as text, every row as CSV, JSON "
                   "or OCDS)")
    p.add_argument("--all-printings", action="store_true",
                   help="also list a figure each time a decision prints it again (its report as its record)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="CSV with each row's citation and quote")
    fmt.add_argument("--json", action="store_true", help="JSON: {total, awards: [...]}")
    fmt.add_argument("--ocds", action="store_true", help="an OCDS 1.1 release package, one release per amount")
    p.add_argument("--index", help="index directory")

    p = sub.add_parser("orgs", help="organisations named in decisions, with their decisions and amounts")
    p.add_argument("name", nargs="?", help="one organisation (its name normalised: 'Acme Care Ltd' = 'ACME CARE "
                   "LIMITED'); without it, every organisation")
    p.add_argument("--json", action="store_true")
    p.add_argument("--index", help="index directory")


def _query(args: argparse.Namespace, limit: int, offset: int = 0):
    from index.ledger import LedgerQuery, parse_amount

    return LedgerQuery(min_value=parse_amount(args.min) if args.min else None,
                       max_value=parse_amount(args.max) if args.max else None,
                       date_from=args.date_from or "", date_to=args.date_to or "", council=args.council or "",
                       maker=args.maker or "", kinds=tuple(args.kind), org=args.org or "", status=args.status or "",
                       decision=args.decision or "", sort=args.sort, limit=limit, offset=offset,
                       repeats=args.all_printings)


def _all(conn, args: argparse.Namespace, cap: int | None):
    from index.ledger import awards

    out, offset = [], 0
    while True:
        size = min(PAGE, cap - len(out)) if cap else PAGE
        page = awards(conn, _query(args, size, offset))
        out += page.awards
        offset += len(page.awards)
        if len(page.awards) < size or (not page.more and offset >= page.total) or (cap and len(out) >= cap):
            # every row read: the count is exact; else the page's (a floor past COUNT_CAP)
            return out, len(out) if len(page.awards) < size or not page.more else page.total


def _money(value: float) -> str:
    if value >= 1e6:
        return f"£{value / 1e6:,.3f}m".replace(".000m", "m")
    return f"£{value:,.0f}" if value >= 1 else f"£{value:,.2f}"


def cmd_awards(args: argparse.Namespace) -> int:
    from index.requests import k_value
    from index.sanitise import printable

    if args.limit is not None:
        k_value(args.limit, "--limit", upper=1_000_000)
    exporting = args.csv or args.json or args.ocds
    with _open_store(_index_dir(args.index)) as store:
        _query(args, 1)  # a bad filter fails before anything is read
        rows, total = _all(store.conn, args, args.limit or (None if exporting else 100))
    if args.csv:
        w = csv.writer(sys.stdout)
        w.writerow(CSV_COLUMNS)
        for a in rows:
            w.writerow([a.decision, a.council, a.title, a.maker, a.status, a.date, a.date_kind, a.text,
                        f"{a.value:.2f}", a.kind, a.period, "" if a.term_years is None else f"{a.term_years:g}",
                        a.counterparty, a.role, a.row, a.qualifier, a.citation, a.paragraph, " ".join(a.sentence.split()),
                        a.document, a.source])
    elif args.json:
        print(json.dumps({"total": total, "awards": [a.to_dict() for a in rows]}, ensure_ascii=False, indent=2))
    elif args.ocds:
        from index.ocds import package

        print(json.dumps(package(rows), ensure_ascii=False, indent=2))
    else:
        if not rows:
            print("no amounts match")
        for a in rows:
            when = f"{a.date} ({a.date_kind})" if a.date and a.date_kind != "decision" else (a.date or "no date")
            party = f" · {a.counterparty} ({a.role})" if a.counterparty else ""
            row = f" · row: {a.row}" if a.row else ""
            note = " · proposed, not yet taken" if a.proposed else ""
            print(f"{_money(a.value):>14}  {a.text} · {a.kind or 'unclassified'} · {a.period.replace('_', ' ')}"
                  f"{party}{row}\n                {a.decision} {printable(a.title)[:70]} · {a.status or 'status unknown'}"
                  f" · {when} · {a.council}{note}\n                {a.citation} {printable(' '.join(a.sentence.split()))[:160]}")
        if total > len(rows):
            from index.ledger import COUNT_CAP

            many = f"more than {COUNT_CAP:,}" if total > COUNT_CAP else f"{total:,}"
            print(f"\n{len(rows)} of {many} shown (--limit N for more, --csv or --json for all)")
    return EXIT_OK


def cmd_orgs(args: argparse.Namespace) -> int:
    from index.orgs import organisation_page, organisations
    from index.sanitise import printable

    with _open_store(_index_dir(args.index)) as store:
        if not args.name:
            found = organisations(store.conn)
            if args.json:
                print(json.dumps({"organisations": [o.to_dict() for o in found]}, ensure_ascii=False, indent=2))
                return EXIT_OK
            if not found:
                print("no organisations named")
            for o in found:
                roles = f" · {', '.join(o.roles)}" if o.roles else ""
                print(f"{printable(o.name)} ({o.kind}) · {o.decisions} decision{'s' * (o.decisions != 1)} · "
                      f"{o.amounts} amount{'s' * (o.amounts != 1)}{roles}")
            return EXIT_OK
        page = organisation_page(store.conn, args.name)
    if page is None:
        from index.errors import BadRequest

        raise BadRequest(f"no organisation named like {args.name!r} in the index (councilqa orgs lists them)")
    if args.json:
        print(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    o = page.organisation
    print(f"{printable(o.name)} ({o.kind}); also printed as: {', '.join(n for n in o.names if n != o.name) or '-'}")
    print(f"\namounts ({len(page.awards)}):")
    for a in page.awards:
        note = " · proposed, not yet taken" if a.proposed else ""
        print(f"  {a.text} {a.kind} {a.period.replace('_', ' ')} · {a.decision} · {a.date or 'no date'}{note} "
              f"{a.citation}")
    print(f"\nnamed in ({len(page.mentions)}):")
    for m in page.mentions:
        print(f"  {m.decision} {printable(m.title)[:60]} · {m.status or 'status unknown'} · {m.date or 'no date'} "
              f"[{m.paragraph}] {printable(' '.join(m.sentence.split()))[:120]}")
    return EXIT_OK
