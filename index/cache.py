"""Embedding cache: (model id, content hash) -> vector, so unchanged text is never embedded twice.

Vectors are stored as raw little-endian float32 bytes in SQLite: an open format, read with
``np.frombuffer``. The cache is content-addressed, so it is shared by all generations of an index.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from index.store import rows_in

CACHE_NAME = "embeddings.sqlite"
EMBED_CHUNK = 1024  # texts a chunk: about ten seconds of work, so progress and durable cache writes come often


def embed_missing(cache, embedder, texts: dict[str, str], what: str, say, progress: str = "") -> int:
    """Embed the texts of ``texts`` (content hash -> text) that ``cache`` (either store's) lacks and put them in it;
    returns how many. Longest first, as encode() sorts within a call, so every model batch pads to similar lengths;
    a chunk at a time, each kept as soon as it is done (a killed build embeds it not again). ``say``: "embedding N
    {what} with MODEL", then "{progress} i/N" after each chunk where ``progress`` is given (the app reads
    "embedded i/N" as the passages' progress)."""
    todo = cache.missing(embedder.model_id, list(texts))
    if todo:
        say(f"embedding {len(todo)} {what} with {embedder.model_id}")
        todo.sort(key=lambda k: -len(texts[k]))
        for i in range(0, len(todo), EMBED_CHUNK):
            batch = todo[i:i + EMBED_CHUNK]
            cache.put(embedder.model_id, batch, embedder.embed([texts[k] for k in batch]))
            if progress:
                say(f"{progress} {min(i + EMBED_CHUNK, len(todo))}/{len(todo)}")
    return len(todo)


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL,"
            " vec BLOB NOT NULL, PRIMARY KEY (model, hash))"
        )
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def _rows(self, columns: str, model: str, hashes: list[str]):
        yield from rows_in(self.conn, f"SELECT {columns} FROM vectors WHERE model = ? AND hash IN ({{marks}})",
                           list(dict.fromkeys(hashes)), before=(model,))

    def missing(self, model: str, hashes: list[str]) -> list[str]:
        have = {row[0] for row in self._rows("hash", model, hashes)}
        return [h for h in dict.fromkeys(hashes) if h not in have]

    def put(self, model: str, hashes: list[str], vectors: np.ndarray) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                [(model, h, int(v.shape[0]), v.astype("<f4").tobytes()) for h, v in zip(hashes, vectors)],
            )

    def get(self, model: str, hashes: list[str], dim: int) -> np.ndarray:
        found = {h: np.frombuffer(blob, dtype="<f4") for h, blob in self._rows("hash, vec", model, hashes)}
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out
