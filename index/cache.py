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
