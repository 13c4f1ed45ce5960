"""Decisions: the documents that share a decision number, merged into one record."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.records import STATUS_ORDER
from index.council_filter import stored_councils
from index.filters import Filters
from index.store import Store

# Which document speaks for a decision, best first: the signed record, the web page, the proposal, the report.
_AUTHORITY = {"record": 0, "decision page": 1, "proposed record": 2, "report": 3, "": 4}


@dataclass(frozen=True)
class DocumentRef:
    path: str
    doc_type: str
    status: str
    file: str = ""  # the file read; ``path`` is ``file#n`` for one decision of a page listing several
    url: str = ""  # where the file was fetched from (``councilqa fetch``); "" for a local file


@dataclass(frozen=True)
class Decision:
    number: str  # the decision's id (``ingest.identity``): what citations carry
    title: str
    decision_maker: str
    status: str
    key_decision: bool | None
    council: str
    date: str  # the date the decision was taken; "" while it is only proposed
    dates: dict[str, str]
    documents: list[DocumentRef]
    amounts: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    mentioned_by: list[str] = field(default_factory=list)
    reference: str = ""  # as the council prints it ("" where it prints none)
    call_in: bool | None = None
    fields: dict[str, str] = field(default_factory=dict)  # purpose, decision, reasons, alternatives, wards, contact
    # where each field is printed: field -> {"document": path, "paragraph": label}, from the document that speaks
    # for the decision first (``ingest.provenance``)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.number

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable form (``decisions --json``): ``id`` first, documents as paths."""
        data = asdict(self)
        return {"id": self.number, **{k: v for k, v in data.items() if k != "documents"},
                "documents": [{"path": d.path, "doc_type": d.doc_type, "status": d.status, "file": d.file,
                               "source": d.url}
                              for d in self.documents]}


def decision_status(statuses) -> str:
    """A decision's status from its documents' (``STATUS_ORDER``: the furthest on wins)."""
    return max(statuses, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0, default="")


def decision_dates(rows) -> dict[str, str]:
    """A decision's dates from its documents' rows, sorted most authoritative first: the first to state one wins."""
    dates: dict[str, str] = {}
    for r in reversed(rows):
        dates.update(json.loads(r["dates"]))
    return dates


def by_authority(rows: list) -> list:
    """A decision's documents, the one that speaks for it first (``_AUTHORITY``)."""
    return sorted(rows, key=lambda r: (_AUTHORITY.get(r["doc_type"], 9), r["path"]))


def _first(rows: list[sqlite3.Row], column: str) -> str:
    return next((r[column] for r in rows if r[column]), "")


def decisions_of(store: Store, numbers: list[str]) -> dict[str, Decision]:
    """These decisions only, by id: read through the index on ``documents.number``, so a page of results costs
    the same among 100 decisions or 100,000 (``list_decisions`` reads them all)."""
    return {d.number: d for d in list_decisions(store, numbers)}


def list_decisions(store: Store, numbers: list[str] | None = None) -> list[Decision]:
    """Every decision of the store, or those of ``numbers``, sorted by id."""
    docs: dict[str, list[sqlite3.Row]] = {}
    if numbers is None:
        rows, pairs = store.documents(), store.mentions()
    else:
        wanted = sorted(set(numbers))
        marks = ",".join("?" * len(wanted))
        rows = store.conn.execute(f"SELECT * FROM documents WHERE number IN ({marks}) ORDER BY number, path",
                                  wanted).fetchall() if wanted else []
        pairs = [(r[0], r[1]) for r in store.conn.execute(
            "SELECT d.number, m.number FROM mentions m JOIN documents d ON d.id = m.document_id"
            f" WHERE d.number IN ({marks}) OR m.number IN ({marks})", [*wanted, *wanted])] if wanted else []
    for row in rows:
        if row["number"]:
            docs.setdefault(row["number"], []).append(row)
    mentions: dict[str, set[str]] = {}
    mentioned_by: dict[str, set[str]] = {}
    for n, m in pairs:  # read once, not once a decision (every decision against every pair grew as their product)
        if n != m:
            mentions.setdefault(n, set()).add(m)
            mentioned_by.setdefault(m, set()).add(n)
    out = []
    for number, rows in sorted(docs.items()):
        rows = by_authority(rows)
        dates = decision_dates(rows)  # the most authoritative document's dates win
        keys = [r["key_decision"] for r in rows if r["key_decision"] is not None]
        calls = [r["call_in"] for r in rows if r["call_in"] is not None]
        fields: dict[str, str] = {}
        sources: dict[str, dict[str, str]] = {}
        for r in reversed(rows):
            fields.update(json.loads(r["fields"] or "{}"))
            sources.update({name: {"document": r["path"], "paragraph": label}
                            for name, label in json.loads(r["sources"] or "{}").items()})
        status = decision_status(r["status"] for r in rows)
        amounts = []
        for r in rows:
            read = {}  # the ledger's reading of each figure: what kind of sum, over what period, paid to whom
            for e in store.ledger_of(r["id"]):
                read.setdefault((e["text"], e["paragraph"], e["sentence"]), e)
            for a in store.amounts_of(r["id"]):
                amount = {"value": a["value"], "text": a["text"], "sentence": a["sentence"],
                          "paragraph": a["paragraph"], "document": r["path"]}
                e = read.get((a["text"], a["paragraph"], a["sentence"]))
                if e is not None:
                    amount.update(kind=e["kind"], period=e["period"], term_years=e["term_years"],
                                  counterparty=e["counterparty"], role=e["role"])
                amounts.append(amount)
        out.append(
            Decision(
                number=number,
                title=_first(rows, "title"),
                decision_maker=_first(rows, "decision_maker"),
                status=status,
                key_decision=bool(max(keys)) if keys else None,
                council=_first(rows, "council"),
                date=dates.get("decision", ""),
                dates=dates,
                documents=[DocumentRef(r["path"], r["doc_type"], r["status"], r["source"] or r["path"], r["url"])
                           for r in rows],
                amounts=amounts,
                mentions=sorted(mentions.get(number, ())),
                mentioned_by=sorted(mentioned_by.get(number, ())),
                reference=_first(rows, "reference"),
                call_in=bool(max(calls)) if calls else None,
                fields=fields,
                sources=sources,
            )
        )
    return out


def numbers_matching(conn: sqlite3.Connection, filters: Filters) -> set[str] | None:
    """The numbers of the decisions one of whose documents passes ``filters`` (None where nothing is filtered):
    the same conditions as a search's (``Filters.sql``)."""
    if filters.is_empty():
        return None
    where, args = filters.sql(stored_councils(conn) if filters.council else ())
    return {r[0] for r in conn.execute(f"SELECT DISTINCT d.number FROM documents d WHERE {where}", args) if r[0]}
