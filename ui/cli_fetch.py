"""``councilqa fetch``: a council's ModernGov site into the mirror, then the mirror into the index."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ui.cli import EXIT_ALL_FAILED, EXIT_OK, EXIT_PARTIAL, _index_dir, _open_store


def cmd_fetch(args: argparse.Namespace) -> int:
    """``councilqa fetch``: the site's published decisions into the mirror, then the mirror into the index."""
    import datetime as dt

    from index.backends import build
    from index.decisions import list_decisions
    from index.embed import DEFAULT_MODEL, load_embedder
    from index.filters import iso_date
    from index.requests import k_value
    from index.requests import text as checked_text
    from index.sanitise import printable
    from ingest.fetch.client import DEFAULT_MAX_BYTES, Client, rate_value, site_value
    from ingest.fetch.mirror import Mirror
    from ingest.fetch.run import fetch_site
    from ingest.pipeline import IngestOptions

    site = site_value(args.site)
    if not args.date_from.strip():
        raise ValueError("--from must be a date, YYYY-MM-DD")
    start = dt.date.fromisoformat(iso_date(args.date_from, "--from"))
    if not 0 <= args.settle <= 3650:
        raise ValueError(f"--settle must be from 0 to 3650 days (got {args.settle})")
    end = dt.date.fromisoformat(iso_date(args.date_to, "--to")) if args.date_to else dt.date.today()
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    rate = rate_value(args.rate)
    max_bytes = DEFAULT_MAX_BYTES if args.max_bytes is None else k_value(args.max_bytes, "--max-bytes", upper=2**31)
    contact = checked_text(args.contact, "contact") if args.contact else ""
    council = checked_text(args.council, "council name") if args.council is not None else ""
    council_from = "--council" if council else ""
    if not council:  # the site's own address names its council: democracy.kent.gov.uk, ashford.moderngov.co.uk
        from ingest.council_sites import by_url

        found = by_url(site)
        council, council_from = (found.name, "the site's address") if found is not None else ("", "")
    index_dir = _index_dir(args.index)
    mirror = Mirror(Path(args.mirror) if args.mirror else index_dir / "mirror")

    def say(line: str) -> None:
        print(printable(line), file=sys.stderr)

    with Client(site, contact=contact, rate=rate, max_bytes=max_bytes) as client:
        fetched = fetch_site(site, start, end, mirror, client, progress=say, settle_days=args.settle)
    files = mirror.files()
    urls = {str(path): url for path, url in files.items()}
    parents = {str(doc): str(page) for doc, page in mirror.parents().items()}
    report = embedder = None
    if files:
        spec = args.model or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
        embedder = load_embedder(spec)
        report = build(sorted(files), index_dir, embedder, spec, progress=say,
                       options=IngestOptions(council=council, urls=urls, parents=parents))
    decisions, totals = [], {"documents": 0, "passages": 0, "decisions": 0}
    if report is not None and report.generation:
        with _open_store(index_dir) as store:
            decisions, totals = list_decisions(store), store.counts()
    ingest_failed = [{"url": urls.get(f.path, ""), "path": f.path, "reason": f.reason}
                     for f in (report.failed if report else [])]
    failed = [{"url": p.url, "reason": p.reason} for p in fetched.failed] + ingest_failed
    from ui.cli_watch import after_build

    if args.json:
        out = {
            "site": site, "council": council, "council_from": council_from,
            "from": start.isoformat(), "to": end.isoformat(), "mirror": str(mirror.root),
            "fetch": {k: v for k, v in fetched.to_dict().items() if k not in ("skipped", "failed")},
            "ingest": {"documents": report.documents if report else 0, "passages": report.passages if report else 0,
                       "added": len(report.added) if report else 0, "unchanged": len(report.unchanged) if report else 0},
            "index": totals,
            "decisions": [d.to_dict() for d in decisions],
            "skipped": [{"url": p.url, "reason": p.reason} for p in fetched.skipped],
            "failed": failed,
        }
        if embedder is None or not after_build(args, index_dir, embedder, out):
            print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if council_from == "the site's address":
            print(f"council: {printable(council)}, from the site's address (pages that name their own council "
                  "keep it; give --council to name another)")
        elif not council:
            print("council: none found in the site's address; pages that name no council of their own are filed "
                  "under none (give --council)")
        print(f"{fetched.pages} decision pages and {fetched.documents} documents fetched ({fetched.bytes:,} bytes), "
              f"{fetched.unchanged} unchanged, from {fetched.windows} list windows in {fetched.requests} requests; "
              f"the mirror is {printable(str(mirror.root))}")
        if report is not None:
            print(f"{report.documents} documents read ({len(report.added)} new, {len(report.unchanged)} unchanged); "
                  f"the index at {printable(str(index_dir))} holds {totals['documents']} documents, "
                  f"{totals['decisions']} decisions")
        for p in fetched.skipped:
            print(f"skipped {printable(p.url)}: {printable(p.reason)}")
        for f in failed:
            print(f"FAILED {printable(f['url'] or f.get('path', ''))}: {printable(f['reason'])}")
        if embedder is not None:
            after_build(args, index_dir, embedder)
    if failed:
        stored = fetched.pages + fetched.documents + fetched.unchanged
        return EXIT_PARTIAL if stored else EXIT_ALL_FAILED
    return EXIT_OK
