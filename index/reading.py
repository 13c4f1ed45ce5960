"""What answers, watches and the app read from a generation's store beyond search, as methods of the searcher, so
that every store serves them (``index.backends``): the SQL is written once, for both SQLite and PostgreSQL."""
from __future__ import annotations

from index.filters import Filters
from index.store import content_hash, rows_in


class StoreReading:
    """Mixed into ``index.search.Searcher`` (and so into every backend's searcher); reads ``self.conn`` (and
    ``self.councils()``, the names a council filter selects among) and makes passages into ``Hit``s with the
    searcher's ``hits``."""

    conn: object

    def documents_of(self, numbers: list[str]) -> list[int]:
        """The ids of the documents of these decisions."""
        return [r[0] for r in rows_in(self.conn, "SELECT id FROM documents WHERE number IN ({marks})", numbers)]

    def documents_passing(self, filters: Filters, numbers: list[str]) -> list[int]:
        """The ids of these decisions' documents that pass ``filters``."""
        where, args = filters.sql(self.councils())
        return [r[0] for r in rows_in(self.conn, f"SELECT d.id FROM documents d WHERE {where}"
                                      " AND d.number IN ({marks})", numbers, before=tuple(args))]

    def decision_documents(self, number: str) -> list:
        """A decision's documents (council, reference, title, url, parent, doc_type), the most telling first."""
        return self.conn.execute(
            "SELECT council, reference, title, url, parent, doc_type FROM documents WHERE number = ?"
            " ORDER BY CASE doc_type WHEN 'record' THEN 0 WHEN 'decision page' THEN 1 WHEN 'proposed record' THEN 2"
            " ELSE 3 END, path", (number,)).fetchall()

    def passages_at(self, document: str, label: str) -> list[tuple[int, str]]:
        """(id, text) of the passages of one paragraph of one document, in order."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT p.id, p.text FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.path = ? AND"
            " p.label = ? ORDER BY p.start", [document, label])]

    def decision_paragraphs(self, number: str) -> list[tuple[str, str, str]]:
        """(document, paragraph label, text) of every passage of a decision, document by document, in order."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT d.path, p.label, p.text FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.number = ? ORDER BY d.path, p.start", [number])]

    def copies(self, hits: list, filters: Filters = Filters(), limit: int = 5000) -> list:
        """The other passages with exactly the text of one of ``hits`` (the same paragraph in other decisions)."""
        if not hits:
            return []
        hashes = sorted({content_hash(h.text) for h in hits})
        where, args = filters.sql(self.councils()) if not filters.is_empty() else ("1 = 1", [])
        rows = self.conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
            f" WHERE p.content_hash IN ({','.join('?' * len(hashes))}) AND {where} LIMIT ?",
            [*hashes, *args, limit],
        ).fetchall()
        seen = {h.passage_id for h in hits}
        return self.hits([(r[0], 0.0) for r in rows if r[0] not in seen])

    def following(self, hit: Hit, limit: int = 3) -> list:
        """The passages that follow ``hit`` in its document (a list after its lead-in), in order."""
        rows = self.conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.path = ? AND p.start >= ?"
            " AND p.id != ? ORDER BY p.start LIMIT ?", [hit.document, hit.end, hit.passage_id, limit]).fetchall()
        return self.hits([(r[0], 0.0) for r in rows])

    def paragraph_hits(self, document: str, label: str) -> list:
        """The passages of one paragraph of a document (a long paragraph is several), in order."""
        rows = self.conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.path = ? AND p.label = ?"
            " ORDER BY p.start", [document, label]).fetchall()
        return self.hits([(r[0], 0.0) for r in rows])

    def section_hits(self, document: str, label: str) -> list:
        """The passages of a paragraph and of those after it under the same heading ("Reasons ¶1", "Reasons ¶2")."""
        first = self.conn.execute(
            "SELECT p.heading, p.start FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.path = ? AND p.label = ? ORDER BY p.start LIMIT 1", [document, label]).fetchone()
        if first is None:
            return []
        rows = self.conn.execute(
            "SELECT p.id, p.heading FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.path = ? AND p.start >= ? ORDER BY p.start", [document, first["start"]]).fetchall()
        out = []
        for r in rows:
            if r["heading"] != first["heading"]:
                break
            out.append((r["id"], 0.0))
        return self.hits(out)
