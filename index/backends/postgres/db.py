"""Connections to the database, and the face the store's SQL reads through.

The read code of the project (``index.search``, ``index.ledger``, ``index.decisions``, ``qa``) writes its SQL once,
for SQLite: ``?`` placeholders, rows read by position or by name. ``Conn`` runs that SQL on PostgreSQL unchanged:
placeholders become psycopg's (``%s``, bound client-side as SQLite binds them, so an untyped ``? = ''`` works),
a literal ``%`` is doubled, numbers come back as ``int``/``float`` (never ``Decimal``), and rows are ``Row``s that
index like ``sqlite3.Row``. What SQLite spells differently is provided in the database as functions of the same
name (``json_extract``, ``schema.COMPAT``), so no query is rewritten beyond its placeholders. Every call takes a
connection from the process's pool and gives it back, so the threads of an app process share a few connections.
"""
from __future__ import annotations

import decimal
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator

from index.errors import IndexError_


class DatabaseError(IndexError_):
    """The database could not be reached or refused a request: one sentence naming it and what to do."""


def redact(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_SQL_CACHE: OrderedDict[str, str] = OrderedDict()
_SQL_LOCK = threading.Lock()


def translate(sql: str) -> str:
    """SQLite's ``?`` placeholders as psycopg's ``%s`` (outside quoted text), every literal ``%`` doubled."""
    with _SQL_LOCK:
        done = _SQL_CACHE.get(sql)
        if done is not None:
            _SQL_CACHE.move_to_end(sql)
            return done
    out, quote = [], ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
            out.append("%%" if ch == "%" else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    done = "".join(out)
    with _SQL_LOCK:
        _SQL_CACHE[sql] = done
        while len(_SQL_CACHE) > 2000:
            _SQL_CACHE.popitem(last=False)
    return done


class Row(tuple):
    """A row read by position (``row[0]``) or by column name (``row["title"]``), as ``sqlite3.Row``."""

    __slots__ = ()
    _index: dict[str, int] = {}
    _names: tuple[str, ...] = ()

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


_ROW_CLASSES: dict[tuple[str, ...], type] = {}


def _row_class(names: tuple[str, ...]) -> type:
    cls = _ROW_CLASSES.get(names)
    if cls is None:
        index: dict[str, int] = {}
        for i, n in enumerate(names):
            index.setdefault(n, i)
        cls = type("Row", (Row,), {"__slots__": (), "_index": index, "_names": names})
        _ROW_CLASSES[names] = cls
    return cls


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):  # sum() of integers is numeric in PostgreSQL, an integer in SQLite
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def row_factory(cursor):
    names = tuple(d.name for d in cursor.description or ())
    cls = _row_class(names)

    def make(values):
        return cls(_plain(v) for v in values)

    return make


class Result:
    """What ``Conn.execute`` returns: the rows, read already (the connection is back in the pool)."""

    def __init__(self, rows: list, rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list:
        return list(self._rows)

    def __iter__(self) -> Iterator:
        return iter(self._rows)


def configure(conn, search_path: str) -> None:
    """Every connection of a pool: the generation's schema first, numpy arrays as pgvector's types."""
    from pgvector.psycopg import register_vector

    conn.execute(f"SET search_path TO {search_path}")  # names from schema.py only
    # one search is small: a parallel plan costs more than it saves, and under load the cores are the requests'
    conn.execute("SET max_parallel_workers_per_gather = 0")
    try:
        register_vector(conn)
    except Exception:  # noqa: BLE001 - before the extension exists (a database never ingested into)
        pass
    if not conn.autocommit:
        conn.commit()


class Session:
    """One connection of its own (a build's, the writer lock's) with the same SQLite-style ``execute``; ``raw``
    is the psycopg connection, for COPY and transactions."""

    def __init__(self, raw, url: str) -> None:
        self.raw = raw
        self.url = url

    def execute(self, sql: str, params=()) -> Result:
        import psycopg

        try:
            cur = self.raw.execute(translate(sql), tuple(params))
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"the database at {redact(self.url)} did not answer: {_reason(exc)}") from None
        rows = cur.fetchall() if cur.description else []
        return Result(rows, cur.rowcount)

    def bound(self, sql: str, params) -> None:
        """Run psycopg-style SQL (``%s``) with its parameters sent apart (server-side binding): large arrays and
        bytes travel as binary, not as text in the statement."""
        import psycopg

        with psycopg.Cursor(self.raw) as cur:
            cur.execute(sql, params)

    def transaction(self):
        return self.raw.transaction()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(url: str, search_path: str | None = None) -> Session:
    """One connection, autocommitting; the database's own refusal becomes one sentence."""
    import psycopg

    try:
        raw = psycopg.connect(url, autocommit=True, row_factory=row_factory, cursor_factory=psycopg.ClientCursor,
                              connect_timeout=10)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database at {redact(url)}: {_reason(exc)}") from None
    if search_path:
        configure(raw, search_path)
    return Session(raw, url)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Conn:
    """SQLite-style ``execute`` over a pool of connections whose search path starts at one generation's schema."""

    def __init__(self, url: str, search_path: str, max_size: int = 4) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.search_path = search_path
        self.pool = ConnectionPool(
            url, min_size=1, max_size=max_size, open=False, timeout=30,
            kwargs={"row_factory": row_factory, "cursor_factory": psycopg.ClientCursor, "autocommit": True,
                    "connect_timeout": 10},
            configure=lambda c: configure(c, search_path))
        try:
            self.pool.open(wait=True, timeout=15)
        except Exception as exc:  # noqa: BLE001 - psycopg_pool's PoolTimeout names no reason
            self.pool.close()
            raise DatabaseError(f"cannot connect to the database at {redact(url)}: {_reason(exc)}") from None

    @contextmanager
    def connection(self):
        import psycopg

        try:
            with self.pool.connection() as conn:
                yield conn
        except psycopg.errors.UndefinedTable as exc:
            raise DatabaseError(f"the index generation this process read ({self.search_path.split(',')[0]}) is gone "
                                f"from {redact(self.url)}: {_reason(exc)}; open the index again") from None
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"the database at {redact(self.url)} did not answer: {_reason(exc)}") from None

    def execute(self, sql: str, params=()) -> Result:
        with self.connection() as conn:
            cur = conn.execute(translate(sql), tuple(params))
            rows = cur.fetchall() if cur.description else []
            return Result(rows, cur.rowcount)

    def execute_with(self, settings: dict[str, str], sql: str, params=()) -> Result:
        """``execute`` in one transaction with these settings set for it alone (``SET LOCAL``)."""
        with self.connection() as conn:
            with conn.transaction():
                for name, value in settings.items():
                    conn.execute("SELECT set_config(%s, %s, true)", (name, value))
                cur = conn.execute(translate(sql), tuple(params))
                rows = cur.fetchall() if cur.description else []
            return Result(rows, cur.rowcount)

    def executemany(self, sql: str, seq) -> None:
        with self.connection() as conn:
            with conn.transaction():
                conn.cursor().executemany(translate(sql), [tuple(p) for p in seq])

    def commit(self) -> None:  # every call above commits by itself
        return None

    def close(self) -> None:
        self.pool.close()

    @property
    def row_factory(self):  # code that sets sqlite3.Row on a connection it was handed: rows already index by name
        return Row

    @row_factory.setter
    def row_factory(self, _value) -> None:
        return None
