"""BM25 in PostgreSQL against Tantivy's on a corpus large enough for the pruning to matter: the same passages in
the same order for the benchmark's queries, over rounds of rare words first, with filters, and after the average
length has moved (the stored weights rewritten). A real server, synthetic decisions, the hashing embedder."""
from __future__ import annotations

import pytest

from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures

MODEL = "hash:384"


@pytest.fixture
def corpus(tmp_path):
    from eval.synthetic import write

    folder = tmp_path / "synthetic"
    write(folder, 60, keep=1.0, seed=5)
    return folder


def _pair(pg_url, tmp_path, paths):  # noqa: F811
    from index import backends
    from index.embed import load_embedder

    embedder = load_embedder(MODEL)
    local, db = tmp_path / "index", backends.resolve(pg_url)
    for where in (local, db):
        backends.build(paths, where, embedder, MODEL)
    return backends.open_searcher(local, embedder=embedder), backends.open_searcher(db, embedder=embedder)


def _same(a, b, documents=None, ks=(10, 50)):
    from eval.bench import queries
    from index.thesaurus import expanded

    for q in queries(60):
        text = expanded(q)
        for k in ks:
            ref, got = a.keyword(text, k, documents), b.keyword(text, k, documents)
            assert [i for i, _ in ref] == [i for i, _ in got], (q, k)
            assert all(abs(x - y) <= 1e-4 * max(1.0, x) for (_, x), (_, y) in zip(ref, got)), (q, k)


def test_pruned_rounds_rank_as_tantivy(pg_url, tmp_path, corpus, monkeypatch):  # noqa: F811
    from index.backends.postgres import bm25

    a, b = _pair(pg_url, tmp_path, [corpus])
    try:
        assert b.size() > 1500
        _same(a, b)  # few passages: every passage holding a word scored exactly (bm25.SMALL)
        monkeypatch.setattr(bm25, "SMALL", 0)
        monkeypatch.setattr(bm25, "FIRST_BUDGET", 20)  # one rare word a round: many rounds, pruning decides
        _same(a, b)
        docs = [r[0] for r in b.conn.execute("SELECT id FROM documents ORDER BY id")][::3]
        _same(a, b, documents=docs)
    finally:
        b.close()


def test_weights_rewritten_when_the_average_length_moves(pg_url, tmp_path, corpus, monkeypatch):  # noqa: F811
    """Long passages added: the average moves past the drift, every passage's weights are written again, and the
    ranking is still Tantivy's."""
    from index import backends
    from index.embed import load_embedder

    a, b = _pair(pg_url, tmp_path, [corpus])
    b.close()
    before = b.manifest["keywords"]["weights_average"]
    extra = tmp_path / "extra"
    extra.mkdir()
    long = " ".join(f"word{i} contract value council" for i in range(400))
    for n in range(30):
        (extra / f"long{n}.txt").write_text(f"DECISION NO: 24/{n:05d}\n\nTitle of Decision: Long {n}\n\n"
                                            f"Decision: {long}\n", encoding="utf-8")
    embedder = load_embedder(MODEL)
    lines = []
    for where in (tmp_path / "index", backends.resolve(pg_url)):
        backends.build([corpus, extra], where, embedder, MODEL, progress=lines.append)
    assert any("writing every passage's weights again" in line for line in lines)
    a = backends.open_searcher(tmp_path / "index", embedder=embedder)
    b = backends.open_searcher(backends.resolve(pg_url), embedder=embedder)
    try:
        from index.backends.postgres import bm25

        monkeypatch.setattr(bm25, "SMALL", 0)  # the stored weights rank the candidates
        assert b.manifest["keywords"]["weights_average"] != before
        _same(a, b, ks=(10,))
    finally:
        b.close()


def test_the_candidate_budget_is_a_fifth_of_the_generation_within_its_bounds():
    from index.backends.postgres.bm25 import MAX_CANDIDATES, MIN_CANDIDATES, candidate_budget

    assert candidate_budget(1_000) == MIN_CANDIDATES == 20_000  # small: never below the floor
    assert candidate_budget(100_000) == 20_000
    assert candidate_budget(150_000) == 30_000
    assert candidate_budget(1_000_000) == MAX_CANDIDATES == 50_000


def test_a_query_past_its_budget_is_cut_short_and_still_ranks_k(pg_url, tmp_path, corpus, monkeypatch):  # noqa: F811
    from eval.bench import queries
    from index.backends.postgres import bm25
    from index.thesaurus import expanded

    a, b = _pair(pg_url, tmp_path, [corpus])
    try:
        monkeypatch.setattr(bm25, "SMALL", 0)
        monkeypatch.setattr(bm25, "MIN_CANDIDATES", 300)
        monkeypatch.setattr(bm25, "MAX_CANDIDATES", 300)
        cut = 0
        for q in queries(30):
            got = b.keyword(expanded(q), 10, None)
            cut += bool(bm25.LAST.get("pruned"))
            assert len(got) == min(10, len(a.keyword(expanded(q), 10, None)))
            assert bm25.LAST["candidates"] <= 300 or not bm25.LAST["pruned"]
        assert cut > 0  # the budget did bind
    finally:
        b.close()
