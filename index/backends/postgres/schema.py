"""What the database holds, by name, and the tables of a generation as the SQLite store defines them.

Shared by every generation, in schema ``councilqa``:

    generations       one row a generation: its number, name, state (building | live | old) and manifest (model,
                      dimension, counts, keyword statistics, the vector table it searches)
    pointer           one row: the live generation. An ingest switches it in one transaction.
    embeddings        the embedding cache: (model, sha256 of the text) -> float32 bytes, as ``index.cache``; every
                      writer on every machine shares it, so a text is embedded once
    vectors_<model>   one table per model: passage id -> vector(d), with an HNSW index (pgvector). Passage ids are
                      never issued twice (``index.store``), so a vector belongs to one passage for ever: a new
                      generation adds its new passages' vectors and the graph grows in place; a removed passage's
                      vector stays until no kept generation holds it.

One schema per generation, ``councilqa_g000001``...: the store's own tables (documents, paragraphs, passages,
amounts, mentions, ledger, organisations, ...) with the columns the SQLite store gives them (``mirror``: a table
or column another engineer adds to ``index.store`` reaches PostgreSQL without a change here), plus each passage's
words (``tsv``, ``ntok``, GIN-indexed), the words' document frequencies (``terms``), the generation's files that
are neither store nor vectors (``files``: decision vectors), and ``stale``: vector ids of the shared table, up to
this generation's highest, that it does not hold. A reader sets its search path to one generation's schema, then
``councilqa``, and reads that generation only, whatever is built meanwhile.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass

SHARED = "councilqa"
# What a generation's schema holds, as written by this version; a live generation of an older format is written
# again by the next ingest (nothing embedded again), and refused by readers until then. 2: passages' BM25 weights.
FORMAT = 2
PREFIX = "councilqa_g"
# Functions SQLite has and PostgreSQL spells otherwise, under SQLite's names, so the store's SQL runs unchanged.
COMPAT = f"""
CREATE OR REPLACE FUNCTION {SHARED}.json_extract(doc text, path text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (doc::jsonb) #>> string_to_array(substr(path, 3), '.') $$;
"""
SHARED_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SHARED};
CREATE TABLE IF NOT EXISTS {SHARED}.generations (
    id integer PRIMARY KEY,
    name text NOT NULL,
    state text NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    manifest jsonb NOT NULL DEFAULT '{{}}'
);
CREATE TABLE IF NOT EXISTS {SHARED}.pointer (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    generation integer NOT NULL
);
CREATE TABLE IF NOT EXISTS {SHARED}.embeddings (
    model text NOT NULL,
    hash text NOT NULL,
    vec bytea NOT NULL,
    PRIMARY KEY (model, hash)
);
"""
# Tables of the SQLite store that stay behind: full-text shadow tables and the logs only a SQLite build reads.
SKIP = ("keyword_pending", "ledger_dirty")
LOCK_KEY = 0x636F756E63696C  # pg_advisory_lock key of the one writer ("council")


def generation_schema(number: int) -> str:
    return f"{PREFIX}{number:06d}"


def generation_name(number: int) -> str:
    """As an index directory names its generations (``gen-000001``)."""
    return f"gen-{number:06d}"


def search_path(number: int) -> str:
    return f"{generation_schema(number)}, {SHARED}, public"


def vector_table(model_id: str, dim: int) -> str:
    digest = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:12]
    return f"vectors_{digest}_{dim}"


def quote(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a plain SQL name: {name!r}")
    return f'"{name}"'


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    notnull: bool
    default: str | None


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    where: str  # a partial index's condition ("" for none)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    indexes: tuple[Index, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self, schema: str, extra: str = "") -> str:
        cols = [f"{quote(c.name)} {c.type}" + (" NOT NULL" if c.notnull else "")
                + (f" DEFAULT {c.default}" if c.default is not None else "") for c in self.columns]
        if self.key:
            cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in self.key)})")
        return f"CREATE TABLE {quote(schema)}.{quote(self.name)} ({', '.join(cols)}{extra})"

    def index_ddl(self, schema: str) -> list[str]:
        return [f"CREATE INDEX {quote(i.name)} ON {quote(schema)}.{quote(self.name)} "
                f"({', '.join(quote(c) for c in i.columns)})" + (f" WHERE {i.where}" if i.where else "")
                for i in self.indexes]


def _pg_type(declared: str) -> str:
    d = declared.upper()
    if "INT" in d:
        return "bigint"
    if any(x in d for x in ("REAL", "FLOA", "DOUB")):
        return "double precision"
    if "BLOB" in d:
        return "bytea"
    return 'text COLLATE "C"'  # SQLite compares text byte by byte: so does the C collation


def mirror(conn: sqlite3.Connection) -> list[Table]:
    """The store's tables as PostgreSQL should hold them: columns, primary key, indexes; parents first."""
    master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    virtual = [r[1] for r in master if r[0] == "table" and (r[3] or "").upper().startswith("CREATE VIRTUAL")]
    tables = []
    for kind, name, _tbl, _sql in master:
        if kind != "table" or name.startswith("sqlite_") or name in SKIP or name in virtual \
                or any(name.startswith(v + "_") for v in virtual):
            continue
        info = conn.execute(f"PRAGMA table_info({quote(name)})").fetchall()
        columns = tuple(Column(r[1], _pg_type(r[2] or ""), bool(r[3]) or bool(r[5]), r[4]) for r in info)
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        indexes = []
        for idx in conn.execute(f"PRAGMA index_list({quote(name)})").fetchall():
            if idx[3] == "pk":
                continue
            cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({quote(idx[1])})").fetchall())
            if not cols or any(c is None for c in cols):
                continue  # an index on an expression: none in the store today
            sql = next((r[3] for r in master if r[0] == "index" and r[1] == idx[1]), None) or ""
            where = sql.split(" WHERE ", 1)[1].strip() if idx[4] and " WHERE " in sql else ""
            name_ = idx[1] if not idx[1].startswith("sqlite_autoindex") else f"{name}_{'_'.join(cols)}_u"
            indexes.append(Index(name_, cols, where))
        tables.append(Table(name, columns, key, tuple(indexes)))
    order = {"meta": 0, "documents": 1}
    return sorted(tables, key=lambda t: (order.get(t.name, 2), t.name))


# Added to the passages of a generation: its words, their number and BM25 weights (words.py), for keyword search.
PASSAGE_EXTRA = ", tsv tsvector NOT NULL DEFAULT ''::tsvector, ntok integer NOT NULL DEFAULT 0, sv sparsevec NOT NULL"
GENERATION_EXTRA = """
CREATE TABLE {s}.terms (term text COLLATE "C" PRIMARY KEY, df bigint NOT NULL, id integer NOT NULL);
CREATE TABLE {s}.files (name text PRIMARY KEY, data bytea NOT NULL, sha256 text NOT NULL);
CREATE TABLE {s}.stale (id bigint PRIMARY KEY);
"""
