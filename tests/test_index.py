from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, SAMPLE
from index.build import build, current_generation
from index.embed import HashEmbedder
from index.errors import IndexCorrupt, ModelMismatch
from index.filters import Filters, parse_filters
from index.fuse import reciprocal_rank_fusion
from index.search import Searcher

EMB = HashEmbedder(384)


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture()
def built(tmp_path, corpus):
    ix = tmp_path / "ix"
    build([corpus], ix, EMB, "hash:384")
    return ix


def test_round_trip_and_manifest(built):
    gen = current_generation(built)
    manifest = json.loads((gen / "manifest.json").read_text())
    assert manifest["model"] == "hash:384" and manifest["dimension"] == 384 and manifest["normalised"]
    files = set(manifest["files"])
    assert manifest["counts"]["documents"] == 5 and {f for f in files if not f.startswith("keywords/")} == {
        "councilqa.sqlite", "vectors.faiss", "sentence_keys.npy", "sentence_vectors.npy", "decision_ids.npy",
        "decision_keys.npy", "decision_vectors.npy", "decision_vectors.json"}
    assert {"keywords/meta.json", "keywords/councilqa-format.json"} <= files  # the keyword index, checksummed too
    s = Searcher(built, embedder=EMB)
    assert s.vectors.ntotal == manifest["counts"]["passages"]
    ids = {r[0] for r in s.conn.execute("SELECT id FROM passages")}
    assert ids == {int(s.vectors.id_map.at(i)) for i in range(s.vectors.ntotal)}  # every vector id resolves


@pytest.mark.parametrize("name", ["vectors.faiss", "councilqa.sqlite", "keywords/*.idx"])
def test_tampered_file_refused(built, name):
    path = next(current_generation(built).glob(name))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="checksum"):
        Searcher(built, embedder=EMB)


def test_wrong_model_or_dimension_refused(built):
    with pytest.raises(ModelMismatch, match="re-index"):
        Searcher(built, embedder=HashEmbedder(256))


def test_reingest_embeds_nothing_and_change_embeds_only_changed(built, corpus):
    before = current_generation(built)
    report = build([corpus], built, EMB, "hash:384")
    assert report.embedded == 0 and len(report.unchanged) == 5
    assert current_generation(built) == before  # nothing changed: no new generation
    target = next(corpus.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8").replace("£3.087m", "£3.2m"), encoding="utf-8")
    report = build([corpus], built, EMB, "hash:384")
    assert report.replaced == [str(target)] and report.embedded == 1  # one passage's text changed
    hits = Searcher(built, embedder=EMB).search("3.087m", mode="keyword")
    assert hits == []  # no stale passage


def test_remove_document(built, corpus):
    target = str(next(corpus.glob("002_*.txt")))
    report = build([], built, EMB, "hash:384", remove=[target])
    assert report.removed == [target]
    s = Searcher(built, embedder=EMB)
    assert s.search("Community Support Services for Disabled Children", k=50, filters=Filters(decision="20/00102")) == []
    assert s.vectors.ntotal == s.conn.execute("SELECT count(*) FROM passages").fetchone()[0]


def test_keyword_finds_exact_tokens(built):
    s = Searcher(built, embedder=EMB)
    for query, decision in [("22/00093", "22/00093"), ("Regulation 32", "22/00093"), ("£0.322m", "21/00081"),
                            ("20/00031", "21/00081")]:
        hits = s.search(query, k=3, mode="keyword")
        assert hits and hits[0].decision == decision, query


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(decision="22/00034"), lambda h: h.decision == "22/00034"),
        (Filters(status="taken"), lambda h: h.decision == "21/00081"),
        (Filters(doc_type="report"), lambda h: h.doc_type == "report"),
        (Filters(decision_maker="integrated children"), lambda h: h.decision in ("20/00102", "22/00034")),
        (Filters(date_from="2021-01-01", date_to="2021-12-31"), lambda h: h.decision in ("20/00102", "21/00081")),
        (Filters(key_decision=True), lambda h: h.decision != ""),
    ],
)
def test_filters_apply_before_top_k(built, filters, check):
    s = Searcher(built, embedder=EMB)
    for mode in ("hybrid", "dense", "keyword"):
        hits = s.search("contract value for the service", k=5, filters=filters, mode=mode)
        assert hits, mode  # filtering before the cut still fills the list
        assert all(check(h) for h in hits), (mode, [h.decision for h in hits])


def test_parse_filters():
    f = parse_filters(["maker=Clair Bell", "key=yes", "from=2021-01-01", "type=record"])
    assert f == Filters(decision_maker="Clair Bell", key_decision=True, date_from="2021-01-01", doc_type="record")
    with pytest.raises(ValueError, match="bad filter"):
        parse_filters(["colour=red"])


def test_rrf_surfaces_hits_from_either_run():
    fused = [d for d, _ in reciprocal_rank_fusion([[1, 2, 3], [9, 3, 8]], k=60)]
    assert fused[0] == 3 and {1, 9} <= set(fused[:4])
    assert reciprocal_rank_fusion([[5]], k=60) == [(5, 1 / 61)]


def test_hybrid_keeps_keyword_only_and_dense_only_hits(built):
    s = Searcher(built, embedder=EMB)
    query = "20/00031 Carers short breaks"
    kw = s.search(query, k=1, mode="keyword")[0]
    dense = s.search(query, k=1, mode="dense")[0]
    hybrid = [h.passage_id for h in s.search(query, k=10)]
    assert kw.passage_id in hybrid and dense.passage_id in hybrid


def test_langchain_retriever(built):
    from index.retriever import CouncilRetriever

    retriever = CouncilRetriever(searcher=Searcher(built, embedder=EMB), k=3)
    docs = retriever.invoke("Regulation 32 direct award")
    assert len(docs) == 3 and docs[0].metadata["decision"] == "22/00093"
    assert docs[0].metadata["citation"].startswith("[22/00093")


def test_search_cli_json(built, capsys):
    from ui.cli import main

    assert main(["search", "22/00093", "--index", str(built), "--json", "--k", "2", "--mode", "keyword"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert set(hits[0]) == {"decision", "paragraph", "document", "score", "text", "citation", "title", "url"}
    assert hits[0]["decision"] == "22/00093" and hits[0]["citation"].startswith("[22/00093 ")


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from index.build import build
    from index.embed import HashEmbedder
    point = sys.argv[3]
    def hook(name):
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)
    build([Path(sys.argv[1])], Path(sys.argv[2]), HashEmbedder(384), "hash:384", after_step=hook)
""")


@pytest.mark.parametrize("point", ["database", "vectors", "keywords", "renamed"])
def test_build_killed_leaves_previous_index_usable(built, corpus, tmp_path, point):
    before = current_generation(built)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "new.txt").write_text("DECISION NO: 23/00777\n\nTitle of Decision: Street Lighting\n\nDecision: replace lamps.")
    result = subprocess.run([sys.executable, "-c", KILLER, str(extra), str(built), point], cwd=ROOT)
    assert result.returncode == -9
    assert current_generation(built) == before
    s = Searcher(built, embedder=EMB)  # loads, checksums verify
    assert s.vectors.ntotal == s.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert not s.search("23/00777", mode="keyword")
    report = build([extra], built, EMB, "hash:384")  # the next build cleans up and succeeds
    assert report.added and not list(built.glob(".tmp-*"))
    assert Searcher(built, embedder=EMB).search("23/00777", mode="keyword")[0].decision == "23/00777"


def test_searches_during_rebuild_never_fail(built, corpus):
    import threading

    errors: list[Exception] = []
    stop = threading.Event()

    def searcher_loop():
        while not stop.is_set():
            try:
                s = Searcher(built, embedder=EMB)
                s.search("contract", k=3)
                s.close()
            except Exception as exc:  # any error here is the failure under test
                errors.append(exc)

    threads = [threading.Thread(target=searcher_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(4):
            target = next(corpus.glob("003_*.txt"))
            target.write_text(target.read_text(encoding="utf-8") + f"\n\nAddendum {i}.", encoding="utf-8")
            build([corpus], built, EMB, "hash:384")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []


@pytest.mark.slow
def test_real_model_finds_the_paragraph(tmp_path, corpus):
    from index.embed import load_embedder

    emb = load_embedder("minilm")
    build([corpus], tmp_path / "ix", emb, "minilm")
    s = Searcher(tmp_path / "ix", embedder=emb)
    hits = s.search("What is the total forecast spend for 2021-22?", k=5)
    assert any(h.decision == "22/00034" and h.paragraph == "4.2" for h in hits)
    dense = s.search("how much will the carers short breaks contract cost", k=5, mode="dense")
    assert any(h.decision == "22/00093" for h in dense)


def test_unchanged_files_are_not_parsed_again(built, corpus, monkeypatch):
    import ingest.pipeline

    calls = []
    real = ingest.pipeline.parse_job  # one call a file parsed (in its child: ``ingest.bounded``)

    def counting(job):
        calls.append(job.path)
        return real(job)

    monkeypatch.setattr(ingest.pipeline, "parse_job", counting)
    report = build([corpus], built, EMB, "hash:384")
    assert calls == [] and len(report.unchanged) == 5 and report.passages > 100
    changed = next(corpus.glob("003_*.txt"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA late note.\n", encoding="utf-8")
    report = build([corpus], built, EMB, "hash:384")
    assert calls == [str(changed)] and report.replaced == [str(changed)]


def test_an_index_parsed_by_another_ingest_version_reads_every_file_again(built, corpus, monkeypatch):
    """An upgrade that parses the same bytes differently (a title fix) reaches an existing index: every file is
    read again, nothing is embedded again, and the next build is back to reading nothing."""
    import index.build
    from index.store import DB_NAME, Store

    monkeypatch.setattr(index.build, "INGEST_VERSION", index.build.INGEST_VERSION + 1)
    before = current_generation(built)
    report = build([corpus], built, EMB, "hash:384")
    assert len(report.replaced) == 5 and report.unchanged == [] and report.embedded == 0
    assert current_generation(built) != before  # the new parse is live
    with Store(current_generation(built) / DB_NAME, readonly=True) as store:
        assert store.ingest_version() == index.build.INGEST_VERSION
    report = build([corpus], built, EMB, "hash:384")
    assert len(report.unchanged) == 5 and report.replaced == []


def test_documents_not_read_again_keep_the_older_version_mark(built, corpus, tmp_path, monkeypatch):
    """Ingesting one new file into an index of another version leaves the other documents' old parse in place,
    so the index must not claim they are the new version's: the next full ingest reads them again."""
    import index.build
    from index.store import DB_NAME, Store

    old = index.build.INGEST_VERSION
    monkeypatch.setattr(index.build, "INGEST_VERSION", old + 1)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Decision: a note about gritting routes.\n", encoding="utf-8")
    report = build([extra], built, EMB, "hash:384")
    assert report.added == [str(extra / "note.txt")]
    with Store(current_generation(built) / DB_NAME, readonly=True) as store:
        assert store.ingest_version() == old
    report = build([corpus, extra], built, EMB, "hash:384")
    assert len(report.replaced) == 6
    with Store(current_generation(built) / DB_NAME, readonly=True) as store:
        assert store.ingest_version() == old + 1


def test_a_selective_filter_on_a_graph_index_is_searched_exactly(monkeypatch):
    import numpy as np

    from index import vectors

    monkeypatch.setattr(vectors, "EXACT_LIMIT", 100)  # force HNSW for 3,000 vectors
    rng = np.random.default_rng(0)
    m = rng.normal(size=(3000, 32)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    ids = np.arange(1, 3001, dtype=np.int64)
    index = vectors.build(ids, m)
    allowed = [7, 1234, 2999, 42, 500]
    got = vectors.search(index, m[0], 3, allowed)
    scores = {i: float(m[i - 1] @ m[0]) for i in allowed}
    assert [i for i, _ in got] == sorted(allowed, key=lambda i: -scores[i])[:3]  # exact, and only allowed ids


def test_an_older_store_is_refused_by_readers_and_updated_by_the_next_ingest(tmp_path):
    import sqlite3

    from index.errors import IndexOutdated
    from index.store import SCHEMA_VERSION, Store, check_schema

    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old)
    conn.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                       "INSERT INTO meta VALUES ('schema_version', '1');"
                       "CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,"
                       " format TEXT NOT NULL, doc_type TEXT NOT NULL, status TEXT NOT NULL, number TEXT NOT NULL,"
                       " title TEXT NOT NULL, decision_maker TEXT NOT NULL, key_decision INTEGER,"
                       " key_decision_text TEXT NOT NULL, council TEXT NOT NULL, dates TEXT NOT NULL, text TEXT NOT NULL);"
                       "INSERT INTO documents VALUES (1, 'a.txt', 'x', 'text', '', '', '22/00001', 'T', '', NULL, '', "
                       "'', '{}', 'text');")
    conn.commit()
    with pytest.raises(IndexOutdated, match="written by an older councilqa: run `councilqa ingest"):
        check_schema(conn, "IX")
    conn.close()
    with Store(old) as store:  # opened for writing: the columns readers need are added in place
        assert store.migrated
        row = store.conn.execute("SELECT source, reference, url, fields FROM documents").fetchone()
        assert tuple(row) == ("a.txt", "", "", "{}")
        check_schema(store.conn, "IX")
        assert store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION)


def test_a_documents_rows_are_found_by_index_when_it_is_replaced(tmp_path):
    """Replacing or removing a document deletes its amounts and mentions (ON DELETE CASCADE): found by an index,
    not by scanning the tables whole, which made re-reading every file grow with the square of the corpus."""
    from index.store import Store

    with Store(tmp_path / "s.sqlite") as store:
        for table in ("amounts", "mentions", "passages", "paragraphs"):
            plan = " ".join(str(r[-1]) for r in store.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE document_id = 1"))
            assert "USING" in plan and "INDEX" in plan, (table, plan)
