"""Keyword search with SQLite FTS5 and its ``bm25()`` ranking.

Every query word becomes a quoted FTS5 string, so user text is never FTS syntax: "22/00093" and "£0.322m"
are matched as the token sequences the tokenizer makes of them ("22 00093", "0 322m").

Common words are dropped from the query in a large index: BM25 must score every passage a query word
matches, and a word in 17,000 of 100,000 passages ("council") costs 40 ms while its IDF adds almost nothing
to the ranking. A word is dropped only when it is in more than ``COMMON_SHARE`` of the passages *and* more
than ``COMMON_MIN`` of them, so a small index (the bundled corpus) ranks exactly as plain BM25. If every word
is common, the rarest is kept.
"""
from __future__ import annotations

import re
import sqlite3

from index.filters import Filters
from index.sanitise import sanitise

_STOP = frozenset(
    "a an and are as at be by for from has have how in is it of on or that the this to was were what when "
    "which who will with does did do much many".split()
)
COMMON_SHARE = 0.05
COMMON_MIN = 2_000


def query_terms(text: str) -> list[str]:
    terms = []
    for raw in sanitise(text).split():  # a NUL inside a quoted FTS5 string ends it: "unterminated string"
        term = raw.strip(".,;:!?()[]{}'\"‘’“”")
        if not term or term.lower() in _STOP or not re.search(r"\w", term):
            continue
        terms.append(term)
    return list(dict.fromkeys(terms))


def fts_query(text: str) -> str:
    return _match(query_terms(text))


def _match(terms: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def document_frequency(conn: sqlite3.Connection, term: str) -> int:
    """Passages containing the term (for a term the tokenizer splits, its rarest token: an upper bound)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab USING fts5vocab(main, passages_fts, row)")
    counts = [
        (conn.execute("SELECT doc FROM temp.passages_vocab WHERE term = ?", [token]).fetchone() or (0,))[0]
        for token in re.findall(r"\w+", term.lower())
    ]
    return min(counts, default=0)


def without_common(conn: sqlite3.Connection, terms: list[str]) -> list[str]:
    if len(terms) < 2:
        return terms
    df = {t: document_frequency(conn, t) for t in terms}
    if max(df.values()) <= COMMON_MIN:
        return terms
    total = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    limit = max(COMMON_MIN, COMMON_SHARE * total)
    kept = [t for t in terms if df[t] <= limit]
    return kept or [min(terms, key=df.__getitem__)]


def search(conn: sqlite3.Connection, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
    """Top-k (passage id, bm25 score, higher is better) among passages that pass the filters."""
    terms = query_terms(query)
    if not terms or k <= 0:
        return []
    match = _match(without_common(conn, terms))
    if filters.is_empty():  # no join: the FTS table alone ranks faster
        rows = conn.execute(
            "SELECT rowid, -bm25(passages_fts, 1.0, 0.3) FROM passages_fts WHERE passages_fts MATCH ?"
            " ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?",
            [match, k],
        ).fetchall()
    else:
        where, args = filters.sql()
        rows = conn.execute(
            "SELECT p.id, -bm25(passages_fts, 1.0, 0.3) AS score FROM passages_fts"
            " JOIN passages p ON p.id = passages_fts.rowid JOIN documents d ON d.id = p.document_id"
            f" WHERE passages_fts MATCH ? AND {where} ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?",
            [match, *args, k],
        ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]
