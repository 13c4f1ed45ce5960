"""A changed corpus grows the live HNSW graph instead of building it again (``index.build``, ``index.vectors``):
new passages' vectors are added, removed ones are kept but never returned, and the ranking equals a full build's.
``EXACT_LIMIT`` is lowered so that the sample's few hundred passages make a graph, as a million do."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import SAMPLE, change_sample
from index import manifest as mf
from index import vectors
from index.build import REMOVED, VECTORS, build, current_generation
from index.embed import HashEmbedder
from index.search import Searcher
from index.store import Store

EMB = HashEmbedder(384)
QUERIES = ["carers short breaks direct award", "street lighting lamps across the county", "day opportunities",
           "supported living", "Regulation 32"]


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 10)
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    return folder


def _dense(ix, queries):
    s = Searcher(ix, embedder=EMB)
    return [[(h.document, h.paragraph, round(h.score, 5)) for h in s.search(q, k=10, mode="dense")] for q in queries]


def test_a_change_grows_the_live_graph_and_ranks_as_a_full_build(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(vectors, "REBUILD_SHARE", 1.0)  # 2 of the sample's 5 documents change: a large share
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    first = current_generation(ix)
    held_before = vectors.ids(vectors.load(first / VECTORS))
    _, removed_doc = change_sample(corpus)
    build([corpus], ix, EMB, "hash:384", remove=[str(removed_doc)])
    gen = current_generation(ix)
    mf.read_and_verify(first)  # the previous generation is untouched
    manifest = mf.read_and_verify(gen)
    assert REMOVED in manifest["files"]
    grown = vectors.load(gen / VECTORS)
    assert vectors.is_graph(grown)
    held = vectors.ids(grown)
    assert set(held_before) <= set(held)  # grown, not rebuilt: every vector it held is still there
    with Store(gen / "councilqa.sqlite", readonly=True) as store:
        live = {r[0] for r in store.conn.execute("SELECT id FROM passages")}
    removed = set(np.load(gen / REMOVED, allow_pickle=False).tolist())
    assert removed and removed == set(held) - live and not removed & live
    # no removed passage comes back, and the ranking is a fresh build's
    s = Searcher(ix, embedder=EMB)
    for q in QUERIES:
        assert not {h.passage_id for h in s.search(q, k=50, mode="dense")} & removed
    fresh = tmp_path / "fresh"
    build([corpus], fresh, EMB, "hash:384")
    assert REMOVED not in mf.read_and_verify(current_generation(fresh))["files"]
    assert _dense(ix, QUERIES) == _dense(fresh, QUERIES)


def test_passage_ids_are_never_issued_twice(tmp_path, corpus):
    """SQLite gives the largest removed rowids to the next rows; a grown graph would then hold a stale vector
    under a live id."""
    ix = tmp_path / "ix"
    last = sorted(corpus.glob("*.txt"))[-1]
    build([corpus], ix, EMB, "hash:384")
    with Store(current_generation(ix) / "councilqa.sqlite", readonly=True) as store:
        high = store.conn.execute("SELECT MAX(id) FROM passages").fetchone()[0]
    text = last.read_text(encoding="utf-8")
    last.write_text(text + "\n\nA sentence added to the last document.", encoding="utf-8")  # its passages last
    build([corpus], ix, EMB, "hash:384")
    with Store(current_generation(ix) / "councilqa.sqlite", readonly=True) as store:
        newest = store.conn.execute("SELECT MIN(p.id) FROM passages p JOIN documents d ON d.id = p.document_id"
                                    " WHERE d.path = ?", [str(last)]).fetchone()[0]
    assert newest > high


def test_many_removed_passages_build_the_graph_afresh(tmp_path, corpus, monkeypatch):
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    monkeypatch.setattr(vectors, "REBUILD_SHARE", 0.0)  # any removal is too many
    _, removed_doc = change_sample(corpus)
    build([corpus], ix, EMB, "hash:384", remove=[str(removed_doc)])
    gen = current_generation(ix)
    assert REMOVED not in mf.read_and_verify(gen)["files"]
    with Store(gen / "councilqa.sqlite", readonly=True) as store:
        live = {r[0] for r in store.conn.execute("SELECT id FROM passages")}
    assert set(vectors.ids(vectors.load(gen / VECTORS))) == live
