"""Vectors of query-time texts (questions, and sentences an index does not store), kept while the index is open.

An answer embeds the question once per search (the first search, then again inside the leading decision). The
sentences it reads come from the generation (``index.sentence_vectors``); only an index built before those were
stored embeds them here. The same question comes back once per search and the same sentences question after
question, so a bounded cache takes most of that work away (eval/README.md).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

MAX_TEXTS = 20_000  # 384-d float32: about 30 MB at most


class QueryVectors:
    def __init__(self, embedder, max_texts: int = MAX_TEXTS) -> None:
        self.embedder = embedder
        self.max_texts = max_texts
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            for t in texts:  # used now: the last to go
                if t in self._vectors:
                    self._vectors.move_to_end(t)
        if missing:
            fresh = self.embedder.embed(missing)
            with self._lock:
                for text, vec in zip(missing, fresh):
                    self._vectors[text] = vec
                while len(self._vectors) > self.max_texts:
                    self._vectors.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                vec = self._vectors.get(t)
                if vec is None:  # evicted by a concurrent caller between the two steps
                    vec = self.embedder.embed([t])[0]
                else:
                    self._vectors.move_to_end(t)
                rows.append(vec)
        if not rows:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()
