"""How watch reports reach people (issue #20): the Atom feed (read back with feedparser), e-mail digests through a
real SMTP server on loopback (aiosmtpd), a fetched council's pages and their links, and runs killed mid-delivery."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi import Request  # noqa: F401 - read by FastAPI from the annotation of the login dependency below

from eval.watches import decisions, ids_by_key, page, write_pages
from tests.conftest import ROOT
from tests.hostile.support import run
from tests.test_watches import TA_NEW, by_key, ingest, watch

PASSWORD = "s3cret-smtp-pass"


@pytest.fixture
def watched(capsys, tmp_path):
    """An index of batch 1 with a watch on temporary accommodation, then batch 2 waiting to be ingested."""
    write_pages(tmp_path / "b1", batch=1)
    write_pages(tmp_path / "b2", batch=2)
    index = tmp_path / "ix"
    ingest(capsys, index, tmp_path / "b1")
    assert watch(capsys, index, "add", "ta", "temporary accommodation")[0] == 0
    return tmp_path, index


# --- the feed -----------------------------------------------------------------------------------------------

def test_the_atom_feed_validates_and_carries_what_the_watch_reported(capsys, watched):
    import feedparser

    from ui.feeds import atom

    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2")
    ids = ids_by_key(index)
    body = atom(index, "ta", "http://127.0.0.1:7860/")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "councilqa watch: ta" and "temporary accommodation" in feed.feed.subtitle
    assert feed.feed.id.startswith("urn:uuid:")
    assert any(l.rel == "self" and l.href == "http://127.0.0.1:7860/feeds/ta.atom" for l in feed.feed.links)
    assert {e.link for e in feed.entries} == {f"http://127.0.0.1:7860/?decision={_quoted(ids[k])}" for k in TA_NEW}
    for e in feed.entries:
        assert e.id.startswith("urn:uuid:") and e.updated_parsed and e.summary
        decision = next(k for k in TA_NEW if _quoted(ids[k]) in e.link)
        assert f"[{ids[decision]} " in e.summary  # the citation, as answers give it
    homes = next(e for e in feed.entries if "Forty Homes" in e.title)
    assert "temporary accommodation" in homes.summary and "new decision" in homes.title
    # the same feed again: the same ids, nothing reported twice; a new run adds entries on top
    assert [e.id for e in feedparser.parse(atom(index, "ta", "http://other.example/")).entries] == \
        [e.id for e in feed.entries]


def _quoted(decision: str) -> str:
    from urllib.parse import quote

    return quote(decision, safe="")


def test_the_feed_route_obeys_the_servers_access_rules(capsys, watched):
    import feedparser
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.testclient import TestClient

    from ui.feeds import routers
    from ui.services import Services

    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2")

    def login(request: Request):  # the server's rule stands here: a login or an API key, else 401
        if request.headers.get("authorization") != "Bearer key-1":
            raise HTTPException(401, "log in")

    class Context:
        services = Services(index)
        dependencies = [Depends(login)]

    app = FastAPI()
    app.include_router(routers(Context))
    client = TestClient(app)
    assert client.get("/feeds/ta.atom").status_code == 401
    ok = client.get("/feeds/ta.atom", headers={"authorization": "Bearer key-1"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("application/atom+xml")
    assert len(feedparser.parse(ok.content).entries) == len(TA_NEW)
    for name in ("nosuch", "..%2F..%2Fetc%2Fpasswd", "a b"):
        missing = client.get(f"/feeds/{name}.atom", headers={"authorization": "Bearer key-1"})
        assert missing.status_code == 404 and "detail" in missing.json()


# --- a fetched council ----------------------------------------------------------------------------------------

def test_a_fetched_council_watch_links_to_the_councils_pages_and_reports_a_call_in_once(capsys, tmp_path):
    import feedparser

    from tests.fetch_site import Site
    from ui.feeds import atom

    site = Site(tmp_path)
    numbers = {}
    try:
        for n, d in enumerate((d for d in decisions() if d["council"].startswith("Hollinsmere")), start=200):
            if d["batch"] == 1:
                site.add(n, d["title"], _uk(d["published"]), page(d))
            numbers[d["key"]] = n
        index = tmp_path / "idx"
        fetch = ["fetch", site.url, "--from", "2025-01-01", "--to", "2025-03-31", "--index", str(index),
                 "--council", "Hollinsmere Borough Council", "--rate", "1000", "--json"]
        code, out, err = run(capsys, *fetch)
        assert code in (0, 3), err
        watch(capsys, index, "add", "ta", "temporary accommodation")
        for d in decisions():
            if d["key"] in numbers and d["batch"] == 2:
                site.add(numbers[d["key"]], d["title"], _uk(d["published"]), page(d))
        code, out, err = run(capsys, *fetch)
        data = json.loads(out)
        alerts = data["watches"][0]["alerts"]
        url = f"{site.url}ieDecisionDetails.aspx?ID={numbers['hol-ta-homes']}"
        homes = next(a for a in alerts if a["title"].startswith("Purchase of Forty Homes"))
        assert homes["source"] == url and homes["page"] == url
        assert {a["title"] for a in alerts} == {by_key(k)["title"] for k in ("hol-ta-homes", "hol-ta-charges",
                                                                             "hol-allocations")}
        # the council calls the charges decision in: its page changes; the next fetch reports it, once
        charges = numbers["hol-ta-charges"]
        site.files[f"/ieDecisionDetails.aspx?ID={charges}"] = (
            "text/html; charset=utf-8", page(by_key("hol-ta-charges"), status="Call-in").encode())
        data = json.loads(run(capsys, *fetch)[1])
        assert [(a["title"], a["change"]) for a in data["watches"][0]["alerts"]] == [
            (by_key("hol-ta-charges")["title"], "status: proposed → called in")]
        assert json.loads(run(capsys, *fetch)[1])["watches"][0]["alerts"] == []
        feed = feedparser.parse(atom(index, "ta", "http://127.0.0.1:7860"))
        assert not feed.bozo and len(feed.entries) == 4
        related = [l.href for e in feed.entries for l in e.links if l.rel == "related"]
        assert url in related and all(h.startswith(site.url) for h in related)
        assert "called in" in feed.entries[0].title  # the newest on top
    finally:
        site.close()


def _uk(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


# --- e-mail -----------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server on loopback (aiosmtpd) that keeps what it is sent; logins checked when ``password`` is set."""

    def __init__(self, password: str = "", tls_context=None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                from email import message_from_bytes
                from email.policy import default

                inbox.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
                return "250 OK"

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"newsdesk" and auth_data.password == password.encode()
            return AuthResult(success=ok)

        kwargs = {"authenticator": check, "auth_require_tls": tls_context is not None} if password else {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def test_a_digest_reaches_an_smtp_server_and_the_password_is_never_stored(capsys, watched, monkeypatch):
    tmp, index = watched
    inbox = Inbox(password=PASSWORD)
    try:
        monkeypatch.setenv("CQA_TEST_SMTP", PASSWORD)
        code, _, err = watch(capsys, index, "mail", "--host", "127.0.0.1", "--port", str(inbox.port),
                             "--security", "none", "--user", "newsdesk", "--password-env", "CQA_TEST_SMTP",
                             "--from", "alerts@example.org", "--to", "desk@example.org",
                             "--app-url", "https://councilqa.example.org")
        assert code == 0, err
        data = ingest(capsys, index, tmp / "b1", tmp / "b2")
        assert data["watches"][0]["email"] == {"sent": True, "error": ""}
        ((to, msg),) = inbox.messages
        assert to == ["desk@example.org"] and msg["From"] == "alerts@example.org"
        assert msg["Subject"] == f"councilqa: {len(TA_NEW)} decisions for ta"
        text = msg.get_content()
        ids = ids_by_key(index)
        for key in TA_NEW:
            assert by_key(key)["title"] in text and f"[{ids[key]} " in text
            assert f"https://councilqa.example.org/?decision={_quoted(ids[key])}" in text
        assert "Feed: https://councilqa.example.org/feeds/ta.atom" in text
        # one digest a run: nothing new, nothing sent
        watch(capsys, index, "run")
        assert len(inbox.messages) == 1
        assert PASSWORD.encode() not in (index / "watches.sqlite").read_bytes()
        wal = index / "watches.sqlite-wal"
        assert not wal.exists() or PASSWORD.encode() not in wal.read_bytes()
    finally:
        inbox.close()


def test_a_digest_over_starttls(capsys, watched, monkeypatch, tmp_path):
    import ssl

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate to test STARTTLS with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    real = ssl.create_default_context
    monkeypatch.setattr("ui.mail.ssl.create_default_context", lambda *a, **k: real(cafile=str(cert)))
    tmp, index = watched
    inbox = Inbox(password=PASSWORD, tls_context=server_context)
    try:
        secret = tmp / "smtp-password"
        secret.write_text(PASSWORD + "\n")
        secret.chmod(0o644)
        args = ["mail", "--host", "127.0.0.1", "--port", str(inbox.port), "--user", "newsdesk", "--password-file",
                str(secret), "--from", "alerts@example.org", "--to", "desk@example.org"]
        assert watch(capsys, index, *args)[0] == 0
        code, _, err = watch(capsys, index, "mail", "--test")
        assert code == 2 and "chmod 600" in err  # a password file others can read is refused
        secret.chmod(0o600)
        assert watch(capsys, index, "mail", "--test")[0] == 0
        data = ingest(capsys, index, tmp / "b1", tmp / "b2")
        assert data["watches"][0]["email"]["sent"]
        assert [m["Subject"] for _, m in inbox.messages] == ["councilqa: test message",
                                                              f"councilqa: {len(TA_NEW)} decisions for ta"]
    finally:
        inbox.close()


def test_the_password_is_never_taken_on_the_command_line(capsys, tmp_path):
    code, _, err = watch(capsys, tmp_path, "mail", "--host", "smtp.example.org", "--from", "a@example.org",
                         "--to", "b@example.org", "--user", "u", "--password", PASSWORD)
    assert code == 2 and "councilqa watch mail: error:" in err and not (tmp_path / "watches.sqlite").exists()
    code, _, err = watch(capsys, tmp_path, "mail", "--host", "smtp.example.org", "--from", "a@example.org",
                         "--to", "b@example.org", "--user", "u")
    assert code == 2 and "--password-env" in err


def test_a_digest_that_cannot_be_sent_comes_again_at_the_next_run(capsys, watched, monkeypatch):
    tmp, index = watched
    monkeypatch.setenv("CQA_TEST_SMTP", PASSWORD)
    watch(capsys, index, "mail", "--host", "127.0.0.1", "--port", str(_free_port()), "--security", "none",
          "--from", "alerts@example.org", "--to", "desk@example.org")  # nothing listens there
    code, out, err = run(capsys, "ingest", str(tmp / "b1"), str(tmp / "b2"), "--index", str(index))
    assert code == 0 and "e-mail not sent" in out and "reported again at the next run" in out
    inbox = Inbox()
    try:
        watch(capsys, index, "mail", "--host", "127.0.0.1", "--port", str(inbox.port), "--security", "none",
              "--from", "alerts@example.org", "--to", "desk@example.org")
        data = json.loads(watch(capsys, index, "run", "--json")[1])
        assert {a["decision"] for a in data["watches"][0]["alerts"]} == {ids_by_key(index)[k] for k in TA_NEW}
        assert len(inbox.messages) == 1
    finally:
        inbox.close()


# --- killed runs ------------------------------------------------------------------------------------------------

def test_a_run_killed_while_delivering_reports_the_same_decisions_next_time(capsys, watched):
    """A real ``councilqa watch run`` SIGKILLed while its digest waits on an SMTP server that never answers: nothing
    is committed, and the next run reports every decision it would have."""
    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2", extra=["--no-watches"])
    stalled = socket.socket()
    stalled.bind(("127.0.0.1", 0))
    stalled.listen(1)
    accepted, held = threading.Event(), []  # the connection is held open, and never greeted
    threading.Thread(target=lambda: (held.append(stalled.accept()), accepted.set()), daemon=True).start()
    watch(capsys, index, "mail", "--host", "127.0.0.1", "--port", str(stalled.getsockname()[1]), "--security", "none",
          "--from", "alerts@example.org", "--to", "desk@example.org")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())", "watch",
                             "run", "--index", str(index), "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "COUNCILQA_MODEL": "hash:384"})
    try:
        assert accepted.wait(60), "the run never reached the SMTP server"
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        stalled.close()
    assert proc.stdout.read() == b""  # killed before it printed anything
    data = json.loads(watch(capsys, index, "run", "--json", "--no-email")[1])
    assert {a["decision"] for a in data["watches"][0]["alerts"]} == {ids_by_key(index)[k] for k in TA_NEW}
    assert json.loads(watch(capsys, index, "run", "--json", "--no-email")[1])["watches"][0]["alerts"] == []


def test_a_run_that_fails_while_showing_its_report_commits_nothing(capsys, watched):
    from ui.watching import watch_run

    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2", extra=["--no-watches"])
    with pytest.raises(BrokenPipeError):
        with watch_run(index) as first:
            assert len(first.reports[0].alerts) == len(TA_NEW)
            raise BrokenPipeError  # the reader went away before the report was shown
    with watch_run(index) as second:
        assert [a.decision for a in second.reports[0].alerts] == [a.decision for a in first.reports[0].alerts]
    with watch_run(index) as third:
        assert third.reports[0].alerts == []


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6, 2.4])
def test_a_run_killed_at_any_moment_loses_nothing(capsys, watched, delay):
    """Killed at an arbitrary moment: every matching decision is either in the watch's alerts (its feed), committed
    with the watermark, or reported by the next run."""
    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2", extra=["--no-watches"])
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())", "watch",
                             "run", "--index", str(index), "--json"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "COUNCILQA_MODEL": "hash:384"})
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    kept = {a["decision"] for a in json.loads(watch(capsys, index, "alerts", "ta", "--json")[1])["alerts"]}
    again = {a["decision"] for a in json.loads(watch(capsys, index, "run", "--json")[1])["watches"][0]["alerts"]}
    assert kept | again == {ids_by_key(index)[k] for k in TA_NEW}
    assert not kept & again  # committed with the alerts, never reported twice


def test_the_server_serves_feeds_under_its_logins(capsys, watched):
    """The one server (``ui.server``) with logins: the feed asks for one, like the app and the API, and its links
    name the address it was asked at."""
    import base64
    import io
    import urllib.error
    import urllib.request

    import feedparser

    from ui import app as ui_app
    from ui import server as ui_server

    tmp, index = watched
    ingest(capsys, index, tmp / "b1", tmp / "b2")
    out = io.StringIO()
    server = ui_server.serve(ui_app.create_app(index), port=0, block=False, out=out,
                             logins=[("ann", "correct-horse")])

    def get(path, login=None):
        headers = {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()} if login else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(server.url + path, headers=headers), timeout=20) as r:
                return r.status, r.headers.get("content-type", ""), r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("content-type", ""), exc.read()

    try:
        assert f"feeds: {server.url}feeds/" in out.getvalue()
        assert get("feeds/ta.atom")[0] == 401
        assert get("feeds/ta.atom", "ann:wrong-horse")[0] == 401
        status, ctype, body = get("feeds/ta.atom", "ann:correct-horse")
        assert status == 200 and ctype.startswith("application/atom+xml")
        feed = feedparser.parse(body)
        assert not feed.bozo and len(feed.entries) == len(TA_NEW)
        assert all(e.link.startswith(f"{server.url}?decision=") for e in feed.entries)
        assert get("feeds/nosuch.atom", "ann:correct-horse")[0] == 404
    finally:
        server.stop()
