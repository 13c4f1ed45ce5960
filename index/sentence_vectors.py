"""Sentence vectors, embedded once at ingest and stored with the generation, so an answer embeds only its question.

The evidence step (``qa.evidence``) scores every sentence of the passages it reads by its cosine to the question.
Embedding those sentences at question time cost about a second an answer on a few hundred pages; they depend
only on the passages, so ingest embeds them once, through the same content-addressed cache as passage vectors
(``index.cache``: an unchanged corpus embeds nothing), and writes them into the generation:

    sentence_keys.npy     the sha256 of each distinct sentence's exact text, 64 hex bytes each, sorted
    sentence_vectors.npy  float32, one row per key, in the same order

Both are plain ``.npy`` (read with ``allow_pickle=False``, memory-mapped), listed and checksummed in
``manifest.json``. A sentence not found (an index built before these files existed) is embedded at question
time, as before, so old indexes answer the same, only slower.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache, embed_missing
from index.embed import Embedder
from index.errors import IndexCorrupt
from index.sentences import sentence_texts
from index.store import content_hash

KEYS = "sentence_keys.npy"
VECTORS = "sentence_vectors.npy"
FILES = [KEYS, VECTORS]
KEY_DTYPE = "S64"  # a sha256 hex digest


def present(gen_dir: Path) -> bool:
    """Whether a generation holds sentence vectors (one built before them does not)."""
    return all((gen_dir / name).exists() for name in FILES)


def write(gen_dir: Path, passages: list[str], cache: EmbeddingCache, embedder: Embedder,
          say: Callable[[str], None]) -> tuple[int, list[str]]:
    """Embed the sentences of ``passages`` that the cache lacks and write every distinct sentence's vector into
    ``gen_dir``. Returns how many sentences were embedded and the files written (for the manifest)."""
    by_key: dict[str, str] = {}
    for passage in passages:
        for text in sentence_texts(passage):
            by_key.setdefault(content_hash(text), text)
    keys = sorted(by_key)
    # not "embedded N/M" for progress: the app reads that prefix as passage progress
    embedded = embed_missing(cache, embedder, {k: by_key[k] for k in keys}, "new sentences", say,
                             "sentences embedded")
    matrix = cache.get(embedder.model_id, keys, embedder.dim) if keys else np.zeros((0, embedder.dim), np.float32)
    _save(gen_dir / KEYS, np.array(keys, dtype=KEY_DTYPE))
    _save(gen_dir / VECTORS, np.ascontiguousarray(matrix, dtype="<f4"))
    return embedded, list(FILES)


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, array, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


class SentenceVectors:
    """The stored sentence vectors of one generation (its manifest already verified), looked up by text."""

    def __init__(self, gen_dir: Path, dim: int) -> None:
        try:
            self.keys = np.load(gen_dir / KEYS, mmap_mode="r", allow_pickle=False)
            self.vectors = np.load(gen_dir / VECTORS, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(str(gen_dir / VECTORS), f"sentence vectors unreadable ({exc})") from None
        if self.keys.dtype != np.dtype(KEY_DTYPE) or self.vectors.shape != (len(self.keys), dim):
            raise IndexCorrupt(str(gen_dir / VECTORS), f"not {len(self.keys)} sentence vectors of {dim} dimensions")

    def lookup(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The vector of each text (a zero row where it is not stored) and a mask of those found."""
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        if not texts or not len(self.keys):
            return out, np.zeros(len(texts), dtype=bool)
        wanted = np.array([content_hash(t) for t in texts], dtype=KEY_DTYPE)
        rows = np.searchsorted(self.keys, wanted)
        rows[rows == len(self.keys)] = 0
        found = self.keys[rows] == wanted
        out[found] = self.vectors[rows[found]]
        return out, found
