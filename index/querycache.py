"""Vectors of query-time texts (questions, and sentences an index does not store), kept while the index is open.

An answer embeds the question once per search (the first search, then again inside the leading decision). The
sentences it reads come from the generation (``index.sentence_vectors``); only an index built before those were
stored embeds them here. The same question comes back once per search and the same sentences question after
question, so a bounded cache takes most of that work away (eval/README.md). A question is embedded as a query
(``index.embed.embed_queries``: e5's "query: "), a sentence as the index's own texts are (``query=False``); the
two are kept apart.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from index.embed import embed_queries

MAX_TEXTS = 20_000  # 384-d float32: about 30 MB at most


class QueryVectors:
    def __init__(self, embedder, max_texts: int = MAX_TEXTS) -> None:
        self.embedder = embedder
        self.max_texts = max_texts
        self._vectors: OrderedDict[tuple[bool, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str], query: bool = True) -> np.ndarray:
        """One row per text, in order: questions (``query``), or sentences embedded as the index's texts are."""
        def fresh_vectors(batch: list[str]) -> np.ndarray:
            return embed_queries(self.embedder, batch) if query else self.embedder.embed(batch)

        keys = [(query, t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
            for k in keys:  # used now: the last to go
                if k in self._vectors:
                    self._vectors.move_to_end(k)
        if missing:
            fresh = fresh_vectors([t for _, t in missing])
            with self._lock:
                for key, vec in zip(missing, fresh):
                    self._vectors[key] = vec
                while len(self._vectors) > self.max_texts:
                    self._vectors.popitem(last=False)
        with self._lock:
            rows = []
            for key in keys:
                vec = self._vectors.get(key)
                if vec is None:  # evicted by a concurrent caller between the two steps
                    vec = fresh_vectors([key[1]])[0]
                else:
                    self._vectors.move_to_end(key)
                rows.append(vec)
        if not rows:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()
