"""The one server (``ui.server``): the app and the routers beside it, on 127.0.0.1, and the promises it keeps."""
from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from fastapi import APIRouter

from tests.test_app import index_dir  # noqa: F401  (fixture)
from ui import app as ui_app
from ui import server as ui_server


def _get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)


def _hello_routers(context):
    """A part as another engineer would add one: a router taking the server's access rules."""
    router = APIRouter(prefix="/hello", dependencies=context.dependencies)

    @router.get("/{name}")
    def hello(name: str):
        return {"hello": name, "decisions": context.services.index_dir.name}

    return router


@pytest.fixture()
def hello_part(monkeypatch):
    monkeypatch.setattr(ui_server, "PARTS", [*ui_server.PARTS, ui_server.Part("hello", "/hello/", f"{__name__}:_hello_routers")])


def _serve(index_dir, **kwargs):  # noqa: F811
    out = io.StringIO()
    app = ui_app.create_app(index_dir)
    server = ui_server.serve(app, port=0, block=False, out=out, **kwargs)
    return server, out.getvalue()


def test_one_server_serves_the_app_and_each_part_and_says_so(index_dir, hello_part):  # noqa: F811
    server, said = _serve(index_dir)
    try:
        base = server.url
        assert base == f"http://127.0.0.1:{server.port}/"
        assert f"app:   {base}" in said and f"hello: {base}hello/" in said and "this machine only" in said
        assert "share" not in said.lower() and "public" not in said.lower()
        status, body, _ = _get(base + "hello/you")
        assert status == 200 and json.loads(body) == {"hello": "you", "decisions": "index"}
        status, body, _ = _get(base)  # the app's page, from the same server
        assert status == 200 and "<html" in body.lower()
        from gradio_client import Client

        table = Client(base, verbose=False).predict(api_name="/decisions")
        assert "22/00093" in [r[0] for r in table["data"]]
    finally:
        server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_refuses_any_other_address_without_logins(index_dir):  # noqa: F811
    app = ui_app.create_app(index_dir)
    for host in ("0.0.0.0", "192.168.1.10", "::"):
        with pytest.raises(ValueError, match=f"refusing to listen on {host} without --auth"):
            ui_server.serve(app, host=host, port=0, block=False, out=io.StringIO())
    assert ui_server.is_loopback("127.0.0.2") and ui_server.is_loopback("::1") and not ui_server.is_loopback("0.0.0.0")


def test_a_port_in_use_is_one_clear_sentence(index_dir):  # noqa: F811
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ValueError, match=f"cannot listen on 127.0.0.1:{port}: .*choose one with --port"):
            ui_server.serve(ui_app.create_app(index_dir), port=port, block=False, out=io.StringIO())


def test_requests_naming_another_host_are_refused_on_loopback(index_dir, hello_part):  # noqa: F811
    """DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1 reaches the server with its own
    name in Host; the server answers only requests for this machine."""
    server, _ = _serve(index_dir)
    try:
        assert _get(server.url + "hello/x", {"Host": "evil.example"})[0] == 400
        assert _get(server.url, {"Host": f"evil.example:{server.port}"})[0] == 400
        assert _get(server.url + "hello/x", {"Host": f"localhost:{server.port}"})[0] == 200
    finally:
        server.stop()


def test_with_logins_the_app_and_the_parts_ask_for_one(index_dir, hello_part):  # noqa: F811
    server, said = _serve(index_dir, logins=[("ann", "correct-horse")])
    try:
        assert "1 login (--auth) required" in said
        status, body, headers = _get(server.url + "hello/x")
        assert status == 401 and "or a login (HTTP Basic)" in json.loads(body)["detail"]
        assert "Basic" in headers["www-authenticate"]
        wrong = base64.b64encode(b"ann:wrong-password").decode()
        status, body, _ = _get(server.url + "hello/x", {"Authorization": f"Basic {wrong}"})
        assert status == 401 and "not known" in json.loads(body)["detail"]
        right = base64.b64encode(b"ann:correct-horse").decode()
        assert _get(server.url + "hello/x", {"Authorization": f"Basic {right}"})[0] == 200
        assert _get(server.url + "config")[0] in (401, 403)  # the app's own login applies to it
        from gradio_client import Client

        table = Client(server.url, auth=("ann", "correct-horse"), verbose=False).predict(api_name="/decisions")
        assert "22/00093" in [r[0] for r in table["data"]]
    finally:
        server.stop()


def test_docs_are_served_from_installed_files(index_dir):  # noqa: F811
    server, _ = _serve(index_dir)
    try:
        status, page, _ = _get(server.url + "api/docs")
        assert status == 200 and "/api/docs/static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
        assert _get(server.url + "api/docs/static/swagger-ui-bundle.js")[0] == 200
        status, body, _ = _get(server.url + "api/openapi.json")
        assert status == 200 and json.loads(body)["info"]["title"] == "councilqa"
    finally:
        server.stop()


def test_councilqa_serve_says_what_it_serves_and_never_invites_a_share_link(index_dir):  # noqa: F811
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--index", str(index_dir), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl+C to stop" in line:
                break
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    said = "".join(lines) + rest
    assert f"app:   http://127.0.0.1:{port}/" in said
    assert "share=True" not in said and "public link" not in said.lower()
    assert proc.returncode == 0


@pytest.mark.slow
def test_a_kept_alive_connection_idle_past_uvicorn_s_default_still_serves(index_dir):  # noqa: F811
    """A program waits between requests on one connection (paging, or its other server answering first): the
    server must not close it after 5 s, or the next request on it is reset."""
    import http.client

    server, _ = _serve(index_dir)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        conn.request("GET", "/api")
        first = conn.getresponse()
        assert first.status == 200 and first.read()
        time.sleep(6.5)
        conn.request("GET", "/api")
        again = conn.getresponse()
        assert again.status == 200 and json.loads(again.read())
        conn.close()
    finally:
        server.stop()

