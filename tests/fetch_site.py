"""A recorded ModernGov mini-site served on 127.0.0.1, for the fetch tests (and the browser test).

The site answers ``mgDelegatedDecisions.aspx?DR=dd/mm/yyyy-dd/mm/yyyy`` with the decisions published in that
range, decision pages in ModernGov's markup (pages written here, plus the shared recorded pages of
../shared/moderngov/fixtures where present), a PDF, a document over the size cap, robots.txt disallowing one
decision page, and lists that answer 500 before they answer 200.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.conftest import make_pdf
from ui.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "moderngov" / "fixtures"
NEEDS_FIXTURES = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared ModernGov fixtures absent ({FIXTURES})")
COUNCIL = "Borough of Testvale"
BIG = 300_000  # bytes of the document over the cap the tests set (200,000)


def decision_page(title: str, maker: str, decided: str, published: str, decision: str, docs: str = "") -> str:
    """A decision page in the structure of ModernGov's ``ieDecisionDetails.aspx`` (see the shared fixtures)."""
    slash = lambda d: d.replace("/", "&#47;")  # noqa: E731 - as ModernGov writes dates
    block = (f'<p class="mgLabel" >Accompanying Documents:</p>\n<ul  class="mgBulletList" >\n{docs}</ul>\n'
             if docs else "")
    return f"""<html><body><div id="modgov"><div class="mgHeader"><h1  class="mgMainTitleTxt" >Decision details</h1></div>
<div class="mgSubTitle" >
<h2 class="mgSubTitleTxt">{title}</h2>
</div>
<div class="mgLinks" ><ul  class="mgActionList" >
<li><a  href="mgIssueHistoryHome.aspx?IId=901&amp;Opt=0">Find out more about this issue</a></li></ul></div>
<div class="mgContent" >
<p><span  class="mgLabel" >Decision Maker: </span>{maker}</p>
<p><span  class="mgLabel" >Decision status: </span><span  class="mgPlanItemInForce" >Recommendations Approved</span></p>
<p><span  class="mgLabel" >Is Key decision?: </span>No</p>
<p><span  class="mgLabel" >Is subject to call in?: </span>No</p>
<h3 class="mgSubSubTitleTxt">Decision:</h3>
<div class="mgWordPara"><div class="WordSection1">
<p class="MsoNormal">{decision}</p>
</div></div>
<p><span  class="mgLabel" >Publication date: </span>{slash(published)}</p>
<p><span  class="mgLabel" >Date of decision: </span>{slash(decided)}</p>
{block}</div></div></body></html>"""


def list_page(rows: list[tuple[str, str, str]]) -> str:
    """A ``mgTabTable`` of (href, title, published dd/mm/yyyy) rows, as ``mgDelegatedDecisions.aspx`` prints it."""
    body = "".join(
        f'<tr><td  class="mgMainTxt" ><a  href="{href}"  title="Link">{title}<span  class="mgHide" > ref&#58; '
        f'{href.rsplit("=", 1)[-1]}</span></a></td><td  class="mgMainTxt" >{date.replace("/", "&#47;")}</td>'
        f'<td  class="mgMainTxt" >{date.replace("/", "&#47;")}</td><td  class="mgMainTxt" >Not for call-in</td></tr>\n'
        for href, title, date in rows)
    return ('<html><body><table class="mgTabTable tablesorter"  summary="Table of decision summary data">\n'
            '<caption  class="mgSectionTitle" >Decisions published</caption>\n<tbody>\n' + body + "</tbody></table>"
            "</body></html>")


class Site:
    """A ModernGov site on 127.0.0.1: decisions by publication date, pages, documents, a request log."""

    def __init__(self, tmp: Path) -> None:
        pdf = make_pdf(tmp / "report.pdf", ["Report to Cabinet: Market Hall Roof Repairs.",
                                            "The repairs will cost £182,000 in 2025/26, met from the capital programme."])
        self.files: dict[str, tuple[str, bytes]] = {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /ieDecisionDetails.aspx?ID=3\n"),
            "/documents/s101/Market Hall report.pdf": ("application/pdf", pdf.read_bytes()),
            "/documents/s102/big.pdf": ("application/pdf", b"%PDF-1.4\n" + b"0" * BIG),
        }
        self.decisions: list[tuple[str, str, str]] = []  # (href, list title, published dd/mm/yyyy)
        self.add(1, "Market Hall Roof Repairs", "10/01/2025", decision_page(
            "Market Hall Roof Repairs", "Cabinet", "08/01/2025", "10/01/2025",
            "That the Market Hall roof be repaired at a cost of £182,000.",
            '<li><a href="documents/s101/Market Hall report.pdf">Market Hall report '
            '<span class="mgFileSize">PDF 2 KB</span></a></li>\n'
            '<li><a href="https://example.org/elsewhere.pdf">Someone else\'s file</a></li>\n'))
        self.add(2, "Parks Grounds Maintenance Contract", "20/01/2025", decision_page(
            "Parks Grounds Maintenance Contract", "Cabinet Member for Environment", "17/01/2025", "20/01/2025",
            "That the grounds maintenance contract be extended by one year.",
            '<li><a href="documents/s102/big.pdf">Appendix (large) <span class="mgFileSize">PDF 300 KB</span></a></li>\n'))
        self.add(3, "A page robots.txt disallows", "05/02/2025", decision_page(
            "A page robots.txt disallows", "Cabinet", "04/02/2025", "05/02/2025", "That this is never fetched."))
        self.add(4, "Library Opening Hours", "12/02/2025", decision_page(
            "Library Opening Hours", "Cabinet Member for Communities", "11/02/2025", "12/02/2025",
            "That library opening hours on Saturdays be extended to 5pm."))
        self.decisions.append(("mgIssueHistoryHome.aspx?IId=6535&amp;Opt=0", "An issue history row", "13/02/2025"))
        if FIXTURES.is_dir():  # the shared recorded pages, in the second window
            for n, name in ((13567, "modgov_decision_detail_no_documents.html"),
                            (13149, "modgov_decision_multi_paragraph.html")):
                self.add(n, name, "14/02/2025", (FIXTURES / name).read_text())
        self.fail: dict[str, int] = {}  # DR value -> answers of 500 still to give
        self.log: list[tuple[str, str]] = []  # (method, path?query) as requested
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, n: int, title: str, published: str, page: str) -> None:
        self.decisions.append((f"ieDecisionDetails.aspx?ID={n}", title, published))
        self.files[f"/ieDecisionDetails.aspx?ID={n}"] = ("text/html; charset=utf-8", page.encode())

    def answer(self, method: str, target: str) -> tuple[int, str, bytes]:
        with self.lock:
            self.log.append((method, target))
        parts = urlsplit(target)
        if parts.path == "/mgDelegatedDecisions.aspx":
            dr = parse_qs(parts.query)["DR"][0]
            with self.lock:
                if self.fail.get(dr, 0) != 0:
                    self.fail[dr] -= 1
                    return 500, "text/html", b"<html><body>Server Error</body></html>"
            lo, hi = (dt.datetime.strptime(d, "%d/%m/%Y").date() for d in dr.split("-"))
            rows = [r for r in self.decisions if lo <= dt.datetime.strptime(r[2], "%d/%m/%Y").date() <= hi]
            return 200, "text/html; charset=utf-8", list_page(rows).encode()
        key = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
        if key in self.files:
            ctype, body = self.files[key]
            return 200, ctype, body
        return 404, "text/html", b"<html><body>Not found</body></html>"

    def gets(self, fragment: str) -> int:
        return sum(1 for m, t in self.log if m == "GET" and fragment in t)

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, with_body: bool) -> None:
                status, ctype, body = site.answer(self.command, self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - http.server's names
                self._reply(True)

            def do_HEAD(self):  # noqa: N802
                self._reply(False)

            def log_message(self, *args):
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fetch(capsys, site, tmp_path, *extra):
    code = main(["fetch", site.url, "--from", "2025-01-01", "--to", "2025-02-28", "--index", str(tmp_path / "idx"),
                 "--council", COUNCIL, "--model", "hash:384", "--rate", "1000", "--max-bytes", "200000",
                 "--contact", "tests@example.org", "--json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)
