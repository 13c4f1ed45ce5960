"""Build a new index generation and switch to it atomically.

Layout of an index directory::

    CURRENT              name of the live generation (replaced by an atomic rename)
    gen-000007/          manifest.json, councilqa.sqlite, vectors.faiss, sentence_{keys,vectors}.npy, keywords/
                         (Tantivy's files: ``index.keywords``), decision_{ids,keys,vectors}.npy and
                         decision_vectors.json (``index.decision_vectors``); never modified once live
    embeddings.sqlite    content-addressed embedding cache shared by all generations
    write.lock           one writer at a time

A build copies the live generation's database into a temporary directory, applies the changes, embeds only
passages whose text is not in the cache, writes FAISS, brings the keyword index up to date (only the passages
that changed) and writes the manifest, fsyncs everything, renames the
directory into place and only then points CURRENT at it. A build killed at any moment leaves CURRENT on the
previous generation, complete and consistent; its temporary directory is removed by the next build.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import manifest as mf
from index import decision_vectors, keywords, sentence_vectors, vectors
from index.cache import CACHE_NAME, EmbeddingCache, embed_missing
from index.embed import Embedder, embed_input
from index.executors import Executor, InProcess
from index.lock import writer_lock
from index.store import DB_NAME, Store, content_hash
from index import ledger
from ingest.pipeline import INGEST_VERSION, IngestOptions, parse_all
from ingest.records import Failure, Skipped, Unchanged

CURRENT = "CURRENT"
VECTORS = "vectors.faiss"
REMOVED = "vectors_removed.npy"  # ids of removed passages whose vectors a grown graph still holds (index.vectors)
KEEP_GENERATIONS = 2
Progress = Callable[[str], None]


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    passages: int = 0
    embedded: int = 0
    embedded_sentences: int = 0  # index.sentence_vectors
    keyword_indexed: int = 0  # passages (re)indexed for keyword search: only those that changed
    embedded_decisions: int = 0  # decision titles and fields embedded (index.decision_vectors)
    decisions_computed: int = 0  # decisions whose vector was made again: only those whose inputs changed
    generation: str = ""

    @property
    def documents(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged)


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return index_dir / name


def build(
    paths: Iterable[Path],
    index_dir: Path,
    embedder: Embedder,
    model_spec: str,
    remove: Iterable[str] = (),
    progress: Progress | None = None,
    after_step: Callable[[str], None] | None = None,  # test hook: called after each durable step
    options: IngestOptions = IngestOptions(),
    budget: int | None = None,
    executor: Executor | None = None,
) -> BuildReport:
    """Ingest ``paths`` into a new generation. ``budget``: the most passages this build may add (the app's
    uploads); a document that would go over it is reported and left out, and the rest are kept. ``executor``:
    where files are parsed and texts embedded (``index.executors``: this process by default, or a Ray cluster);
    everything else, and the result, is the same."""
    executor = executor or InProcess()
    embedder = executor.embedder(embedder, model_spec)
    say = progress or (lambda _msg: None)
    step = after_step or (lambda _name: None)
    report = BuildReport()
    index_dir.mkdir(parents=True, exist_ok=True)
    with writer_lock(index_dir):
        for stale in index_dir.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed build; we hold the lock
        live = current_generation(index_dir)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
        try:
            changed = _apply_changes(paths, remove, live, tmp, report, say, options, budget, executor.parse)
            step("database")
            if (not changed and live is not None and _same_model(live, embedder.model_id)
                    and sentence_vectors.present(live) and keywords.present(live)
                    and decision_vectors.present(live)):  # an older generation gains them
                shutil.rmtree(tmp)
                report.generation = live.name
                return report
            files, kind, counts = _write_vectors(tmp, index_dir, embedder, report, say, live)
            step("vectors")
            report.keyword_indexed = _write_keywords(tmp, live, say)
            step("keywords")
            mf.write(tmp, embedder.model_id, embedder.dim, counts, files + keywords.files(tmp), kind,
                     model_spec=model_spec)
            final = index_dir / _next_name(index_dir)
            _fsync(tmp)
            os.rename(tmp, final)
            _fsync(index_dir)
            step("renamed")
            _switch(index_dir, final.name)
            step("switched")
            report.generation = final.name
            _prune(index_dir, final.name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return report


def _apply_changes(paths, remove, live: Path | None, tmp: Path, report: BuildReport, say: Progress,
                   options: IngestOptions, budget: int | None, parse=parse_all) -> bool:
    if live is not None:
        src = sqlite3.connect(f"file:{live / DB_NAME}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp / DB_NAME)
        src.backup(dst)
        src.close()
        dst.close()
    changed = False
    with Store(tmp / DB_NAME, scratch=True) as store:
        for path in remove:
            if store.remove(str(path)):
                report.removed.append(str(path))
                changed = True
                say(f"removed: {path}")
        # documents parsed by another ingest version are read again, so an upgrade's fixes reach them
        stale = store.paths() if store.ingest_version() != INGEST_VERSION else set()
        reparse = bool(stale)
        if reparse:
            say(f"ingest version {store.ingest_version()} → {INGEST_VERSION}: reading every file again")
        spent = 0
        parts_of: dict[str, set[str]] = {}  # file -> the documents its pages' parts were written as
        for item in parse(paths, None if reparse else store.holds, options):
            if isinstance(item, Skipped):
                report.skipped.append(Failure(item.path, item.reason))
                say(f"skipped: {item.path}: {item.reason}")
                continue
            if isinstance(item, Unchanged):
                report.unchanged.append(item.path)
                report.passages += store.passage_count(item.path)
                say(f"unchanged: {item.path}")
                continue
            if isinstance(item, Failure):
                report.failed.append(item)
                say(f"failed: {item.path}: {item.reason}")
                continue
            source = item.source or item.path
            stale.discard(source)
            parts_of.setdefault(source, set()).add(item.path)
            if budget is not None and spent + len(item.passages) > budget:
                why = (f"its {len(item.passages):,} passages would take this batch over its budget of {budget:,} "
                       "passages: add it in a batch of its own")
                report.failed.append(Failure(item.path, why))
                say(f"failed: {item.path}: {why}")
                continue
            spent += len(item.passages)
            result = store.write(item, reparsed=reparse)
            say(f"{result.outcome}: {item.path}")
            if result.outcome == "duplicate":
                report.skipped.append(Failure(item.path, result.detail))
                continue
            getattr(report, result.outcome).append(item.path)
            report.passages += len(item.passages)
            changed = changed or result.outcome in ("added", "replaced")
        changed = changed or store.migrated  # an older store gained columns: a new generation carries them
        for source, kept in parts_of.items():  # a page now cut differently: its old parts go
            if store.prune_parts(source, kept):
                changed = True
        if store.assign_ids():
            changed = True
        if changed:
            ledger.refresh(store.conn)  # each amount carries its decision's id, status and date
            store.conn.commit()
        stale &= store.paths()
        if store.ingest_version() != INGEST_VERSION and not stale:  # every stored document is now this version's
            store.set_ingest_version(INGEST_VERSION)
            changed = changed or reparse
        elif stale:
            say(f"{len(stale)} stored documents were not read again (not among the files given, or failed) and keep "
                "an older parse; ingest their folders again to update them")
        store.conn.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, readable read-only
    return changed


def _write_keywords(tmp: Path, live: Path | None, say: Progress) -> int:
    with Store(tmp / DB_NAME) as store:
        count = keywords.write(store.conn, live, tmp, say)
        store.conn.execute("PRAGMA journal_mode=DELETE")
    _fsync(tmp / DB_NAME)
    for name in keywords.files(tmp):
        _fsync(tmp / name)
    _fsync(tmp / keywords.FOLDER)
    return count


def _write_vectors(tmp: Path, index_dir: Path, embedder: Embedder, report: BuildReport, say: Progress,
                   live: Path | None = None):
    with Store(tmp / DB_NAME) as store:
        rows = store.conn.execute("SELECT id, heading, text FROM passages ORDER BY id").fetchall()
        counts = store.counts()
        touched = np.array([r[0] for r in store.conn.execute("SELECT DISTINCT passage_id FROM keyword_pending")],
                           dtype=np.int64)
        store.conn.execute("PRAGMA journal_mode=DELETE")
    ids = np.array([r["id"] for r in rows], dtype=np.int64)
    inputs = [embed_input(r["heading"], r["text"]) for r in rows]
    keys = [content_hash(t) for t in inputs]
    cache = EmbeddingCache(index_dir / CACHE_NAME)
    try:
        report.embedded = embed_missing(cache, embedder, dict(zip(keys, inputs)), "new passages", say, "embedded")
        grown = _grown(live, embedder.model_id, ids, touched)
        if grown is None:
            matrix = cache.get(embedder.model_id, keys, embedder.dim) if keys else np.zeros((0, embedder.dim), np.float32)
            index, removed = vectors.build(ids, matrix), np.zeros(0, np.int64)
        else:  # the live graph, grown by the new passages' vectors; the removed ones' kept but never returned
            index, new, removed = grown
            say(f"vector index: {len(new):,} passages added to the live graph, {len(removed):,} removed")
            vectors.add(index, ids[new], cache.get(embedder.model_id, [keys[i] for i in np.flatnonzero(new)],
                                                   embedder.dim))
        report.embedded_sentences, sentence_files = sentence_vectors.write(tmp, [r["text"] for r in rows], cache,
                                                                           embedder, say)
        conn = sqlite3.connect(tmp / DB_NAME)
        try:
            report.embedded_decisions, report.decisions_computed, decision_files = decision_vectors.write(
                tmp, conn, dict(zip(ids.tolist(), keys)), cache, embedder, live, say)
        finally:
            conn.close()
    finally:
        cache.close()
    vectors.save(index, tmp / VECTORS)
    _fsync(tmp / VECTORS)
    files = [DB_NAME, VECTORS]
    if len(removed):
        np.save(tmp / REMOVED, np.sort(removed), allow_pickle=False)
        _fsync(tmp / REMOVED)
        files.append(REMOVED)
    _fsync(tmp / DB_NAME)
    kind = "flat" if len(ids) <= vectors.EXACT_LIMIT else "hnsw"
    return [*files, *sentence_files, *decision_files], kind, counts


def _grown(live: Path | None, model_id: str, ids: np.ndarray, touched: np.ndarray):
    """The live generation's graph index to grow, with a mask over ``ids`` of the passages it lacks and the ids
    of removed passages it still holds; None where the index is built afresh instead: no live graph (a small
    index is flat and rebuilt in seconds), another model, an id it holds written again (a store from before ids
    were never reused), or more than ``vectors.REBUILD_SHARE`` of its vectors removed passages'."""
    if (live is None or len(ids) <= vectors.EXACT_LIMIT or not _same_model(live, model_id)
            or not (live / VECTORS).exists()):
        return None
    index = vectors.load(live / VECTORS)
    if not vectors.is_graph(index):
        return None
    held = vectors.ids(index)
    if len(np.intersect1d(np.intersect1d(touched, held), ids)):
        return None  # a passage id the graph holds was removed and issued again: its vector there is stale
    removed = np.union1d(_removed(live), np.setdiff1d(held, ids))
    if len(removed) > vectors.REBUILD_SHARE * len(held):
        return None
    return index, ~np.isin(ids, held), removed


def _removed(gen: Path) -> np.ndarray:
    path = gen / REMOVED
    return np.load(path, allow_pickle=False) if path.exists() else np.zeros(0, np.int64)


def _same_model(live: Path, model_id: str) -> bool:
    try:
        return json.loads((live / mf.MANIFEST).read_text(encoding="utf-8")).get("model") == model_id
    except (OSError, ValueError):
        return False


def _next_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _switch(index_dir: Path, name: str) -> None:
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync(index_dir)


def _prune(index_dir: Path, live: str) -> None:
    gens = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    keep = {p.name for p in gens[-KEEP_GENERATIONS:]} | {live}
    for p in gens:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def _fsync(path: Path) -> None:
    """Flush a file's or a directory's contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
