"""``--index postgresql://...`` through the command line, the HTTP API on a real server and watches: the same JSON
as an index directory gives for the same files. A real PostgreSQL server, the hashing embedder."""
from __future__ import annotations

import io
import json
import shutil

import httpx
import pytest

from tests.conftest import SAMPLE, change_sample
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures
from ui.cli import main


def _json(capsys, *argv) -> dict:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def both(pg_url, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    local = str(tmp_path / "index")
    outs = [_json(capsys, "ingest", str(corpus), "--index", where, "--json") for where in (local, pg_url)]
    return local, pg_url, corpus, outs


def test_ingest_reports_the_same(both):
    local, url, _, (a, b) = both
    assert a == b
    assert b["index"] == {"documents": 5, "passages": b["passages"], "decisions": 4}


@pytest.mark.parametrize("argv", [
    ["search", "carers short breaks direct award", "--json"],
    ["search", "Regulation 32", "--filter", "status=proposed", "--json", "--mode", "keyword"],
    ["search", "total forecast spend 2021-22", "--k", "3", "--json", "--mode", "dense"],
    ["ask", "How much is the carers' short breaks direct award worth?", "--json"],
    ["ask", "Which key decisions were taken in 2021?", "--json"],
    ["ask", "How much did the council spend on pothole repairs in 2022?", "--json"],
    ["decisions", "--json"],
    ["awards", "--json"],
    ["orgs", "--json"],
    ["similar", "22/00093", "--json"],
])
def test_every_command_answers_the_same(both, capsys, argv):
    local, url, _, _ = both
    assert _json(capsys, *argv, "--index", local) == _json(capsys, *argv, "--index", url)


def test_the_index_from_the_environment(both, capsys, monkeypatch):
    local, url, _, _ = both
    monkeypatch.setenv("COUNCILQA_INDEX", url)
    assert _json(capsys, "search", "short breaks", "--json") == \
        _json(capsys, "search", "short breaks", "--json", "--index", local)


def test_the_api_on_a_real_server_reads_the_database(both, capsys):
    from index import backends
    from ui import app as ui_app
    from ui import server as ui_server

    local, url, corpus, _ = both
    server = ui_server.serve(ui_app.create_app(backends.resolve(url)), port=0, block=False, out=io.StringIO())
    try:
        with httpx.Client(base_url=server.url.rstrip("/"), timeout=60) as c:
            status = c.get("/api").json()
            assert status["index"]["generation"] == "gen-000001" and status["index"]["passages"] > 100
            got = c.get("/api/search", params={"q": "carers short breaks", "k": 5}).json()
            assert got["hits"] == _json(capsys, "search", "carers short breaks", "--k", "5", "--json",
                                        "--index", local)["hits"]
            assert c.get("/api/decisions/22/00093").json()["number"] == "22/00093"
            _, removed = change_sample(corpus)
            _json(capsys, "ingest", str(corpus), "--index", url, "--remove", str(removed), "--json")
            status = c.get("/api").json()  # the server sees the new generation at its next request
            assert status["index"]["generation"] == "gen-000002"
            assert c.get("/api/search", params={"q": "street lighting lamps", "k": 1}).json()["hits"][0]["decision"] \
                == "23/00777"
    finally:
        server.stop()


def test_watches_see_what_an_ingest_changed(both, capsys):
    local, url, corpus, _ = both
    assert main(["watch", "add", "lighting", "street lighting", "--index", url]) == 0
    _, removed = change_sample(corpus)
    out = _json(capsys, "ingest", str(corpus), "--index", url, "--remove", str(removed), "--json")
    reported = {a["decision"] for w in out["watches"] for a in w["alerts"]}
    assert "23/00777" in reported
    alerts = _json(capsys, "watch", "alerts", "lighting", "--index", url, "--json")
    assert any(a["decision"] == "23/00777" for a in alerts["alerts"])
