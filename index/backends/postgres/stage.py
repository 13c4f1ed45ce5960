"""The writer's working copy of the live generation's store: a SQLite file, as an index directory's build copies.

A build applies its changes with the store's own code (``index.store``, ``index.ledger``: the same parse, ids,
ledger and checks as an index directory's) to a SQLite copy of the live generation, then publishes the result.
The copy a build leaves is kept beside the writer (``INDEX/stage/gen-NNNNNN.sqlite``) with its sha256 in the
generation's manifest: the next build on this machine starts from it when it is the live generation's. Anywhere
else (another machine, a lost file) the copy is read back out of the database (``export``).
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from index.backends.postgres import schema
from index.store import DB_NAME, Store

STAGE = "stage"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kept_copy(index_dir: Path, name: str) -> Path:
    return index_dir / STAGE / f"{name}.sqlite"


def materialise(session, live, index_dir: Path, target: Path, say) -> str:
    """Write the live generation's store to ``target``: from the kept copy when it is that generation's, else
    out of the database. Returns which ("kept" or "exported")."""
    copy = kept_copy(index_dir, live.name)
    if copy.exists() and live.manifest.get("stage_sha256") == sha256(copy):
        shutil.copyfile(copy, target)
        return "kept"
    say(f"reading generation {live.name} out of the database (no local copy of its store)")
    export(session, live.schema, target)
    return "exported"


def keep(index_dir: Path, name: str, stage_file: Path) -> None:
    """Keep the published store as the next build's starting point; older copies go."""
    folder = index_dir / STAGE
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.sqlite"):
        old.unlink(missing_ok=True)
    shutil.move(str(stage_file), folder / f"{name}.sqlite")


def export(session, gen_schema: str, target: Path) -> None:
    """The generation's store tables, read out of the database into a new SQLite store at ``target``."""
    with Store(target, scratch=True):
        pass  # the store's schema, as this version of councilqa writes it
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        tables = {t.name: t for t in schema.mirror(conn)}
        present = {r[0] for r in session.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [gen_schema])}
        for name, table in tables.items():
            if name not in present:
                continue
            have = {r[0] for r in session.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [gen_schema, name])}
            cols = [c for c in table.names if c in have]
            listed = ", ".join(schema.quote(c) for c in cols)
            conn.execute(f"DELETE FROM {schema.quote(name)}")
            sql = f"INSERT INTO {schema.quote(name)} ({listed}) VALUES ({', '.join('?' * len(cols))})"
            with session.raw.cursor() as cur:
                with cur.copy(f"COPY (SELECT {listed} FROM {schema.quote(gen_schema)}.{schema.quote(name)}) TO STDOUT") \
                        as copy:
                    copy.set_types([_copy_type(table, c) for c in cols])
                    batch = []
                    for row in copy.rows():
                        batch.append(row)
                        if len(batch) >= 10_000:
                            conn.executemany(sql, batch)
                            batch = []
                    if batch:
                        conn.executemany(sql, batch)
        conn.execute("DELETE FROM keyword_pending")  # logs of a SQLite build: nothing is pending in the copy
        conn.execute("DELETE FROM ledger_dirty")
        conn.commit()
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _copy_type(table, column: str) -> str:
    kind = next(c.type for c in table.columns if c.name == column)
    return {"bigint": "int8", "double precision": "float8", "bytea": "bytea"}.get(kind, "text")


__all__ = ["DB_NAME", "materialise", "keep", "export", "kept_copy", "sha256"]
