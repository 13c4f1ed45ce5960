"""The Awards tab: its callbacks, and a real headless Chromium that lists the ledger, opens a row's cited paragraph
and an organisation's page (screenshots in ``artifacts/``). The browser part is skipped, and says so, without
chromium (``make browser`` installs it)."""
from __future__ import annotations

import base64
import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import SAMPLE
from index.build import build
from index.embed import HashEmbedder
from ingest.pipeline import IngestOptions
from tests.test_browser import ARTIFACTS, CHROMIUM, page  # noqa: F401  (fixture)
from tests.test_app import _free_port
from ui import app as ui_app
from ui.tabs.awards import awards_chart, awards_csv, awards_page, open_award, organisation_page

AWARDS = Path(__file__).resolve().parent / "data" / "awards"
# min, max, kind, org, sort, maker, status, from, to, council
BOXES = ["", "", "", "", "value", "", "", "", "", ""]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("awards-app")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE, corpus, ignore=shutil.ignore_patterns("README.md"))
    build([corpus], root / "index", HashEmbedder(384), "hash:384")
    # the two Acme decisions name no council: filed under the one given, as `ingest --council` does
    build([AWARDS], root / "index", HashEmbedder(384), "hash:384", options=IngestOptions(council="Borough of Eastmarsh"))
    return root / "index"


@pytest.fixture(scope="module")
def services(index_dir):
    return ui_app.Services(index_dir)


def boxes(**given):
    names = ["min", "max", "kind", "org", "sort", "maker", "status", "from", "to", "council"]
    return [given.get(n, BOXES[i]) for i, n in enumerate(names)]


def test_a_filtered_page_its_csv_and_chart(services):
    rows, notice, refs = awards_page(services, *boxes(min="1m"))
    assert rows and all(r[5] >= 1e6 for r in rows) and len(refs) == len(rows)
    direct = next(r for r in rows if r[4] == "£3.087m")
    assert direct[0] == "22/00093" and direct[3] == "proposed" and direct[2] == "2022-09-28"
    assert "from decisions only proposed, not yet taken" in notice
    text = Path(awards_csv(services, *boxes(min="1m"))).read_text(encoding="utf-8")
    assert "22/00093" in text and "The total value of the one-year contract extension will be £3.087m." in text
    chart = awards_chart(services, *boxes())
    assert set(chart["year"]) >= {"2021", "2022"} and (chart["total (£m)"] > 0).all()


def test_sorting_and_a_bad_amount(services):
    by_date = awards_page(services, *boxes(sort="-date"))[0]
    dates = [r[2] for r in by_date if r[2]]
    assert dates == sorted(dates)
    rows, notice, _ = awards_page(services, *boxes(min="a lot"))
    assert rows == [] and notice.startswith("Not listed:") and "not an amount" in notice
    rows, notice, _ = awards_page(services, *boxes(min="<img src=x onerror=alert(1)>"))
    assert rows == [] and "<img" not in notice and "&lt;img" in notice


def test_a_row_opens_its_paragraph_highlighted(services):
    rows, _, refs = awards_page(services, *boxes(min="3m", max="3.1m"))
    segments, meta = open_award(services, refs, 0)
    highlighted = " ".join(t for t, tag in segments if tag)
    assert "£3.087m" in highlighted and meta["decision"] == "22/00093"
    assert open_award(services, refs, 99) == ([], {})


def test_an_organisation_page_lists_its_amounts_and_decisions(services):
    summary, amounts, mentions = organisation_page(services, "acme care limited")
    assert summary["name"] in ("Acme Care Ltd", "ACME CARE LIMITED") and summary["decisions"] == 2
    assert {r[4] for r in amounts} == {"£1,650,000", "£560,000"} and len(mentions) == 2
    assert organisation_page(services, "Nobody plc")[0]["error"].startswith("no organisation named like")


@pytest.fixture(scope="module")
def server(index_dir):
    app = ui_app.create_app(index_dir)
    port = _free_port()
    ui_app.launch(app, port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def _click(page, element: str) -> None:  # noqa: F811
    """A real mouse click (DevTools Input events) in the middle of ``element`` (a JavaScript expression)."""
    page.js(f"({element}).scrollIntoView({{block: 'center'}})")
    time.sleep(0.3)
    x, y = page.wait(f"(() => {{ const r = ({element}).getBoundingClientRect(); "
                     "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    for kind in ("mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def _shot(page, name: str) -> None:  # noqa: F811
    shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); the Awards "
                    "browser test was SKIPPED")
def test_browser_awards_tab_and_organisation_page(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    page.wait("document.querySelector('#ask-button') !== null")
    time.sleep(1)
    page.js("[...document.querySelectorAll('button[role=tab]')].find(b => b.innerText.trim() === 'Awards').click()")
    page.wait("document.querySelector('#awards-button') !== null && document.querySelector('#awards-button')"
              ".offsetParent !== null")
    page.js("""(() => {
        const box = document.querySelector('#awards-min textarea, #awards-min input');
        box.value = '1m';
        box.dispatchEvent(new Event('input', {bubbles: true}));
        document.querySelector('#awards-button').click();
    })()""")
    page.wait("document.querySelector('#awards-table').innerText.includes('£3.087m')")
    assert "proposed" in page.js("document.querySelector('#awards-table').innerText")
    page.wait("document.querySelector('#awards-notice').innerText.includes('amounts')")
    # a row's cell: its cited paragraph opens highlighted
    _click(page, "[...document.querySelectorAll('#awards-table .body-cell')]"
                 ".find(c => c.textContent.trim() === '£3.087m')")
    highlighted = page.wait("""(() => {
        const marks = [...document.querySelectorAll('#award-paragraph .token.highlighted .text')];
        return marks.map(m => m.innerText).join(' ');
    })()""")
    assert "The total value of the one-year contract extension will be £3.087m." in highlighted
    _shot(page, "browser-awards.png")
    # the organisation page
    page.js("""(() => {
        const box = document.querySelector('#org-name textarea, #org-name input');
        box.value = 'ACME CARE LIMITED';
        box.dispatchEvent(new Event('input', {bubbles: true}));
        document.querySelector('#org-button').click();
    })()""")
    page.wait("document.querySelector('#org-awards').innerText.includes('£1,650,000')")
    mentions = page.js("document.querySelector('#org-mentions').innerText")
    assert "Acme Care Ltd" in mentions and "ACME CARE LIMITED" in mentions
    page.js("document.querySelector('#org-summary').scrollIntoView()")
    time.sleep(0.5)
    _shot(page, "browser-organisation.png")
    assert json.loads(json.dumps(page.js("document.title"))) != "pwned"
