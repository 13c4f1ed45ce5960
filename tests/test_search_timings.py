"""``Searcher.search(timings=...)``: every stage timed, and the results exactly those of an untimed search."""
from __future__ import annotations

import pytest

from conftest import SAMPLE
from index.build import build
from index.embed import HashEmbedder
from index.filters import Filters
from index.search import STAGES, Searcher

EMB = HashEmbedder(384)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    ix = tmp_path_factory.mktemp("timings") / "ix"
    build([SAMPLE], ix, EMB, "hash:384")
    s = Searcher(ix, embedder=EMB)
    yield s
    s.close()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
@pytest.mark.parametrize("filters", [Filters(), Filters(decision_maker="Clair Bell", date_from="2021-01-01",
                                                        date_to="2022-12-31")])
@pytest.mark.parametrize("query", ["total forecast spend 2021-22", "22/00093", "respite for carers"])
def test_timings_are_filled_and_change_nothing(searcher, mode, filters, query):
    plain = searcher.search(query, k=5, filters=filters, mode=mode)
    timings: dict = {}
    timed = searcher.search(query, k=5, filters=filters, mode=mode, timings=timings)
    assert timed == plain and timed
    assert list(timings) == list(STAGES) and all(t >= 0.0 for t in timings.values())
    assert timings["hits"] > 0 and timings["fuse"] > 0
    assert (timings["keyword"] > 0) == (mode != "dense")
    assert (timings["dense"] > 0 and timings["embed"] > 0) == (mode != "keyword")


def test_timings_of_an_empty_query_are_zero(searcher):
    timings: dict = {}
    assert searcher.search("   ", timings=timings) == []
    assert timings == {stage: 0.0 for stage in STAGES}
