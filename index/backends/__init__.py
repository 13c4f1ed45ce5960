"""Where an index lives, behind one interface: search, ask, the app and the API do not know which store they read.

- **An index directory** (the default): generations of SQLite + FAISS + Tantivy files (``index.build``,
  ``index.search.Searcher``).
- **A PostgreSQL database** (``--index postgresql://...`` or ``$COUNCILQA_INDEX``): the same store, vectors in
  pgvector (HNSW), keywords in its full-text index ranked by BM25, generations as schemas switched by a pointer
  row (``index.backends.postgres``). Several app processes, on several machines, serve one database.

Either way the rest of the code holds a ``Path``: for a database it is the index's *local* directory
(``.councilqa/postgres/HOST-PORT-DB-HASH`` unless ``$COUNCILQA_STATE`` names another parent), which keeps what is
this machine's (watches, API keys, uploads, fetched pages, the writer's working copy) and a file naming the
database (``database.json``). ``resolve`` turns what a person typed into that path; ``url_of`` reads it back.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

URL_SCHEMES = ("postgresql://", "postgres://")
MARKER = "database.json"
STATE_ENV = "COUNCILQA_STATE"
DEFAULT_STATE = ".councilqa/postgres"


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(URL_SCHEMES)


def local_dir(url: str) -> Path:
    """The local directory standing for the database at ``url`` (the same URL, the same directory)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    place = "-".join(x for x in (parts.hostname or "socket", str(parts.port or ""), parts.path.strip("/")) if x)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", place)[:60] or "db"
    bare = url.replace(f":{parts.password}@", "@") if parts.password else url
    digest = hashlib.sha256(bare.encode("utf-8")).hexdigest()[:10]
    return Path(os.environ.get(STATE_ENV) or DEFAULT_STATE) / f"{slug}-{digest}"


def resolve(value: str | Path) -> Path:
    """The index path for what was typed: a directory as it is; a database URL as its local directory, made on
    first use with the URL written in it (readable by its owner only: a URL may hold a password)."""
    if not is_url(value):
        return Path(value)
    url = str(value)
    folder = local_dir(url)
    marker = folder / MARKER
    try:
        if json.loads(marker.read_text(encoding="utf-8")).get("url") == url:
            return folder
    except (OSError, ValueError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (MARKER + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url}, f)
    os.replace(tmp, marker)
    return folder


def url_of(index_dir: Path | str) -> str | None:
    """The database an index path stands for; None for an index directory."""
    if is_url(index_dir):
        return str(index_dir)
    try:
        url = json.loads((Path(index_dir) / MARKER).read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError):
        return None
    return url if is_url(url) else None


def describe(index_dir: Path) -> str:
    """How to name the index to a person: the directory, or the database (its password hidden)."""
    url = url_of(index_dir)
    if url is None:
        return str(index_dir)
    from index.backends.postgres.db import redact

    return redact(url)


def open_searcher(index_dir: Path, embedder=None, model: str | None = None):
    """The live generation's searcher, of whichever store the index is."""
    url = url_of(index_dir)
    if url is None:
        from index.search import Searcher

        return Searcher(Path(index_dir), embedder=embedder, model=model)
    from index.backends.postgres.searcher import PgSearcher

    return PgSearcher(Path(index_dir), url, embedder=embedder, model=model)


def build(paths, index_dir: Path, embedder, model_spec: str, **kwargs):
    """Ingest into a new generation of whichever store the index is (``index.build.build``'s arguments)."""
    url = url_of(index_dir)
    if url is None:
        from index.build import build as build_dir

        return build_dir(paths, Path(index_dir), embedder, model_spec, **kwargs)
    from index.backends.postgres.publish import build as build_pg

    return build_pg(paths, Path(index_dir), url, embedder, model_spec, **kwargs)


def live(index_dir: Path) -> Path | None:
    """The live generation (``INDEX/gen-NNNNNN``; for a database, that name under its local directory): a process
    holding a searcher compares it to see a new ingest."""
    url = url_of(index_dir)
    if url is None:
        from index.build import current_generation

        return current_generation(Path(index_dir))
    from index.backends.postgres.catalog import live_number
    from index.backends.postgres.schema import generation_name

    number = live_number(url)
    return None if number is None else Path(index_dir) / generation_name(number)


def open_store(index_dir: Path):
    """The live generation's store, read-only (``index.store.Store``'s methods); close it after use."""
    url = url_of(index_dir)
    if url is None:
        from index.build import current_generation
        from index.errors import IndexError_, IndexNotFound
        from index.store import DB_NAME, Store, check_schema

        gen = current_generation(Path(index_dir))
        if gen is None or not (gen / DB_NAME).exists():
            raise IndexNotFound(str(index_dir))
        store = Store(gen / DB_NAME, readonly=True)
        try:
            check_schema(store.conn, str(index_dir))
        except IndexError_:
            store.close()
            raise
        return store
    from index.backends.postgres import catalog
    from index.backends.postgres.db import Conn, connect, redact
    from index.backends.postgres.searcher import PgStore
    from index.errors import IndexNotFound, IndexOutdated
    from index.store import SCHEMA_VERSION

    with connect(url) as session:
        gen = catalog.live(session)
    if gen is None:
        raise IndexNotFound(redact(url))
    from index.backends.postgres.schema import FORMAT

    if int(gen.manifest.get("schema_version", 0)) < SCHEMA_VERSION or gen.manifest.get("pg_format") != FORMAT:
        raise IndexOutdated(redact(url))
    return PgStore(Conn(url, gen.search_path, max_size=1), own=True)


def generation_identity(index_dir: Path, generation: Path) -> str | None:
    """A generation as a watch looks at it: its name and its manifest's hash (None: no longer kept)."""
    url = url_of(index_dir)
    if url is None:
        raise ValueError("generation_identity is for an index in a database")
    from index.backends.postgres import catalog

    found = catalog.by_name(url, generation.name)
    if found is None:
        return None
    digest = hashlib.sha256(json.dumps(found.manifest, sort_keys=True).encode()).hexdigest()[:16]
    return f"{generation.name}:{digest}"


class _Closing:
    def __init__(self, conn) -> None:
        self.conn = conn

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def generation_store(index_dir: Path, generation: Path) -> _Closing:
    """A read-only connection to one generation's store (``with ... as conn``), of whichever store it is."""
    url = url_of(index_dir)
    if url is None:
        import sqlite3

        from index.store import DB_NAME

        return _Closing(sqlite3.connect(f"file:{generation / DB_NAME}?mode=ro", uri=True))
    from index.backends.postgres import catalog
    from index.backends.postgres.db import Conn
    from index.errors import IndexNotFound

    found = catalog.by_name(url, generation.name)
    if found is None:
        raise IndexNotFound(describe(index_dir))
    return _Closing(Conn(url, found.search_path, max_size=1))
