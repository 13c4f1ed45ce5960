"""Watches, and the decisions' history they are run against: ``watches.sqlite`` in the index directory.

It lives beside the generations, not in one, so watches survive every ingest, a re-ingest from scratch of the same
files and the pruning of old generations. Tables:

- ``watches``: name, query, filters (JSON), e-mail recipients, and ``seen``: the last change it has reported;
- ``changes``: a log of decision states (``index.changes``), one row each time a look at a new generation finds a
  decision new or changed, numbered by ``seq``; ``material`` marks the changes that came with bytes never seen
  before (a real change at the council, not a newer parser's reading);
- ``current``: the decisions of the generation last looked at, ``known_bytes``: every file's sha256 looked at;
- ``alerts``: what each watch run reported (the Atom feeds read it), ``settings``: e-mail settings (no password).

A run reads the changes after its watch's ``seen`` up to the head, reports the matches, and only after they are
delivered commits, in one transaction, the alerts and the new ``seen``. A run killed before that commit reports
the same decisions next time; none is lost.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from index.changes import Change, DecisionState, states
from index.errors import BadRequest, IndexError_
from index.filters import Filters
from index.store import DB_NAME

WATCHES_DB = "watches.sqlite"
RUN_LOCK = "watches.lock"
SCHEMA_VERSION = 1
NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}")
MAX_WATCHES = 500
MAX_RECIPIENTS = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    seen INTEGER NOT NULL,
    last_run TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    decision TEXT NOT NULL,
    state TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    material INTEGER NOT NULL,
    generation TEXT NOT NULL,
    observed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_decision ON changes(decision, seq);
CREATE TABLE IF NOT EXISTS current (decision TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS known_bytes (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    watch TEXT NOT NULL COLLATE NOCASE,
    decision TEXT NOT NULL,
    reported TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_watch ON alerts(watch, id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class WatchError(IndexError_):
    """A watch that cannot be added, found or run; the message says what to do."""


class WatchNotFound(WatchError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no watch named {name!r}: `councilqa watch list` shows the watches")


class WatchesBusy(WatchError):
    def __init__(self, path: str) -> None:
        super().__init__(f"another watch run is delivering from {path}; wait for it to finish and try again")


@dataclass(frozen=True)
class Watch:
    name: str
    query: str
    filters: Filters = field(default_factory=Filters)
    email: tuple[str, ...] = ()
    created: str = ""
    seen: int = 0  # the last change (``changes.seq``) this watch has reported
    last_run: str = ""
    problem: str = ""  # why it cannot run as saved (its filters no longer read): listed, never run, kept

    def to_dict(self) -> dict:
        out = {"name": self.name, "query": self.query, "filters": filters_dict(self.filters),
               "email": list(self.email), "created": self.created, "last_run": self.last_run}
        return {**out, "problem": self.problem} if self.problem else out


def filters_dict(filters: Filters) -> dict:
    """The filters set, by their command-line names (``council``, ``from`` ...)."""
    from index.filters import FIELD_NAMES

    out = {}
    for name, value in asdict(filters).items():
        if value not in ("", None):
            out[FIELD_NAMES.get(name, "key" if name == "key_decision" else name)] = (
                ("yes" if value else "no") if name == "key_decision" else value)
    return out


def watch_name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        shown = value[:40] if isinstance(value, str) else value
        raise WatchError(f"a watch name is {NAME_RULE} (it is part of the feed's address): got {shown!r}")
    return value


def recipients(values) -> tuple[str, ...]:
    out = []
    for value in values or ():
        value = value.strip() if isinstance(value, str) else ""
        if not _EMAIL.fullmatch(value):
            raise WatchError(f"not an e-mail address: {value[:80]!r}")
        out.append(value)
    if len(out) > MAX_RECIPIENTS:
        raise WatchError(f"at most {MAX_RECIPIENTS} e-mail addresses a watch")
    return tuple(dict.fromkeys(out))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class WatchStore:
    """The watches of one index directory. Writes are transactions; a run's delivery is held by ``run_lock``."""

    def __init__(self, index_dir: Path, create: bool = True) -> None:
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / WATCHES_DB
        if create:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(_SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('uuid', ?)", (str(uuid.uuid4()),))
        else:
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
        self.conn.row_factory = sqlite3.Row

    @staticmethod
    def exists(index_dir: Path) -> bool:
        return (Path(index_dir) / WATCHES_DB).is_file()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> WatchStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- watches -------------------------------------------------------------------------------------------

    def add(self, name: str, query: str, filters: Filters = Filters(), email=(), existing: bool = False) -> Watch:
        """A new watch. It reports what changes from now on (``existing``: also the decisions already indexed)."""
        name = watch_name(name)
        email = recipients(email)
        head = self.sync()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM watches WHERE name = ?", (name,)).fetchone():
                raise WatchError(f"a watch named {name!r} exists: remove it first, or choose another name")
            if conn.execute("SELECT count(*) FROM watches").fetchone()[0] >= MAX_WATCHES:
                raise WatchError(f"at most {MAX_WATCHES} watches an index: remove some first")
            conn.execute("INSERT INTO watches(name, query, filters, email, created, seen) VALUES (?,?,?,?,?,?)",
                         (name, query, json.dumps(asdict(filters)), json.dumps(list(email)), _now(),
                          0 if existing else head))
        return self.get(name)

    def remove(self, name: str) -> None:
        with self._write() as conn:
            if conn.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount == 0:
                raise WatchNotFound(name)
            conn.execute("DELETE FROM alerts WHERE watch = ?", (name,))

    def list(self) -> list[Watch]:
        return [self._watch(r) for r in self.conn.execute("SELECT * FROM watches ORDER BY name")]

    def get(self, name: str) -> Watch:
        """One watch, to run or serve: one that cannot run as saved is a ``BadRequest`` saying why."""
        row = self.conn.execute("SELECT * FROM watches WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WatchNotFound(name)
        watch = self._watch(row)
        if watch.problem:
            raise BadRequest(watch.problem)
        return watch

    @staticmethod
    def _watch(row: sqlite3.Row) -> Watch:
        """A stored watch; one whose filters no longer read (saved before a council filter had to name one council:
        "Sussex") comes back with no filters and its ``problem``, so the others are still listed and run."""
        problem = ""
        try:
            filters = Filters(**json.loads(row["filters"]))
        except BadRequest as exc:
            filters = Filters()
            problem = (f"watch {row['name']!r}: {exc}: remove it (`councilqa watch remove {row['name']}`) and add it"
                       " again")
        return Watch(row["name"], row["query"], filters, tuple(json.loads(row["email"])),
                     row["created"], row["seen"], row["last_run"], problem)

    # --- the decisions' history ---------------------------------------------------------------------------

    def head(self) -> int:
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def sync(self, generation: Path | None = None) -> int:
        """Look at a generation (default: the live one) and log every decision new or changed since the last
        look; returns the head of the log. Looking at the same generation twice logs nothing."""
        from index import backends

        if generation is None:
            generation = backends.live(self.index_dir)
        database = backends.url_of(self.index_dir) is not None  # a generation in PostgreSQL: no file to look for
        if generation is None or not (database or (generation / DB_NAME).is_file()):
            return self.head()
        with self._write() as conn:
            seen_as = backends.generation_identity(self.index_dir, generation) if database else _identity(generation)
            if seen_as is None:
                return self.head()  # dropped since (two ingests ago): the next look reads the live one
            if self._meta("synced") == seen_as:
                return self.head()
            latest = self._latest()
            with backends.generation_store(self.index_dir, generation) as src:
                now = states(src, latest)
            known = {r[0] for r in conn.execute("SELECT sha256 FROM known_bytes")}
            observed = _now()
            for number, state in sorted(now.items()):
                old = latest.get(number)
                if old is not None and old.fingerprint == state.fingerprint and _same_bytes(old, state):
                    continue
                changed = old is None or old.fingerprint != state.fingerprint
                material = changed and any(d.sha256 not in known for d in state.documents)
                conn.execute("INSERT INTO changes(decision, state, fingerprint, material, generation, observed)"
                             " VALUES (?,?,?,?,?,?)", (number, state.to_json(), state.fingerprint, int(material),
                                                       generation.name, observed))
            conn.executemany("INSERT OR IGNORE INTO known_bytes VALUES (?)",
                             [(d.sha256,) for s in now.values() for d in s.documents])
            conn.execute("DELETE FROM current")
            conn.execute("INSERT INTO current SELECT decision, max(seq) FROM changes WHERE decision IN"
                         " (SELECT value FROM json_each(?)) GROUP BY decision", (json.dumps(sorted(now)),))
            self._set_meta("synced", seen_as)
            self._prune()
        return self.head()

    def _latest(self) -> dict[str, DecisionState]:
        rows = self.conn.execute("SELECT decision, state FROM changes WHERE seq IN"
                                 " (SELECT max(seq) FROM changes GROUP BY decision)")
        return {r["decision"]: DecisionState.from_json(r["decision"], r["state"]) for r in rows}

    def _prune(self) -> None:
        """Drop the states no watch can ask for again: for each decision, those older than its latest state at
        or before the lowest ``seen`` of any watch (the head when there is none)."""
        low = self.conn.execute("SELECT min(seen) FROM watches").fetchone()[0]
        low = self.head() if low is None else low
        self.conn.execute("DELETE FROM changes WHERE seq < (SELECT max(c.seq) FROM changes c"
                          " WHERE c.decision = changes.decision AND c.seq <= ?)", (low,))

    def pending(self, watch: Watch, head: int) -> list[Change]:
        """The decisions of the generation last looked at that changed materially after ``watch.seen`` (up to
        ``head``), each with the state the watch last saw (None: never saw it) and its state now."""
        rows = self.conn.execute(
            "SELECT c.decision FROM current c WHERE EXISTS (SELECT 1 FROM changes x WHERE x.decision = c.decision"
            " AND x.material = 1 AND x.seq > ? AND x.seq <= ?) ORDER BY c.decision", (watch.seen, head)).fetchall()
        out = []
        for (number,) in rows:
            after = self._state_at(number, head)
            if after is None:
                continue
            out.append(Change(self._state_at(number, watch.seen), after))
        return out

    def _state_at(self, number: str, seq: int) -> DecisionState | None:
        row = self.conn.execute("SELECT state FROM changes WHERE decision = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                                (number, seq)).fetchone()
        return DecisionState.from_json(number, row[0]) if row else None

    # --- runs ---------------------------------------------------------------------------------------------

    def commit(self, name: str, head: int, alerts: list[dict]) -> None:
        """After delivery: the run's alerts (for the feeds) and the watch's new ``seen``, in one transaction."""
        when = _now()
        with self._write() as conn:
            updated = conn.execute("UPDATE watches SET seen = ?, last_run = ? WHERE name = ?", (head, when, name))
            if updated.rowcount == 0:
                raise WatchNotFound(name)  # removed while it ran: nothing to record
            conn.executemany("INSERT INTO alerts(watch, decision, reported, body) VALUES (?,?,?,?)",
                             [(name, a["decision"], when, json.dumps(a, ensure_ascii=False)) for a in alerts])
            self._prune()

    def alerts(self, name: str, limit: int = 50) -> list[dict]:
        """The watch's latest alerts, newest first, each with ``id`` and ``reported`` (UTC, ISO)."""
        rows = self.conn.execute("SELECT id, reported, body FROM alerts WHERE watch = ? ORDER BY id DESC LIMIT ?",
                                 (name, limit))
        return [{**json.loads(r["body"]), "id": r["id"], "reported": r["reported"]} for r in rows]

    # --- settings -----------------------------------------------------------------------------------------

    def setting(self, key: str) -> dict | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_setting(self, key: str, value: dict | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value)))

    def identity(self) -> str:
        """A UUID made when the store was: feeds and their entries are named from it, so their ids never change
        (whatever address the app is served at) and never collide with another index's."""
        return self._meta("uuid") or "00000000-0000-0000-0000-000000000000"

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _identity(generation: Path) -> str:
    """A generation as looked at: its name and its manifest's hash. Names restart at gen-000001 when an index is
    rebuilt from nothing beside its watches; the manifest (every file's checksum) tells two such apart."""
    import hashlib

    from index.manifest import MANIFEST

    try:
        digest = hashlib.sha256((generation / MANIFEST).read_bytes()).hexdigest()[:16]
    except OSError:
        digest = str((generation / DB_NAME).stat().st_mtime_ns)
    return f"{generation.name}:{digest}"


def _same_bytes(a: DecisionState, b: DecisionState) -> bool:
    return sorted((d.path, d.sha256) for d in a.documents) == sorted((d.path, d.sha256) for d in b.documents)


@contextmanager
def run_lock(index_dir: Path) -> Iterator[None]:
    """One watch run delivering at a time, so two runs never report the same change twice."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(index_dir) / RUN_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WatchesBusy(str(index_dir)) from None
        yield
    finally:
        os.close(fd)
