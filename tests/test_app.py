"""The Gradio app: callbacks as functions, a real server driven by gradio_client, and the safety promises."""
from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.build import build
from index.embed import HashEmbedder
from tests.conftest import SAMPLE
from ui import app as ui_app

AMOUNT_Q = "How much is the carers' short breaks direct award worth?"
XSS = '<img src=x onerror="document.title=\'pwned\'">'
NO_FILTERS = ["", "", "", "", "", "", ""]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE, corpus, ignore=shutil.ignore_patterns("README.md"))
    (corpus / "evil.md").write_text(
        "KENT COUNTY COUNCIL – RECORD OF DECISION\n\nDecision no: 23/00001\n\n"
        "Title of Decision: Library opening hours\n\n"
        f"Financial Implications: The library budget is £40,000 {XSS} for 2023.\n", encoding="utf-8")
    d = root / "index"
    build([corpus], d, HashEmbedder(384), "hash:384")
    return d


@pytest.fixture(scope="module")
def services(index_dir):
    return ui_app.Services(index_dir)


def test_ask_callback_returns_answer_and_citation_chips(services):
    history, labels, cites = ui_app.ask(services, AMOUNT_Q, [], *NO_FILTERS)
    assert history[0] == {"role": "user", "content": AMOUNT_Q}
    assert "£3.087m" in history[1]["content"] and "(answered by: extractive)" in history[1]["content"]
    assert labels == ["[22/00093 Financial Implications ¶2]"]
    assert cites[labels[0]]["decision"] == "22/00093"


def test_open_citation_highlights_the_paragraph_in_its_document(services):
    _, labels, cites = ui_app.ask(services, AMOUNT_Q, [], *NO_FILTERS)
    segments, meta = ui_app.open_citation(services, labels[0], cites)
    highlighted = [text for text, tag in segments if tag]
    assert highlighted == ["The total value of the one-year contract extension will be £3.087m. (ASC £2.5m/ICB £585k)"]
    assert "".join(text for text, _ in segments).startswith("KENT COUNTY COUNCIL – PROPOSED RECORD OF DECISION")  # whole document
    assert meta["decision"] == "22/00093" and meta["status"] == "proposed"
    assert meta["title"] == "CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD"


def test_filters_apply_to_chat(services):
    _, labels, _ = ui_app.ask(services, AMOUNT_Q, [], "", "taken", "", "", "", "")
    assert all(not label.startswith("[22/00093") for label in labels)  # 22/00093 is only proposed


def test_search_callback_and_csv_export(services):
    rows, path, marked, _ = ui_app.search(services, "Regulation 32", "", "proposed", "", "", "", "")
    assert rows and rows[0][0] == "22/00093"
    text = Path(path).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "decision,paragraph,score,text,document" and "Regulation 32" in text
    assert marked[0][0].startswith("1. [22/00093 ") and marked[0][1] is None  # each hit opens with its citation
    matches = {t for t, tag in marked if tag == "match"}
    assert {"Regulation", "32"} <= matches <= {"Regulation", "Regulations", "32"}  # the query's words (by stem)
    assert "".join(t for t, _ in marked).count("Regulation 32") >= 1  # marking leaves the text whole


def test_search_marks_words_by_stem_not_stopwords(services):
    _, _, marked, _ = ui_app.search(services, "the contracts funded", *NO_FILTERS)
    words = {t.lower() for t, tag in marked if tag == "match"}
    assert "the" not in words and words & {"contract", "contracts"} and words & {"funded", "funding", "funds"}


# --- adding documents ---------------------------------------------------------------------------------------

NEW_DECISION = ("KENT COUNTY COUNCIL – RECORD OF DECISION\n\nDecision no: 23/00777\n\n"
                "Title of Decision: Mobile library replacement\n\n"
                "Financial Implications: The two replacement mobile library vehicles will cost £412,000 in 2023.\n")


@pytest.fixture()
def own_index(tmp_path, index_dir):
    d = tmp_path / "index"
    shutil.copytree(index_dir, d)
    return d


def test_adding_documents_is_off_by_default(services, tmp_path):
    f = tmp_path / "new.txt"
    f.write_text(NEW_DECISION, encoding="utf-8")
    rows = ui_app.add_documents(services, [str(f)])
    assert rows[0][1] == "refused" and "--allow-upload" in rows[0][2]


def test_add_documents_reports_each_file_and_answers_from_it_without_restart(own_index, tmp_path):
    services = ui_app.Services(own_index, upload_dir=tmp_path / "uploads")
    before, _, _ = ui_app.ask(services, "How much will the mobile library vehicles cost?", [], *NO_FILTERS)
    assert "£412,000" not in before[1]["content"]
    src = tmp_path / "upload"
    src.mkdir()
    (src / "mobile library.txt").write_text(NEW_DECISION, encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    (src / "..%2fescape.txt").write_text(NEW_DECISION, encoding="utf-8")
    calls = []
    files = [src / "mobile library.txt", src / "broken.pdf", src / "..%2fescape.txt"]
    rows = ui_app.add_documents(services, [str(p) for p in files], lambda frac, desc="": calls.append((frac, desc)))
    by_name = {r[0]: r[1:] for r in rows}
    assert by_name["mobile library.txt"] == ["added", ""]
    assert by_name["broken.pdf"][0] == "failed" and by_name["broken.pdf"][1]  # with its reason
    assert by_name["_2fescape.txt"][0] == "skipped"  # a safe name; the same bytes as another file: not indexed twice
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted(by_name)  # nothing escaped the folder
    assert calls and calls[-1][0] <= 1.0 and any("embedding" in d for _, d in calls)
    after, labels, _ = ui_app.ask(services, "How much will the mobile library vehicles cost?", [], *NO_FILTERS)
    assert "£412,000" in after[1]["content"] and labels[0].startswith("[23/00777")
    again = ui_app.add_documents(services, [str(src / "mobile library.txt")])
    assert again == [["mobile library.txt", "unchanged", "already in the index"]]


def test_decisions_table_and_page(services):
    table = ui_app.decisions_table(services)
    assert [r[0] for r in table] == ["20/00102", "21/00081", "22/00034", "22/00093", "23/00001"]
    page = ui_app.decision_page(services, "21/00081")
    assert page["mentions"] == ["20/00031"] and page["status"] == "taken"
    assert any(p["paragraph"] == "Financial Implications ¶4" for p in page["paragraphs"])


def test_chat_messages_are_escaped_text(services):
    history, _, _ = ui_app.ask(services, "What is the library budget for 2023?", [], *NO_FILTERS)
    assert "&lt;img src=x onerror=" in history[1]["content"] and "<img" not in history[1]["content"]


def test_serve_refuses_non_loopback_without_auth(index_dir, capsys):
    from ui.cli import main

    assert main(["serve", "--index", str(index_dir), "--host", "0.0.0.0"]) == 2
    assert "refusing to listen on 0.0.0.0 without --auth" in capsys.readouterr().err


def test_serve_rejects_malformed_auth(index_dir, capsys):
    from ui.cli import main

    assert main(["serve", "--index", str(index_dir), "--host", "0.0.0.0", "--auth", "nopassword"]) == 2
    assert "--auth must be USER:PASSWORD" in capsys.readouterr().err


# --- a real server ----------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(index_dir):
    app = ui_app.create_app(index_dir)
    port = _free_port()
    ui_app.launch(app, port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _assistant_text(history) -> str:
    content = history[-1]["content"]
    return content if isinstance(content, str) else " ".join(c.get("text", "") for c in content)


def test_server_ask_then_open_citation(server):
    client = _client(server)
    history, chips, _ = client.predict(AMOUNT_Q, [], *NO_FILTERS, api_name="/ask")
    assert "£3.087m" in _assistant_text(history)
    labels = [c[0] for c in chips["choices"]]
    assert labels == ["[22/00093 Financial Implications ¶2]"]
    segments, meta = client.predict(labels[0], api_name="/open_citation")
    assert meta["decision"] == "22/00093"
    assert [s["token"] for s in segments if s.get("class_or_confidence")] == [
        "The total value of the one-year contract extension will be £3.087m. (ASC £2.5m/ICB £585k)"]


def test_server_search_with_filter_and_decisions(server):
    client = _client(server)
    rows, _, _, _ = client.predict("Regulation 32", "", "taken", "", "", "", "", "", api_name="/search")
    assert all(r[0] != "22/00093" for r in rows["data"])
    table = client.predict(api_name="/decisions")
    assert [r[0] for r in table["data"]][:4] == ["20/00102", "21/00081", "22/00034", "22/00093"]


def test_upload_is_not_offered_unless_switched_on(server):
    config = json.loads(urllib.request.urlopen(server + "config", timeout=10).read())
    assert not any(d.get("api_name") == "add_documents" for d in config["dependencies"])
    assert "Add documents" not in json.dumps(config)


def test_server_adds_documents_when_switched_on(own_index, tmp_path):
    from gradio_client import handle_file

    app = ui_app.create_app(own_index, upload_dir=tmp_path / "uploads")
    port = _free_port()
    ui_app.launch(app, port=port, block=False)
    try:
        f = tmp_path / "mobile.txt"
        f.write_text(NEW_DECISION, encoding="utf-8")
        client = _client(f"http://127.0.0.1:{port}/")
        rows, table, ready = client.predict([handle_file(str(f))], api_name="/add_documents")
        assert rows["data"] == [["mobile.txt", "added", ""]]
        assert "23/00777" in [r[0] for r in table["data"]] and ready.startswith("Ready:")
        history, chips, _ = client.predict("How much will the mobile library vehicles cost?", [], *NO_FILTERS,
                                           api_name="/ask")
        assert "£412,000" in _assistant_text(history)
    finally:
        app.close()


def test_server_abstains_plainly(server):
    history, chips, _ = _client(server).predict("What is the capital of France?", [], *NO_FILTERS, api_name="/ask")
    assert _assistant_text(history).startswith("Not found: the decisions indexed do not cover this question.")
    assert chips["choices"] == []


def test_twenty_simultaneous_questions_all_answered(server):
    def one(_):
        history, _, _ = _client(server).predict(AMOUNT_Q, [], *NO_FILTERS, api_name="/ask")
        return _assistant_text(history)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(one, range(20)))
    assert all("£3.087m" in a for a in answers)


@pytest.mark.parametrize("path", [
    "gradio_api/file=/etc/passwd",
    "gradio_api/file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "gradio_api/file=..%2f..%2f..%2fetc%2fpasswd",
    "file=/etc/passwd",
])
def test_file_routes_refuse_traversal(server, path):
    try:
        with urllib.request.urlopen(server + path, timeout=10) as resp:
            body = resp.read().decode("utf-8", "replace")
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode("utf-8", "replace"), exc.code
    assert "root:x:0:0" not in body
    assert status in (403, 404) or "<html" in body.lower()


def test_index_directory_is_not_served(server, index_dir):
    from index.build import current_generation

    db = current_generation(index_dir) / "councilqa.sqlite"
    for url in (f"{server}gradio_api/file={db}", f"{server}file={db}"):
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert not resp.read().startswith(b"SQLite format 3")
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404)


def test_xss_in_documents_reaches_the_client_as_text(server):
    client = _client(server)
    rows, _, marked, _ = client.predict("library budget", *NO_FILTERS, api_name="/search")
    assert any(XSS in seg["token"] for seg in marked)  # highlighted results are text segments too
    assert any(XSS in r[3] for r in rows["data"])  # delivered as a string for a text cell, not markup
    config = json.loads(urllib.request.urlopen(server + "config", timeout=10).read())
    chatbots = [c["props"] for c in config["components"] if c.get("type") == "chatbot"]
    assert chatbots and all(p["render_markdown"] is False and p["sanitize_html"] is True for p in chatbots)


def test_api_lists_each_endpoint_once_under_its_name(server):
    config = json.loads(urllib.request.urlopen(server + "config", timeout=10).read())
    names = [d.get("api_name") for d in config["dependencies"] if d.get("api_visibility", "public") == "public"]
    assert sorted(n for n in names if n) == ["add_watch", "ask", "awards", "awards_csv", "decision", "decisions",
                                            "open_citation", "organisation", "remove_watch", "run_watch", "run_watches",
                                            "search"]
