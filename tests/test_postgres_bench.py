"""``councilqa bench --backend postgres`` at a small scale on a real server, and ``eval.search_timing`` timing the
database the bench leaves behind: the figures a benchmark prints are there and plausible (hashing embedder)."""
from __future__ import annotations

import pytest

from tests.pg_support import pg_server  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


def test_the_bench_measures_a_database_and_the_timing_reads_it_again(pg_server, tmp_path, monkeypatch):
    import psycopg

    from eval import bench, search_timing

    monkeypatch.setenv("COUNCILQA_STATE", str(tmp_path / "state"))
    r = bench.run(passages=400, sample=150, model="hash:384", query_count=5, workdir=tmp_path / "work",
                  say=lambda m: None, backend="postgres", database=pg_server)
    assert r.backend == "postgres" and r.passages >= 400 and r.reused > 0
    assert r.server_mb > 0 and r.database_mb > 0  # the server's processes were found, the database measured
    assert r.reembedded == 0  # the unchanged corpus again: nothing embedded
    assert 0 < r.search_p50_ms <= r.search_p95_ms  # (the filtered pass may match nothing at this size)
    assert "PostgreSQL server" in bench.format_result(r)

    with psycopg.connect(pg_server) as conn:
        made = [n for (n,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench_%'")]
    url = pg_server.replace("/postgres?", f"/{made[-1]}?") if "/postgres?" in pg_server else None
    assert url, pg_server
    timed = search_timing.measure(url, query_count=5, rounds=2, ask=True, model="hash:384", say=lambda m: None)
    assert timed["backend"] == "postgres" and timed["passages"] == r.passages and len(timed["rounds"]) == 2
    for row in timed["rounds"]:
        assert 0 < row["search_p50_ms"] <= row["search_p95_ms"]
        assert set(row["stages"]) >= {"embed", "dense", "keyword"} and row["ask_p50_ms"] > 0
    assert "round 2" in search_timing.format_result(timed)
