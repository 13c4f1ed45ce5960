"""Keyword search with SQLite FTS5 and its ``bm25()`` ranking.

Every query word becomes a quoted FTS5 string, so user text is never FTS syntax: "22/00093" and "£0.322m"
are matched as the token sequences the tokenizer makes of them ("22 00093", "0 322m").
"""
from __future__ import annotations

import re
import sqlite3

from index.filters import Filters

_STOP = frozenset(
    "a an and are as at be by for from has have how in is it of on or that the this to was were what when "
    "which who will with does did do much many".split()
)


def fts_query(text: str) -> str:
    terms = []
    for raw in text.split():
        term = raw.strip(".,;:!?()[]{}'\"‘’“”")
        if not term or term.lower() in _STOP or not re.search(r"\w", term):
            continue
        terms.append('"' + term.replace('"', '""') + '"')
    return " OR ".join(dict.fromkeys(terms))


def search(conn: sqlite3.Connection, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
    """Top-k (passage id, bm25 score, higher is better) among passages that pass the filters."""
    match = fts_query(query)
    if not match or k <= 0:
        return []
    where, args = filters.sql()
    rows = conn.execute(
        "SELECT p.id, -bm25(passages_fts, 1.0, 0.3) AS score FROM passages_fts"
        " JOIN passages p ON p.id = passages_fts.rowid JOIN documents d ON d.id = p.document_id"
        f" WHERE passages_fts MATCH ? AND {where} ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?",
        [match, *args, k],
    ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]
