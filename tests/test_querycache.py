from __future__ import annotations

import numpy as np

from index.embed import HashEmbedder
from index.querycache import QueryVectors


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(16)
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += texts
        return super().embed(texts)


def test_a_text_is_embedded_once_and_rows_keep_their_order():
    emb = Counting()
    cache = QueryVectors(emb)
    first = cache.embed(["a b", "c d", "a b"])
    again = cache.embed(["c d", "a b"])
    assert emb.seen == ["a b", "c d"]
    assert np.array_equal(again, first[[1, 0]]) and np.array_equal(first, HashEmbedder(16).embed(["a b", "c d", "a b"]))


def test_the_least_recently_used_text_goes_first():
    emb = Counting()
    cache = QueryVectors(emb, max_texts=2)
    cache.embed(["one", "two"])
    cache.embed(["one", "three"])  # "two" was used least recently
    cache.embed(["one", "two"])
    assert emb.seen == ["one", "two", "three", "two"]
    assert cache.embed([]).shape == (0, 16)
    cache.clear()
    cache.embed(["one"])
    assert emb.seen[-1] == "one"
