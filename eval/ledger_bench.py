"""The awards ledger at scale: ``python -m eval.ledger_bench [--decisions 100000] [--json]`` (issue #21).

What it does, in order:

1. Reads the bundled sample's documents once (the real pipeline: ``eval.synthetic.templates``) and times the
   ledger's share of that reading (``ingest.ledger.with_ledger``: amounts, kinds, periods, counterparties,
   organisations; spaCy's load once, timed apart).
2. Writes ``decisions`` synthetic decisions into a fresh store through ``Store.write`` (the real tables and indexes):
   each a template's document under a new id, one of 40 councils, one of 12 makers, a date from 2010 to 2024, its
   amounts scaled (0.3x to 3x) and its contract figures awarded to one of 2,000 suppliers. Passages are cut to the
   first three of each document (the ledger never reads them; the store's size is not what is timed here).
3. Assigns ids and refreshes the ledger rows with their decisions (``index.ledger.refresh``), timed; then writes one
   decision's document again and times what the next build pays for the ledger (ids, the dirty decision merged).
4. Times filtered pages (``index.ledger.awards``: the count over every page and one page of 100, as the CLI, the
   API and the Awards tab ask) for a set of filters people use, and what the Awards tab's "List awards" runs (a
   page of 200 and the chart's totals for the same filters; eval imports no ``ui``): p50 and p95 over repeats.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

COUNCILS = [f"{name} {kind} Council" for name in ("Eastmarsh", "Northvale", "Westbury", "Southdene", "Highcliff",
                                                   "Lowmoor", "Redbridge Vale", "Greenhythe", "Ashdown", "Kingsmere")
            for kind in ("County", "Borough", "District", "City")]
MAKERS = ["Cabinet", "Executive", "Cabinet Member for Adult Services", "Cabinet Member for Highways",
          "Director of Place", "Director of Finance", "Leader of the Council", "Executive Director, Adults",
          "Cabinet Member for Housing", "Head of Procurement", "Planning Committee", "Corporate Director, Children"]
FILTERS = {
    "min 1m": dict(min_value=1e6),
    "min 1m, one council": dict(min_value=1e6, council="Northvale County"),
    "one council, 2019-2021": dict(council="Westbury Borough", date_from="2019-01-01", date_to="2021-12-31"),
    "contract values over 5m, by date": dict(kinds=("contract_value",), min_value=5e6, sort="date"),
    "a supplier (--org)": dict(org="Supplier 0042 Ltd"),
    "a maker, 2015-2018": dict(maker="Director of Place", date_from="2015-01-01", date_to="2018-12-31"),
    "proposed, over 250k": dict(status="proposed", min_value=250e3),
    "no filter, by value": dict(),
}


def _synthetic(templates, count: int, seed: int = 0):
    from ingest.orgs import org_key
    from ingest.records import OrgMention

    rng = random.Random(seed)
    for i in range(count):
        doc = templates[i % len(templates)]
        scale = rng.uniform(0.3, 3.0)
        year = rng.randint(2010, 2024)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        supplier = f"Supplier {rng.randint(0, 1999):04d} Ltd"
        ledger = tuple(replace(e, value=round(e.value * scale, 2),
                               counterparty=supplier if e.kind == "contract_value" else e.counterparty,
                               role="supplier" if e.kind == "contract_value" else e.role) for e in doc.meta.ledger)
        orgs = (OrgMention(supplier, org_key(supplier), "company", ledger[0].paragraph if ledger else "", "", "supplier"),)
        status = rng.choice(["proposed", "taken", "taken", "recommendations approved"])
        meta = replace(doc.meta, number=f"{10 + i % 10}/{50000 + i // 10:05d}", council=rng.choice(COUNCILS),
                       decision_maker=rng.choice(MAKERS), status=status,
                       dates={"decision": date} if status != "proposed" else {"committee": date},
                       ledger=ledger, organisations=orgs, amounts=())
        yield replace(doc, path=f"syn-{i:06d}.txt", source=f"syn-{i:06d}.txt", sha256=f"{i:064x}", meta=meta,
                      passages=doc.passages[:3], paragraphs=doc.paragraphs[:3], text=doc.text[:2000])


def _times(fn, repeats: int) -> tuple[float, float]:
    laps = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        laps.append((time.perf_counter() - t0) * 1000)
    laps.sort()
    return round(statistics.median(laps), 1), round(laps[max(0, int(len(laps) * 0.95) - 1)], 1)


def run(decisions: int, repeats: int = 20, workdir: Path | None = None, say=print, reuse: bool = False) -> dict:
    from eval.synthetic import templates
    from index.ledger import LedgerQuery, awards, refresh, totals_by_year
    from index.store import Store
    from ingest.ledger import with_ledger
    from ingest.orgs import entity_model

    result: dict = {"decisions": decisions}
    t0 = time.perf_counter()
    entity_model().available  # spaCy loaded once per process
    result["spacy_load_s"] = round(time.perf_counter() - t0, 2)
    docs = templates()
    t0 = time.perf_counter()
    for _ in range(5):
        for d in docs:
            with_ledger(replace(d.meta, ledger=(), organisations=()), list(d.paragraphs))
    result["ledger_ms_per_document"] = round((time.perf_counter() - t0) * 1000 / (5 * len(docs)), 2)
    folder = Path(workdir or tempfile.mkdtemp(prefix="ledger-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "councilqa.sqlite"
    if not reuse:
        path.unlink(missing_ok=True)
    say(f"{'reusing' if reuse and path.exists() else 'writing'} {decisions:,} synthetic decisions in {path}")
    t0 = time.perf_counter()
    with Store(path, scratch=True) as store:  # opening it creates any index the schema gained
        if not (reuse and store.counts()["documents"]):
            for doc in _synthetic(docs, decisions):
                store.write(doc)
            result["write_s"] = round(time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            store.assign_ids()
        refresh(store.conn)
        store.conn.commit()
        result["refresh_s"] = round(time.perf_counter() - t0, 1)
        # what the next build pays when one file changed: that document written again, ids assigned, its decision's
        # rows merged again (index.build does the same)
        changed = next(_synthetic(docs, 1, seed=1))
        t0 = time.perf_counter()
        store.write(replace(changed, sha256="f" * 64), reparsed=True)
        store.assign_ids()
        result["one_changed_rows"] = refresh(store.conn)
        store.conn.commit()
        result["one_changed_s"] = round(time.perf_counter() - t0, 2)
        result["ledger_rows"] = store.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
        store.conn.execute("ANALYZE")
        store.conn.commit()
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    pages = {}
    for name, given in FILTERS.items():
        q = LedgerQuery(limit=100, **given)
        total = awards(conn, q).total
        p50, p95 = _times(lambda q=q: awards(conn, q), repeats)
        pages[name] = {"matching": total, "p50_ms": p50, "p95_ms": p95}
        say(f"{name}: {total:,} rows match; a page of 100 in p50 {p50} ms, p95 {p95} ms")
    result["awards_page"] = pages
    tab = {}  # the tab's "List awards": one page and the chart's totals for the same filters (ui.tabs.awards)
    for name, given in {"min 1m, one council": dict(min_value=1e6, council="Northvale County"),
                        "a maker, 2015-2018, by date": dict(maker="Director of Place", date_from="2015-01-01",
                                                            date_to="2018-12-31", sort="date")}.items():
        q = LedgerQuery(limit=200, **given)
        chart = LedgerQuery(**{**given, "kinds": ("contract_value",)})
        p50, p95 = _times(lambda q=q, c=chart: (awards(conn, q), totals_by_year(conn, c)), repeats)
        tab[name] = {"p50_ms": p50, "p95_ms": p95}
        say(f"Awards tab, {name}: page of 200 and chart in p50 {p50} ms, p95 {p95} ms")
    q = LedgerQuery(kinds=("contract_value",), council="Northvale County")
    tab["chart: one council's contract values by year"] = dict(zip(("p50_ms", "p95_ms"),
                                                                    _times(lambda: totals_by_year(conn, q), repeats)))
    q = LedgerQuery(kinds=("contract_value",))
    tab["chart: every council's contract values by year"] = dict(zip(("p50_ms", "p95_ms"),
                                                                      _times(lambda: totals_by_year(conn, q), 5)))
    result["awards_tab"] = tab
    conn.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.ledger_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--workdir", help="keep the synthetic store here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="time the store already in --workdir (not written again)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    say = (lambda _m: None) if args.json else print
    result = run(args.decisions, args.repeats, Path(args.workdir) if args.workdir else None, say, args.reuse)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
