"""The embedding cache in the database: ``index.cache.EmbeddingCache``'s methods over ``councilqa.embeddings``.

Content-addressed (model id, sha256 of the text), float32 bytes, shared by every writer that reaches the
database: a text embedded once, by any machine, is never embedded again.
"""
from __future__ import annotations

import numpy as np

from index.backends.postgres.schema import SHARED

CHUNK = 5_000  # keys a query binds


class PgEmbeddingCache:
    def __init__(self, session) -> None:
        self.db = session

    def close(self) -> None:  # the session is the build's
        return None

    def _rows(self, columns: str, model: str, hashes: list[str]):
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), CHUNK):
            yield from self.db.execute(f"SELECT {columns} FROM {SHARED}.embeddings WHERE model = ? AND hash = ANY(?)",
                                       [model, unique[start:start + CHUNK]])

    def missing(self, model: str, hashes: list[str]) -> list[str]:
        have = {row[0] for row in self._rows("hash", model, hashes)}
        return [h for h in dict.fromkeys(hashes) if h not in have]

    def put(self, model: str, hashes: list[str], vectors: np.ndarray) -> None:
        blobs = [np.asarray(v, dtype="<f4").tobytes() for v in vectors]
        for start in range(0, len(hashes), CHUNK):
            self.db.bound(
                f"INSERT INTO {SHARED}.embeddings (model, hash, vec) SELECT %s, h, v FROM"
                " unnest(%s::text[], %s::bytea[]) AS t(h, v) ON CONFLICT (model, hash) DO NOTHING",
                (model, hashes[start:start + CHUNK], blobs[start:start + CHUNK]))

    def get(self, model: str, hashes: list[str], dim: int) -> np.ndarray:
        found = {h: np.frombuffer(blob, dtype="<f4") for h, blob in self._rows("hash, vec", model, hashes)}
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out

    def lookup(self, model: str, hashes: list[str], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """The vector of each key (a zero row where the cache lacks it) and a mask of those found."""
        found = {h: np.frombuffer(blob, dtype="<f4") for h, blob in self._rows("hash, vec", model, hashes)}
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        mask = np.zeros(len(hashes), dtype=bool)
        for i, h in enumerate(hashes):
            v = found.get(h)
            if v is not None and v.shape == (dim,):
                out[i], mask[i] = v, True
        return out, mask
