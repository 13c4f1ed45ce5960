"""A decision link from a watch's feed or digest (``/?decision=ID``) opens the Decisions tab on that decision, in a
real headless Chromium (``tests/test_browser.py`` drives it; skipped with the reason where chromium is missing)."""
from __future__ import annotations

from tests.test_app import _free_port, index_dir, server  # noqa: F401  (fixtures)
from tests.test_browser import CHROMIUM, page, pytestmark  # noqa: F401  (fixture, skip without chromium)


def test_a_decision_link_opens_the_decisions_tab_on_it(page, server):  # noqa: F811
    page.send("Page.navigate", url=server + "?decision=22%2F00093")
    page.wait("""(() => {
        const tab = [...document.querySelectorAll('button[role="tab"]')]
            .find(b => b.getAttribute('aria-selected') === 'true');
        return tab && tab.textContent.trim() === 'Decisions';
    })()""", timeout=60)  # the Decisions tab brought forward
    number = page.wait("""(() => {
        const box = [...document.querySelectorAll('input, textarea')].find(t => t.value === '22/00093');
        return box ? box.value : '';
    })()""")
    assert number == "22/00093"
    page.wait("document.body.innerText.includes('Financial Implications')")  # the decision's page: its paragraphs
