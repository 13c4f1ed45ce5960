"""Keyword search (``index.keywords``, Tantivy): plain BM25 against a reference computed here, every query word
counted, split words as phrases, filters before the cut, and incremental generations that equal a full build."""
from __future__ import annotations

import json
import math
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import SAMPLE, change_sample
from index import keywords
from index import manifest as mf
from index.build import build, current_generation
from index.embed import HashEmbedder
from index.errors import IndexOutdated
from index.filters import Filters
from index.search import Searcher
from index.store import Store

EMB = HashEmbedder(384)
VOCAB = [f"w{i}" for i in range(60)] + ["council", "regulation", "contract", "award"]


def _keyword_index(tmp_path: Path, texts: list[str]) -> keywords.KeywordIndex:
    """A generation folder with a store of these passages (no heading) and its keyword index, built whole."""
    gen = tmp_path / "gen"
    gen.mkdir(parents=True)
    with Store(gen / "s.sqlite") as store:
        store.conn.execute("INSERT INTO documents(id, path, sha256, format, doc_type, status, number, title,"
                           " decision_maker, key_decision_text, council, dates, text) VALUES"
                           " (1, 'a', 'x', 'text', '', '', '', '', '', '', '', '{}', '')")
        store.conn.executemany("INSERT INTO passages(id, document_id, label, heading, part, start, end, text,"
                               " content_hash) VALUES (?, 1, '', '', 0, 0, 0, ?, '')", list(enumerate(texts)))
        store.conn.commit()
        assert keywords.write(store.conn, None, gen) == len(texts)
    return keywords.KeywordIndex(gen)


def _reference_bm25(texts: list[str], query: list[str], k1: float = 1.2, b: float = 0.75) -> dict[int, float]:
    """BM25 as Lucene and Tantivy define it: idf = ln(1 + (N - n + 0.5) / (n + 0.5))."""
    docs = [t.split() for t in texts]
    n_docs, avg = len(docs), sum(map(len, docs)) / len(docs)
    df = Counter(w for d in docs for w in set(d))
    scores: dict[int, float] = {}
    for i, d in enumerate(docs):
        tf = Counter(d)
        s = sum(math.log(1 + (n_docs - df[w] + 0.5) / (df[w] + 0.5)) * tf[w] * (k1 + 1)
                / (tf[w] + k1 * (1 - b + b * len(d) / avg)) for w in set(query) if tf[w])
        if s:
            scores[i] = s
    return scores


def test_scores_equal_a_reference_bm25_and_every_word_counts(tmp_path):
    rng = random.Random(7)
    # Under 40 words each, so that Tantivy's one-byte field lengths are exact; "council" is in every passage.
    texts = [" ".join(["council"] + rng.choices(VOCAB, k=rng.randint(3, 35))) for _ in range(400)]
    kw = _keyword_index(tmp_path, texts)
    queries = [["council"], ["regulation"], ["council", "regulation"], ["w3", "w17", "award"],
               ["contract", "award", "council", "w59"]]
    for query in queries:
        reference = _reference_bm25(texts, query)
        got = kw.search(" ".join(query), k=20)
        best = sorted(reference.items(), key=lambda kv: -kv[1])[:20]
        assert [round(s, 3) for _, s in got] == [round(s, 3) for _, s in best], query
        for pid, score in got:  # ties may come in either order, but each passage has its own reference score
            assert score == pytest.approx(reference[pid], rel=1e-4), (query, pid)
    # A word in every passage still counts (its IDF is small, not zero): with it, the passage that has it twice
    # outranks an otherwise equal one, as BM25 says; nothing is dropped from the query.
    two = _keyword_index(tmp_path / "two", ["council council regulation w1", "council regulation w1 w2"])
    assert [pid for pid, _ in two.search("council regulation", k=2)] == [0, 1]


def test_a_split_word_is_a_phrase_and_query_syntax_is_text(tmp_path):
    kw = _keyword_index(tmp_path, ["decision 22/00093 approved", "22 and then 00093", "cost £0.322m in total",
                                   "0 cost 322m", "Café committee", 'title: "AND" OR NOT (x*)'])
    assert [pid for pid, _ in kw.search("22/00093", k=5)] == [0]
    assert [pid for pid, _ in kw.search("£0.322m", k=5)] == [2]
    assert [pid for pid, _ in kw.search("cafe", k=5)] == [4]  # accents folded, as FTS5's unicode61 did
    assert [pid for pid, _ in kw.search('title:"AND" OR NOT (x*)', k=5)] == [5]  # words, never syntax
    assert kw.search("the of and", k=5) == [] and kw.search("", k=5) == []


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    return folder


def _all_results(ix: Path, queries: list[str], k: int = 20) -> list[list[tuple[str, str, float]]]:
    s = Searcher(ix, embedder=EMB)
    return [[(h.document, h.paragraph, h.score) for h in s.search(q, k=k, mode="keyword")] for q in queries]


QUERIES = ["carers short breaks direct award", "Regulation 32", "£3.2m", "day opportunities forecast spend",
           "street lighting lamps", "council", "20/00031"]


@pytest.mark.parametrize("share", [1.0, keywords.REBUILD_SHARE])
def test_an_incremental_generation_ranks_as_a_full_build_and_leaves_the_old_one_intact(tmp_path, corpus,
                                                                                      monkeypatch, share):
    monkeypatch.setattr(keywords, "REBUILD_SHARE", share)
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    first = current_generation(ix)
    target, removed = change_sample(corpus)
    report = build([corpus], ix, EMB, "hash:384", remove=[str(removed)])
    mf.read_and_verify(first)  # the previous generation's files, keyword segments included, are untouched
    s = Searcher(ix, embedder=EMB)
    assert s.search("3.087m", mode="keyword") == [] and s.search("23/00777", mode="keyword")[0].decision == "23/00777"
    assert s.keywords.num_docs() == s.passage_count()  # replaced and removed passages are gone from it too
    assert s.conn.execute("SELECT count(*) FROM keyword_pending").fetchone()[0] == 0
    fresh = tmp_path / "fresh"
    build([corpus], fresh, EMB, "hash:384")
    got, full = _all_results(ix, QUERIES), _all_results(fresh, QUERIES)
    if share == 1.0:  # never rebuilt: only the changed documents' passages were indexed again
        changed = s.conn.execute("SELECT count(*) FROM passages p JOIN documents d ON d.id = p.document_id"
                                 " WHERE d.path IN (?, ?)", [str(target), str(corpus / "new.txt")]).fetchone()[0]
        assert 0 < report.keyword_indexed <= changed < s.passage_count()
        # Deleted passages still count in the word statistics (2 of 5 documents here: a large share), so scores
        # move a little and near-ties may swap: every passage the full build ranks in its top 5 is in the top 10.
        for g, f in zip(got, full):
            assert {x[:2] for x in f[:5]} <= {x[:2] for x in g[:10]}
            assert [x[2] for x in g[:3]] == pytest.approx([x[2] for x in f[:3]], rel=0.25)
    else:  # more than REBUILD_SHARE deleted: indexed afresh, so exactly a full build's ranking and scores
        assert report.keyword_indexed == s.passage_count()
        # Every match (no cut for a tie to straddle); passages of equal score in any order: their ids differ
        # between the two indexes, and ties are broken by id.
        def exact(results):
            return [sorted((-round(x[2], 4),) + x[:2] for x in r) for r in results]
        assert exact(_all_results(ix, QUERIES, k=10_000)) == exact(_all_results(fresh, QUERIES, k=10_000))


def test_filters_apply_inside_the_keyword_query_before_the_cut(tmp_path, corpus):
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    s = Searcher(ix, embedder=EMB)
    query = "direct award contract"
    unfiltered = s.search(query, k=100, mode="keyword")
    other = [h for h in unfiltered if h.decision == "22/00034"]
    assert len(other) >= 5 and unfiltered[0].decision != "22/00034"  # its passages are not the best matches
    hits = s.search(query, k=5, mode="keyword", filters=Filters(decision="22/00034"))
    assert [h.passage_id for h in hits] == [h.passage_id for h in other[:5]]  # exactly the best 5 that pass
    assert s.search(query, k=5, mode="keyword", filters=Filters(council="no such council")) == []


def test_a_generation_without_a_keyword_index_is_refused_then_rebuilt_without_embedding(tmp_path, corpus):
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    gen = current_generation(ix)
    shutil.rmtree(gen / "keywords")  # as a generation written before the keyword index was
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith("keywords/")}
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexOutdated, match="councilqa ingest"):
        Searcher(ix, embedder=EMB)
    report = build([corpus], ix, EMB, "hash:384")
    assert report.embedded == 0 and report.keyword_indexed == Searcher(ix, embedder=EMB).passage_count()
    assert Searcher(ix, embedder=EMB).search("Regulation 32", k=3, mode="keyword")[0].decision == "22/00093"


def test_listing_the_documents_a_filter_allows_reads_no_document_text(tmp_path, corpus):
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    s = Searcher(ix, embedder=EMB)
    where, args = Filters(decision_maker="Cabinet Member", council="Kent", status="taken", key_decision=True,
                          doc_type="record", date_from="2020-01-01", date_to="2022-12-31").sql(s.councils())
    plan = " | ".join(r[3] for r in s.conn.execute(f"EXPLAIN QUERY PLAN SELECT d.id FROM documents d WHERE {where}",
                                                    args))
    assert all("COVERING INDEX" in step for step in plan.split(" | ") if step.startswith(("SCAN", "SEARCH"))), plan
