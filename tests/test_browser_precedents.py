"""A real browser on a decision's page (issue #19): "Similar decisions" with council and date, a click that opens the
decision clicked, the side-by-side view with the alike paragraphs highlighted, and the cited paragraph's decision
shown as a person reads it. Document text stays text: the page of a decision whose paragraph carries ``<img
onerror>`` runs nothing. The screenshot is saved to ``artifacts/browser-similar.png``."""
from __future__ import annotations

import base64
import json
import time

from tests.test_app import AMOUNT_Q, index_dir, server  # noqa: F401  (fixtures)
from tests.test_browser import ARTIFACTS, CHROMIUM, Page, _loaded, _type_and_click, page  # noqa: F401

import pytest

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); "
                                "the browser test was SKIPPED")


def _open_decision(page: Page, number: str) -> None:
    page.js("[...document.querySelectorAll('button[role=tab]')].find(b => b.innerText.trim() === 'Decisions').click()")
    page.wait("document.querySelector('#decision-id textarea, #decision-id input') !== null")
    page.js("""(() => { const box = document.querySelector('#decision-id textarea, #decision-id input');
        box.focus(); box.select && box.select(); })()""")
    page.send("Input.insertText", text=number)
    for kind in ("keyDown", "char", "keyUp"):
        page.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                  text="\r" if kind == "char" else "")


def _click(page: Page, element: str) -> None:
    """A real mouse click at the middle of ``element`` (a JS expression)."""
    box = page.wait(f"(() => {{ const e = {element}; if (!e) return null; e.scrollIntoView({{block: 'center'}}); "
                    "const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


SIMILAR_TEXT = "(() => { const t = document.querySelector('#similar-decisions'); return t ? t.innerText : ''; })()"


def test_a_decision_page_shows_similar_decisions_and_a_click_opens_one(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _open_decision(page, "22/00093")
    table = page.wait(f"(() => {{ const t = {SIMILAR_TEXT}; return t.includes('21/00081') ? t : ''; }})()")
    assert "Kent County Council" in table and "2021-10-19" in table  # council and date of each
    card = page.wait("(() => { const c = document.querySelector('#decision-card textarea'); "
                     "return c && c.value.includes('CARERS') ? c.value : ''; })()")
    assert "Kent County Council · proposed" in card and "£3.087m" in card and "data/sample" not in card
    # the side-by-side view: both decisions, the paragraphs that make them alike highlighted
    page.wait("document.querySelectorAll('#compare-left .token.highlighted, #compare-right .token.highlighted')"
              ".length >= 2")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    (ARTIFACTS / "browser-similar.png").write_bytes(base64.b64decode(shot["data"]))
    # a click on a similar decision opens it
    _click(page, "[...document.querySelectorAll('#similar-decisions [role=gridcell]')]"
                 ".find(c => c.innerText.trim() === '21/00081')")
    page.wait("(() => { const c = document.querySelector('#decision-card textarea'); "
              "return c && c.value.startsWith('21/00081'); })()")
    assert page.wait("(() => { const b = document.querySelector('#decision-id textarea, #decision-id input'); "
                     "return b && b.value === '21/00081'; })()")
    page.wait(f"(() => {{ const t = {SIMILAR_TEXT}; return t.includes('22/00093'); }})()")


def test_a_decision_page_with_markup_in_its_text_runs_nothing(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _open_decision(page, "23/00001")
    page.wait("(() => { const c = document.querySelector('#decision-card textarea'); "
              "return c && c.value.startsWith('23/00001'); })()")
    page.wait("document.querySelectorAll('#compare-left .token').length > 0")
    time.sleep(1)
    assert page.js("document.title") != "pwned"
    assert page.js("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_beside_a_cited_paragraph_the_decision_reads_as_a_person_reads_it(page, server):  # noqa: F811
    page.send("Page.navigate", url=server)
    _loaded(page)
    _type_and_click(page, AMOUNT_Q)
    chip = "[22/00093 Financial Implications ¶2]"
    page.wait(f"[...document.querySelectorAll('label')].some(l => l.innerText.includes({json.dumps(chip)}))")
    page.js(f"[...document.querySelectorAll('label')].find(l => l.innerText.includes({json.dumps(chip)})).click()")
    card = page.wait("(() => { const c = document.querySelector('#cited-decision textarea'); "
                     "return c && c.value ? c.value : ''; })()")
    assert card.startswith("22/00093  CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD")
    assert "Kent County Council · proposed · committee 2022-09-28" in card and "£3.087m" in card
    assert "data/sample" not in card and "{" not in card  # no raw JSON, no server paths


def test_a_link_to_a_decision_opens_its_page_with_similar_decisions(page, server):  # noqa: F811
    page.send("Page.navigate", url=server + "?decision=21%2F00081")  # as feeds and digests link a decision
    page.wait(f"(() => {{ const t = {SIMILAR_TEXT}; return t.includes('22/00093') && t.includes('Kent County Council'); }})()")
    assert page.wait("(() => { const c = document.querySelector('#decision-card textarea'); "
                     "return c && c.value.startsWith('21/00081'); })()")
