"""Search over one generation in PostgreSQL: ``index.search.Searcher``'s interface, its SQL read unchanged.

Everything ``Searcher`` reads with SQL (passages, documents, references, filters, the ledger through ``conn``)
runs here as it is, on the generation's schema (``db.Conn``). What a store does its own way is overridden:
dense search (pgvector: exact below ``index.vectors.EXACT_LIMIT`` passages or under a filter leaving at most
``EXACT_SUBSET``, as FAISS is; the HNSW graph above, scanned on until enough passages pass), keyword search
(``bm25``), word counts, sentence and decision vectors. The generation is the one live when the searcher opened;
a process sees a new ingest by opening a new searcher (``index.backends.live``).
"""
from __future__ import annotations

import tempfile
from collections import OrderedDict
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import manifest as mf
from index import vectors as faiss_vectors
from index.backends.postgres import bm25, catalog, schema
from index.backends.postgres.cache import PgEmbeddingCache
from index.backends.postgres.db import Conn, connect, redact
from index.embed import Embedder
from index.errors import IndexCorrupt, IndexNotFound, IndexOutdated, ModelMismatch
from index.search import Searcher
from index.store import SCHEMA_VERSION, Store, content_hash

S = schema.SHARED
EF_SEARCH_MAX = 1000  # pgvector's bound on hnsw.ef_search
ROWS_KEPT = 20_000  # passages' rows kept in an app process for the searches that show them again (about 20 MB)


class PgSearcher(Searcher):
    def __init__(self, index_dir: Path, url: str, embedder: Embedder | None = None, model: str | None = None,
                 pool_size: int = 4) -> None:
        with connect(url) as session:
            gen = catalog.live(session)
        if gen is None:
            raise IndexNotFound(redact(url))
        self.url, self.index_dir, self.number = url, index_dir, gen.number
        self.generation = index_dir / gen.name  # named as an index directory's: gen-000001
        self.manifest = gen.manifest
        if int(self.manifest.get("schema_version", 0)) < SCHEMA_VERSION or \
                self.manifest.get("pg_format") != schema.FORMAT:
            raise IndexOutdated(redact(url))
        self._take_embedder(embedder, model)
        if self.embedder.dim != self.manifest["dimension"]:
            raise ModelMismatch(self.manifest["model"], f"a {self.embedder.dim}-d model")
        self.table = f"{S}.{schema.quote(self.manifest['vectors'])}"
        self.conn = Conn(url, gen.search_path, max_size=pool_size)
        self.vectors = None  # FAISS's: this store searches in the database (``dense``)
        self.removed = None
        kw = self.manifest["keywords"]
        self.stats = bm25.Stats(int(kw["passages"]), int(kw["tokens"]))
        self.analyzer = bm25.Analyzer()
        self.cache = PgEmbeddingCache(self.conn)
        self._stale = [r[0] for r in self.conn.execute("SELECT id FROM stale")]
        self._decisions = None
        self._flat = None
        self._lock = threading.Lock()
        self._rows: OrderedDict[int, tuple] = OrderedDict()
        self._frequencies = lru_cache(maxsize=20_000)(self._frequency)

    def close(self) -> None:
        self.conn.close()

    def size(self) -> int:
        return int(self.manifest["counts"]["passages"])

    def passage_count(self) -> int:
        return self.size()

    def store(self) -> Store:
        return PgStore(self.conn)

    # dense

    def small(self) -> bool:
        """A generation small enough to search exactly: up to ``index.vectors.EXACT_LIMIT`` passages, as FAISS
        does (``IndexFlatIP``) in an index directory."""
        return self.size() <= faiss_vectors.EXACT_LIMIT

    def dense_allowed(self, documents):
        # small: the allowed passages' ids, as an index directory lists them; else the filter goes into the query
        return self.allowed_ids(documents) if self.small() else documents

    def dense(self, qvec: np.ndarray, k: int, allowed) -> list[tuple[int, float]]:
        if k <= 0 or allowed == []:
            return []
        if self.small():
            # the generation's vectors read once into the same exact index an index directory builds, so a small
            # index ranks exactly as it would there, equal scores included
            return faiss_vectors.search(self._exact(), qvec, k, allowed, None)
        q = np.asarray(qvec, dtype=np.float32)
        documents = allowed
        if documents is not None and self._allowed_count(documents) <= faiss_vectors.EXACT_SUBSET:
            rows = self.conn.execute(
                f"SELECT p.id, v.embedding <#> ? AS d FROM passages p JOIN {self.table} v ON v.id = p.id"
                " WHERE p.document_id = ANY(?) ORDER BY (v.embedding <#> ?) + 0, p.id LIMIT ?",  # + 0: exact
                [q, documents, q, k])
        else:
            where = "v.id <= ?"
            args: list = [q, int(self.manifest["passage_id_high"])]
            if self._stale:
                where += " AND v.id <> ALL(?)"
                args.append(self._stale)
            if documents is not None:
                where += " AND v.id IN (SELECT id FROM passages WHERE document_id = ANY(?))"
                args.append(documents)
            settings = {"hnsw.ef_search": str(min(EF_SEARCH_MAX, max(40, k))),
                        "hnsw.iterative_scan": "relaxed_order"}
            rows = self.conn.execute_with(
                settings, f"SELECT v.id, v.embedding <#> ? AS d FROM {self.table} v WHERE {where}"
                " ORDER BY v.embedding <#> ? LIMIT ?", [*args, q, k])
        out = [(int(i), -float(d)) for i, d in rows]
        return sorted(out, key=lambda h: (-h[1], h[0]))  # the graph's relaxed order, sorted

    def _exact(self):
        with self._lock:
            if self._flat is None:
                rows = self.conn.execute(f"SELECT p.id, v.embedding FROM passages p JOIN {self.table} v"
                                         " ON v.id = p.id ORDER BY p.id").fetchall()
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                matrix = np.vstack([_array(r[1]) for r in rows]) if rows else \
                    np.zeros((0, self.embedder.dim), np.float32)
                self._flat = faiss_vectors.build(ids, matrix)
            return self._flat

    def _allowed_count(self, documents: list[int]) -> int:
        return self.conn.execute("SELECT count(*) FROM passages WHERE document_id = ANY(?)", [documents]).fetchone()[0]

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        found = {int(i): _array(v) for i, v in self.conn.execute(
            f"SELECT id, embedding FROM {self.table} WHERE id = ANY(?)", [[int(i) for i in ids]])}
        return np.vstack([found[int(i)] for i in ids]).astype(np.float32)

    def hits(self, ranked: list[tuple[int, float]]) -> list:
        """As ``Searcher.hits``, the passages' rows kept for the next search that shows them (a generation's rows
        never change; the same passages come back search after search)."""
        from index.search import Hit

        if not ranked:
            return []
        with self._lock:
            missing = [i for i, _ in ranked if i not in self._rows]
        if missing:
            rows = self.conn.execute(
                "SELECT p.id, p.label, p.heading, p.start, p.end, p.text, d.number, d.path, d.title, d.status,"
                " d.doc_type, d.url FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ANY(?)",
                [missing]).fetchall()
            with self._lock:
                for r in rows:
                    self._rows[r[0]] = tuple(r)
                    self._rows.move_to_end(r[0])
                while len(self._rows) > ROWS_KEPT:
                    self._rows.popitem(last=False)
        with self._lock:
            got = {i: self._rows.get(i) for i, _ in ranked}
        return [Hit(i, r[6], r[1], r[7], round(score, 6), r[5], r[2], r[3], r[4], r[8], r[9], r[10], r[11])
                for i, score in ranked if (r := got[i]) is not None]

    # keyword

    def keyword(self, text: str, k: int, documents) -> list[tuple[int, float]]:
        return bm25.search(self.conn, self.analyzer, self.stats, text, k, documents)

    def document_frequency(self, term: str, prefix: bool = False) -> int:
        term = term.strip().replace('"', "")
        if not term or not any(ch.isalnum() for ch in term):
            return 0
        return self._frequencies(term, prefix)

    def _frequency(self, term: str, prefix: bool) -> int:
        tokens = self.analyzer.tokens(term)
        if not tokens:
            return 0
        if len(tokens) == 1 and not prefix:
            row = self.conn.execute("SELECT df FROM terms WHERE term = ?", [tokens[0]]).fetchone()
            return int(row[0]) if row else 0
        query = " <-> ".join(bm25.lexeme(t) for t in tokens) + (":*" if prefix else "")
        return self.conn.execute("SELECT count(*) FROM passages WHERE tsv @@ ?::tsquery", [query]).fetchone()[0]

    # sentence and decision vectors

    def sentence_vectors(self, texts: list[str]) -> np.ndarray:
        vecs, found = self.cache.lookup(self.manifest["model"], [content_hash(t) for t in texts], self.embedder.dim)
        if not found.all():
            missing = [i for i, ok in enumerate(found) if not ok]
            vecs[missing] = self.query_vectors.embed([texts[i] for i in missing], query=False)
        return vecs

    def decision_vectors(self):
        if self._decisions is None:
            from index import decision_vectors as dv

            if dv.VECTORS not in self.manifest.get("files", {}):
                raise IndexOutdated(redact(self.url))
            with tempfile.TemporaryDirectory(prefix="councilqa-dv-") as folder:
                for name, data in self.conn.execute("SELECT name, data FROM files"):
                    (Path(folder) / name).write_bytes(bytes(data))
                for name, digest in self.manifest["files"].items():
                    if mf.sha256_file(Path(folder) / name) != digest:
                        raise IndexCorrupt(f"{redact(self.url)} {self.generation.name}/{name}",
                                           "checksum does not match the manifest (changed or damaged)")
                loaded = dv.DecisionVectors(Path(folder), self.manifest["model"], self.manifest["dimension"])
                loaded.vectors = np.array(loaded.vectors, dtype=np.float32)  # off the file before it goes
            self._decisions = loaded
        return self._decisions


def _array(value) -> np.ndarray:
    """A vector as pgvector's adapter returns it (``Vector``, or an array), as float32."""
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=np.float32)


class PgStore(Store):
    """``index.store.Store``'s read methods over a generation in PostgreSQL (the same SQL)."""

    def __init__(self, conn: Conn, own: bool = False) -> None:  # noqa: D107 - no SQLite file to open
        self.path = None
        self.conn = conn
        self._own = own

    def close(self) -> None:
        if self._own:
            self.conn.close()
