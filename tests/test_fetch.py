"""``councilqa fetch`` against a recorded ModernGov mini-site served on 127.0.0.1 inside the test
(``tests/fetch_site.py``)."""
from __future__ import annotations

import datetime as dt
import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from ingest.fetch import moderngov
from ingest.fetch.client import Client, FetchError, normalise, rate_value, same_site
from ingest.fetch.mirror import Mirror, relative_path
from ingest.fetch.run import fetch_site, windows
from tests.fetch_site import COUNCIL, FIXTURES, NEEDS_FIXTURES, Site, decision_page, fetch
from ui.cli import main


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.fixture
def loopback_only(monkeypatch):
    """Every connection opened: only 127.0.0.1 is allowed."""
    seen: list[str] = []
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        seen.append(address[0])
        assert address[0] == "127.0.0.1", f"tried to reach {address[0]}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return seen


def test_fetch_site_into_index(capsys, site, tmp_path, loopback_only):
    code, out = fetch(capsys, site, tmp_path)
    assert code == 3, out  # the document over the cap failed; the rest kept
    assert set(loopback_only) == {"127.0.0.1"}
    assert out["fetch"]["windows"] == 2
    shared = 2 if FIXTURES.is_dir() else 0
    assert out["fetch"]["pages"] == 3 + shared and out["fetch"]["documents"] == 1
    # robots.txt: the disallowed decision page is reported and never requested
    assert any(s["url"].endswith("ieDecisionDetails.aspx?ID=3") and "robots.txt" in s["reason"] for s in out["skipped"])
    assert not any("ID=3" in t for _, t in site.log)
    # the issue-history row and the off-site link: reported, not followed
    assert any("mgIssueHistoryHome" in s["url"] and "issue history" in s["reason"] for s in out["skipped"])
    assert any(s["url"].startswith("https://example.org/") and "not followed" in s["reason"] for s in out["skipped"])
    # the document over the cap: reported, not stored
    assert [f["url"] for f in out["failed"]] == [site.url + "documents/s102/big.pdf"]
    assert "limit" in out["failed"][0]["reason"]
    mirror = Mirror(tmp_path / "idx" / "mirror")
    assert not any("big" in e.path for e in mirror.entries().values())
    pdf = mirror.entries()[site.url + "documents/s101/Market%20Hall%20report.pdf"]
    assert pdf.content_type == "application/pdf" and pdf.status == 200 and pdf.page.endswith("ID=1")
    assert (mirror.root / pdf.path).read_bytes()[:5] == b"%PDF-"
    # the index: decisions with their titles, documents carrying the URL they came from
    code = main(["decisions", "--json", "--index", str(tmp_path / "idx")])
    decisions = json.loads(capsys.readouterr().out)["decisions"]
    titles = {d["title"]: d for d in decisions}
    for n, title in ((1, "Market Hall Roof Repairs"), (2, "Parks Grounds Maintenance Contract"),
                     (4, "Library Opening Hours")):
        assert title in titles, sorted(titles)
        sources = {doc["source"] for doc in titles[title]["documents"]}
        assert f"{site.url}ieDecisionDetails.aspx?ID={n}" in sources
        assert titles[title]["council"] == COUNCIL
    if FIXTURES.is_dir():
        assert any("waste treatment contractor" in t for t in titles)
    # the report PDF a decision page links to is a document of that decision, not a decision of its own
    market = titles["Market Hall Roof Repairs"]
    assert any(doc["source"].endswith("Market%20Hall%20report.pdf") for doc in market["documents"])
    assert not any(d["id"] != market["id"] and any(doc["source"].endswith(".pdf") for doc in d["documents"])
                   for d in decisions)
    # an answer's citations carry the address of the page or PDF they quote, and the app links to it
    main(["ask", "How much will the Market Hall roof repairs cost?", "--json", "--index", str(tmp_path / "idx")])
    answer = json.loads(capsys.readouterr().out)
    assert "£182,000" in answer["answer"]
    assert answer["citations"] and all(c["source"].startswith(site.url) for c in answer["citations"])
    from ui import app as ui_app

    services = ui_app.Services(tmp_path / "idx")
    _, labels, cites = ui_app.ask(services, "How much will the Market Hall roof repairs cost?", [])
    _, meta = ui_app.open_citation(services, labels[0], cites)
    assert meta["source"].startswith(site.url)
    assert ui_app.source_link(meta) == f"[Read it on the council's site]({meta['source']})"
    assert ui_app.source_link({"source": "javascript:alert(1)"}) == ""


def test_rerun_fetches_nothing_new(capsys, site, tmp_path, loopback_only):
    fetch(capsys, site, tmp_path)
    site.log.clear()
    code, out = fetch(capsys, site, tmp_path)
    assert out["fetch"]["pages"] == 0 and out["fetch"]["documents"] == 0 and out["fetch"]["bytes"] == 0
    assert out["fetch"]["unchanged"] == out["fetch"]["unchanged"] >= 4
    assert site.gets("ieDecisionDetails") == 0 and site.gets("/documents/s101/") == 0  # HEAD only: mirror hits
    assert site.gets("mgDelegatedDecisions") == 2  # the lists are read again, for new decisions
    assert out["ingest"]["added"] == 0


def test_list_answering_500_is_retried(site, tmp_path):
    first = moderngov.list_url(site.url, dt.date(2025, 1, 1), dt.date(2025, 1, 30))
    dr = parse_qs(urlsplit(first).query)["DR"][0]
    site.fail[dr] = 2
    waits: list[float] = []
    with Client(site.url, rate=1000, backoff_s=0.01, sleep=waits.append) as client:
        report = fetch_site(site.url, dt.date(2025, 1, 1), dt.date(2025, 1, 30), Mirror(tmp_path / "m"), client)
    assert report.failed == [] or all("big.pdf" in p.url for p in report.failed)
    assert report.windows == 1 and report.pages == 2
    assert site.gets("mgDelegatedDecisions") == 3
    assert [w for w in waits if w >= 0.01] == [0.01, 0.02]  # exponential backoff


def test_failing_window_split_down_to_days(site, tmp_path):
    for day in range(1, 5):
        d = dt.date(2025, 3, day)
        site.fail[f"{d:%d/%m/%Y}-{d:%d/%m/%Y}"] = -1  # always 500
    for lo, hi in ((1, 4), (1, 2), (3, 4)):
        site.fail[f"{lo:02d}/03/2025-{hi:02d}/03/2025"] = -1
    with Client(site.url, rate=1000, retries=1, backoff_s=0, sleep=lambda _s: None) as client:
        report = fetch_site(site.url, dt.date(2025, 3, 1), dt.date(2025, 3, 4), Mirror(tmp_path / "m"), client)
    assert len(report.failed) == 4 and all("HTTP 500" in p.reason for p in report.failed)
    assert site.gets("mgDelegatedDecisions") == 7 * 2  # 7 windows tried, each twice


def test_redirect_off_site_not_followed(tmp_path):
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/away":
            return httpx.Response(302, headers={"Location": "https://example.org/x"})
        if request.url.path == "/here":
            return httpx.Response(301, headers={"Location": "/there"})
        return httpx.Response(200, content=b"ok", headers={"Content-Type": "text/plain"})

    with Client("http://127.0.0.1:1/", rate=1000, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(FetchError, match="off the council's site"):
            client.get("http://127.0.0.1:1/away")
        assert client.get("http://127.0.0.1:1/here").url.endswith("/there")
        with pytest.raises(FetchError, match="outside the council's site"):
            client.get("https://example.org/x")


def test_user_agent_names_tool_and_contact():
    import httpx

    agents = []

    def handler(request: httpx.Request) -> httpx.Response:
        agents.append(request.headers["user-agent"])
        return httpx.Response(200, content=b"")

    with Client("http://127.0.0.1:1/", contact="me@example.org", transport=httpx.MockTransport(handler),
                rate=1000) as client:
        client.get("http://127.0.0.1:1/")
    assert agents == ["councilqa/0.1 (+me@example.org)"]


def test_windows_and_list_url():
    assert windows(dt.date(2025, 1, 1), dt.date(2025, 3, 1), 30) == [
        (dt.date(2025, 1, 1), dt.date(2025, 1, 30)), (dt.date(2025, 1, 31), dt.date(2025, 3, 1))]
    assert windows(dt.date(2025, 1, 1), dt.date(2025, 1, 1)) == [(dt.date(2025, 1, 1), dt.date(2025, 1, 1))]
    url = moderngov.list_url("https://democracy.example.gov.uk", dt.date(2020, 1, 1), dt.date(2020, 6, 30))
    assert url.startswith("https://democracy.example.gov.uk/mgDelegatedDecisions.aspx?XXR=0&DR=01%2f01%2f2020-30%2f06"
                          "%2f2020&ACT=Find") and "DS=2" in url
    assert moderngov.site_root("https://x.gov.uk/mg/mgDelegatedDecisions.aspx?DS=2") == "https://x.gov.uk/mg/"


def test_url_helpers():
    assert normalise("http://H/documents/s1/a b.pdf#x") == "http://h/documents/s1/a%20b.pdf"
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/") and not same_site(
        "http://127.0.0.1:8001/a", "http://127.0.0.1:8000/")
    a = relative_path("http://h/ieDecisionDetails.aspx?ID=1", "text/html")
    b = relative_path("http://h/ieDecisionDetails.aspx?ID=1_", "text/html")
    assert a != b and a.endswith(".html") and ".." not in relative_path("http://h/../../etc/passwd")
    for bad in ("0", "-1", "nan", "x", "1001"):
        with pytest.raises(ValueError):
            rate_value(bad)


@pytest.mark.parametrize("args, message", [
    (["ftp://example.org/", "--from", "2025-01-01"], "http(s) address"),
    (["http://127.0.0.1:9/", "--from", "2025-02-30"], "not a real date"),
    (["http://127.0.0.1:9/", "--from", "2025-02-01", "--to", "2025-01-01"], "before"),
    (["http://127.0.0.1:9/", "--from", "2025-01-01", "--rate", "0"], "--rate"),
    (["http://127.0.0.1:9/", "--from", "2025-01-01", "--max-bytes", "0"], "--max-bytes"),
])
def test_usage_errors(capsys, args, message):
    assert main(["fetch", *args]) == 2
    assert message in capsys.readouterr().err


@NEEDS_FIXTURES
def test_shared_fixture_pages():
    base = "https://democracy.kirklees.gov.uk/"
    listing = moderngov.parse_list((FIXTURES / "modgov_decisions_list.html").read_text(), base + "mgDelegatedDecisions.aspx")
    assert [d.url for d in listing.decisions] == [base + "ieDecisionDetails.aspx?ID=13567",
                                                  base + "ieDecisionDetails.aspx?ID=13149"]
    assert listing.decisions[1].title == "Admission of the Public" and listing.decisions[1].published == "03/11/2025"
    assert [u for u, _ in listing.skipped] == [base + "mgIssueHistoryHome.aspx?IId=6535&Opt=0"]
    officer = moderngov.parse_list((FIXTURES / "modgov_officer_decisions_list.html").read_text(), base)
    assert [d.title for d in officer.decisions] == ["Admission of the Public"]
    page = moderngov.parse_decision((FIXTURES / "modgov_decision_detail.html").read_text(),
                                    base + "ieDecisionDetails.aspx?ID=1", base)
    assert page.is_decision and page.title == "Minutes of Previous Meeting"
    assert page.documents == [(base + "documents/s7942/polc2%20-%2023.09.2015.pdf", "polc2 - 23.09.2015")]
    none = moderngov.parse_decision((FIXTURES / "modgov_decision_detail_no_documents.html").read_text(), base, base)
    assert none.is_decision and none.documents == []
    assert not moderngov.parse_decision("<html><body>Error</body></html>", base, base).is_decision


def test_a_second_run_walks_only_the_settling_window(capsys, site, tmp_path, loopback_only):
    fetch(capsys, site, tmp_path)
    site.log.clear()
    code, out = fetch(capsys, site, tmp_path, "--settle", "1")
    # two 30-day windows: the older, walked to the end, has settled; the newest is listed again
    assert out["fetch"]["settled"] == 1 and out["fetch"]["windows"] == 1
    assert site.gets("mgDelegatedDecisions") == 1 and site.gets("DR=31%2F01%2F2025") + site.gets("DR=31%2f01%2f2025") == 1
    code = main(["fetch", site.url, "--from", "2025-01-01", "--settle", "-1", "--index", str(tmp_path / "idx")])
    assert code == 2 and "--settle must be from 0 to 3650 days (got -1)" in capsys.readouterr().err


def test_a_window_left_unfinished_is_walked_again_and_nothing_kept_is_fetched_twice(site, tmp_path):
    mirror = Mirror(tmp_path / "m")
    page = "/ieDecisionDetails.aspx?ID=4"  # in the second window
    kept = site.files.pop(page)  # the page answers 404 in the first run: the window is not finished
    with Client(site.url, rate=1000, backoff_s=0.001, sleep=lambda _s: None) as client:
        first = fetch_site(site.url, dt.date(2025, 1, 1), dt.date(2025, 2, 28), mirror, client, settle_days=1)
    assert any(p.url.endswith("ID=4") for p in first.failed)
    assert [tuple(w) for w in mirror.walked(moderngov.site_root(site.url))] == [("2025-01-01", "2025-01-30")]
    site.files[page] = kept
    site.log.clear()
    with Client(site.url, rate=1000, backoff_s=0.001, sleep=lambda _s: None) as client:
        second = fetch_site(site.url, dt.date(2025, 1, 1), dt.date(2025, 2, 28), mirror, client, settle_days=1)
    # the unfinished window is walked again, and so is the newest finished one (the settling window); what the
    # mirror holds is asked for with HEAD only, never fetched twice
    assert second.windows == 2 and second.pages == 1
    assert site.gets("ID=4") == 1  # the missing page, now fetched once
    assert site.gets("ID=1") == 0 and site.gets("ID=2") == 0  # kept pages: HEAD, not GET
    assert len(mirror.walked(moderngov.site_root(site.url))) == 2


def test_a_page_that_times_out_is_reported_and_its_window_walked_again(site, tmp_path):
    import time as _time

    real = site.answer

    def slow(method, target):
        if "ID=2" in target:
            _time.sleep(0.5)  # longer than the client waits
        return real(method, target)

    site.answer = slow
    mirror = Mirror(tmp_path / "m")
    with Client(site.url, rate=1000, timeout_s=0.2, backoff_s=0.001, sleep=lambda _s: None) as client:
        report = fetch_site(site.url, dt.date(2025, 1, 1), dt.date(2025, 2, 28), mirror, client, settle_days=0)
    failed = [p for p in report.failed if p.url.endswith("ID=2")]
    assert failed and "timed out after 4 tries" in failed[0].reason and failed[0].transient
    assert report.pages >= 2  # the other decisions were kept
    walked = [tuple(w) for w in mirror.walked(moderngov.site_root(site.url))]
    window_of_2 = next(w for w in _windows_of(site) if "ID=2" in w[2])
    assert (window_of_2[0], window_of_2[1]) not in walked  # to be walked again by the next run


def _windows_of(site):
    """(from, to, decision hrefs) of the test site's two 30-day windows from 2025-01-01."""
    out = []
    for lo, hi in [(dt.date(2025, 1, 1), dt.date(2025, 1, 30)), (dt.date(2025, 1, 31), dt.date(2025, 2, 28))]:
        hrefs = " ".join(h for h, _t, p in site.decisions
                         if lo <= dt.datetime.strptime(p, "%d/%m/%Y").date() <= hi)
        out.append((lo.isoformat(), hi.isoformat(), hrefs))
    return out


def test_a_fetch_killed_mid_run_resumes_without_fetching_twice_or_losing_anything(capsys, site, tmp_path):
    import signal
    import subprocess
    import sys
    import time as _time

    from tests.conftest import ROOT

    cmd = [sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())", "fetch", site.url,
           "--from", "2025-01-01", "--to", "2025-02-28", "--index", str(tmp_path / "idx"), "--council", COUNCIL,
           "--model", "hash:384", "--rate", "4", "--max-bytes", "200000", "--json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = _time.time() + 60
    while site.gets("ieDecisionDetails") < 2 and _time.time() < deadline:  # killed once it has kept some pages
        _time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    kept = {url for url, e in Mirror(tmp_path / "idx" / "mirror").entries().items() if e.kind == "decision"}
    assert kept, "the run was killed before it kept a decision page"
    site.log.clear()
    code, out = fetch(capsys, site, tmp_path)  # the same command, run again to the end
    for url in kept:  # nothing the killed run kept is fetched again (a HEAD says it is unchanged)
        path = url[len(site.url) - 1:]
        assert [t for m, t in site.log if m == "GET" and t == path] == [], url
    main(["decisions", "--json", "--index", str(tmp_path / "idx")])
    titles = {d["title"] for d in json.loads(capsys.readouterr().out)["decisions"]}
    assert {"Market Hall Roof Repairs", "Parks Grounds Maintenance Contract", "Library Opening Hours"} <= titles


SERVICES = ["Bus Shelter", "Allotment Rents", "Street Lighting", "Leisure Centre Roof", "Town Hall Boilers",
            "Parking Permits", "Skate Park", "Tree Planting"]


def test_three_windows_and_a_dozen_decisions_each_with_its_fields_and_source(capsys, site, tmp_path, loopback_only):
    """The mini-site grown to three list windows (January to March) and a dozen decisions of our own."""
    for i, service in enumerate(SERVICES):
        n, day = 20 + i, 3 + 3 * i  # 3 to 24 March
        when = f"{day:02d}/03/2025"
        site.add(n, f"{service} Decision", when, decision_page(
            f"{service} Decision", "Cabinet Member for Place", when, when,
            f"That the {service.lower()} scheme be approved at a cost of £{(i + 1) * 10},000."))
    code = main(["fetch", site.url, "--from", "2025-01-01", "--to", "2025-03-31", "--index", str(tmp_path / "idx"),
                 "--council", COUNCIL, "--model", "hash:384", "--rate", "1000", "--max-bytes", "200000", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and out["fetch"]["windows"] == 3  # 3: the document over the cap, as in the other tests
    main(["decisions", "--json", "--index", str(tmp_path / "idx")])
    decisions = {d["title"]: d for d in json.loads(capsys.readouterr().out)["decisions"]}
    ours = [t for t in decisions if t.endswith(" Decision")] + [
        t for t in ("Market Hall Roof Repairs", "Parks Grounds Maintenance Contract", "Library Opening Hours")
        if t in decisions]
    assert len(ours) == 11 and len(decisions) >= 11  # every decision of ours but the one robots.txt forbids
    for i, service in enumerate(SERVICES):
        d = decisions[f"{service} Decision"]
        assert d["decision_maker"] == "Cabinet Member for Place" and d["date"] == f"2025-03-{3 + 3 * i:02d}"
        assert d["council"] == COUNCIL and d["amounts"][0]["text"] == f"£{(i + 1) * 10},000"
        assert [doc["source"] for doc in d["documents"]] == [f"{site.url}ieDecisionDetails.aspx?ID={20 + i}"]
    assert set(loopback_only) == {"127.0.0.1"}
