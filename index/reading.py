"""What answers, watches and the app read from a generation's store beyond search, as methods of the searcher, so
that every store serves them (``index.backends``): the SQL is written once, for both SQLite and PostgreSQL."""
from __future__ import annotations

from index.filters import Filters
from index.store import rows_in


class StoreReading:
    """Mixed into ``index.search.Searcher`` (and so into every backend's searcher); reads ``self.conn``."""

    conn: object

    def documents_of(self, numbers: list[str]) -> list[int]:
        """The ids of the documents of these decisions."""
        return [r[0] for r in rows_in(self.conn, "SELECT id FROM documents WHERE number IN ({marks})", numbers)]

    def documents_passing(self, filters: Filters, numbers: list[str]) -> list[int]:
        """The ids of these decisions' documents that pass ``filters``."""
        where, args = filters.sql()
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
