"""Property: any text at all, typed as a question, a query or a filter, through the CLI entry point and the
app's functions, ends in an answer or a usage error: never an exception, never a change to the index."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.support import EMB, fingerprint
from ui import app as ui_app
from ui.cli import main

HOSTILE = ["\x00", "\udcff", "\ud800", "\ufffd", "\x1b", "\u202e", "\ufeff", '"', "*", "(", ")", ":", "^", "-",
           "NEAR", "AND", "OR", "NOT", "'", ";", "%", "_", "\\", "/", "£", "22/00093", "carers", " ", "\n", "\t"]
# Arbitrary code points (surrogates and controls included) and mixtures of the pieces that once broke things.
TEXT = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=60),
    st.lists(st.sampled_from(HOSTILE), max_size=12).map("".join),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def asker(index_dir):
    from index.search import Searcher
    from qa.ask import Asker

    return Asker(Searcher(index_dir, embedder=EMB))


@SETTINGS
@given(text=TEXT)
def test_cli_search_and_ask_take_any_text(index_dir, capsys, text):
    before = fingerprint(index_dir)
    for command in ("search", "ask"):
        code = main([command, "--index", str(index_dir), "--json", "--", text])
        out, err = capsys.readouterr()
        assert code in (0, 2), err
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("councilqa: the ") and ("empty" in err or "characters long" in err)
    assert fingerprint(index_dir) == before


@SETTINGS
@given(text=TEXT, maker=TEXT, date=TEXT)
def test_app_functions_take_any_text(index_dir, text, maker, date):
    services = ui_app.Services(index_dir)
    history, labels, cites = ui_app.ask(services, text, [], maker, "", "", "", date, "")
    assert isinstance(history, list) and set(labels) == set(cites)
    rows, path, marked, notice = ui_app.search(services, text, maker, "", "", "", "", date)
    assert isinstance(rows, list) and isinstance(notice, str)
    assert isinstance(ui_app.decision_page(services, text), dict)


@SETTINGS
@given(text=TEXT)
def test_library_ask_raises_only_bad_request(asker, text):
    from index.errors import BadRequest

    try:
        answer = asker.ask(text)
    except BadRequest:
        return
    assert answer.text
