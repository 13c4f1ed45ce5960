"""``councilqa awards`` and ``councilqa orgs``: the awards ledger and the organisations named. Thin, as ``ui.cli``:
the queries are ``index.ledger.awards`` and ``index.orgs`` (the app and the HTTP API call the same)."""
from __future__ import annotations

import argparse
import json
import sys

from ui.cli import EXIT_OK, _index_dir, _open_store


def add_parsers(sub) -> None:
    p = sub.add_parser("awards", help="the awards ledger: every amount with its decision, kind, period and "
                       "counterparty, filtered (CSV, JSON or OCDS)")
    p.add_argument("--min", metavar="AMOUNT", help="at least this much: 1m, 250k, £1.5m, 1000000")
    p.add_argument("--max", metavar="AMOUNT", help="at most this much")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="decided (or put to its meeting) on or after")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="on or before")
    p.add_argument("--council", metavar="C", help="a council's name (Kent, Suffolk County Council: that council only); "
                   "else a part of its name")
    p.add_argument("--maker", metavar="M", help="decision maker contains")
    p.add_argument("--kind", action="append", default=[], metavar="K",
                   help="contract_value, annual_cost, grant, loan, saving, budget, fee_or_rate, income, other, "
                   "threshold (repeatable; default: all but threshold)")
    p.add_argument("--org", metavar="NAME", help="the counterparty's name (normalised: 'Acme Care Ltd' = 'ACME CARE "
                   "LIMITED')")
    p.add_argument("--status", help="proposed, recommendations approved, taken")
    p.add_argument("--decision", metavar="ID", help="one decision's amounts")
    p.add_argument("--sort", default="value", help="value (largest first), -value, date (newest first), -date, council")
    p.add_argument("--limit", metavar="N", help="rows shown (default: 100 as text, every row as CSV, JSON or OCDS)")
    p.add_argument("--offset", default="0", metavar="N", help="rows skipped first (the next page: --offset 100)")
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


def _request(args: argparse.Namespace, exporting: bool):
    """The options, checked by the one validation layer the API and the app use (``index.requests``)."""
    from index.requests import MAX_EXPORT, awards_request

    limit = args.limit if args.limit is not None else (None if exporting else 100)
    return awards_request(args.min, args.max, args.date_from, args.date_to, args.council, args.maker, args.kind,
                          args.org, args.status, args.decision, args.sort, limit, args.offset, args.all_printings,
                          names={"min": "--min", "max": "--max", "limit": "--limit", "offset": "--offset",
                                 "kind": "--kind", "sort": "--sort"}, max_limit=MAX_EXPORT)


def _money(value: float) -> str:
    if value >= 1e6:
        return f"£{value / 1e6:,.3f}m".replace(".000m", "m")
    return f"£{value:,.0f}" if value >= 1 else f"£{value:,.2f}"


def cmd_awards(args: argparse.Namespace) -> int:
    from index.ledger_export import collect, render
    from index.sanitise import printable

    exporting = "csv" if args.csv else "json" if args.json else "ocds" if args.ocds else ""
    req = _request(args, bool(exporting))  # a bad option fails before anything is read
    with _open_store(_index_dir(args.index)) as store:
        export = collect(store.conn, req)
    if exporting:
        sys.stdout.write(render(export, exporting))
        return EXIT_OK
    rows, total = export.awards, export.total
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
    if export.more or (export.offset and rows):
        many = f"more than {total - 1:,}" if export.total_is_floor else f"{total:,}"
        shown = f"{export.offset + 1:,}-{export.offset + len(rows):,}" if export.offset else f"{len(rows)}"
        hint = f" (--offset {export.offset + len(rows)} for the next, --csv or --json for all)" if export.more else ""
        print(f"\n{shown} of {many} shown{hint}")
    return EXIT_OK


def cmd_orgs(args: argparse.Namespace) -> int:
    from index.orgs import OrganisationNotFound, organisation_page, organisations
    from index.requests import organisation_name
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
        page = organisation_page(store.conn, organisation_name(args.name))
    if page is None:
        raise OrganisationNotFound(args.name)
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
