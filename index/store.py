"""The SQLite store of documents, paragraphs, passages, amounts and cross-references.

One file, ``councilqa.sqlite``, in the index directory. Every document is written in its own transaction,
so a crash loses at most the file being written and never what was stored before. Passages carry a
content hash (model-independent) so the embedding step can skip text it has already embedded. Passage text
is also indexed by SQLite FTS5 (the document frequencies answers weigh words by); keyword search ranks with the
generation's Tantivy index (``index.keywords``), which the ``keyword_pending`` log keeps up to date.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from index import ledger
from ingest.records import ParsedDocument

DB_NAME = "councilqa.sqlite"
# 2: documents.source (the file of a page's parts), reference (as printed), call_in, fields; 3: url (fetched from);
# 4: parent (the decision page a document accompanies); 5: the awards ledger and organisations (``index.ledger``);
# 6: documents.sources (the paragraph that prints each field of a decision's record: ``ingest.provenance``)
SCHEMA_VERSION = 6
# Columns added since version 1, added in place to an older store by the next ingest (``migrated``), which then
# writes a new generation even when no file changed; until then readers refuse the old one (``check_schema``).
_ADDED = {"source": "TEXT NOT NULL DEFAULT ''", "reference": "TEXT NOT NULL DEFAULT ''", "call_in": "INTEGER",
          "fields": "TEXT NOT NULL DEFAULT '{}'", "url": "TEXT NOT NULL DEFAULT ''",
          "parent": "TEXT NOT NULL DEFAULT ''", "sources": "TEXT NOT NULL DEFAULT '{}'"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    status TEXT NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    decision_maker TEXT NOT NULL,
    key_decision INTEGER,
    key_decision_text TEXT NOT NULL,
    council TEXT NOT NULL,
    dates TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    call_in INTEGER,
    fields TEXT NOT NULL DEFAULT '{}',
    url TEXT NOT NULL DEFAULT '',
    parent TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS documents_number ON documents(number);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
-- every column a search filter tests (index.filters): listing the documents a filter allows reads this index,
-- never the rows, whose text runs to overflow pages (49 -> 15 ms over 40,000 documents at a million passages)
CREATE INDEX IF NOT EXISTS documents_filters ON documents(number, decision_maker, council, status, key_decision,
    doc_type, dates);
CREATE TABLE IF NOT EXISTS paragraphs (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    label TEXT NOT NULL,
    heading TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (document_id, ordinal)
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    heading TEXT NOT NULL,
    part INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
CREATE INDEX IF NOT EXISTS passages_hash ON passages(content_hash);
CREATE TABLE IF NOT EXISTS amounts (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    value REAL NOT NULL,
    text TEXT NOT NULL,
    sentence TEXT NOT NULL,
    paragraph TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mentions (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number TEXT NOT NULL
);
-- a document replaced or removed deletes its rows here (ON DELETE CASCADE): without these, every delete scans
-- both tables whole, and re-reading every file (an ingest version change) grows with the square of the corpus
CREATE INDEX IF NOT EXISTS amounts_document ON amounts(document_id);
CREATE INDEX IF NOT EXISTS mentions_document ON mentions(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, heading, content='passages', content_rowid='id', tokenize='unicode61'
);
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, old.heading);
END;
-- passages written or deleted since the generation's keyword index was brought up to date (index.keywords.write)
CREATE TABLE IF NOT EXISTS keyword_pending (passage_id INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS passages_kw_ai AFTER INSERT ON passages BEGIN
    INSERT INTO keyword_pending VALUES (new.id);
END;
CREATE TRIGGER IF NOT EXISTS passages_kw_ad AFTER DELETE ON passages BEGIN
    INSERT INTO keyword_pending VALUES (old.id);
END;
"""


def check_schema(conn: sqlite3.Connection, where: str) -> None:
    """Refuse, in one sentence, a store written by an older councilqa (it lacks columns readers use)."""
    from index.errors import IndexOutdated

    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or int(row[0]) < SCHEMA_VERSION:
        raise IndexOutdated(where)


def _untitled(row: sqlite3.Row) -> str:
    """What names a decision whose page lost its title line: the first words of what was decided (or its
    purpose), where the page prints a decision's fields at all; "" for a document that is no decision."""
    fields = json.loads(row["fields"] or "{}")
    text = fields.get("decision") or fields.get("purpose") or fields.get("lead") or ""
    if not text or not (row["decision_maker"] or row["status"] or json.loads(row["dates"] or "{}")):
        return ""
    return " ".join(text.split()[:8])


IN_CHUNK = 500  # values bound in one "IN (...)": well under SQLite's limit on bound parameters


def rows_in(conn: sqlite3.Connection, sql: str, values: list, before: tuple = ()):
    """The rows of ``sql`` for every one of ``values``, whatever their number: ``sql`` holds ``{marks}`` where
    the ``IN (...)`` list goes, and is run once per chunk of values (``before``: parameters bound ahead of them)."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), [*before, *chunk])


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WriteResult:
    outcome: str  # added | replaced | unchanged | duplicate
    detail: str = ""


class Store:
    """A connection to the store. Use as a context manager; writers should hold the index lock."""

    def __init__(self, path: Path, readonly: bool = False, scratch: bool = False) -> None:
        """``scratch``: a build's private copy, fsynced as a whole before it goes live, so each commit need not be."""
        self.path = path
        if readonly:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            if scratch:
                self.conn.execute("PRAGMA synchronous=OFF")
            self._migrate()
            self.conn.executescript(_SCHEMA)
            self.conn.executescript(ledger.SCHEMA)
            self.conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self.conn.commit()
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(documents)")}
        if columns:
            for name, decl in _ADDED.items():
                if name not in columns:
                    self.conn.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")  # names from _ADDED only
                    self.migrated = True
            self.conn.execute("UPDATE documents SET source = path WHERE source = ''")
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            self.conn.commit()

    migrated = False  # columns were added to an older store when it was opened for writing

    def ingest_version(self) -> int:
        """The ``ingest.pipeline.INGEST_VERSION`` the stored documents were parsed with (0: before it was kept)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'ingest_version'").fetchone()
        return int(row[0]) if row else 0

    def set_ingest_version(self, version: int) -> None:
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('ingest_version', ?)", (str(version),))

    def write(self, doc: ParsedDocument, reparsed: bool = False) -> WriteResult:
        """Store a parsed document: unchanged content is left alone, changed content replaces the old.
        ``reparsed``: the same bytes read by a newer parser replace what the older one stored."""
        source = doc.source or doc.path
        row = self.conn.execute("SELECT id, sha256 FROM documents WHERE path = ?", (doc.path,)).fetchone()
        if row is not None and row["sha256"] == doc.sha256 and not reparsed:
            return WriteResult("unchanged")
        twin = self.conn.execute(
            "SELECT source FROM documents WHERE sha256 = ? AND source != ?", (doc.sha256, source)
        ).fetchone()
        if twin is not None:
            return WriteResult("duplicate", f"same content as {twin['source']}")
        m = doc.meta
        with self.conn:  # one transaction: the old version stays until the new one is complete
            if row is not None:
                self.conn.execute("DELETE FROM documents WHERE id = ?", (row["id"],))
            cur = self.conn.execute(
                "INSERT INTO documents(path, sha256, format, doc_type, status, number, title, decision_maker,"
                " key_decision, key_decision_text, council, dates, text, source, reference, call_in, fields, url,"
                " parent, sources) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.path, doc.sha256, doc.format, m.doc_type, m.status, m.number, m.title,
                    m.decision_maker, None if m.key_decision is None else int(m.key_decision),
                    m.key_decision_text, m.council, json.dumps(m.dates, sort_keys=True), doc.text, source,
                    m.number, None if m.call_in is None else int(m.call_in), json.dumps(m.fields, sort_keys=True),
                    doc.url, doc.parent, json.dumps(m.sources, sort_keys=True),
                ),
            )
            doc_id = cur.lastrowid
            self.conn.executemany(
                "INSERT INTO paragraphs VALUES (?,?,?,?,?,?)",
                [(doc_id, i, p.label, p.heading, p.start, p.end) for i, p in enumerate(doc.paragraphs)],
            )
            first = self._next_passage_id(len(doc.passages))
            self.conn.executemany(
                "INSERT INTO passages(id, document_id, label, heading, part, start, end, text, content_hash)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (first + i, doc_id, p.label, p.heading, p.part, p.start, p.end, p.text, content_hash(p.text))
                    for i, p in enumerate(doc.passages)
                ],
            )
            self.conn.executemany(
                "INSERT INTO amounts VALUES (?,?,?,?,?)",
                [(doc_id, a.value, a.text, a.sentence, a.paragraph) for a in m.amounts],
            )
            self.conn.executemany("INSERT INTO mentions VALUES (?,?)", [(doc_id, n) for n in m.mentions])
            ledger.write(self.conn, doc_id, doc)
        return WriteResult("replaced" if row is not None else "added")

    def holds(self, path: str, sha256: str) -> bool:
        """This file is stored with exactly these bytes (as one document, or as the parts of a page)."""
        row = self.conn.execute("SELECT 1 FROM documents WHERE source = ? AND sha256 = ?", (path, sha256)).fetchone()
        return row is not None

    def paths(self) -> set[str]:
        """The files stored (a page of several decisions once)."""
        return {r[0] for r in self.conn.execute("SELECT source FROM documents")}

    def passage_count(self, path: str) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.source = ?", (path,)
        ).fetchone()[0]

    def _next_passage_id(self, count: int) -> int:
        """The first of ``count`` passage ids never issued before. SQLite would give a removed document's ids to
        the next one added (its rowids restart after the largest left); a generation's vector index keeps the
        vectors of removed passages under their ids until it is rebuilt (``index.build``), so an id is never
        issued twice."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'passage_id_high'").fetchone()
        high = max(int(row[0]) if row else 0,
                   self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM passages").fetchone()[0])
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('passage_id_high', ?)", (str(high + count),))
        return high + 1

    def remove(self, path: str) -> bool:
        """Drop a file: the document, or every part of the page."""
        with self.conn:
            cur = self.conn.execute("DELETE FROM documents WHERE source = ? OR path = ?", (path, path))
        return cur.rowcount > 0

    def prune_parts(self, source: str, kept: set[str]) -> int:
        """Drop the parts of a page that its new version no longer has."""
        rows = self.conn.execute("SELECT id, path FROM documents WHERE source = ?", (source,)).fetchall()
        stale = [r["id"] for r in rows if r["path"] not in kept]
        with self.conn:
            self.conn.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in stale])
        return len(stale)

    def assign_ids(self) -> int:
        """Give every document its decision's id (``ingest.identity.decision_ids``): documents of one decision
        (the same council and reference, or with none, the same council, date and title) share it. Returns how
        many documents' ids changed."""
        from ingest.identity import decision_ids

        rows = self.conn.execute("SELECT id, number, council, reference, title, dates, decision_maker, status,"
                                 " fields, source, parent FROM documents").fetchall()
        keys = {}
        for r in rows:
            dates = json.loads(r["dates"] or "{}")
            date = dates.get("decision") or dates.get("published") or dates.get("meeting") or dates.get("committee", "")
            title = r["title"] or _untitled(r)
            keys[r["id"]] = (r["council"], r["reference"], date if not r["reference"] else "",
                             title if not r["reference"] else "")
        by_key = decision_ids(list(keys.values()))
        ids = {r["id"]: by_key[keys[r["id"]]] for r in rows}
        # a document that accompanies a decision page (its report PDF) is that decision's, whatever it says itself
        page_id = {r["source"]: ids[r["id"]] for r in rows if ids[r["id"]]}
        for r in rows:
            if r["parent"] and page_id.get(r["parent"]):
                ids[r["id"]] = page_id[r["parent"]]
        changes = [(ids[r["id"]], r["id"]) for r in rows if ids[r["id"]] != r["number"]]
        with self.conn:
            self.conn.executemany("UPDATE documents SET number = ? WHERE id = ?", changes)
        return len(changes)

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "passages": one("SELECT count(*) FROM passages"),
            "decisions": one("SELECT count(DISTINCT number) FROM documents WHERE number != ''"),
        }

    def documents(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM documents ORDER BY number, path").fetchall()

    def amounts_of(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM amounts WHERE document_id = ?", (doc_id,)).fetchall()

    def ledger_of(self, doc_id: int) -> list[sqlite3.Row]:
        """The awards ledger's reading of the document's amounts (``index.ledger``): kind, period, counterparty.
        None read where the index predates the ledger."""
        try:
            return self.conn.execute("SELECT text, sentence, paragraph, kind, period, term_years, counterparty, role"
                                     " FROM ledger WHERE document_id = ? ORDER BY ordinal", (doc_id,)).fetchall()
        except sqlite3.OperationalError:
            return []

    def mentions(self) -> list[tuple[str, str]]:
        """(mentioning decision number, mentioned number) pairs."""
        rows = self.conn.execute(
            "SELECT d.number, m.number FROM mentions m JOIN documents d ON d.id = m.document_id"
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def passages_of(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM passages WHERE document_id = ? ORDER BY start", (doc_id,)
        ).fetchall()
