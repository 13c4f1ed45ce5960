"""Generations in PostgreSQL: the atomic switch, incremental ingest, one writer, a killed build, model checks,
pruning, and a writer on another machine (no local copy of the store). A real server, the hashing embedder."""
from __future__ import annotations

import shutil
import threading

import pytest

from tests.conftest import SAMPLE, change_sample
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures

MODEL = "hash:384"


def _embedder():
    from index.embed import load_embedder

    return load_embedder(MODEL)


def _schemas(url):
    from index.backends.postgres import catalog
    from index.backends.postgres.db import connect

    with connect(url) as db:
        return catalog.schemas(db)


def test_incremental_ingest_matches_an_index_directory(pg_url, tmp_path):
    """A changed, a removed and a new file: the same passages embedded again as in an index directory (only the
    changed ones), the same searches after, and an unchanged ingest writes no generation."""
    from index import backends

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db, local = backends.resolve(pg_url), tmp_path / "index"
    first = [backends.build([corpus], where, _embedder(), MODEL) for where in (local, db)]
    assert first[0].embedded == first[1].embedded > 0
    _, removed = change_sample(corpus)
    second = [backends.build([corpus], where, _embedder(), MODEL, remove=[str(removed)]) for where in (local, db)]
    assert second[1].generation == "gen-000002"
    assert second[0].embedded == second[1].embedded
    assert 0 < second[1].embedded < first[1].embedded
    assert (second[0].added, second[0].replaced) == (second[1].added, second[1].replaced)
    a, b = backends.open_searcher(local, embedder=_embedder()), backends.open_searcher(db, embedder=_embedder())
    try:
        for q in ("street lighting lamps", "carers short breaks value", "£3.2m", "Community Support Services"):
            assert [h.citation for h in a.search(q, k=8)] == [h.citation for h in b.search(q, k=8)], q
        assert b.search("Community Support Services", k=3, mode="keyword")[0].decision != "20/00102"  # removed
        with b.store() as s0, a.store() as s1:
            assert s0.counts() == s1.counts()
    finally:
        b.close()
    again = backends.build([corpus], db, _embedder(), MODEL)
    assert again.generation == "gen-000002" and again.embedded == 0


def test_a_reader_keeps_its_generation_until_it_reopens(pg_url, tmp_path):
    from index import backends

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db = backends.resolve(pg_url)
    backends.build([corpus], db, _embedder(), MODEL)
    old = backends.open_searcher(db, embedder=_embedder())
    _, removed = change_sample(corpus)
    backends.build([corpus], db, _embedder(), MODEL, remove=[str(removed)])
    try:
        assert old.search("Community Support Services for Disabled Children", k=1)[0].decision == "20/00102"
        assert not old.search("street lighting lamps", k=3, mode="keyword") or \
            all(h.decision != "23/00777" for h in old.search("street lighting lamps", k=3, mode="keyword"))
        assert backends.live(db).name == "gen-000002" != old.generation.name
        new = backends.open_searcher(db, embedder=_embedder())
        assert new.search("street lighting lamps", k=1, mode="keyword")[0].decision == "23/00777"
        new.close()
    finally:
        old.close()


def test_a_second_writer_is_refused_at_once(pg_url, tmp_path):
    from index import backends
    from index.backends.postgres import catalog
    from index.backends.postgres.db import connect
    from index.errors import IndexBusy

    db = backends.resolve(pg_url)
    with connect(pg_url) as other, catalog.writer_lock(other, pg_url):
        with pytest.raises(IndexBusy, match="another ingest is writing"):
            backends.build([SAMPLE], db, _embedder(), MODEL)
    assert backends.build([SAMPLE], db, _embedder(), MODEL).generation == "gen-000001"


@pytest.mark.parametrize("step", ["database", "vectors", "keywords"])
def test_a_killed_build_leaves_the_live_generation_and_is_cleaned_up(pg_url, tmp_path, step):
    from index import backends

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db = backends.resolve(pg_url)
    backends.build([corpus], db, _embedder(), MODEL)
    change_sample(corpus)

    def die(name):
        if name == step:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backends.build([corpus], db, _embedder(), MODEL, after_step=die)
    s = backends.open_searcher(db, embedder=_embedder())
    try:
        assert s.generation.name == "gen-000001"
        assert s.search("Community Support Services for Disabled Children", k=1)[0].decision == "20/00102"
    finally:
        s.close()
    report = backends.build([corpus], db, _embedder(), MODEL)
    assert report.generation == "gen-000002"  # the killed build's number, its leftovers removed first
    assert _schemas(pg_url) == [f"councilqa_g{n:06d}" for n in (1, int(report.generation[4:]))]
    s = backends.open_searcher(db, embedder=_embedder())
    try:
        assert s.search("street lighting lamps", k=1, mode="keyword")[0].decision == "23/00777"
        ids = [r[0] for r in s.conn.execute("SELECT id FROM passages")]
        assert len(s.vectors_of(ids)) == len(ids) == s.passage_count()  # every passage has its vector
    finally:
        s.close()


def test_another_machine_writes_from_the_database_alone(pg_url, tmp_path, monkeypatch):
    """No local copy of the live store (another machine, a lost folder): it is read out of the database, and
    the build is as incremental as from the copy."""
    from index import backends

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db = backends.resolve(pg_url)
    backends.build([corpus], db, _embedder(), MODEL)
    monkeypatch.setenv("COUNCILQA_STATE", str(tmp_path / "elsewhere"))
    db2 = backends.resolve(pg_url)
    assert db2 != db and not (db2 / "stage").exists()
    _, removed = change_sample(corpus)
    lines = []
    report = backends.build([corpus], db2, _embedder(), MODEL, progress=lines.append, remove=[str(removed)])
    assert any("out of the database" in line for line in lines)
    assert report.unchanged and report.embedded < 20
    s = backends.open_searcher(db2, embedder=_embedder())
    try:
        assert s.search("street lighting lamps", k=1, mode="keyword")[0].decision == "23/00777"
        assert {d.number for d in __import__("index.decisions", fromlist=["x"]).list_decisions(s.store())} == \
            {"21/00081", "22/00034", "22/00093", "23/00777"}
    finally:
        s.close()


def test_a_mismatched_model_is_refused_with_the_same_message(pg_url, tmp_path):
    from index import backends
    from index.embed import load_embedder
    from index.errors import ModelMismatch

    db, local = backends.resolve(pg_url), tmp_path / "index"
    for where in (local, db):
        backends.build([SAMPLE], where, _embedder(), MODEL)
    messages = []
    for where in (local, db):
        with pytest.raises(ModelMismatch) as err:
            backends.open_searcher(where, embedder=load_embedder("hash:256"))
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "built with hash:384" in messages[0]


def test_old_generations_and_their_vectors_are_dropped(pg_url, tmp_path):
    from index import backends
    from index.backends.postgres.db import connect

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db = backends.resolve(pg_url)
    backends.build([corpus], db, _embedder(), MODEL)
    removed = next(corpus.glob("002_*.txt"))
    removed.unlink()
    backends.build([corpus], db, _embedder(), MODEL, remove=[str(removed)])
    (corpus / "new.txt").write_text("DECISION NO: 23/00778\n\nTitle of Decision: Bus shelters\n\nDecision: repair"
                                    " the bus shelters.", encoding="utf-8")
    backends.build([corpus], db, _embedder(), MODEL)
    assert _schemas(pg_url) == ["councilqa_g000002", "councilqa_g000003"]
    s = backends.open_searcher(db, embedder=_embedder())
    try:
        live = {r[0] for r in s.conn.execute("SELECT id FROM passages")}
        with connect(pg_url) as c:
            table = s.manifest["vectors"]
            held = {r[0] for r in c.execute(f"SELECT id FROM councilqa.{table}")}
        assert held == live  # the removed document's vectors went with the last generation that held them
    finally:
        s.close()


def test_searches_during_an_ingest_never_fail(pg_url, tmp_path):
    """Readers search while generations switch underneath: each search answers from one generation."""
    from index import backends

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    db = backends.resolve(pg_url)
    backends.build([corpus], db, _embedder(), MODEL)
    errors, done = [], threading.Event()

    def read():
        while not done.is_set():
            try:
                s = backends.open_searcher(db, embedder=_embedder())
                try:
                    assert s.search("carers short breaks", k=5)
                finally:
                    s.close()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        change_sample(corpus)
        backends.build([corpus], db, _embedder(), MODEL)
        (corpus / "new.txt").write_text("DECISION NO: 23/00779\n\nTitle of Decision: Parks\n\nDecision: mow.",
                                        encoding="utf-8")
        backends.build([corpus], db, _embedder(), MODEL)
    finally:
        done.set()
        reader.join()
    assert not errors, errors[:3]


def test_a_database_never_ingested_into_is_no_index(pg_url):
    from index import backends
    from index.errors import IndexNotFound

    with pytest.raises(IndexNotFound, match="councilqa ingest"):
        backends.open_searcher(backends.resolve(pg_url))


def test_an_unreachable_database_is_one_sentence(tmp_path, monkeypatch):
    from index import backends
    from index.backends.postgres.db import DatabaseError

    monkeypatch.setenv("COUNCILQA_STATE", str(tmp_path))
    url = f"postgresql://nobody:secret@/none?host={tmp_path}"
    with pytest.raises(DatabaseError) as err:
        backends.open_searcher(backends.resolve(url))
    assert "cannot connect to the database" in str(err.value) and "secret" not in str(err.value)


def test_a_generation_of_an_older_format_is_refused_then_written_again(pg_url, tmp_path):  # noqa: F811
    from index import backends
    from index.backends.postgres.db import connect
    from index.errors import IndexOutdated

    db = backends.resolve(pg_url)
    backends.build([SAMPLE], db, _embedder(), MODEL)
    with connect(pg_url) as c:
        c.execute("UPDATE councilqa.generations SET manifest = manifest || '{\"pg_format\": 1}'::jsonb")
    with pytest.raises(IndexOutdated, match="run `councilqa ingest"):
        backends.open_searcher(db, embedder=_embedder())
    report = backends.build([SAMPLE], db, _embedder(), MODEL)
    assert report.generation == "gen-000002" and report.embedded == 0
    s = backends.open_searcher(db, embedder=_embedder())
    try:
        assert s.search("carers short breaks", k=1)[0].decision == "22/00093"
    finally:
        s.close()
