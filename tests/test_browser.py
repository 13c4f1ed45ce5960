"""A real browser: headless Chromium (Debian's ``chromium``) loads the app, asks, clicks a citation, and checks the
highlighted paragraph; an injected ``<img onerror>`` must not run. Driven over the DevTools protocol with the
``websockets`` client that Gradio already depends on. ``make test`` installs chromium when apt-get can; without it
the test is skipped and says so. The screenshot is saved to ``artifacts/browser.png``.
"""
from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_app import AMOUNT_Q, _free_port, index_dir, server  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); "
                                "the browser test was SKIPPED")


class Page:
    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None)
        self.ids = itertools.count(1)

    def send(self, method: str, **params):
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == i:
                return msg.get("result", {})

    def js(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def wait(self, expression: str, timeout: float = 60):
        end = time.time() + timeout
        while time.time() < end:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for: {expression}")


@pytest.fixture()
def page(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", f"--remote-debugging-port={port}", f"--user-data-dir={tmp_path}",
         "--window-size=1400,1000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2).read())
                ws = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        p = Page(ws)
        p.send("Page.enable")
        p.send("Runtime.enable")
        yield p
        p.ws.close()
    finally:
        proc.kill()
        proc.wait()


def _loaded(page: Page) -> None:
    page.wait("document.querySelector('#ask-button') !== null")
    time.sleep(1)  # let the Svelte app hydrate before typing


def _type_and_click(page: Page, text: str) -> None:
    page.js(f"""(() => {{
        const box = [...document.querySelectorAll('textarea')].find(t => t.placeholder.startsWith('How much'));
        box.value = {json.dumps(text)};
        box.dispatchEvent(new Event('input', {{bubbles: true}}));
        document.querySelector('#ask-button').click();
    }})()""")


def test_ask_click_citation_and_see_the_highlighted_paragraph(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _type_and_click(page, AMOUNT_Q)
    page.wait("document.body.innerText.includes('£3.087m')")
    chip = "[22/00093 Financial Implications ¶2]"
    page.wait(f"[...document.querySelectorAll('label')].some(l => l.innerText.includes({json.dumps(chip)}))")
    page.js(f"[...document.querySelectorAll('label')].find(l => l.innerText.includes({json.dumps(chip)})).click()")
    highlighted = page.wait("""(() => {
        const box = document.querySelector('#cited-paragraph');
        const marks = box ? [...box.querySelectorAll('.token.highlighted .text')] : [];
        return marks.map(m => m.innerText).join(' ');
    })()""")
    assert "The total value of the one-year contract extension will be £3.087m." in highlighted
    shot = page.send("Page.captureScreenshot", format="png")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser.png").write_bytes(base64.b64decode(shot["data"]))


def test_injected_markup_in_a_document_runs_nothing(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _type_and_click(page, "What is the library budget for 2023?")
    page.wait("document.body.innerText.includes('£40,000')")
    time.sleep(1)
    assert page.js("document.title") != "pwned"
    assert page.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert "£40,000 <img src=x onerror=" in page.js("document.body.innerText")  # shown as the text it is


def test_a_citation_deep_in_a_long_document_scrolls_into_view(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _type_and_click(page, "What are the savings for people with a disability aged 26 and over?")
    chip = "[22/00034 ¶4.6]"  # two thirds of the way into a 12,000-character report
    page.wait(f"[...document.querySelectorAll('label')].some(l => l.innerText.includes({json.dumps(chip)}))")
    page.js(f"[...document.querySelectorAll('label')].find(l => l.innerText.includes({json.dumps(chip)})).click()")
    page.wait("document.querySelector('#cited-paragraph .token.highlighted') !== null")
    in_view = """(() => {
        const r = document.querySelector('#cited-paragraph .token.highlighted').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
    })()"""
    assert page.wait(in_view, timeout=10)
    shot = page.send("Page.captureScreenshot", format="png")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-scrolled.png").write_bytes(base64.b64decode(shot["data"]))


def test_a_cited_paragraph_links_to_its_page_on_the_councils_site(page, capsys, tmp_path):
    """Decisions fetched from a (loopback) ModernGov site: the cited paragraph's panel links to the page."""
    from tests.fetch_site import Site, fetch
    from ui import app as ui_app

    site = Site(tmp_path)
    try:
        fetch(capsys, site, tmp_path)
        app = ui_app.create_app(tmp_path / "idx")
        port = _free_port()
        ui_app.launch(app, port=port, block=False)
        try:
            page.send("Page.navigate", url=f"http://127.0.0.1:{port}/")
            _loaded(page)
            _type_and_click(page, "How much will the Market Hall roof repairs cost?")
            page.wait("document.body.innerText.includes('£182,000')")
            page.wait("[...document.querySelectorAll('label')].some(l => l.innerText.startsWith('['))")
            page.js("[...document.querySelectorAll('label')].find(l => l.innerText.startsWith('[')).click()")
            href = page.wait("(() => { const a = document.querySelector('#source-link a'); return a && a.href; })()")
            assert href.startswith(site.url)
            shot = page.send("Page.captureScreenshot", format="png")
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "browser-source.png").write_bytes(base64.b64decode(shot["data"]))
        finally:
            app.close()
    finally:
        site.close()
