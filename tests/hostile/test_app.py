"""Hostile use of the app (cases 3, 4, 7 and 9 of issue 14): the question box and filters take anything and
answer with a sentence; Gradio's upload route is closed unless adding documents is on; exports do not pile up."""
from __future__ import annotations

import json
import socket
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.hostile.support import fingerprint
from ui import app as ui_app

NO_FILTERS = ["", "", "", "", "", "", ""]


@pytest.fixture(scope="module")
def services(index_dir):
    return ui_app.Services(index_dir)


@pytest.mark.parametrize("question", ["carers\x00 short breaks award", "carers \udcff award", "\x00\x00",
                                      "x" * 5000, None, 42])
def test_question_box_takes_anything(services, index_dir, question):
    before = fingerprint(index_dir)
    history, labels, cites = ui_app.ask(services, question, [], *NO_FILTERS)
    assert isinstance(history, list) and isinstance(labels, list)
    for message in history:
        assert "\x00" not in message["content"] and "\udcff" not in message["content"]
    if question == "x" * 5000:
        assert history[-1]["content"].startswith("Error: the question is 5,000 characters long")
    assert fingerprint(index_dir) == before


@pytest.mark.parametrize(("filters", "message"), [
    (["", "", "", "", "notadate", ""], "filter from='notadate' is not a date"),
    (["", "", "", "", "", "2022-13-45"], "filter to='2022-13-45' is not a real date"),
    (["", "", "", "", "2023-01-01", "2022-01-01"], "is after to"),
    (["", "", "maybe", "", "", ""], "key takes yes or no"),
    (["m" * 300, "", "", "", "", ""], "filter maker is 300 characters; at most 200"),
])
def test_bad_filters_are_explained_in_chat_and_search(services, filters, message):
    history, labels, _ = ui_app.ask(services, "How much is the carers award?", [], *filters)
    assert history[-1]["content"].startswith("Error: ") and message in history[-1]["content"] and labels == []
    rows, path, marked, notice = ui_app.search(services, "carers", *filters)
    assert rows == [] and path is None and notice.startswith("Not searched: ") and message in notice


def test_uk_dates_are_read_in_the_date_boxes(services):
    rows, _, _, notice = ui_app.search(services, "supported living", "", "", "", "", "01/01/2021", "31/12/2021")
    assert rows and notice.endswith("passages.")
    assert {r[0] for r in rows} <= {"20/00102", "21/00081"}


def test_exports_are_kept_in_one_bounded_folder(services):
    before = {p.name for p in Path(tempfile.gettempdir()).glob("councilqa-*")}
    paths = [ui_app.search(services, f"carers {i}", *NO_FILTERS)[1] for i in range(ui_app.KEEP_EXPORTS + 10)]
    folders = {Path(p).parent for p in paths}
    assert len(folders) == 1
    folder = folders.pop()
    assert len(list(folder.iterdir())) <= ui_app.KEEP_EXPORTS
    assert Path(paths[-1]).is_file() and not Path(paths[0]).exists()  # the newest kept, the oldest gone
    after = {p.name for p in Path(tempfile.gettempdir()).glob("councilqa-*")}
    assert len(after - before) <= 1  # one export folder for the app, not one per search


# --- Gradio's upload route, on a real server --------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _upload(url: str, body_size: int = 64, headers: dict | None = None) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + b"a" * body_size + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture()
def served(request, index_dir, tmp_path):
    def start(upload: bool):
        app = ui_app.create_app(index_dir, upload_dir=tmp_path / "uploads" if upload else None)
        port = _free_port()
        ui_app.launch(app, port=port, block=False)
        request.addfinalizer(app.close)
        return f"http://127.0.0.1:{port}/"
    return start


def _upload_cache() -> set[Path]:
    from gradio.utils import get_upload_folder

    return set(Path(get_upload_folder()).rglob("x.txt"))


def test_anonymous_upload_is_refused_when_adding_documents_is_off(served):
    url = served(False)
    before = _upload_cache()
    status, body = _upload(url)
    assert status == 403 and "adding documents is switched off" in json.loads(body)["detail"]
    assert _upload_cache() == before  # nothing stored


def test_upload_route_applies_the_apps_limits_when_on(served):
    url = served(True)
    status, body = _upload(url)
    assert status == 200 and json.loads(body)[0].endswith("x.txt")  # Gradio's own route, working
    status, body = _upload(url, headers={"Content-Length": str(ui_app.MAX_UPLOAD_REQUEST + 1)})
    assert status == 413
