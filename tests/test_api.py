"""The HTTP JSON API (``ui.api``): every route through FastAPI's test client and over a real server on 127.0.0.1,
the CLI's JSON, pagination, bad parameters as 4xx JSON, API keys and logins, the rate limit and "busy"."""
from __future__ import annotations

import base64
import io
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.test_app import AMOUNT_Q, index_dir  # noqa: F401  (fixture)
from ui import api as ui_api
from ui import app as ui_app
from ui import server as ui_server
from ui.cli import main
from ui.services import Services


def _client(index_dir, **make) -> TestClient:  # noqa: F811
    context = ui_server.ServerContext.make(Services(index_dir), **make)
    return TestClient(ui_server.build_app(None, context), base_url="http://127.0.0.1")


@pytest.fixture(scope="module", params=["testclient", "server"])
def client(request, index_dir):  # noqa: F811
    """The same API two ways: in process (TestClient, the API alone) and over a real server with the app."""
    if request.param == "testclient":
        with _client(index_dir) as c:
            yield c
        return
    server = ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=io.StringIO())
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=60) as c:
        yield c
    server.stop()


def _cli_json(capsys, *args) -> dict:
    capsys.readouterr()
    assert main([*args]) == 0
    return json.loads(capsys.readouterr().out)


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["detail"]


# --- every route ------------------------------------------------------------------------------------------

def test_status_says_what_the_index_holds(client):
    body = client.get("/api").json()
    assert body["index"]["decisions"] >= 4 and body["index"]["model"] == "hash:384"
    assert body["routes"]["docs"] == "/api/docs"


def test_search_is_the_clis_json(client, index_dir, capsys):  # noqa: F811
    cli = _cli_json(capsys, "search", "carers short breaks", "--k", "5", "--index", str(index_dir), "--json")
    body = client.get("/api/search", params={"q": "carers short breaks", "k": 5}).json()
    assert body["hits"] == cli["hits"] and len(body["hits"]) == 5
    assert body["hits"][0]["citation"].startswith("[22/00093 ")
    assert {"decision", "paragraph", "document", "score", "text", "citation", "title", "url"} <= set(body["hits"][0])


def test_search_pages(client):
    whole = client.get("/api/search", params={"q": "contract", "k": 9}).json()["hits"]
    first = client.get("/api/search", params={"q": "contract", "k": 3}).json()
    assert first["hits"] == whole[:3] and first["offset"] == 0 and first["k"] == 3
    second = client.get(first["next"]).json()
    assert second["offset"] == 3 and second["hits"] == whole[3:6]
    last = client.get("/api/search", params={"q": "contract", "k": 50, "offset": 50}).json()
    assert last["next"] is None  # 100 deep is as far as a search reads
    assert "at most 100 passages deep" in _error(client.get("/api/search", params={"q": "x", "k": 10,
                                                                                    "offset": 95}), 400)


def test_search_filters_apply_before_the_cut(client):
    hits = client.get("/api/search", params={"q": "Regulation 32", "status": "taken", "k": 20}).json()["hits"]
    assert hits and all(h["decision"] != "22/00093" for h in hits)
    only = client.get("/api/search", params={"q": "contract", "decision": "22/00093", "k": 20}).json()["hits"]
    assert only and {h["decision"] for h in only} == {"22/00093"}


def test_ask_is_the_clis_json(client, index_dir, capsys):  # noqa: F811
    cli = _cli_json(capsys, "ask", AMOUNT_Q, "--index", str(index_dir), "--json")
    body = client.get("/api/ask", params={"q": AMOUNT_Q}).json()
    assert body == cli
    assert not body["abstained"] and "£3.087m" in body["answer"]
    assert [c["decision"] for c in body["citations"]] == ["22/00093"]


def test_ask_abstains_plainly(client):
    body = client.get("/api/ask", params={"q": "What is the capital of France?"}).json()
    assert body["abstained"] and body["citations"] == []


def test_decisions_are_the_clis_json_a_page_at_a_time(client, index_dir, capsys):  # noqa: F811
    cli = _cli_json(capsys, "decisions", "--index", str(index_dir), "--json")["decisions"]
    body = client.get("/api/decisions").json()
    assert body["decisions"] == cli and body["total"] == len(cli) and body["next"] is None
    page = client.get("/api/decisions", params={"limit": 2}).json()
    assert page["decisions"] == cli[:2] and page["total"] == len(cli)
    rest = client.get(page["next"]).json()
    assert rest["decisions"] == cli[2:4] and rest["offset"] == 2


def test_decisions_take_the_search_filters(client):
    taken = client.get("/api/decisions", params={"status": "taken"}).json()["decisions"]
    assert taken and all(d["status"] == "taken" for d in taken)
    dated = client.get("/api/decisions", params={"from": "01/01/2021", "to": "2021-12-31"}).json()["decisions"]
    assert {d["id"] for d in dated} <= {"20/00102", "21/00081"} and dated


@pytest.mark.parametrize("path", ["/api/decisions/22/00093", "/api/decisions/22%2F00093"])
def test_one_decision_by_an_id_with_a_slash(client, path):
    body = client.get(path).json()
    assert body["id"] == "22/00093" and body["title"].startswith("CARERS")


def test_an_id_with_a_colon(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "minutes.md").write_text("EASTMARSH TOWN COUNCIL\n\nRECORD OF DECISION\n\nDecision no: 101\n\n"
                                       "Title of Decision: Bus shelter repairs\n\nDecision: repair the shelters.\n",
                                       encoding="utf-8")
    from index.build import build
    from index.embed import HashEmbedder

    build([corpus], tmp_path / "index", HashEmbedder(384), "hash:384")
    with _client(tmp_path / "index") as c:
        ids = [d["id"] for d in c.get("/api/decisions").json()["decisions"]]
        assert ids
        for number in ids:
            assert c.get(f"/api/decisions/{number}").json()["id"] == number


def test_no_such_decision_or_route(client):
    assert "no decision '22/99999'" in _error(client.get("/api/decisions/22/99999"), 404)
    assert "routes are listed at /api/docs" in _error(client.get("/api/nothing/here"), 404)
    response = client.post("/api/search", params={"q": "x"})
    assert "takes GET" in _error(response, 405) and response.headers["allow"] == "GET"


def test_openapi_lists_every_route_and_how_to_authenticate(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api", "/api/search", "/api/ask", "/api/decisions", "/api/decisions/{id}", "/api/similar/{id}",
            "/api/watches", "/api/watches/{name}/alerts"} <= set(spec["paths"])
    assert {"HTTPBearer", "APIKeyHeader", "HTTPBasic"} <= set(spec["components"]["securitySchemes"])
    k = next(p for p in spec["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "k")
    assert k["schema"]["type"] == "integer" and k["schema"]["maximum"] == 100


# --- bad requests: 4xx JSON with the validation layer's sentence ------------------------------------------

@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/api/search", {"q": "x", "k": 0}, 400, "k must be from 1 to 100 (got 0)"),
    ("/api/search", {"q": "x", "k": "ten"}, 400, "k must be a whole number from 1 to 100"),
    ("/api/search", {"q": "x", "k": 500}, 400, "k must be from 1 to 100 (got 500)"),
    ("/api/search", {"q": "x", "offset": -1}, 400, "offset must be from 0 to 99"),
    ("/api/search", {"q": ""}, 400, "the query is empty"),
    ("/api/search", {}, 400, "the query is empty"),
    ("/api/search", {"q": "x" * 5000}, 400, "the query is 5,000 characters long"),
    ("/api/search", {"q": "x", "mode": "fuzzy"}, 400, "mode must be one of hybrid, dense, keyword"),
    ("/api/search", {"q": "x", "kk": 5}, 400, "unknown parameter 'kk'"),
    ("/api/search", {"q": "x", "from": "notadate"}, 400, "filter from='notadate' is not a date"),
    ("/api/search", {"q": "x", "to": "2022-13-45"}, 400, "is not a real date"),
    ("/api/search", {"q": "x", "from": "2023-01-01", "to": "2022-01-01"}, 400, "is after to"),
    ("/api/ask", {"q": "x", "key": "maybe"}, 400, "key takes yes or no"),
    ("/api/ask", {"q": "x", "maker": "m" * 300}, 400, "filter maker is 300 characters; at most 200"),
    ("/api/ask", {"q": "\x00\x00"}, 400, "the question is empty"),
    ("/api/ask", {"q": "x", "k": 101}, 400, "k must be from 1 to 100"),
    ("/api/decisions", {"limit": 1000}, 400, "limit must be from 1 to 500"),
    ("/api/decisions", {"offset": "x"}, 400, "offset must be a whole number"),
])
def test_bad_parameters_are_answered_with_json(client, path, params, status, message):
    assert message in _error(client.get(path, params=params), status)


def test_each_parameter_once(client):
    assert "given more than once" in _error(client.get("/api/search?q=x&k=1&k=2"), 400)


def test_request_size_limits(client):
    assert "no request body" in _error(client.request("GET", "/api/search", params={"q": "x"},
                                                      content=b"x" * 100), 413)
    long = "q=" + "x" * (ui_api.MAX_QUERY_BYTES + 10)
    assert "over 12 KB" in _error(client.get(f"/api/search?{long}"), 414)


def test_no_index_is_a_503_sentence(tmp_path):
    with _client(tmp_path / "none") as c:
        assert "no index at" in _error(c.get("/api/search", params={"q": "x"}), 503)


def test_an_unexpected_failure_is_a_500_sentence_not_a_trace(index_dir, monkeypatch):  # noqa: F811
    def broken(self, req):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ui_api.Api, "_search", broken)
    with _client(index_dir) as c:
        detail = _error(c.get("/api/search", params={"q": "x"}), 500)
    assert "RuntimeError" in detail and "secret internals" not in detail


# --- who may call -----------------------------------------------------------------------------------------

def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_open_on_loopback_until_a_key_is_issued_then_a_key_is_required(index_dir, tmp_path, capsys):  # noqa: F811
    keys = tmp_path / "keys.json"
    with _client(index_dir, keys=keys) as c:
        assert c.get("/api/decisions").status_code == 200  # no key issued, no login: this machine may
        assert main(["apikey", "add", "newsroom-bot", "--keys", str(keys), "--json"]) == 0
        key = json.loads(capsys.readouterr().out)["key"]
        response = c.get("/api/decisions")
        assert "asks for an API key" in _error(response, 401) and "Bearer" in response.headers["www-authenticate"]
        assert c.get("/api/decisions", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert c.get("/api/decisions", headers={"X-API-Key": key}).status_code == 200
        wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
        assert "not valid" in _error(c.get("/api/decisions", headers={"X-API-Key": wrong}), 401)
        assert "not understood" in _error(c.get("/api/decisions", headers={"Authorization": "Digest x"}), 401)
        assert main(["apikey", "remove", "newsroom-bot", "--keys", str(keys)]) == 0
        assert c.get("/api/decisions", headers={"X-API-Key": key}).status_code == 401  # refused without a restart
    assert key not in keys.read_text() and oct(keys.stat().st_mode & 0o777) == "0o600"


def test_with_logins_the_api_takes_a_login_or_a_key(index_dir, tmp_path, capsys):  # noqa: F811
    keys = tmp_path / "keys.json"
    assert main(["apikey", "add", "script", "--keys", str(keys), "--json"]) == 0
    key = json.loads(capsys.readouterr().out)["key"]
    with _client(index_dir, logins=[("ann", "correct-horse")], keys=keys) as c:
        assert c.get("/api/decisions", headers=_basic("ann", "correct-horse")).status_code == 200
        assert "not known" in _error(c.get("/api/decisions", headers=_basic("ann", "wrong-horse")), 401)
        assert c.get("/api/decisions", headers={"X-API-Key": key}).status_code == 200
        assert _error(c.get("/api/ask", params={"q": "x"}), 401)  # every route


def test_a_server_with_keys_but_no_logins_still_refuses_other_addresses(index_dir, tmp_path):  # noqa: F811
    keys = tmp_path / "keys.json"
    assert main(["apikey", "add", "script", "--keys", str(keys)]) == 0
    with pytest.raises(ValueError, match="refusing to listen on 0.0.0.0 without --auth"):
        ui_server.serve(ui_app.create_app(index_dir), host="0.0.0.0", port=0, block=False, out=io.StringIO(),
                        keys=keys)


def test_a_keys_file_others_can_write_is_refused(index_dir, tmp_path):  # noqa: F811
    keys = tmp_path / "keys.json"
    assert main(["apikey", "add", "script", "--keys", str(keys)]) == 0
    os.chmod(keys, 0o666)
    with pytest.raises(ValueError, match="others can write to it"):
        ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=io.StringIO(), keys=keys)
    with _client(index_dir, keys=keys) as c:  # made writable while serving: every request refused, none let in
        assert "cannot be read" in _error(c.get("/api/decisions"), 503)


def test_apikey_commands(tmp_path, capsys):
    keys = ["--keys", str(tmp_path / "k.json")]
    assert main(["apikey", "list", *keys]) == 0 and "no API keys issued" in capsys.readouterr().out
    assert main(["apikey", "add", "a-bot", *keys]) == 0
    shown = capsys.readouterr().out
    assert "only time it is shown" in shown and "cqa_" in shown
    assert main(["apikey", "add", "a-bot", *keys]) == 2 and "exists" in capsys.readouterr().err
    assert main(["apikey", "add", "no spaces", *keys]) == 2 and "a key's name" in capsys.readouterr().err
    assert main(["apikey", "list", "--json", *keys]) == 0
    listed = json.loads(capsys.readouterr().out)["keys"]
    assert [k["name"] for k in listed] == ["a-bot"] and "sha256" not in listed[0]
    assert main(["apikey", "remove", "nobody", *keys]) == 2 and "no key" in capsys.readouterr().err
    assert main(["apikey", "remove", listed[0]["id"], *keys]) == 0
    assert json.loads((tmp_path / "k.json").read_text())["keys"] == []


# --- how often: the rate limit and "busy" -----------------------------------------------------------------

def test_rate_limit_is_429_json_per_caller(index_dir, tmp_path, capsys):  # noqa: F811
    keys = tmp_path / "keys.json"
    issued = []
    for name in ("one", "two"):
        assert main(["apikey", "add", name, "--keys", str(keys), "--json"]) == 0
        issued.append(json.loads(capsys.readouterr().out)["key"])
    with _client(index_dir, keys=keys, rate=3) as c:
        for _ in range(3):
            assert c.get("/api", headers={"X-API-Key": issued[0]}).status_code == 200
        response = c.get("/api", headers={"X-API-Key": issued[0]})
        assert "more than 3 requests a minute from the key one" in _error(response, 429)
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert c.get("/api", headers={"X-API-Key": issued[1]}).status_code == 200  # another caller, its own count


def test_a_crowd_past_the_queue_is_told_busy_at_once(index_dir, monkeypatch):  # noqa: F811
    release = threading.Event()

    def slow(self, req):
        release.wait(30)
        return {"hits": []}

    monkeypatch.setattr(ui_api.Api, "_search", slow)
    monkeypatch.setattr(ui_api, "MAX_WAITING", 3)
    server = ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=io.StringIO(), rate=0)
    try:
        def one(_):
            return httpx.get(server.url + "api/search", params={"q": "x"}, timeout=60)

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(one, i) for i in range(8)]
            time.sleep(2)  # three are held (two at work, one waiting), five told "busy" at once
            release.set()
            answers = [f.result() for f in futures]
        busy = [r for r in answers if r.status_code == 503]
        assert len(busy) == 5 and all("busy" in r.json()["detail"] for r in busy)
        assert all(r.headers["retry-after"] == "1" for r in busy)
        assert sum(r.status_code == 200 for r in answers) == 3
    finally:
        server.stop()


def test_the_server_says_it_serves_the_api(index_dir, tmp_path):  # noqa: F811
    out = io.StringIO()
    server = ui_server.serve(ui_app.create_app(index_dir), port=0, block=False, out=out, keys=tmp_path / "k.json")
    try:
        said = out.getvalue()
        assert f"API:   {server.url}api/  (docs: {server.url}api/docs)" in said
        assert "at most 120 requests a minute a caller" in said
    finally:
        server.stop()


def test_cli_serve_checks_its_new_options(index_dir, capsys):  # noqa: F811
    assert main(["serve", "--index", str(index_dir), "--rate-limit", "-1"]) == 2
    assert "--rate-limit must be from 0" in capsys.readouterr().err


def test_keys_file_lives_in_the_index_directory_by_default(index_dir):  # noqa: F811
    context = ui_server.ServerContext.make(Services(index_dir))
    assert context.access.keys.path == Path(index_dir) / "apikeys.json"


# --- the other engineers' library calls, as their commands print them -------------------------------------

def test_similar_is_the_clis_json(client, index_dir, capsys):  # noqa: F811
    cli = _cli_json(capsys, "similar", "22/00093", "--k", "3", "--index", str(index_dir), "--json")
    body = client.get("/api/similar/22/00093", params={"k": 3}).json()
    assert body == cli and body["decision"]["id"] == "22/00093"
    assert "no decision '22/99999'" in _error(client.get("/api/similar/22/99999"), 404)
    assert "other_councils takes yes or no" in _error(client.get("/api/similar/22/00093",
                                                                  params={"other_councils": "perhaps"}), 400)
    assert "not both" in _error(client.get("/api/similar/22/00093", params={"council": "Kent",
                                                                            "other_councils": "yes"}), 400)


def test_watches_are_the_clis_json(tmp_path, index_dir, capsys):  # noqa: F811
    import shutil

    own = tmp_path / "index"
    shutil.copytree(index_dir, own)
    with _client(own) as c:
        assert c.get("/api/watches").json() == {"watches": []}  # none kept, and no store made by asking
        from index.watchstore import WatchStore

        assert not WatchStore.exists(own)
        assert main(["watch", "add", "carers", "carers short breaks", "--existing", "--index", str(own)]) == 0
        assert main(["watch", "run", "--index", str(own)]) == 0
        listed = _cli_json(capsys, "watch", "list", "--index", str(own), "--json")
        assert c.get("/api/watches").json() == listed and listed["watches"][0]["name"] == "carers"
        alerts = _cli_json(capsys, "watch", "alerts", "carers", "--index", str(own), "--json", "--limit", "5")
        body = c.get("/api/watches/carers/alerts", params={"limit": 5}).json()
        assert body == alerts and body["alerts"]
        assert "no watch named 'nobody'" in _error(c.get("/api/watches/nobody/alerts"), 404)
