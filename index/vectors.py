"""Dense vectors in FAISS, ids tied to passage row ids."""
from __future__ import annotations

from pathlib import Path

import numpy as np

# Exact search (IndexFlatIP) up to this many vectors: at 384 dimensions a brute-force scan of 50,000
# vectors is ~20 MFLOP, a few milliseconds on two cores, and exact is always right. Beyond it, HNSW keeps
# search sub-linear (M=32, efSearch=128 keeps recall@10 above 0.95 on normalised text embeddings) without
# the training step IVF needs, so incremental rebuilds stay simple.
EXACT_LIMIT = 50_000
# A graph grown in place (index.build) keeps removed passages' vectors, never returned; past this share of its
# vectors it is built afresh, as the keyword index is.
REBUILD_SHARE = 0.1
# A filter that leaves at most this many passages is searched exactly over those passages (see _exact_subset).
EXACT_SUBSET = 20_000


def build(ids: np.ndarray, vectors: np.ndarray):
    import faiss

    dim = vectors.shape[1]
    if len(ids) <= EXACT_LIMIT:
        base = faiss.IndexFlatIP(dim)
    else:
        base = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = 80
        base.hnsw.efSearch = 128
    index = faiss.IndexIDMap2(base)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    return index


def is_graph(index) -> bool:
    """An HNSW index, which grows in place (``add``); a flat one is rebuilt, cheaply, on any change."""
    import faiss

    base = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    return isinstance(base, faiss.IndexHNSW)


def ids(index) -> np.ndarray:
    """Every id the index holds a vector for (removed passages' included, until it is rebuilt)."""
    import faiss

    return faiss.vector_to_array(index.id_map).astype(np.int64)


def add(index, new_ids: np.ndarray, new_vectors: np.ndarray) -> None:
    if len(new_ids):
        index.add_with_ids(np.ascontiguousarray(new_vectors, dtype=np.float32), new_ids.astype(np.int64))


def save(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path):
    import faiss

    return faiss.read_index(str(path))


def search(index, query: np.ndarray, k: int, allowed: list[int] | None = None,
           removed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Top-k (passage id, inner product); ``allowed`` restricts the search before the cut; ``removed``: ids whose
    vectors the index still holds for passages since removed, never returned (``allowed`` lists live passages
    only, so it needs no such care)."""
    import faiss

    if index.ntotal == 0 or k <= 0 or (allowed is not None and not allowed):
        return []
    if allowed is not None and len(allowed) <= EXACT_SUBSET:
        return _exact_subset(index, query, k, allowed)
    params = None
    if allowed is not None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
    elif removed is not None and len(removed):
        gone = faiss.IDSelectorBatch(np.asarray(removed, dtype=np.int64))
        params = faiss.SearchParameters(sel=faiss.IDSelectorNot(gone))  # ``gone`` lives through the search
    scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _exact_subset(index, query: np.ndarray, k: int, allowed: list[int]) -> list[tuple[int, float]]:
    """Exact top-k over the allowed passages only. A graph index (HNSW) searched with a selective filter walks
    a graph whose neighbours are nearly all filtered out and can return few or none of the allowed passages;
    scoring the allowed vectors directly is exact and, for a few thousand of them, fast."""
    ids = np.sort(np.asarray(allowed, dtype=np.int64))  # equal scores in passage order, whatever order they came in
    vecs = np.vstack([index.reconstruct(int(i)) for i in ids])
    scores = vecs @ np.asarray(query, dtype=np.float32).reshape(-1)
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[i]), float(scores[i])) for i in top]
