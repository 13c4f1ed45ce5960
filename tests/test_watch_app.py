"""The app's "Watches" tab (issue #20): its callbacks as functions, and a real server driven by gradio_client."""
from __future__ import annotations

import socket

import pytest

from eval.watches import ids_by_key, write_pages
from index.build import build
from index.embed import HashEmbedder
from tests.test_watches import TA_NEW
from ui import app as ui_app
from ui.tabs import decisions as decisions_tab
from ui.tabs import watches as tab

NO_FILTERS = ["", "", "", "", "", "", ""]
EMB = HashEmbedder(384)


@pytest.fixture
def index(tmp_path):
    write_pages(tmp_path / "b1", batch=1)
    write_pages(tmp_path / "b2", batch=2)
    build([tmp_path / "b1"], tmp_path / "ix", EMB, "hash:384")
    return tmp_path


def test_add_run_and_remove_a_watch_in_the_tab(index):
    services = ui_app.Services(index / "ix")
    assert tab.run_watches(services) == ([], "No watches yet: add one above.")
    assert tab.add_watch(services, "ta", "temporary accommodation", *NO_FILTERS).startswith("Watch ta added")
    with_filter = ["", "", "", "", "", "", "hollinsmere"]
    assert "(council=hollinsmere)" in tab.add_watch(services, "hol", "temporary accommodation", *with_filter)
    assert tab.add_watch(services, "ta", "parking", *NO_FILTERS).startswith("Not added: a watch named 'ta' exists")
    assert tab.add_watch(services, "../x", "parking", *NO_FILTERS).startswith("Not added: a watch name is")
    assert tab.add_watch(services, "y", "", *NO_FILTERS).startswith("Not added: the query is empty")
    assert tab.add_watch(services, "z", "q", "", "", "", "", "2025-13-01", "", "").startswith("Not added: filter from")
    table = tab.watches_table(services, "http://127.0.0.1:7860/")
    assert [r[0] for r in table] == ["hol", "ta"]
    assert table[1][4] == "http://127.0.0.1:7860/feeds/ta.atom" and table[1][3] == "never"
    build([index / "b1", index / "b2"], index / "ix", EMB, "hash:384")
    rows, notice = tab.run_watches(services, "ta")
    ids = ids_by_key(index / "ix")
    assert {r[1] for r in rows} == {ids[k] for k in TA_NEW}
    assert notice == "ta: 4 of 19 new or changed."
    assert tab.run_watches(services, "ta") == ([], "ta: 0 of 0 new or changed.")  # shown once, committed
    assert {r[1] for r in tab.recent_alerts(services, "ta")} == {ids[k] for k in TA_NEW}
    rows, _ = tab.run_watches(services)  # all: "hol" has not run since it was added
    assert {r[1] for r in rows} == {ids[k] for k in ("hol-ta-homes", "hol-ta-charges", "hol-allocations")}
    assert tab.remove_watch(services, "ta") == "Watch ta removed."
    assert tab.remove_watch(services, "ta").startswith("Not removed: no watch named 'ta'")
    assert tab.recent_alerts(services, "ta") == []


def test_a_decision_link_opens_its_page(index):
    services = ui_app.Services(index / "ix")
    number = ids_by_key(index / "ix")["hol-pool"]
    shown, page = decisions_tab.linked_decision(services, {"decision": number})
    assert shown == number and page["title"] == "Swimming Pool Decarbonisation Grant"
    assert decisions_tab.linked_decision(services, {}) == ("", {})
    assert decisions_tab.linked_decision(services, {"decision": "nosuch\x00"}) == ("nosuch", {})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_served_tab_adds_and_runs_watches(index):
    from gradio_client import Client

    app = ui_app.create_app(index / "ix")
    port = _free_port()
    ui_app.launch(app, port=port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        notice = client.predict("ta", "temporary accommodation", *NO_FILTERS, api_name="/add_watch")
        assert notice.startswith("Watch ta added")
        build([index / "b1", index / "b2"], index / "ix", EMB, "hash:384")  # the app switches without a restart
        rows, notice = client.predict(api_name="/run_watches")
        assert {r[1] for r in rows["data"]} == {ids_by_key(index / "ix")[k] for k in TA_NEW}
        rows, notice = client.predict("ta", api_name="/run_watch")
        assert rows["data"] == [] and notice == "ta: 0 of 0 new or changed."
        assert client.predict("ta", api_name="/remove_watch") == "Watch ta removed."
    finally:
        app.close()
