"""The shared part of the database: its generations, the pointer to the live one, the one-writer lock."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from index.backends.postgres import schema
from index.backends.postgres.db import DatabaseError, connect, redact
from index.errors import IndexBusy

S = schema.SHARED


@dataclass(frozen=True)
class Generation:
    number: int
    name: str
    manifest: dict

    @property
    def schema(self) -> str:
        return schema.generation_schema(self.number)

    @property
    def search_path(self) -> str:
        return schema.search_path(self.number)


def ensure_shared(conn) -> None:
    """The extension, the shared tables and the compatibility functions (idempotent; the writer runs it)."""
    import psycopg

    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise DatabaseError("the database has no pgvector extension to create (CREATE EXTENSION vector failed: "
                            f"{str(exc).strip().splitlines()[0]}): install pgvector 0.8 or later on the server") from None
    conn.execute(schema.SHARED_DDL)
    conn.execute(schema.COMPAT)
    from pgvector.psycopg import register_vector

    register_vector(conn.raw)


def has_catalog(conn) -> bool:
    row = conn.execute("SELECT to_regclass(?) IS NOT NULL", [f"{S}.pointer"]).fetchone()
    return bool(row[0])


def live(conn) -> Generation | None:
    """The generation the pointer names; None for a database never ingested into."""
    if not has_catalog(conn):
        return None
    row = conn.execute(f"SELECT g.id, g.name, g.manifest FROM {S}.pointer p JOIN {S}.generations g"
                       " ON g.id = p.generation").fetchone()
    if row is None:
        return None
    manifest = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return Generation(row[0], row[1], manifest)


_POLL: dict[str, object] = {}  # url -> a connection kept for looking at the pointer
_POLL_LOCK = threading.Lock()
_SEEN: dict[str, tuple[float, int | None]] = {}  # url -> (when looked, the number then)
POLL_EVERY = 0.25  # seconds: under load, one look at the pointer serves the requests of a quarter of a second


def forget(url: str) -> None:
    """The pointer moved (this process switched it): the next look reads it again."""
    with _POLL_LOCK:
        _SEEN.pop(url, None)


def live_number(url: str) -> int | None:
    """The live generation's number, in one small query on a connection the process keeps for it (what an app
    process asks before each request, to see a new ingest)."""
    with _POLL_LOCK:
        seen = _SEEN.get(url)
        if seen is not None and time.monotonic() - seen[0] < POLL_EVERY:
            return seen[1]
        for attempt in (1, 2):
            conn = _POLL.get(url)
            if conn is None:
                conn = _POLL[url] = connect(url)
            try:
                if not has_catalog(conn):
                    return None
                row = conn.execute(f"SELECT generation FROM {S}.pointer").fetchone()
                number = None if row is None else int(row[0])
                _SEEN[url] = (time.monotonic(), number)
                return number
            except DatabaseError:
                _POLL.pop(url, None)  # the server went away and came back: connect again, once
                if attempt == 2:
                    raise
    return None


@contextmanager
def writer_lock(conn, url: str) -> Iterator[None]:
    """One writer at a time, across machines: a session-level advisory lock, released when the connection closes
    (so also when the writing process is killed)."""
    got = conn.execute("SELECT pg_try_advisory_lock(?)", [schema.LOCK_KEY]).fetchone()[0]
    if not got:
        raise IndexBusy(redact(url))
    try:
        yield
    finally:
        try:
            conn.execute("SELECT pg_advisory_unlock(?)", [schema.LOCK_KEY])
        except Exception:  # noqa: BLE001 - a broken connection releases the lock by closing
            pass


def next_number(conn) -> int:
    row = conn.execute(f"SELECT coalesce(max(id), 0) FROM {S}.generations").fetchone()
    return int(row[0]) + 1


def kept(conn) -> list[int]:
    return [r[0] for r in conn.execute(f"SELECT id FROM {S}.generations WHERE state IN ('live', 'old') ORDER BY id")]


def schemas(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE ? ORDER BY 1",
                                       [schema.PREFIX + "%"])]


def by_name(url: str, name: str) -> Generation | None:
    """A kept generation by its name (``gen-000003``); None where it is not (or no longer) kept."""
    with connect(url) as conn:
        if not has_catalog(conn):
            return None
        row = conn.execute(f"SELECT id, name, manifest FROM {S}.generations WHERE name = ? AND state IN ('live', 'old')",
                           [name]).fetchone()
    if row is None:
        return None
    return Generation(row[0], row[1], row[2] if isinstance(row[2], dict) else json.loads(row[2]))
