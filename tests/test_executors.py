"""The build's executor seam (``index.executors``), in this process: a pool of threads parses and embeds, and the
index it writes is the one the single-process path writes, byte for byte. The same orchestration runs on a Ray
cluster in ``test_ray.py``."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE, change_sample
from executor_support import bad_and_good, copy_sample, index_contents, passages
from index.build import build
from index.embed import HashEmbedder
from index.executors import InProcess, Pooled, PooledEmbedder, ThreadPool
from index.search import Searcher
from ingest.pipeline import IngestOptions, parse_all
from ingest.records import Failure, ParsedDocument

EMB = HashEmbedder(384)


def built(paths, index_dir: Path, executor=None, lines: list[str] | None = None):
    return build(paths, index_dir, EMB, "hash:384", executor=executor,
                 progress=(lines.append if lines is not None else None))


def test_a_pool_writes_the_index_one_process_writes(tmp_path):
    one, pooled = [], []
    a = built([SAMPLE], tmp_path / "one", lines=one)
    with ThreadPool(2) as pool:
        b = built([SAMPLE], tmp_path / "pool", Pooled(pool), pooled)
    assert a.embedded == b.embedded > 100 and a.embedded_sentences == b.embedded_sentences > 100
    assert passages(tmp_path / "pool") == passages(tmp_path / "one")  # same passages, same ids
    assert index_contents(tmp_path / "pool") == index_contents(tmp_path / "one")  # every file, byte for byte
    assert pooled == one  # the same progress lines, in the same order
    q = "carers short breaks direct award"
    hits = [[(h.decision, h.paragraph, round(h.score, 6)) for h in Searcher(ix, embedder=EMB).search(q, k=5)]
            for ix in (tmp_path / "one", tmp_path / "pool")]
    assert hits[0] == hits[1] and hits[0][0][0] == "22/00093"


def test_an_incremental_build_on_a_pool_matches_one_process(tmp_path):
    for name in ("one", "pool"):
        copy_sample(SAMPLE, tmp_path / f"corpus-{name}")
    built([tmp_path / "corpus-one"], tmp_path / "one")
    with ThreadPool(2) as pool:
        built([tmp_path / "corpus-pool"], tmp_path / "pool", Pooled(pool))
    change_sample(tmp_path / "corpus-one")
    change_sample(tmp_path / "corpus-pool")
    a = built([tmp_path / "corpus-one"], tmp_path / "one")
    with ThreadPool(2) as pool:
        b = built([tmp_path / "corpus-pool"], tmp_path / "pool", Pooled(pool))
    counts = lambda r: (len(r.added), len(r.replaced), len(r.unchanged), r.embedded)  # noqa: E731
    assert counts(b) == counts(a) and counts(a)[:2] == (1, 1) and 0 < a.embedded < 10
    strip = lambda rows, name: [(i, d.replace(f"corpus-{name}", ""), lab, t) for i, d, lab, t in rows]  # noqa: E731
    assert strip(passages(tmp_path / "pool"), "pool") == strip(passages(tmp_path / "one"), "one")


def test_bad_files_on_a_pool_are_reported_as_in_one_process(tmp_path):
    corpus = copy_sample(SAMPLE, tmp_path / "corpus")
    bad_and_good(corpus)
    a = built([corpus], tmp_path / "one")
    with ThreadPool(2) as pool:
        b = built([corpus], tmp_path / "pool", Pooled(pool))
    reasons = {Path(f.path).name: f.reason for f in b.failed}
    assert sorted(reasons) == ["bad.txt", "binary.txt", "broken.pdf", "empty.txt", "locked.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert b.failed == a.failed and b.skipped == a.skipped and b.added == a.added and len(b.added) == 6
    assert passages(tmp_path / "pool") == passages(tmp_path / "one")


class SlowFirst(ThreadPool):
    """Parses the first file given last: results come back out of order."""

    def __init__(self) -> None:
        super().__init__(4)
        self.calls = 0

    def parse(self, job):
        self.calls += 1
        if self.calls == 1:
            return self._threads.submit(lambda: (time.sleep(0.3), super(SlowFirst, self).parse(job).result())[1])
        return super().parse(job)


def test_results_leave_in_walk_order_whatever_order_workers_finish(tmp_path):
    options = IngestOptions()
    expected = [(type(x).__name__, x.path) for x in parse_all([SAMPLE], options=options)]
    with SlowFirst() as pool:
        got = [(type(x).__name__, x.path) for x in Pooled(pool).parse([SAMPLE], None, options)]
    assert got == expected and len(got) == 5


def test_known_files_are_not_sent_to_a_worker(tmp_path):
    sent = []

    class Counting(ThreadPool):
        def parse(self, job):
            sent.append(job.path)
            return super().parse(job)

    first = sorted(str(p) for p in SAMPLE.glob("0*.txt"))[0]
    with Counting(2) as pool:
        items = list(Pooled(pool).parse([SAMPLE], lambda path, sha: path == first, IngestOptions()))
    assert first not in sent and len(sent) == 4
    assert [type(x).__name__ for x in items].count("Unchanged") == 1


def test_a_pooled_embedder_deals_texts_out_and_puts_them_back_in_order():
    texts = [f"passage number {i} about {'parking ' * (i % 7)}" for i in range(200)]
    with ThreadPool(3) as pool:
        emb = PooledEmbedder(pool, EMB, "hash:384")
        assert emb.model_id == EMB.model_id and emb.dim == 384
        got = emb.embed(texts)
        assert emb.embed([]).shape == (0, 384)
    assert np.array_equal(got, EMB.embed(texts))


def test_a_pool_that_loads_another_model_is_refused():
    from index.errors import ClusterError

    with ThreadPool(2) as pool:
        emb = PooledEmbedder(pool, HashEmbedder(256), "hash:384")
        with pytest.raises(ClusterError, match="hash:384.*hash:256"):
            emb.embed(["a text"])


def test_in_process_is_the_default_executor(tmp_path, monkeypatch):
    import index.executors

    calls = []
    real = index.executors.parse_all
    monkeypatch.setattr(index.executors, "parse_all", lambda *a, **k: calls.append(1) or real(*a, **k))
    report = built([SAMPLE], tmp_path / "ix")
    assert calls == [1] and len(report.added) == 5
    assert InProcess().embedder(EMB, "hash:384") is EMB


def test_parse_all_is_read_all_then_parse_job():
    from ingest.pipeline import parse_job, read_all

    jobs = list(read_all([SAMPLE]))
    docs = [d for job in jobs for d in parse_job(job)]
    assert all(isinstance(d, ParsedDocument) for d in docs)
    assert docs == [d for d in parse_all([SAMPLE]) if not isinstance(d, Failure)]


@pytest.mark.parametrize(("value", "ok"), [
    ("local", True), ("auto", True), ("10.0.0.5:6379", True), ("head-node.example.org:6379", True),
    ("ray://head:10001", True), ("[::1]:6379", True),
    ("data/sample", False), ("6379", False), ("http://head:8265", False), ("head:", False), ("", False),
])
def test_ray_addresses(value, ok):
    import argparse

    from ui.cli_ray import address

    if ok:
        assert address(value) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="is not a Ray cluster's address"):
            address(value)


def test_a_path_taken_for_an_address_is_refused_with_a_hint(capsys, tmp_path):
    from ui.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(SAMPLE), "--ray", str(SAMPLE), "--index", str(tmp_path / "ix")])
    assert exc.value.code == 2 and "write --ray after the paths" in capsys.readouterr().err


def test_without_ray_installed_ingest_ray_says_how_to_install_it(capsys, tmp_path, monkeypatch):
    import sys

    from ui.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError, as where it is not installed
    code = main(["ingest", str(SAMPLE), "--index", str(tmp_path / "ix"), "--ray"])
    assert code == 2 and "pip install 'councilqa[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "ix" / "CURRENT").exists()
