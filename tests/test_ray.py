"""``councilqa ingest --ray``: a real Ray cluster on this machine's loopback (``index.ray_pool``) parses and embeds,
and the index is the one the single-process path writes. Slow: a cluster takes seconds to start, and each
build starts Ray workers."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SAMPLE
from executor_support import bad_and_good, copy_sample, index_contents, passages, stored_vectors
from index.build import build, current_generation
from index.embed import HashEmbedder
from index.search import Searcher
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures: a real PostgreSQL server

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'councilqa[ray]')")
pytestmark = pytest.mark.slow
EMB = HashEmbedder(384)
SMALL = {"num_cpus": 2, "object_store_memory": 128 * 2**20}


@pytest.fixture(scope="module")
def cluster():
    """One local cluster for the module: every pool made while it runs joins it, and leaves it running."""
    from index.ray_pool import RayPool

    pool = RayPool(None, **SMALL)
    yield pool
    pool.close()
    assert not ray.is_initialized()


def on_ray(paths, index_dir: Path, lines: list[str] | None = None, spec: str = "hash:384", embedder=EMB, **kw):
    from index.ray_pool import ray_executor

    with ray_executor() as executor:
        return build(paths, index_dir, embedder, spec, executor=executor,
                     progress=lines.append if lines is not None else None, **kw)


def test_a_local_cluster_is_on_loopback_only(cluster):
    assert {n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]} == {"127.0.0.1"}
    assert cluster.cpus == 2 and cluster.gpus == 0 and cluster.parse_slots == 2


def test_ray_writes_the_index_one_process_writes(cluster, tmp_path):
    one, on = [], []
    a = build([SAMPLE], tmp_path / "one", EMB, "hash:384", progress=one.append)
    b = on_ray([SAMPLE], tmp_path / "ray", on)
    assert (a.added, a.embedded, a.embedded_sentences, a.embedded_decisions) == \
        (b.added, b.embedded, b.embedded_sentences, b.embedded_decisions)
    assert passages(tmp_path / "ray") == passages(tmp_path / "one")  # same passages, same ids
    assert index_contents(tmp_path / "ray") == index_contents(tmp_path / "one")  # every file's bytes
    assert on == one  # progress as in one process
    for q in ("carers short breaks direct award", "transport costs for young people"):
        got = [[(h.decision, h.paragraph, h.score) for h in Searcher(ix, embedder=EMB).search(q, k=5)]
               for ix in (tmp_path / "one", tmp_path / "ray")]
        assert got[0] == got[1]
    # the actors are gone with the executor; the cluster it joined is not
    assert ray.is_initialized() and not [a for a in ray.util.list_named_actors()]


def test_ray_reads_again_only_what_changed(cluster, tmp_path):
    from conftest import change_sample
    from index.ray_pool import ray_executor

    corpus = copy_sample(SAMPLE, tmp_path / "corpus")
    lines: list[str] = []
    with ray_executor() as executor:  # one executor, two builds: its embedding workers give the CPUs back to parse
        build([corpus], tmp_path / "ix", EMB, "hash:384", executor=executor)
        change_sample(corpus)
        report = build([corpus], tmp_path / "ix", EMB, "hash:384", executor=executor, progress=lines.append)
    assert len(report.added) == 1 and len(report.replaced) == 1 and len(report.unchanged) == 3
    assert report.embedded < 10 and sum(line.startswith("unchanged: ") for line in lines) == 3


def test_bad_files_under_ray_are_reported_like_today(cluster, tmp_path, capsys):
    from ui.cli import main

    corpus = copy_sample(SAMPLE, tmp_path / "corpus")
    bad_and_good(corpus)
    runs = {}
    for name, extra in (("one", []), ("ray", ["--ray"])):
        code = main(["ingest", str(corpus), "--index", str(tmp_path / name), "--json", *extra])
        runs[name] = (code, json.loads(capsys.readouterr().out))
    (code, one), (ray_code, on) = runs["one"], runs["ray"]
    assert code == ray_code == 3  # partial: the bad files failed, the rest were kept
    assert on["failed"] == one["failed"] and on["skipped"] == one["skipped"]
    reasons = {Path(f["path"]).name: f["reason"] for f in on["failed"]}
    assert sorted(reasons) == ["bad.txt", "binary.txt", "broken.pdf", "empty.txt", "locked.pdf"]
    assert "encrypted" in reasons["locked.pdf"]  # a PDF read in the parser's sandbox, inside a Ray worker
    assert on["documents"] == one["documents"] == 6 and on["decisions"] == one["decisions"]
    assert passages(tmp_path / "ray") == passages(tmp_path / "one")


def test_a_file_too_slow_to_parse_under_ray_is_stopped_at_its_limit(cluster, tmp_path, capsys):
    """The parse's time bound holds inside a Ray worker: HTML nested 100k deep (lexbor alone takes ~20 s on it)."""
    from ui.cli import main

    corpus = copy_sample(SAMPLE, tmp_path / "corpus")
    (corpus / "nested.html").write_bytes(b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000)
    code = main(["ingest", str(corpus), "--index", str(tmp_path / "ix"), "--json", "--ray", "--timeout", "1"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and out["documents"] == 5
    assert [(Path(f["path"]).name, f["reason"]) for f in out["failed"]] == [
        ("nested.html", "the parser took longer than 1 s, the time limit for one file, and was stopped")]


def test_every_file_failing_under_ray_exits_4_and_keeps_the_index(cluster, tmp_path, capsys):
    from ui.cli import main

    ix = str(tmp_path / "ix")
    assert main(["ingest", str(SAMPLE), "--index", ix, "--ray"]) == 0
    before = current_generation(Path(ix))
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "empty.txt"), "--index", ix, "--ray"]) == 4
    assert "FAILED" in capsys.readouterr().out and current_generation(Path(ix)) == before


def test_a_file_that_kills_its_worker_is_reported_and_the_rest_kept(cluster, tmp_path):
    from index.executors import Pooled
    from index.ray_pool import RayPool

    corpus = copy_sample(SAMPLE, tmp_path / "corpus")
    (corpus / "kills-its-worker.txt").write_text("DECISION NO: 23/00999\n\nDecision: anything.", encoding="utf-8")
    import ray_tasks

    ray.cloudpickle.register_pickle_by_value(ray_tasks)  # the tests' folder is not on the workers' path
    pool = RayPool()
    pool._parse = ray.remote(num_cpus=1, max_retries=1)(ray_tasks.parse_or_die)
    try:
        report = build([corpus], tmp_path / "ix", EMB, "hash:384", executor=Pooled(pool))
    finally:
        pool.close()
    assert [(Path(f.path).name, f.reason) for f in report.failed] == [
        ("kills-its-worker.txt", "the parser crashed on this file (its Ray worker died: WorkerCrashedError)")]
    assert len(report.added) == 5 and report.generation


def test_a_cluster_that_would_parse_otherwise_is_refused(cluster, monkeypatch):
    import index.ray_pool
    from index.errors import ClusterError

    real = index.ray_pool.fingerprint
    monkeypatch.setattr(index.ray_pool, "fingerprint", lambda: {**real(), "pypdf": "0.0.1"})
    with pytest.raises(ClusterError, match=r"pypdf .* there, 0\.0\.1 here"):
        index.ray_pool.RayPool()


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from index.build import build
    from index.embed import HashEmbedder
    from index.ray_pool import ray_executor

    def hook(name):
        if name == "vectors":  # after the Ray workers embedded, before anything is switched
            os.kill(os.getpid(), signal.SIGKILL)

    with ray_executor(num_cpus=2, object_store_memory=128 * 2**20) as executor:
        build([Path(sys.argv[1])], Path(sys.argv[2]), HashEmbedder(384), "hash:384", after_step=hook,
              executor=executor)
""")


def test_a_killed_ray_build_leaves_the_previous_generation_usable(tmp_path):
    ix = tmp_path / "ix"
    build([SAMPLE], ix, EMB, "hash:384")
    before = current_generation(ix)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "new.txt").write_text("DECISION NO: 23/00777\n\nTitle of Decision: Street Lighting\n\nDecision: lamps.")
    result = subprocess.run([sys.executable, "-c", KILLER, str(extra), str(ix)], cwd=ROOT)
    assert result.returncode == -signal.SIGKILL
    assert current_generation(ix) == before
    s = Searcher(ix, embedder=EMB)
    assert s.vectors.ntotal == s.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert not s.search("23/00777", mode="keyword")
    report = build([extra], ix, EMB, "hash:384")  # the next build cleans up; the cache kept what Ray embedded
    assert report.added and report.embedded == 0 and not list(ix.glob(".tmp-*"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ingest_on_a_cluster_at_an_address(tmp_path):
    """A cluster started apart (``ray start --head``), joined by its address: this build's code is shipped to its
    workers, and the index is the one one process writes."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="cqa-ray-", dir="/tmp")  # its sessions and address file, not /tmp/ray's
    # a cluster of this machine's loopback, with token authentication (its token in ~/.ray, as Ray keeps it)
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
           "RAY_AUTH_MODE": "token", "COUNCILQA_MODEL": "hash:384"}
    head = subprocess.Popen([str(Path(sys.executable).parent / "ray"), "start", "--head", f"--port={port}",
                             "--num-cpus=2", "--object-store-memory=134217728", "--include-dashboard=false",
                             "--disable-usage-stats", f"--temp-dir={temp}", "--block"],
                            env=env, cwd=tmp_path, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):  # the head takes seconds to listen
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0 or head.poll() is not None:
                    break
            time.sleep(0.5)
        exe = str(Path(sys.executable).parent / "councilqa")
        result = subprocess.run([exe, "ingest", str(SAMPLE), "--index", str(tmp_path / "ray"),
                                 "--ray", f"127.0.0.1:{port}"], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert f"ray: the Ray cluster at 127.0.0.1:{port}: 2 CPUs" in result.stderr
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # `ray start --block` stops the processes it started
        head.wait(60)
        shutil.rmtree(temp, ignore_errors=True)
    build([SAMPLE], tmp_path / "one", EMB, "hash:384")
    assert index_contents(tmp_path / "ray") == index_contents(tmp_path / "one")


def test_the_real_model_on_ray_gives_the_vectors_and_answers_of_one_process(cluster, tmp_path):
    from eval.data import load_gold
    from index.embed import load_embedder
    from qa.ask import Asker

    model = load_embedder("minilm")
    build([SAMPLE], tmp_path / "one", model, "minilm")
    on_ray([SAMPLE], tmp_path / "ray", spec="minilm", embedder=load_embedder("minilm"))
    assert passages(tmp_path / "ray") == passages(tmp_path / "one")
    one, on = stored_vectors(tmp_path / "one"), stored_vectors(tmp_path / "ray")
    for name in one:  # the same model on other threads and other batches: equal to float rounding
        assert one[name].shape == on[name].shape and np.allclose(one[name], on[name], atol=1e-6), name
    askers = [Asker(Searcher(tmp_path / ix, embedder=model)) for ix in ("one", "ray")]
    for q in load_gold():
        a, b = (asker.ask(q.text) for asker in askers)
        assert (a.text, [c.label for c in a.citations]) == (b.text, [c.label for c in b.citations]), q.text


def test_the_benchmark_measures_both_paths_and_compares_their_indexes():
    from eval.ray_bench import format_result, run

    result = run(passages=300, model="hash:384", say=lambda _msg: None)
    assert result["single"]["passages"] == result["ray"]["passages"] >= 300
    assert result["differences"] == [] and result["max_vector_difference"] == 0.0
    assert result["ray"]["cpus"] >= 1 and result["ray"]["embed_workers"] >= 1 and result["speedup"] > 0
    assert "indexes: identical" in format_result(result)


def test_ray_writes_the_same_postgresql_index(cluster, pg_url, tmp_path, capsys):
    """``--index postgresql://... --ray``: the shared backend's build on Ray reports what an index directory built
    in one process reports, and answers the same."""
    from ui.cli import main

    def json_of(*argv) -> dict:
        capsys.readouterr()
        assert main(list(argv)) == 0
        return json.loads(capsys.readouterr().out)

    local = str(tmp_path / "one")
    assert json_of("ingest", str(SAMPLE), "--index", local, "--json") == \
        json_of("ingest", str(SAMPLE), "--index", pg_url, "--json", "--ray")
    for argv in (["search", "carers short breaks direct award", "--json"],
                 ["ask", "How much is the carers' short breaks direct award worth?", "--json"]):
        assert json_of(*argv, "--index", local) == json_of(*argv, "--index", pg_url)
