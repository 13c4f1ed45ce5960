"""The awards ledger in the store: one row per amount read (``ingest.ledger``), beside the passages, with the
decision it belongs to; and the query every front end uses (CLI ``councilqa awards``, the app's Awards tab, the
HTTP API): ``awards(conn, LedgerQuery) -> LedgerPage`` of typed ``Award`` records.

A row carries its decision's id, council, maker, status, date and title (``refresh``, after the build assigns
decision ids), so a filtered page is one indexed query, not a merge of documents per request.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from index.council_filter import council_match
from index.errors import BadRequest
from index.sanitise import sanitise
from ingest.records import STATUS_ORDER, ParsedDocument

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    value REAL NOT NULL,
    text TEXT NOT NULL,
    sentence TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    term_years REAL,
    counterparty TEXT NOT NULL,
    party_key TEXT NOT NULL,
    role TEXT NOT NULL,
    row_label TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    -- the decision's (``refresh``): what a filtered page is selected and sorted by
    decision TEXT NOT NULL DEFAULT '',
    council TEXT NOT NULL DEFAULT '',
    maker TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    date_kind TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    repeats INTEGER NOT NULL DEFAULT 0  -- the id of the row this one prints again (the same decision, figure and
    -- kind in another document or paragraph); 0 for the first printing, which alone a page lists by default
);
CREATE INDEX IF NOT EXISTS ledger_document ON ledger(document_id);
CREATE INDEX IF NOT EXISTS ledger_party ON ledger(party_key);
CREATE INDEX IF NOT EXISTS ledger_decision ON ledger(decision);
-- what a page is listed by: the first printing of each figure (repeats = 0), in the order asked, the columns filters
-- test carried in the index, so a page and its count read no row they do not show (at 100,000 decisions a page
-- over 1m sorted by value: 2,060 -> see eval/README.md)
CREATE INDEX IF NOT EXISTS ledger_by_value ON ledger(value, kind, date, council, status) WHERE repeats = 0;
CREATE INDEX IF NOT EXISTS ledger_by_date ON ledger(date, value, kind, council, status) WHERE repeats = 0;
CREATE INDEX IF NOT EXISTS ledger_by_council ON ledger(council, date, value, kind, status) WHERE repeats = 0;
CREATE INDEX IF NOT EXISTS ledger_by_maker ON ledger(maker, date, value, kind, status) WHERE repeats = 0;
CREATE INDEX IF NOT EXISTS ledger_by_kind ON ledger(kind, date, value, council, status) WHERE repeats = 0;
CREATE INDEX IF NOT EXISTS ledger_by_status ON ledger(status, value, kind, date, council) WHERE repeats = 0;
-- the distinct councils, makers and counterparties of the ledger (``refresh``): a contains-filter is matched here,
-- among a few thousand names, then read through the index as an IN list
CREATE TABLE IF NOT EXISTS ledger_names (column TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (column, value));
-- the decisions whose documents were added, replaced, removed or renumbered since the last ``refresh``: only their
-- rows are merged again (after one changed file, one decision's rows, not the whole ledger)
CREATE TABLE IF NOT EXISTS ledger_dirty (number TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS ledger_dirty_ai AFTER INSERT ON documents BEGIN
    INSERT INTO ledger_dirty VALUES (new.number);
END;
CREATE TRIGGER IF NOT EXISTS ledger_dirty_ad AFTER DELETE ON documents BEGIN
    INSERT INTO ledger_dirty VALUES (old.number);
END;
CREATE TRIGGER IF NOT EXISTS ledger_dirty_au AFTER UPDATE OF number ON documents BEGIN
    INSERT INTO ledger_dirty VALUES (old.number);
    INSERT INTO ledger_dirty VALUES (new.number);
END;
CREATE TABLE IF NOT EXISTS organisations (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    sentence TEXT NOT NULL,
    role TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organisations_document ON organisations(document_id);
CREATE INDEX IF NOT EXISTS organisations_key ON organisations(key);
"""

KINDS = ("contract_value", "annual_cost", "grant", "loan", "saving", "budget", "fee_or_rate", "income", "threshold",
         "other")
PERIODS = ("one_off", "per_annum", "total_over_term", "per_unit", "unstated")
SORTS = {"value": "value DESC, id", "-value": "value ASC, id", "date": "date DESC, value DESC, id",
         "-date": "date ASC, value DESC, id", "council": "council, date DESC, id"}
MAX_PAGE = 1000
COUNT_CAP = 10_000  # a page's count is exact up to this many rows; beyond it, "more than 10,000" (``LedgerPage``)
_AUTHORITY = {"record": 0, "decision page": 1, "proposed record": 2, "report": 3, "": 4}
_DATE_KINDS = ("decision", "meeting", "committee", "published", "effective")


def write(conn: sqlite3.Connection, doc_id: int, doc: ParsedDocument) -> None:
    """The document's ledger rows and organisations (inside the caller's transaction)."""
    from ingest.orgs import org_key

    conn.executemany(
        "INSERT INTO ledger(document_id, ordinal, value, text, sentence, paragraph, kind, period, term_years,"
        " counterparty, party_key, role, row_label, qualifier) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(doc_id, i, e.value, e.text, e.sentence, e.paragraph, e.kind, e.period, e.term_years, e.counterparty,
          org_key(e.counterparty) if e.counterparty else "", e.role, e.row, e.qualifier)
         for i, e in enumerate(doc.meta.ledger)])
    conn.executemany("INSERT INTO organisations VALUES (?,?,?,?,?,?,?)",
                     [(doc_id, o.name, o.key, o.kind, o.paragraph, o.sentence, o.role) for o in doc.meta.organisations])


def refresh(conn: sqlite3.Connection, everything: bool = False) -> int:
    """Give every ledger row its decision's id, council, maker, status, date and title, merged over the
    decision's documents as ``index.decisions`` merges them (the signed record speaks first; the furthest status
    wins), and mark a figure the decision prints again (the same value, kind and period in a later document or
    paragraph) as a repeat of its first printing. Only the decisions marked dirty since the last refresh
    (``ledger_dirty``: their documents were added, replaced, removed or renumbered) are read, unless
    ``everything``; only the rows whose values changed are written. Returns the rows written."""
    from index.store import rows_in

    where, numbers = "", []
    if not everything:
        numbers = [n for (n,) in conn.execute("SELECT DISTINCT number FROM ledger_dirty")]
        where = " WHERE number IN ({marks})"
    docs: dict[str, list] = {}
    query = "SELECT id, number, doc_type, path, status, title, decision_maker, council, dates FROM documents" + where
    for r in (rows_in(conn, query, numbers) if not everything else conn.execute(query)):
        docs.setdefault(r[1], []).append(r)
    merged: dict[int, tuple] = {}  # document id -> (decision, council, maker, status, date, date kind, title)
    order: dict[int, tuple] = {}  # document id -> its place among its decision's documents
    for number, rows in docs.items():
        rows.sort(key=lambda r: (_AUTHORITY.get(r[2], 9), r[3]))
        dates: dict[str, str] = {}
        for r in reversed(rows):
            dates.update(json.loads(r[8] or "{}"))
        kind = next((k for k in _DATE_KINDS if dates.get(k)), "")
        status = max((r[4] for r in rows), key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0)
        first = [next((r[i] for r in rows if r[i]), "") for i in (7, 6, 5)]  # council, maker, title
        values = (number, first[0], first[1], status, dates.get(kind, ""), kind, first[2])
        for n, r in enumerate(rows):
            merged[r[0]] = values
            order[r[0]] = (number, n)
    select = ("SELECT id, document_id, value, kind, period, decision, council, maker, status, date, date_kind, title,"
              " repeats FROM ledger")
    ledger = conn.execute(select).fetchall() if everything else \
        list(rows_in(conn, select + " WHERE document_id IN ({marks})", list(merged)))
    ledger.sort(key=lambda r: (order.get(r[1], ("", 0)), r[0]))
    seen: dict[tuple, int] = {}
    changes = []
    for r in ledger:
        values = merged.get(r[1], ("", "", "", "", "", "", ""))
        first_id = seen.setdefault((values[0] or f"#{r[1]}", round(r[2], 2), r[3], r[4]), r[0])
        repeat = first_id if first_id != r[0] else 0
        if (*values, repeat) != tuple(r[5:13]):
            changes.append((*values, repeat, r[0]))
    conn.executemany("UPDATE ledger SET decision = ?, council = ?, maker = ?, status = ?, date = ?, date_kind = ?,"
                     " title = ?, repeats = ? WHERE id = ?", changes)
    conn.execute("DELETE FROM ledger_dirty")
    if everything:
        conn.execute("DELETE FROM ledger_names")
    for column in ("council", "maker", "party_key"):  # names from this tuple only; a name no row holds any more
        # matches nothing, so the table only grows between full refreshes
        sql = f"INSERT OR IGNORE INTO ledger_names SELECT DISTINCT '{column}', {column} FROM ledger"  # noqa: S608
        if everything:
            conn.execute(sql + f" WHERE {column} != ''")
        else:
            list(rows_in(conn, sql + f" WHERE {column} != '' AND document_id IN ({{marks}})", list(merged)))
    return len(changes)


@dataclass(frozen=True)
class Award:
    """One amount of the ledger with its decision and its citation (decision, paragraph, the sentence read)."""

    decision: str
    council: str
    title: str
    maker: str
    status: str  # the decision's: "proposed" means the figure is not yet agreed
    date: str  # ISO; the decision's date, else its meeting's, committee's or publication's (``date_kind``)
    date_kind: str
    value: float  # pounds
    text: str  # as printed ("£3.087m", or a table's "81.623" under "£m")
    kind: str
    period: str
    term_years: float | None
    counterparty: str
    role: str
    row: str  # the table row's label ("" outside a table)
    qualifier: str  # maximum, estimated, or ""
    paragraph: str
    sentence: str
    document: str
    source: str = ""  # the document's address on the council's site ("" for a local file)
    id: int = 0
    repeats: int = 0  # the id of the row this printing repeats (0: the first printing)

    @property
    def proposed(self) -> bool:
        return self.status == "proposed"

    @property
    def citation(self) -> str:
        from index.search import citation_label

        return citation_label(self.decision, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "citation": self.citation}


@dataclass(frozen=True)
class LedgerQuery:
    """A filtered, sorted page of the ledger, checked on construction wherever it comes from."""

    min_value: float | None = None
    max_value: float | None = None
    date_from: str = ""
    date_to: str = ""
    council: str = ""  # a council by name, or a part of a name the list lacks (``index.council_filter``)
    maker: str = ""  # case-insensitive substring
    kinds: tuple[str, ...] = ()
    org: str = ""  # the counterparty's name, normalised and matched as a substring of the normalised name
    status: str = ""
    decision: str = ""
    sort: str = "value"
    limit: int = 100
    offset: int = 0
    repeats: bool = False  # also the figures a decision prints again (in its report as in its record)

    def __post_init__(self) -> None:
        from index.filters import iso_date

        for name in ("council", "maker", "org", "status", "decision"):
            value = sanitise(getattr(self, name) or "")
            if len(value) > 200:
                raise BadRequest(f"{name} is {len(value)} characters; at most 200")
            object.__setattr__(self, name, value)
        if self.council:
            council_match(self.council)  # a part of several councils' names is refused here, naming them
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, iso_date(getattr(self, name) or "", name.replace("date_", "")))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadRequest(f"from ({self.date_from}) is after to ({self.date_to}): no date is both")
        bad = [k for k in self.kinds if k not in KINDS]
        if bad:
            raise BadRequest(f"kind {bad[0]!r} is not one of: {', '.join(KINDS)}")
        if self.sort not in SORTS:
            raise BadRequest(f"sort {self.sort!r} is not one of: {', '.join(SORTS)}")
        if not 1 <= self.limit <= MAX_PAGE or self.offset < 0:
            raise BadRequest(f"a page holds 1 to {MAX_PAGE} awards from an offset of 0 or more")
        for name in ("min_value", "max_value"):
            value = getattr(self, name)
            if value is not None and (value != value or value < 0):
                raise BadRequest(f"{name.replace('_value', '')} must be an amount of 0 or more")


@dataclass(frozen=True)
class LedgerPage:
    awards: list[Award]
    total: int  # rows the filters allow, over every page (at most COUNT_CAP + 1: see ``more``)
    query: LedgerQuery = field(default_factory=LedgerQuery)

    @property
    def more(self) -> bool:
        """More than COUNT_CAP rows match: ``total`` is a floor, not a count."""
        return self.total > COUNT_CAP

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "total_is_floor": self.more, "offset": self.query.offset,
                "awards": [a.to_dict() for a in self.awards]}


def parse_amount(text: str) -> float:
    """A figure as a person types it: "1m", "£1.5m", "250k", "2bn", "1,000,000"."""
    m = re.fullmatch(r"\s*£?\s*(\d[\d,]*(?:\.\d+)?)\s*(k|m|bn|million|billion)?\s*", (text or "").lower())
    if not m:
        raise BadRequest(f"{text!r} is not an amount: write 1m, 250k, £1.5m or 1000000")
    scale = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}.get(m.group(2) or "", 1.0)
    return float(m.group(1).replace(",", "")) * scale


def _matching(conn: sqlite3.Connection, column: str, needle: str) -> list[str]:
    """The distinct values of ``column`` that hold ``needle`` (any case; a council as its filter reads it:
    ``index.council_filter``): a filter becomes an indexed ``IN``, since councils and makers are few beside the
    rows."""
    values = [v for (v,) in conn.execute('SELECT value FROM ledger_names WHERE "column" = ?', [column])]
    if column == "council":
        return council_match(needle).among(values)
    low = needle.lower()
    return [v for v in values if low in v.lower()]


def _where(conn: sqlite3.Connection, q: LedgerQuery) -> tuple[str, list]:
    from ingest.orgs import org_key

    where, args = [], []
    if q.min_value is not None:
        where.append("value >= ?")
        args.append(q.min_value)
    if q.max_value is not None:
        where.append("value <= ?")
        args.append(q.max_value)
    if q.date_from:
        where.append("date >= ?")
        args.append(q.date_from)
    if q.date_to:
        where.append("date != '' AND date <= ?")
        args.append(q.date_to)
    for column, needle in (("council", q.council), ("maker", q.maker)):
        if needle:
            values = _matching(conn, column, needle)
            where.append(f"{column} IN ({','.join('?' * len(values))})" if values else "1 = 0")  # no name: no row
            args += values
    if q.kinds:
        where.append(f"kind IN ({','.join('?' * len(q.kinds))})")
        args += list(q.kinds)
    else:  # a threshold ("expenditure of more than £1m") is a rule, not money: listed only when asked for
        where.append("kind != 'threshold'")
    if not q.repeats:
        where.append("repeats = 0")
    if q.org:  # the counterparty's normalised name holds the one asked for ("acme care" in "acme care limited")
        values = _matching(conn, "party_key", org_key(q.org))
        where.append(f"party_key IN ({','.join('?' * len(values))})" if values else "1 = 0")
        args += values
    if q.status:
        where.append("status = ?")
        args.append(q.status)
    if q.decision:
        where.append("decision = ?")
        args.append(q.decision)
    return (" WHERE " + " AND ".join(where)) if where else "", args


def awards(conn: sqlite3.Connection, q: LedgerQuery = LedgerQuery()) -> LedgerPage:
    """One page of the ledger: the rows the filters allow, sorted, with the count over every page."""
    where, args = _where(conn, q)
    total = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM ledger{where} LIMIT ?)",  # noqa: S608 - fixed columns
                         [*args, COUNT_CAP + 1]).fetchone()[0]
    rows = conn.execute(
        "SELECT l.*, d.path AS document, d.url AS source FROM ledger l JOIN documents d ON d.id = l.document_id"
        f" WHERE l.id IN (SELECT id FROM ledger{where} ORDER BY {SORTS[q.sort]} LIMIT ? OFFSET ?)"  # noqa: S608
        f" ORDER BY {', '.join('l.' + part.strip() for part in SORTS[q.sort].split(','))}",
        [*args, q.limit, q.offset]).fetchall()
    return LedgerPage([_award(r) for r in rows], total, q)


def _award(r) -> Award:
    return Award(r["decision"], r["council"], r["title"], r["maker"], r["status"], r["date"], r["date_kind"],
                 r["value"], r["text"], r["kind"], r["period"], r["term_years"], r["counterparty"], r["role"],
                 r["row_label"], r["qualifier"], r["paragraph"], r["sentence"], r["document"], r["source"] or "",
                 r["id"], r["repeats"])


def totals_by_year(conn: sqlite3.Connection, q: LedgerQuery = LedgerQuery()) -> list[tuple[str, str, str, float]]:
    """(year, council, kind, total value) over the rows the filters allow, for the Awards tab's chart. Totals are
    kept per kind: amounts of different kinds never add up."""
    where, args = _where(conn, q)
    return [tuple(r) for r in conn.execute(
        f"SELECT substr(date, 1, 4) AS year, council, kind, sum(value) FROM ledger{where}"  # noqa: S608
        " GROUP BY year, council, kind ORDER BY year, council, kind", args)]
