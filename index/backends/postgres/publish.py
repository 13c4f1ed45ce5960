"""Ingest into PostgreSQL: the index directory's build, published as a new generation, switched in one transaction.

1. One writer at a time, on any machine: an advisory lock (``catalog.writer_lock``); a second ingest fails fast.
   What a killed build left (a generation still ``building``, vectors of passage ids never published) is removed.
2. The live generation's store is copied (``stage``) and the files are read into it by the store's own code
   (``index.build._apply_changes``): the same parse, the same decision ids, the same ledger as an index directory.
3. Only passages whose text the cache (``cache.PgEmbeddingCache``) lacks are embedded, and their sentences; only
   passages the vector table lacks are added to it, and its HNSW graph grows in place.
4. The new generation's schema is written: passages the live generation holds are copied inside the database with
   their words; the new ones are sent with theirs (``bm25``); every other table of the store is sent whole; then
   indexes, word statistics and decision vectors.
5. The pointer is switched in one transaction; readers of the old generation keep reading it until they reopen.
   Generations beyond ``KEEP`` are dropped, and vectors no kept generation holds with them.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from index.backends.postgres import catalog, schema, stage, words
from index.backends.postgres.cache import PgEmbeddingCache
from index.backends.postgres.db import connect
from index.build import BuildReport, _apply_changes
from index.cache import embed_missing
from index.executors import Executor, InProcess
from index.embed import Embedder, embed_input
from index.sentences import sentence_texts
from index.store import DB_NAME, SCHEMA_VERSION, content_hash
from index import decision_vectors, vectors as faiss_vectors
from ingest.pipeline import IngestOptions

KEEP = 2  # generations kept: the live one and the one before, as an index directory keeps
HNSW = {"m": 16, "ef_construction": 64}  # pgvector's defaults: build time and memory at 1M on two cores (eval/README)
MAINTENANCE_MEMORY = "2GB"  # the HNSW build's graph in memory: about 1.4 GB at 1M 384-d vectors, m 16
COPY_CHUNK = 50_000
S = schema.SHARED


def build(paths: Iterable[Path], index_dir: Path, url: str, embedder: Embedder, model_spec: str,
          remove: Iterable[str] = (), progress: Callable[[str], None] | None = None,
          after_step: Callable[[str], None] | None = None, options: IngestOptions = IngestOptions(),
          budget: int | None = None, executor: Executor | None = None) -> BuildReport:
    executor = executor or InProcess()  # where files are parsed and texts embedded (index.executors: --ray)
    embedder = executor.embedder(embedder, model_spec)
    say = progress or (lambda _m: None)
    step = after_step or (lambda _n: None)
    report = BuildReport()
    index_dir.mkdir(parents=True, exist_ok=True)
    with connect(url) as db, catalog.writer_lock(db, url):
        catalog.ensure_shared(db)
        for stale in index_dir.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed build; we hold the lock
        live = catalog.live(db)
        _discard_unpublished(db, live)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
        try:
            if live is not None:
                stage.materialise(db, live, index_dir, tmp / DB_NAME, say)
            changed = _apply_changes(paths, remove, None, tmp, report, say, options, budget, executor.parse)
            step("database")
            if not changed and live is not None and live.manifest.get("model") == embedder.model_id \
                    and live.manifest.get("pg_format") == schema.FORMAT:  # an older format is written again
                report.generation = live.name
                return report
            number = catalog.next_number(db)
            name = schema.generation_name(number)
            _publish(db, tmp, number, live, embedder, model_spec, report, say, step)
            _switch(db, number)
            catalog.forget(url)
            step("switched")
            report.generation = name
            stage.keep(index_dir, name, tmp / DB_NAME)
            _prune(db, say)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return report


def _discard_unpublished(db, live) -> None:
    """Remove what a killed build wrote: its generation's schema and the vectors of ids it issued (the next build
    may issue them again to other passages)."""
    for (number,) in db.execute(f"SELECT id FROM {S}.generations WHERE state NOT IN ('live', 'old')").fetchall():
        db.execute(f"DROP SCHEMA IF EXISTS {schema.generation_schema(number)} CASCADE")
        db.execute(f"DELETE FROM {S}.generations WHERE id = ?", [number])
    known = {schema.generation_schema(n) for n in catalog.kept(db)}
    for name in catalog.schemas(db):
        if name not in known:
            db.execute(f"DROP SCHEMA IF EXISTS {schema.quote(name)} CASCADE")
    high = int(live.manifest.get("passage_id_high", 0)) if live is not None else 0
    for table in _vector_tables(db):
        db.execute(f"DELETE FROM {S}.{table} WHERE id > ?", [high])


def _vector_tables(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND"
                                     " table_name LIKE 'vectors\\_%'", [S])]


def _publish(db, tmp: Path, number: int, live, embedder: Embedder, model_spec: str, report: BuildReport, say,
             step) -> None:
    gschema = schema.generation_schema(number)
    db.execute(f"INSERT INTO {S}.generations (id, name, state) VALUES (?, ?, 'building')",
               [number, schema.generation_name(number)])
    db.execute(f"CREATE SCHEMA {gschema}")
    conn = sqlite3.connect(tmp / DB_NAME)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT id, heading, text FROM passages ORDER BY id").fetchall()
        ids = np.array([r["id"] for r in rows], dtype=np.int64)
        keys = [content_hash(embed_input(r["heading"], r["text"])) for r in rows]
        cache = PgEmbeddingCache(db)
        table = schema.vector_table(embedder.model_id, embedder.dim)
        new = _write_vectors(db, table, ids, keys, rows, cache, embedder, report, say)
        step("vectors")
        report.embedded_sentences = _embed_sentences(rows, new, cache, embedder, say)
        files = _decision_files(db, conn, tmp, ids, keys, cache, embedder, live, report, say)
        kw = _write_tables(db, conn, gschema, live, report, say)
        step("keywords")
        counts = {"documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
                  "passages": len(ids),
                  "decisions": conn.execute("SELECT count(DISTINCT number) FROM documents WHERE number != ''")
                  .fetchone()[0]}
        high = max([int(r[0]) for r in conn.execute("SELECT value FROM meta WHERE key = 'passage_id_high'")]
                   + [int(ids.max()) if len(ids) else 0])
    finally:
        conn.close()
    for name, data, digest in files:
        db.bound(f"INSERT INTO {gschema}.files (name, data, sha256) VALUES (%s, %s, %s)", (name, data, digest))
    db.execute(f"INSERT INTO {gschema}.stale SELECT v.id FROM {S}.{table} v WHERE v.id <= ? AND NOT EXISTS"
               f" (SELECT 1 FROM {gschema}.passages p WHERE p.id = v.id)", [high])
    db.execute(f"ANALYZE {gschema}.passages")
    manifest = {
        "format_version": 1, "backend": "postgresql", "pg_format": schema.FORMAT, "model": embedder.model_id, "model_spec": model_spec,
        "dimension": embedder.dim, "normalised": True, "metric": "inner_product", "vectors": table,
        "faiss_index": "flat" if len(ids) <= faiss_vectors.EXACT_LIMIT else "hnsw",  # exact below, HNSW above
        "counts": counts, "keywords": kw, "passage_id_high": high, "schema_version": SCHEMA_VERSION,
        "files": {f[0]: f[2] for f in files}, "stage_sha256": stage.sha256(tmp / DB_NAME),
    }
    db.execute(f"UPDATE {S}.generations SET manifest = ?::jsonb, state = 'built' WHERE id = ?",
               [json.dumps(manifest), number])


def _write_vectors(db, table: str, ids: np.ndarray, keys: list[str], rows, cache, embedder, report, say) -> set[int]:
    """Embed what the cache lacks; add to the model's vector table the passages it lacks. Returns their ids."""
    texts = dict(zip(keys, (embed_input(r["heading"], r["text"]) for r in rows)))
    report.embedded = embed_missing(cache, embedder, texts, "new passages", say, "embedded")
    db.execute(f"CREATE TABLE IF NOT EXISTS {S}.{table} (id bigint PRIMARY KEY, embedding vector({int(embedder.dim)})"
               " NOT NULL)")
    held = {r[0] for r in db.execute(f"SELECT id FROM {S}.{table}")}
    new = [i for i, pid in enumerate(ids.tolist()) if pid not in held]
    for start in range(0, len(new), COPY_CHUNK):
        chunk = new[start:start + COPY_CHUNK]
        matrix = cache.get(embedder.model_id, [keys[i] for i in chunk], embedder.dim)
        with db.raw.cursor() as cur, cur.copy(f"COPY {S}.{table} (id, embedding) FROM STDIN WITH (FORMAT BINARY)") \
                as copy:
            copy.set_types(["int8", "vector"])
            for i, vec in zip(chunk, matrix):
                copy.write_row((int(ids[i]), vec))
        say(f"vector table: {min(start + COPY_CHUNK, len(new)):,}/{len(new):,} passages added")
    total = len(held) + len(new)
    if total > faiss_vectors.EXACT_LIMIT and not _has_index(db, f"{table}_hnsw"):
        say(f"vector table: building its HNSW graph over {total:,} passages")
        with db.transaction():
            db.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
            db.execute(f"CREATE INDEX {table}_hnsw ON {S}.{table} USING hnsw (embedding vector_ip_ops)"
                       f" WITH (m = {HNSW['m']}, ef_construction = {HNSW['ef_construction']})")
    if new:
        db.execute(f"ANALYZE {S}.{table}")
    return {int(ids[i]) for i in new}


def _has_index(db, name: str) -> bool:
    return db.execute("SELECT to_regclass(?) IS NOT NULL", [f"{S}.{name}"]).fetchone()[0]


def _embed_sentences(rows, new: set[int], cache, embedder, say) -> int:
    """The sentences of the passages new to the vector table, through the cache: what answers score
    (``index.sentence_vectors``), looked up by the searcher in the cache by their text's hash."""
    by_key: dict[str, str] = {}
    for r in rows:
        if r["id"] in new:
            for text in sentence_texts(r["text"]):
                by_key.setdefault(content_hash(text), text)
    return embed_missing(cache, embedder, by_key, "new sentences", say, "sentences embedded")


def _decision_files(db, conn, tmp: Path, ids, keys, cache, embedder, live, report, say) -> list[tuple]:
    """Decision vectors (``index.decision_vectors``) made by its own code from the live generation's files, kept
    in the generation's ``files`` table: [(name, bytes, sha256)]."""
    previous = None
    if live is not None:
        previous = tmp / "live-files"
        previous.mkdir()
        for name, data in db.execute(f"SELECT name, data FROM {live.schema}.files").fetchall():
            (previous / name).write_bytes(bytes(data))
    out = tmp / "files"
    out.mkdir()
    report.embedded_decisions, report.decisions_computed, names = decision_vectors.write(
        out, conn, dict(zip(ids.tolist(), keys)), cache, embedder, previous, say)
    conn.row_factory = sqlite3.Row
    return [(n, (out / n).read_bytes(), stage.sha256(out / n)) for n in names]


def _write_tables(db, conn, gschema: str, live, report, say) -> dict:
    """Every table of the store into the generation's schema, passages with their words (``words``). Returns the
    keyword statistics."""
    tables = schema.mirror(conn)
    db.execute(schema.GENERATION_EXTRA.format(s=gschema))
    passages = next(t for t in tables if t.name == "passages")
    for table in tables:
        db.execute(table.ddl(gschema, schema.PASSAGE_EXTRA if table is passages else ""))
    kw = words.write(db, conn, gschema, passages, live, say)
    report.keyword_indexed = kw.pop("sent")
    for table in tables:
        if table is passages:
            continue
        cols = ", ".join(schema.quote(c) for c in table.names)
        with db.raw.cursor() as cur, cur.copy(f"COPY {gschema}.{schema.quote(table.name)} ({cols}) FROM STDIN") as copy:
            for row in conn.execute(f"SELECT {cols} FROM {schema.quote(table.name)}"):
                copy.write_row(tuple(row))
    say("indexing the generation's tables")
    for table in tables:
        for ddl in table.index_ddl(gschema):
            db.execute(ddl)
    db.execute(f"CREATE INDEX passages_words ON {gschema}.passages USING gin (tsv)")
    for table in tables:
        db.execute(f"ANALYZE {gschema}.{schema.quote(table.name)}")
    return kw


def _switch(db, number: int) -> None:
    """The new generation goes live in one transaction: a reader sees the old pointer or the new, never neither."""
    with db.transaction():
        db.execute(f"UPDATE {S}.generations SET state = 'old' WHERE state = 'live'")
        db.execute(f"UPDATE {S}.generations SET state = 'live' WHERE id = ?", [number])
        db.execute(f"INSERT INTO {S}.pointer (one, generation) VALUES (true, ?) ON CONFLICT (one) DO UPDATE"
                   " SET generation = excluded.generation", [number])


def _prune(db, say) -> None:
    """Drop generations beyond ``KEEP``, and the vectors of passages no kept generation holds."""
    numbers = catalog.kept(db)
    drop, keep = numbers[:-KEEP], numbers[-KEEP:]
    tables = _vector_tables(db)
    used_tables = {r[0] for r in db.execute(f"SELECT manifest->>'vectors' FROM {S}.generations WHERE id = ANY(?)",
                                            [keep])}
    for number in drop:
        old = schema.generation_schema(number)
        others = " ".join(f"EXCEPT SELECT id FROM {schema.generation_schema(k)}.passages" for k in keep)
        for table in tables:
            if table in used_tables:
                db.execute(f"DELETE FROM {S}.{table} WHERE id IN (SELECT id FROM {old}.passages {others})")
        db.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
        db.execute(f"DELETE FROM {S}.generations WHERE id = ?", [number])
    for table in tables:
        if table not in used_tables:
            say(f"dropping vectors of a model no kept generation uses ({table})")
            db.execute(f"DROP TABLE IF EXISTS {S}.{table}")
