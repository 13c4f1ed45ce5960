"""eval/load.py: the bounded load test drives real servers on loopback and counts every answer."""
from __future__ import annotations

import io
import json

import pytest

from eval import load
from tests.test_app import index_dir  # noqa: F401  (fixture)
from ui import app as ui_app
from ui import server as ui_server


def test_drives_clients_against_servers_and_counts_every_answer(index_dir, capsys):  # noqa: F811
    servers = [ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=io.StringIO(), rate=0)
               for _ in range(2)]
    try:
        code = load.main([*[a for s in servers for a in ("--url", s.url)], "--clients", "6", "--requests", "4",
                          "--mix", "search=2,ask=1,decisions=1", "--fresh", "--json"])
    finally:
        for s in servers:
            s.stop()
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["errors"] == 0 and summary["requests"] == 24 and summary["servers"] == 2
    assert sum(v["requests"] for v in summary["routes"].values()) == 24
    assert all(v["p95_ms"] >= v["p50_ms"] > 0 for v in summary["routes"].values())


def test_errors_are_counted_not_hidden(index_dir, capsys, tmp_path):  # noqa: F811
    from ui.cli import main

    keys = tmp_path / "keys.json"
    assert main(["apikey", "add", "someone", "--keys", str(keys)]) == 0  # now a key is required, and none is sent
    server = ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=io.StringIO(), keys=keys)
    try:
        capsys.readouterr()
        with pytest.raises(SystemExit, match="did not answer"):
            load.wait_ready([(server.url.rstrip("/"), None)], None, timeout=1)
        load_results: list = []
        import asyncio

        asyncio.run(load.client(0, [server.url.rstrip("/")], None, 3, [("search", 1.0)], ["carers"], load_results))
    finally:
        server.stop()
    summary = load.summarise(load_results, 1.0)
    assert summary["errors"] == 3 and summary["routes"]["search"]["error_kinds"] == {"HTTP 401": 3}


def test_loopback_only():
    with pytest.raises(SystemExit, match="servers on this machine only"):
        load.main(["--url", "http://192.0.2.1:7860", "--clients", "1", "--requests", "1"])


def test_fresh_texts_never_repeat():
    texts = {load.fresh("q", n) for n in range(5000)}
    assert len(texts) == 5000
