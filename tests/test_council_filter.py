"""The council filter (``index.council_filter``) over neighbours whose names nest: Suffolk County Council, East
Suffolk Council and Mid Suffolk District Council in one index (pages written for these tests, in the ModernGov
decisions-list layout), and two invented councils the national list lacks. Each form of a council's name selects
exactly that council's decisions through search, decisions, awards and similar, on SQLite and PostgreSQL; a part
of several councils' names is refused in one sentence by the CLI and as a 400 by the API; a name the list lacks
is still a part of the stored name."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import BadRequest
from tests.moderngov_page import PAGE
from tests.pg_support import pg_server, pg_url  # noqa: F401 - fixtures
from ui.cli import main


DECISION = """{date} - {title} ref: {ref}    Recommendations Approved

Decision Maker: {maker}

Decision published: {date}

Effective from: {date}

Decision:

{text}

Wards affected: (All Wards);

Lead officer: {officer}

"""

# (file, --council as given at ingest, decisions): Suffolk County Council's pages under two spellings of its name
COUNCILS = [
    ("scc-fleet.txt", "Suffolk County Council", [
        ("11/03/2024", "Highways Depot Fleet – Gritter Replacement", "301", "Cabinet Member for Highways",
         "That six winter gritting lorries be bought from Saltway Vehicles Ltd for £1,020,000, replacing the"
         " depot's oldest refuse and gritting vehicles.", "Ruth Penhaligon")]),
    ("scc-waste.txt", "Suffolk", [
        ("19/03/2024", "Household Waste Recycling Centres – Operating Contract", "302", "Cabinet",
         "That the contract to run the county's household waste recycling centres and its refuse transfer"
         " vehicles be awarded to Orwell Resource Management Ltd for £4,800,000 over five years.", "Tamsin Rudd")]),
    ("esc-refuse.txt", "East Suffolk Council", [
        ("04/04/2024", "Refuse Collection Vehicles – Contract Award", "401", "Cabinet Member for Environment",
         "That a contract for the supply of eleven refuse collection vehicles be awarded to Deben Fleet Ltd for"
         " £2,310,000 over four years.", "Owen Blyth")]),
    ("msdc-refuse.txt", "Mid Suffolk District Council", [
        ("22/04/2024", "Refuse Collection Round Review", "501", "Cabinet",
         "That the refuse collection rounds be redrawn and two refuse collection vehicles be hired from"
         " Gipping Hire Ltd for £186,000 a year.", "Nadia Fenn")]),
    ("marrowfield.txt", "Marrowfield District Council", [
        ("02/05/2024", "Street Cleansing Vehicles", "601", "Cabinet",
         "That four street cleansing and refuse vehicles be leased from Tarnside Leasing Ltd for £412,000.",
         "Gwen Morrow")]),
    ("north-marrowfield.txt", "North Marrowfield Council", [
        ("09/05/2024", "Garden Waste Collection Vehicles", "701", "Cabinet",
         "That two garden waste refuse vehicles be bought from Tarnside Leasing Ltd for £298,000.", "Ian Lusk")]),
]

SCC, ESC, MSDC, MARROW, NORTH_MARROW = {"301", "302"}, {"401"}, {"501"}, {"601"}, {"701"}
SUSSEX = ('council "Sussex" could mean: East Sussex County Council, Mid Sussex District Council, West Sussex'
          " County Council; give one")

# (typed, the decisions it selects)
FORMS = [
    ("Suffolk County Council", SCC),  # the full name: its pages under both spellings, no neighbour's
    ("suffolk county council", SCC),
    ("Suffolk", SCC),  # the list's short name for the county council
    ("SUFFOLK", SCC),
    ("East Suffolk Council", ESC),
    ("east suffolk", ESC),
    ("Mid Suffolk", MSDC),
    ("Mid Suffolk District Council", MSDC),
    ("Norfolk County Council", set()),  # a council of the list the index lacks: none, never a neighbour
    ("Marrowfield District Council", MARROW),  # a full name in a council's form, on no list: that council only
    ("marrowfield", MARROW | NORTH_MARROW),  # a part of names the list lacks: a part, as before
    ("North Marrow", NORTH_MARROW),
]


def _write(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, council, decisions in COUNCILS:
        text = PAGE.format(decisions="".join(
            DECISION.format(date=d, title=t, ref=r, maker=m, text=x, officer=o) for d, t, r, m, x, o in decisions))
        (root / name).write_text(text, encoding="utf-8")
        out[name] = root / name
    return out


def _run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv):
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("neighbours")
    pages = _write(root / "pages")
    index = root / "index"
    for name, council, _ in COUNCILS:
        assert main(["ingest", str(pages[name]), "--index", str(index), "--council", council, "--json"]) == 0
    return str(index)


def test_the_index_holds_each_council_under_the_name_it_was_given(index_dir, capsys):
    data = _json(capsys, "decisions", "--json", "--index", index_dir)
    stored = {d["number"]: d["council"] for d in data["decisions"]}
    assert stored == {"301": "Suffolk County Council", "302": "Suffolk", "401": "East Suffolk Council",
                      "501": "Mid Suffolk District Council", "601": "Marrowfield District Council",
                      "701": "North Marrowfield Council"}


# --- each form selects exactly its council's decisions, through every command -------------------------------

@pytest.mark.parametrize("typed, expected", FORMS)
def test_decisions(index_dir, capsys, typed, expected):
    data = _json(capsys, "decisions", "--json", "--filter", f"council={typed}", "--index", index_dir)
    assert {d["number"] for d in data["decisions"]} == expected


@pytest.mark.parametrize("typed, expected", FORMS)
def test_search_and_ask(index_dir, capsys, typed, expected):
    hits = _json(capsys, "search", "refuse vehicles", "--k", "50", "--json", "--filter", f"council={typed}",
                 "--index", index_dir)
    assert {h["decision"] for h in hits["hits"]} == expected
    answer = _json(capsys, "ask", "Who supplies the refuse vehicles?", "--json", "--filter", f"council={typed}",
                   "--index", index_dir)
    assert {c["decision"] for c in answer["citations"]} <= expected


@pytest.mark.parametrize("typed, expected", FORMS)
def test_awards(index_dir, capsys, typed, expected):
    data = _json(capsys, "awards", "--json", "--council", typed, "--index", index_dir)
    assert {a["decision"] for a in data["awards"]} == expected


@pytest.mark.parametrize("query, typed, expected", [
    ("401", "Suffolk", SCC), ("401", "Suffolk County Council", SCC), ("301", "Mid Suffolk", MSDC),
    ("301", "East Suffolk Council", ESC), ("401", "marrowfield", MARROW | NORTH_MARROW)])
def test_similar(index_dir, capsys, query, typed, expected):
    data = _json(capsys, "similar", query, "--k", "20", "--json", "--council", typed, "--index", index_dir)
    assert {r["id"] for r in data["similar"]} == expected


def test_unfiltered_every_council_is_found(index_dir, capsys):
    hits = _json(capsys, "search", "refuse vehicles", "--k", "50", "--json", "--index", index_dir)
    assert {h["decision"] for h in hits["hits"]} == SCC | ESC | MSDC | MARROW | NORTH_MARROW


def test_a_watch_reports_only_its_councils_decisions(index_dir, capsys, tmp_path):
    import shutil
    import sqlite3

    from index.watchstore import WATCHES_DB

    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    for name, typed in (("county", "Suffolk"), ("mid", "Mid Suffolk District Council")):
        code, _, err = _run(capsys, "watch", "add", name, "refuse vehicles", "--filter", f"council={typed}",
                            "--existing", "--index", str(index))
        assert code == 0, err
    data = _json(capsys, "watch", "run", "--json", "--no-email", "--index", str(index))
    reported = {w["watch"]: {a["decision"] for a in w["alerts"]} for w in data["watches"]}
    assert reported == {"county": SCC, "mid": MSDC}
    # a watch saved before a council filter had to name one council: listed with why and what to do, never run,
    # kept; the other watches list and run as before
    with sqlite3.connect(index / WATCHES_DB) as conn:
        conn.execute("UPDATE watches SET filters = ? WHERE name = 'mid'", (json.dumps({"council": "Sussex"}),))
        conn.execute("UPDATE watches SET seen = 0")  # both would report again
    code, out, _ = _run(capsys, "watch", "list", "--index", str(index))
    assert code == 0 and "county" in out
    mid = next(line for line in out.splitlines() if line.startswith("mid "))
    assert "NOT RUN: watch 'mid': " + SUSSEX in mid and "councilqa watch remove mid" in mid
    listed = _json(capsys, "watch", "list", "--json", "--index", str(index))["watches"]
    assert [w["name"] for w in listed if w.get("problem")] == ["mid"]
    code, out, err = _run(capsys, "watch", "run", "--json", "--no-email", "--index", str(index))
    assert code == 0 and "not run: watch 'mid'" in err
    assert {w["watch"]: {a["decision"] for a in w["alerts"]} for w in json.loads(out)["watches"]} == {"county": SCC}
    code, _, err = _run(capsys, "watch", "run", "mid", "--no-email", "--index", str(index))
    assert code == 2 and err.strip().count("\n") == 0 and "councilqa watch remove mid" in err
    with sqlite3.connect(index / WATCHES_DB) as conn:  # nothing lost: stored as it was saved
        assert json.loads(conn.execute("SELECT filters FROM watches WHERE name = 'mid'").fetchone()[0]) == \
            {"council": "Sussex"}
    assert _run(capsys, "watch", "remove", "mid", "--index", str(index))[0] == 0
    assert "NOT RUN" not in _run(capsys, "watch", "list", "--index", str(index))[1]


# --- a part of several councils' names: one sentence, never a mix ----------------------------------------------

@pytest.mark.parametrize("argv", [
    ["search", "refuse vehicles", "--filter", "council=Sussex"],
    ["ask", "Who supplies the refuse vehicles?", "--filter", "council=Sussex"],
    ["decisions", "--filter", "council=Sussex"],
    ["awards", "--council", "Sussex"],
    ["similar", "401", "--council", "Sussex"],
    ["watch", "add", "sussex-refuse", "refuse vehicles", "--filter", "council=Sussex"],
])
def test_an_ambiguous_part_is_refused_by_the_cli_in_one_sentence(index_dir, capsys, argv):
    code, out, err = _run(capsys, *argv, "--index", index_dir)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and SUSSEX in err, err


def test_a_part_of_the_neighbours_names_names_them_all(index_dir, capsys):
    code, _, err = _run(capsys, "search", "refuse", "--filter", "council=suff", "--index", index_dir)
    assert code == 2
    assert ('council "suff" could mean: East Suffolk Council, Mid Suffolk District Council, Suffolk County Council,'
            " West Suffolk Council, Suffolk Coastal District Council (abolished 2019); give one") in err


def test_an_ambiguous_part_is_a_400_from_the_api(index_dir):
    from fastapi.testclient import TestClient

    from ui import server as ui_server
    from ui.services import Services

    context = ui_server.ServerContext.make(Services(Path(index_dir)))
    with TestClient(ui_server.build_app(None, context), base_url="http://127.0.0.1") as client:
        for path, params in (("/api/search", {"q": "refuse", "council": "Sussex"}),
                             ("/api/ask", {"q": "Who supplies the refuse vehicles?", "council": "Sussex"}),
                             ("/api/decisions", {"council": "Sussex"}),
                             ("/api/similar/401", {"council": "Sussex"}),
                             ("/api/awards", {"council": "Sussex"})):
            response = client.get(path, params=params)
            assert response.status_code == 400, (path, response.text)
            assert response.headers["content-type"].startswith("application/json")
            assert response.json()["detail"] == SUSSEX
        decisions = client.get("/api/decisions", params={"council": "Suffolk"}).json()["decisions"]
        assert {d["number"] for d in decisions} == SCC
        hits = client.get("/api/search", params={"q": "refuse vehicles", "council": "east suffolk", "k": 50}).json()
        assert {h["decision"] for h in hits["hits"]} == ESC
        awards = client.get("/api/awards", params={"council": "Mid Suffolk District Council"}).json()["awards"]
        assert {a["decision"] for a in awards} == MSDC


def test_the_apps_filters_refuse_it_too():
    from ui.services import make_filters

    with pytest.raises(BadRequest, match="could mean: East Sussex County Council"):
        make_filters(council="Sussex")
    assert make_filters(council="Mid Suffolk").council == "Mid Suffolk"


# --- the reading itself ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, council", [
    ("Kent", "Kent County Council"), ("kent county council", "Kent County Council"),
    ("Essex County Council", "Essex County Council"), ("Norfolk", "Norfolk County Council"),
    ("Lincoln", "City of Lincoln Council"), ("Cyngor Sir Ynys Môn", "Isle of Anglesey County Council"),
    ("Bath", None), ("KCC", None), ("hollinsmere", None)])
def test_a_name_of_the_list_is_that_council(typed, council):
    from index.council_filter import council_match

    found = council_match(typed).council
    assert (found.name if found else None) == council


@pytest.mark.parametrize("typed, stored, selected", [
    ("Essex County Council", "Essex County Council", True),
    ("Essex County Council", "ESSEX COUNTY COUNCIL", True),
    ("Essex", "Essex County Council", True),
    ("Essex County Council", "Essex", True),  # stored as given with --council: the same council
    ("Norfolk", "North Norfolk District Council", False),
    ("Norfolk", "South Norfolk District Council", False),
    ("Norfolk County Council", "Borough Council of Kings Lynn and West Norfolk", False),
    ("Lincoln", "Lincolnshire County Council", False),
    ("York", "North Yorkshire Council", False),
    ("Brent", "Brentwood Borough Council", False),
    ("Isle of Anglesey County Council", "Cyngor Sir Ynys Môn", True),
    ("Bath", "Bath and North East Somerset Council", True),  # on one council's name only: a part, as before
    ("Hollinsmere Borough Council", "East Hollinsmere Borough Council", False),
    ("Hollinsmere Borough Council", "Hollinsmere", True),
    ("hollinsmere", "East Hollinsmere Borough Council", True),
])
def test_which_stored_names_a_filter_selects(typed, stored, selected):
    from index.council_filter import council_match

    assert council_match(typed).selects(stored) is selected


@pytest.mark.parametrize("typed, named", [
    ("Sussex", ["East Sussex County Council", "Mid Sussex District Council", "West Sussex County Council"]),
    ("North East", ["Bath and North East Somerset Council", "North East Derbyshire District Council",
                    "North East Lincolnshire Council"]),
    ("Borough Council", ["Amber Valley Borough Council", "and 141 more"]),
])
def test_a_part_of_several_names_is_refused_naming_them(typed, named):
    from index.filters import Filters
    from index.ledger import LedgerQuery
    from index.requests import similar_request

    for make in (lambda: Filters(council=typed), lambda: LedgerQuery(council=typed),
                 lambda: similar_request("401", council=typed)):
        with pytest.raises(BadRequest) as caught:
            make()
        assert all(n in str(caught.value) for n in named) and str(caught.value).endswith("; give one")


# --- PostgreSQL: the same SQL, the same decisions ------------------------------------------------------------

def test_the_postgresql_backend_selects_the_same_decisions(index_dir, pg_url, tmp_path):  # noqa: F811
    from index import backends
    from index.decisions import numbers_matching
    from index.embed import load_embedder
    from index.filters import Filters
    from index.ledger import LedgerQuery, awards
    from ingest.pipeline import IngestOptions

    embedder = load_embedder("hash:384")
    pages = _write(tmp_path / "pages")
    db = backends.resolve(pg_url)
    for name, council, _ in COUNCILS:
        backends.build([pages[name]], db, embedder, "hash:384", options=IngestOptions(council=council))
    pg, local = backends.open_searcher(db, embedder=embedder), backends.open_searcher(Path(index_dir), embedder=embedder)
    try:
        for typed, expected in FORMS:
            filters = Filters(council=typed)
            for searcher in (pg, local):
                assert numbers_matching(searcher.conn, filters) == expected, typed
                hits = searcher.search("refuse vehicles", k=50, filters=filters)
                assert {h.decision for h in hits} == expected, typed
                page = awards(searcher.conn, LedgerQuery(council=typed))
                assert {a.decision for a in page.awards} == expected, typed
    finally:
        pg.close()
        local.close()

