"""The awards ledger and the organisations in the HTTP API (``ui.api_ledger``): ``GET /api/awards``, ``GET /api/orgs``
and ``GET /api/orgs/{name}`` through FastAPI's test client and over a real server on 127.0.0.1, each the JSON (CSV,
OCDS) the CLI prints for the same request; pagination; bad parameters as 400 JSON; an unknown organisation 404;
the server's access rules; the same answers from an index in PostgreSQL. The CLI and the Awards tab share the
checks (``index.requests.awards_request``). The sample corpus and two decisions of ours, the hashing embedder."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures
from ui import app as ui_app
from ui import server as ui_server
from ui.cli import main
from ui.services import Services

DATA = Path(__file__).resolve().parent / "data"


def _corpus(folder: Path) -> Path:
    """The sample (Kent's decisions) and the two awards to Acme Care (printed two ways), in one folder."""
    corpus = folder / "corpus"
    shutil.copytree(SAMPLE, corpus, ignore=shutil.ignore_patterns("README.md"))
    for page in (DATA / "awards").glob("*.txt"):
        shutil.copy(page, corpus / page.name)
    return corpus


def _ingest(corpus: Path, where: str) -> None:
    assert main(["ingest", str(corpus), "--index", where, "--json"]) == 0


@pytest.fixture(scope="module")
def ledger_index(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("api-ledger")
    _ingest(_corpus(folder), str(folder / "index"))
    return str(folder / "index")


def _test_client(index: str | Path, **make) -> TestClient:
    context = ui_server.ServerContext.make(Services(Path(index)), **{"rate": 0, **make})
    return TestClient(ui_server.build_app(None, context), base_url="http://127.0.0.1")


@pytest.fixture(scope="module", params=["testclient", "server"])
def client(request, ledger_index):
    """The same routes two ways: in process (the API alone) and over a real server with the app, on 127.0.0.1."""
    if request.param == "testclient":
        with _test_client(ledger_index) as c:
            yield c
        return
    server = ui_server.serve(ui_app.create_app(Path(ledger_index)), port=0, block=False, out=io.StringIO(), rate=0)
    try:
        with httpx.Client(base_url=server.url.rstrip("/"), timeout=60) as c:
            yield c
    finally:
        server.stop()


def _cli(capsys, *argv) -> str:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["detail"]


# --- GET /api/awards: the CLI's JSON, its filters ---------------------------------------------------------------

def test_awards_is_the_clis_json_with_its_next_page(client, ledger_index, capsys):
    cli = json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index))
    body = client.get("/api/awards").json()
    assert body["awards"] == cli["awards"] and body["total"] == cli["total"] == len(cli["awards"]) > 20
    assert body["next"] is None and body["offset"] == 0 and body["limit"] == 100 and not body["total_is_floor"]
    page = json.loads(_cli(capsys, "awards", "--json", "--limit", "5", "--offset", "3", "--index", ledger_index))
    got = client.get("/api/awards", params={"limit": 5, "offset": 3}).json()
    assert {k: v for k, v in got.items() if k != "next"} == page  # the CLI's --json, and the next page beside it
    assert page["awards"] == cli["awards"][3:8] and got["next"] == "/api/awards?limit=5&offset=8"
    row = next(a for a in body["awards"] if a["text"] == "£3.087m")
    assert (row["decision"], row["status"], row["date"], row["citation"]) == (
        "22/00093", "proposed", "2022-09-28", "[22/00093 Financial Implications ¶2]")


@pytest.mark.parametrize(("params", "argv"), [
    ({"min": "1m"}, ["--min", "1m"]),
    ({"min": "£100k", "max": "5,000,000"}, ["--min", "£100k", "--max", "5,000,000"]),
    ({"from": "2022-01-01"}, ["--from", "2022-01-01"]),
    ({"to": "31/12/2021"}, ["--to", "31/12/2021"]),
    ({"council": "kent"}, ["--council", "kent"]),
    ({"maker": "clair bell", "sort": "-value"}, ["--maker", "clair bell", "--sort=-value"]),
    ({"kind": ["saving", "contract_value"]}, ["--kind", "saving", "--kind", "contract_value"]),
    ({"kind": "threshold"}, ["--kind", "threshold"]),
    ({"org": "ACME CARE LIMITED", "sort": "date"}, ["--org", "ACME CARE LIMITED", "--sort", "date"]),
    ({"status": "Proposed"}, ["--status", "Proposed"]),
    ({"decision": "21/00081", "sort": "-date"}, ["--decision", "21/00081", "--sort=-date"]),
    ({"sort": "council"}, ["--sort", "council"]),
    ({"decision": "22/00034", "all_printings": "yes"}, ["--decision", "22/00034", "--all-printings"]),
])
def test_awards_take_the_clis_filters(client, ledger_index, capsys, params, argv):
    cli = json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index, *argv))
    body = client.get("/api/awards", params=params).json()
    assert body["awards"] == cli["awards"] and body["total"] == cli["total"]
    assert cli["awards"]  # every filter here selects something (and not everything: see the next test)


def test_the_filters_select(client):
    every = client.get("/api/awards").json()["total"]
    kinds = client.get("/api/awards", params={"kind": ["saving", "contract_value"]}).json()["awards"]
    assert {a["kind"] for a in kinds} == {"saving", "contract_value"} and len(kinds) < every
    acme = client.get("/api/awards", params={"org": "acme care ltd"}).json()["awards"]
    assert {a["text"] for a in acme} == {"£1,650,000", "£560,000"}
    kent = client.get("/api/awards", params={"council": "KENT"}).json()
    assert kent["total"] == every - 2 and {a["council"] for a in kent["awards"]} == {"Kent County Council"}
    dated = client.get("/api/awards", params={"sort": "date"}).json()["awards"]
    assert [a["date"] for a in dated] == sorted((a["date"] for a in dated), reverse=True)
    again = client.get("/api/awards", params={"decision": "22/00034", "all_printings": "yes"}).json()["total"]
    assert again > client.get("/api/awards", params={"decision": "22/00034"}).json()["total"]


def test_awards_pages_follow_to_the_end(client):
    whole = client.get("/api/awards", params={"kind": ["annual_cost", "contract_value"], "sort": "-value"}).json()
    assert whole["total"] > 7
    seen, url, pages = [], "/api/awards?kind=annual_cost&kind=contract_value&sort=-value&limit=3", 0
    while url:
        page = client.get(url).json()
        assert page["total"] == whole["total"] and page["offset"] == len(seen) and page["limit"] == 3
        seen += page["awards"]
        url, pages = page["next"], pages + 1
        assert url is None or "kind=annual_cost&kind=contract_value" in url  # a repeated filter stays in the link
    assert seen == whole["awards"] and pages == -(-whole["total"] // 3)
    past = client.get("/api/awards", params={"offset": 10_000}).json()
    assert past["awards"] == [] and past["next"] is None and past["total"] == client.get("/api/awards").json()["total"]


# --- CSV and OCDS -----------------------------------------------------------------------------------------------

def test_awards_as_csv_are_the_clis_bytes(client, ledger_index, capsys):
    response = client.get("/api/awards", params={"min": "1m", "format": "csv", "limit": 4})
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="awards.csv"'
    cli = _cli(capsys, "awards", "--min", "1m", "--csv", "--limit", "4", "--index", ledger_index)
    assert response.text == cli
    rows = list(csv.DictReader(io.StringIO(response.text)))
    every = client.get("/api/awards", params={"min": "1m"}).json()
    assert len(rows) == 4 and int(response.headers["x-total-count"]) == every["total"] > 4
    assert [r["citation"] for r in rows] == [a["citation"] for a in every["awards"][:4]]
    assert response.headers["link"] == '</api/awards?min=1m&format=csv&limit=4&offset=4>; rel="next"'
    rest = client.get("/api/awards", params={"min": "1m", "format": "csv", "limit": 100, "offset": 4})
    assert "link" not in rest.headers
    assert any(r["amount"] == "£3.087m" and r["status"] == "proposed" for r in csv.DictReader(io.StringIO(rest.text)))


def _ocds_validator():
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    release = json.loads((DATA / "ocds" / "release-schema.json").read_text(encoding="utf-8"))
    package = json.loads((DATA / "ocds" / "release-package-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(release["id"], DRAFT4.create_resource(release))  # offline: the copy here
    return jsonschema.Draft4Validator(package, registry=registry,
                                      format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_awards_as_ocds_validate_and_are_the_clis(client, ledger_index, capsys):
    response = client.get("/api/awards", params={"format": "ocds", "limit": 1000})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    package = response.json()
    validator = _ocds_validator()
    errors = sorted(validator.iter_errors(package), key=str)
    assert not errors, errors[0]
    cli = json.loads(_cli(capsys, "awards", "--ocds", "--index", ledger_index))
    assert package["releases"] == cli["releases"] and len(package["releases"]) == int(response.headers["x-total-count"])
    award = next(r for r in package["releases"] if r.get("awards") and r["awards"][0]["value"]["amount"] == 3087000)
    assert award["awards"][0]["status"] == "pending"  # 22/00093 is proposed
    broken = response.json()
    broken["releases"][0]["tag"] = "nonsense"
    assert list(validator.iter_errors(broken))  # the check could fail
    acme = client.get("/api/awards", params={"format": "ocds", "limit": 1, "org": "acme"}).json()
    cli = json.loads(_cli(capsys, "awards", "--ocds", "--org", "acme", "--limit", "1", "--index", ledger_index))
    assert acme["releases"] == cli["releases"] and len(acme["releases"]) == 1 and not list(validator.iter_errors(acme))


# --- GET /api/orgs and /api/orgs/{name} -------------------------------------------------------------------------

def test_orgs_are_the_clis_json_a_page_at_a_time(client, ledger_index, capsys):
    cli = json.loads(_cli(capsys, "orgs", "--json", "--index", ledger_index))["organisations"]
    body = client.get("/api/orgs").json()
    assert body["organisations"] == cli and body["total"] == len(cli) >= 5 and body["next"] is None
    assert cli[0]["key"] == "acme care limited"  # most decisions first
    first = client.get("/api/orgs", params={"limit": 2}).json()
    assert first["organisations"] == cli[:2] and first["total"] == len(cli)
    second = client.get(first["next"]).json()
    assert second["organisations"] == cli[2:4] and second["offset"] == 2


@pytest.mark.parametrize(("name", "keys"), [
    ("acme care ltd", {"acme care limited"}),
    ("ACME", {"acme care limited"}),
    ("icb", {"icb", "nhs k&m icb"}),
    ("the", set()),  # a word every name drops names none, not every one
    ("Nobody Holdings plc", set()),
])
def test_orgs_by_name(client, name, keys):
    found = client.get("/api/orgs", params={"name": name}).json()
    assert {o["key"] for o in found["organisations"]} == keys and found["total"] == len(keys)


@pytest.mark.parametrize("path", ["/api/orgs/acme care ltd", "/api/orgs/ACME%20CARE%20LIMITED", "/api/orgs/Acme"])
def test_one_organisation_is_the_clis_json(client, ledger_index, capsys, path):
    cli = json.loads(_cli(capsys, "orgs", "Acme Care Ltd", "--json", "--index", ledger_index))
    assert client.get(path).json() == cli
    assert cli["key"] == "acme care limited" and {a["text"] for a in cli["awards"]} == {"£1,650,000", "£560,000"}
    assert len(cli["mentions"]) == 2


def test_an_organisation_whose_name_holds_an_ampersand(client, ledger_index, capsys):
    cli = json.loads(_cli(capsys, "orgs", "NHS K&M ICB", "--json", "--index", ledger_index))
    assert client.get("/api/orgs/NHS%20K%26M%20ICB").json() == cli and cli["name"] == "NHS K&M ICB"


@pytest.mark.parametrize("name", ["Nobody Holdings plc", "the"])
def test_an_unknown_organisation_is_404_json(client, ledger_index, capsys, name):
    assert "no organisation named like" in _error(client.get(f"/api/orgs/{name}"), 404)
    assert main(["orgs", name, "--index", ledger_index]) == 2
    assert "no organisation named like" in capsys.readouterr().err


# --- bad parameters: 400 JSON with the validation layer's sentence ----------------------------------------------

@pytest.mark.parametrize(("path", "params", "message"), [
    ("/api/awards", {"min": "lots"}, "min: 'lots' is not an amount: write 1m, 250k, £1.5m or 1000000"),
    ("/api/awards", {"max": "-5"}, "max: '-5' is not an amount"),
    ("/api/awards", {"min": "2m", "max": "1m"}, "min (2,000,000) is more than max (1,000,000): no amount is both"),
    ("/api/awards", {"from": "2023-01-01", "to": "2022-01-01"}, "is after to"),
    ("/api/awards", {"from": "2022-02-30"}, "2022-02-30"),
    ("/api/awards", {"kind": ["grant", "bribe"]}, "kind 'bribe' is not one of: contract_value, annual_cost"),
    ("/api/awards", {"sort": "cheapest"}, "sort 'cheapest' is not one of: value, -value, date, -date, council"),
    ("/api/awards", {"format": "xml"}, "format must be one of json, csv, ocds (got 'xml')"),
    ("/api/awards", {"limit": 0}, "limit must be from 1 to 1000 (got 0)"),
    ("/api/awards", {"limit": 5000}, "limit must be from 1 to 1000 (got 5000)"),
    ("/api/awards", {"limit": "ten"}, "limit must be a whole number from 1 to 1000"),
    ("/api/awards", {"offset": -1}, "offset must be from 0 to 1,000,000 (got -1)"),
    ("/api/awards", {"all_printings": "perhaps"}, "all_printings takes yes or no"),
    ("/api/awards", {"council": "c" * 300}, "council is 300 characters; at most 200"),
    ("/api/awards", {"minimum": "1m"}, "unknown parameter 'minimum': /api/awards takes "),
    ("/api/orgs", {"limit": 0}, "limit must be from 1 to 1000 (got 0)"),
    ("/api/orgs", {"offset": "x"}, "offset must be a whole number"),
    ("/api/orgs", {"name": "n" * 300}, "the organisation name is 300 characters long; at most 200"),
    ("/api/orgs", {"q": "acme"}, "unknown parameter 'q'"),
    ("/api/orgs/" + "a" * 300, {}, "the organisation name is 300 characters long; at most 200"),
])
def test_bad_parameters_are_one_sentence_in_json(client, path, params, message):
    assert message in _error(client.get(path, params=params), 400)


def test_a_parameter_given_twice_is_refused_unless_it_is_a_list(client):
    assert "parameter 'sort' is given more than once" in _error(client.get("/api/awards?sort=value&sort=date"), 400)
    assert client.get("/api/awards?kind=grant&kind=saving").status_code == 200


def test_the_cli_and_the_awards_tab_give_the_same_sentences(ledger_index, capsys):
    from index.errors import BadRequest
    from ui.tabs.awards import awards_page, query_of

    assert main(["awards", "--sort", "cheapest", "--index", ledger_index]) == 2
    err = capsys.readouterr().err
    assert "--sort 'cheapest' is not one of: value, -value, date, -date, council" in err
    assert main(["awards", "--sort=-value", "--limit", "1", "--json", "--index", ledger_index]) == 0
    assert json.loads(capsys.readouterr().out)["awards"][0]["value"] == min(
        a["value"] for a in json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index))["awards"])
    assert main(["awards", "--offset", "many", "--index", ledger_index]) == 2
    assert "--offset must be a whole number" in capsys.readouterr().err
    with pytest.raises(BadRequest, match="sort 'cheapest' is not one of"):
        query_of(sort="cheapest")
    rows, notice, _ = awards_page(Services(Path(ledger_index)), "lots")
    assert rows == [] and notice == "Not listed: min: 'lots' is not an amount: write 1m, 250k, £1.5m or 1000000"


def test_the_cli_text_pages_with_offset(ledger_index, capsys):
    out = _cli(capsys, "awards", "--limit", "2", "--offset", "2", "--index", ledger_index)
    total = json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index))["total"]
    assert out.rstrip().endswith(f"3-4 of {total:,} shown (--offset 4 for the next, --csv or --json for all)")


# --- the API's docs and its access rules hold for these routes --------------------------------------------------

def test_openapi_documents_the_ledger_routes(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/awards", "/api/orgs", "/api/orgs/{name}"} <= set(spec["paths"])
    params = {p["name"]: p for p in spec["paths"]["/api/awards"]["get"]["parameters"]}
    assert {"min", "max", "from", "to", "council", "maker", "kind", "org", "status", "decision", "sort", "limit",
            "offset", "all_printings", "format"} == set(params)
    assert params["kind"]["schema"]["type"] == "array" and "grant" in params["kind"]["schema"]["items"]["enum"]
    assert params["format"]["schema"]["enum"] == ["json", "csv", "ocds"]
    assert params["limit"]["schema"]["type"] == "integer" and params["limit"]["schema"]["maximum"] == 1000
    assert spec["paths"]["/api/awards"]["get"]["security"]  # behind the same keys and logins as every route
    routes = client.get("/api").json()["routes"]
    assert (routes["awards"], routes["orgs"], routes["organisation"]) == ("/api/awards", "/api/orgs",
                                                                           "/api/orgs/NAME")


ROUTES = ["/api/awards", "/api/awards?format=csv", "/api/orgs", "/api/orgs/acme"]


def test_with_logins_every_ledger_route_asks_for_one(ledger_index, tmp_path, capsys):
    """Any address but this machine's needs ``--auth``: with logins, no request without a login or a key."""
    keys = tmp_path / "keys.json"
    assert main(["apikey", "add", "newsroom", "--keys", str(keys), "--json"]) == 0
    key = json.loads(capsys.readouterr().out)["key"]
    with _test_client(ledger_index, logins=[("ann", "correct-horse")], keys=keys) as c:
        for route in ROUTES:
            response = c.get(route)
            assert "asks for an API key" in _error(response, 401) and "Basic" in response.headers["www-authenticate"]
            assert c.get(route, headers={"X-API-Key": key}).status_code == 200
            assert c.get(route, auth=("ann", "correct-horse")).status_code == 200
            assert "not known" in _error(c.get(route, auth=("ann", "wrong-horse")), 401)


def test_on_loopback_a_key_once_issued_is_required(ledger_index, tmp_path, capsys):
    keys = tmp_path / "keys.json"
    with _test_client(ledger_index, keys=keys) as c:
        assert all(c.get(route).status_code == 200 for route in ROUTES)  # open to this machine until a key exists
        assert main(["apikey", "add", "script", "--keys", str(keys), "--json"]) == 0
        key = json.loads(capsys.readouterr().out)["key"]
        for route in ROUTES:
            assert "asks for an API key" in _error(c.get(route), 401)
            assert c.get(route, headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_the_rate_limit_counts_ledger_requests(ledger_index):
    with _test_client(ledger_index, rate=2) as c:
        assert c.get("/api/awards").status_code == 200 and c.get("/api/orgs").status_code == 200
        assert "more than 2 requests a minute" in _error(c.get("/api/orgs/acme"), 429)


# --- PostgreSQL: the same answers from an index in a database ---------------------------------------------------

def test_the_ledger_routes_answer_the_same_from_postgres(pg_url, tmp_path):
    from index import backends

    corpus = _corpus(tmp_path)  # one corpus, so each row names the same document file
    for where in (str(tmp_path / "index"), pg_url):
        _ingest(corpus, where)
    asks = [("/api/awards", {}), ("/api/awards", {"min": "1m", "sort": "date", "limit": 3, "offset": 1}),
            ("/api/awards", {"org": "acme", "kind": ["contract_value", "annual_cost"]}),
            ("/api/awards", {"council": "kent", "format": "csv"}), ("/api/orgs", {"limit": 3}),
            ("/api/orgs", {"name": "icb"}), ("/api/orgs/ACME CARE LIMITED", {}), ("/api/orgs/NHS K&M ICB", {})]
    with _test_client(tmp_path / "index") as local, _test_client(backends.resolve(pg_url)) as pg:
        for path, params in asks:
            a, b = local.get(path, params=params), pg.get(path, params=params)
            assert a.status_code == b.status_code == 200, (path, b.text)
            assert a.content == b.content and a.headers.get("link") == b.headers.get("link"), path
        assert "no organisation named like" in _error(pg.get("/api/orgs/Nobody plc"), 404)



def test_past_the_count_cap_the_total_is_a_floor_and_an_export_counts_every_row(ledger_index, capsys, monkeypatch):
    from index import ledger

    every = json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index))["total"]
    monkeypatch.setattr(ledger, "COUNT_CAP", 5)  # counting stops past 5 rows, as it does past 10,000
    with _test_client(ledger_index) as c:
        page = c.get("/api/awards", params={"limit": 3}).json()
        assert (page["total"], page["total_is_floor"], page["next"]) == (6, True, "/api/awards?limit=3&offset=3")
        response = c.get("/api/awards", params={"limit": 3, "format": "csv"})
        assert response.headers["x-total-count"] == "6" and response.headers["x-total-is-floor"] == "true"
        assert "x-total-is-floor" not in c.get("/api/awards", params={"kind": "saving", "format": "csv"}).headers
        last = c.get("/api/awards", params={"limit": 1000, "offset": 2}).json()  # read to the end: counted
        assert (last["total"], last["total_is_floor"], last["next"]) == (every, False, None)
    exported = json.loads(_cli(capsys, "awards", "--json", "--index", ledger_index))
    assert exported["total"] == len(exported["awards"]) == every and not exported["total_is_floor"]
    text = _cli(capsys, "awards", "--limit", "2", "--index", ledger_index)
    assert text.rstrip().endswith("2 of more than 5 shown (--offset 2 for the next, --csv or --json for all)")


def test_a_sort_value_that_starts_with_a_dash_is_the_options(ledger_index, capsys):
    """``awards --sort -value`` as a person types it, not only ``--sort=-value``."""
    capsys.readouterr()
    assert main(["awards", "--sort", "-value", "--limit", "3", "--json", "--index", ledger_index]) == 0
    typed = json.loads(capsys.readouterr().out)
    assert main(["awards", "--sort=-value", "--limit", "3", "--json", "--index", ledger_index]) == 0
    assert typed == json.loads(capsys.readouterr().out)
    values = [a["value"] for a in typed["awards"]]
    assert values == sorted(values)  # smallest first
