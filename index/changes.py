"""What a decision looks like to a watch, and what changed between two looks.

A decision's *state* is its status, its dates and its documents, each document as (path, sha256 of the file's
bytes, sha256 of its text). Its *fingerprint* hashes status, dates and each document's path and text: a watch
reports a decision again when the fingerprint moves (a status moved from proposed to taken, called in or
withdrawn; a date set; a document added, removed or rewritten).

A change is *material* only when it comes with bytes never seen before: a page the council changed, a new
document. A newer parser reading the same files differently (an ingest version that extracts another date, cuts
a page into parts afresh or names a decision by another id) changes states without anything happening at the
council: such states are recorded, never reported.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

from index.decisions import by_authority, decision_dates, decision_status


@dataclass(frozen=True)
class Document:
    path: str
    sha256: str  # of the file's bytes (shared by the parts of a page of several decisions)
    text_sha: str  # of the document's text
    doc_type: str = ""
    status: str = ""


@dataclass(frozen=True)
class DecisionState:
    decision: str
    status: str
    dates: dict[str, str]
    documents: tuple[Document, ...]

    @property
    def fingerprint(self) -> str:
        material = [self.status, sorted(self.dates.items()), sorted((d.path, d.text_sha) for d in self.documents)]
        return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"status": self.status, "dates": self.dates,
                           "documents": [[d.path, d.sha256, d.text_sha, d.doc_type, d.status] for d in self.documents]},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, decision: str, text: str) -> DecisionState:
        data = json.loads(text)
        return cls(decision, data["status"], data["dates"], tuple(Document(*d) for d in data["documents"]))


def states(conn: sqlite3.Connection, known: dict[str, DecisionState] | None = None) -> dict[str, DecisionState]:
    """Every decision of a generation's store (read through ``conn``). A document's text is hashed only where
    ``known`` (the states of the last look) does not hold it with the same bytes, so a look at an index that
    changed little reads little text."""
    known = known or {}
    texts = {(d.path, d.sha256): d.text_sha for s in known.values() for d in s.documents}
    conn.row_factory = sqlite3.Row
    rows: dict[str, list[sqlite3.Row]] = {}
    for row in conn.execute("SELECT id, number, path, sha256, doc_type, status, dates FROM documents"
                            " WHERE number != ''"):
        rows.setdefault(row["number"], []).append(row)
    todo = [r["id"] for group in rows.values() for r in group if (r["path"], r["sha256"]) not in texts]
    hashed = {}
    for start in range(0, len(todo), 500):
        chunk = todo[start:start + 500]
        for doc_id, text in conn.execute(f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
                                         chunk):
            hashed[doc_id] = hashlib.sha256(text.encode()).hexdigest()
    out = {}
    for number, group in rows.items():
        group = by_authority(group)
        docs = tuple(Document(r["path"], r["sha256"], hashed.get(r["id"]) or texts[(r["path"], r["sha256"])],
                              r["doc_type"], r["status"]) for r in group)
        out[number] = DecisionState(number, decision_status(r["status"] for r in group), decision_dates(group), docs)
    return out


@dataclass(frozen=True)
class Change:
    """What moved between the state a watch last saw (``before``: None for a decision it never saw) and now."""

    before: DecisionState | None
    after: DecisionState

    @property
    def kind(self) -> str:
        return "new" if self.before is None else "changed"

    def summary(self) -> str:
        """In words: "new decision", "status: proposed → taken", "new document: record", "text changed"."""
        if self.before is None:
            return "new decision"
        parts = []
        if self.before.status != self.after.status:
            parts.append(f"status: {self.before.status or 'none'} → {self.after.status or 'none'}")
        for name, value in sorted(self.after.dates.items()):
            if self.before.dates.get(name) != value:
                parts.append(f"{name.replace('_', ' ')} date: {value}")
        old = {d.path: d for d in self.before.documents}
        new = {d.path: d for d in self.after.documents}
        added = [new[p] for p in new if p not in old]
        if added:
            parts.append("new document" + ("s" if len(added) > 1 else "") + ": "
                         + ", ".join(d.doc_type or "document" for d in added))
        if any(p not in new for p in old):
            parts.append("document removed")
        if not parts and any(p in old and old[p].text_sha != d.text_sha for p, d in new.items()):
            parts.append("text changed")  # only where no status or date says what changed: pages print both
        return "; ".join(parts) or "changed"

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "summary": self.summary()}
        if self.before is not None and self.before.status != self.after.status:
            out["status_before"] = self.before.status
        return out
