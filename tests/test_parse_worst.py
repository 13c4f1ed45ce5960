"""Inputs that made one step of a parse super-linear (``eval/parse_worst.py`` found them): each is now read in far
under a second, and what comes out is asserted. Sized so that the old code took seconds to hours on them."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean, normalise_line
from ingest.council_sites import addressed
from ingest.fields import read_fields
from ingest.html import html_to_markdown
from ingest.labels import label_of
from ingest.ledger import _SENTENCE_END as LEDGER_ENDS
from ingest.ledger import entries
from ingest.money import _SENTENCE_END as MONEY_ENDS
from ingest.money import SentenceEnds, amounts
from ingest.orgs import named_by_form
from ingest.records import Paragraph
from ingest.split import split


def test_capitalised_words_with_no_organisation_ending():
    # each capitalised word could be read two ways: 40 of them were 2^40 tries before the search moved on
    assert named_by_form("REPORT " + "AB " * 40 + "to the cabinet") == []
    name = named_by_form("Awarded to " + "AB " * 40 + "and Acme Care Ltd.")[0][2]
    assert name.startswith("AB AB ") and name.endswith(" and Acme Care Ltd.")


def test_a_long_run_of_spaces_in_a_line():
    assert normalise_line("a" + " " * 300_000 + "b") == "a b"  # dot leaders were looked for from every space
    assert normalise_line("None " + " " * 1000 + "........ ......") == "None"


def test_a_paragraph_wrapped_over_many_lines():
    line = "the quick brown fox jumps over the lazy dog and"
    text = "\n".join([line] * 20_000)
    out = clean(text, "text")
    assert out.text == " ".join([line] * 20_000) and len(out.blocks) == 1
    assert clean("A tender for the re-\ntendering of the work", "text").text == "A tender for the re-tendering of the work"


def test_a_label_followed_by_many_tabs():
    line = "Decision" + "\t" * 200_000 + "x"
    assert read_fields(line) == {}
    assert label_of("Decision Maker" + "\t" * 200_000 + "x") == ""
    assert read_fields("Decision\t\t:\tApproved") == {"decision": "Approved"}


def test_a_decision_list_line_with_many_spaces_inside():
    _, parts = split("01/01/2020 - Bins" + " " * 200_000 + "collected   \n\n02/01/2020 - Parks\n")
    assert [p.date for p in parts] == ["2020-01-01", "2020-01-02"]
    assert parts[0].title.startswith("Bins ") and parts[0].title.endswith(" collected") and parts[1].title == "Parks"


def test_a_long_word_before_an_address():
    assert addressed("A" * 200_000 + " write to democratic.services@kent.gov.uk.").name == "Kent County Council"


def test_html_nested_deeper_than_pythons_stack():
    assert html_to_markdown("<body>" + "<div>" * 5000 + "<p>deep text</p>" + "</div>" * 5000) == "deep text"


def test_a_table_of_many_amounts():
    # each amount's sentence was found by searching the paragraph from its start: a table's square
    rows = [f"Row {i}\t£{i + 1}" for i in range(10_000)]
    para = Paragraph("Costs ¶1", "Costs", 0, 0, "The costs are:\n" + "\n".join(rows))
    found = amounts([para])
    assert len(found) == 10_000 and found[-1].sentence == rows[-1] and found[-1].value == 10_000
    few = Paragraph("Costs ¶1", "Costs", 0, 0, "The costs are:\n" + "\n".join(rows[:500]))
    assert [(e.row, e.sentence) for e in entries([few])][-1] == ("Row 499", "Row 499\t£500")


def _old_left(pattern: re.Pattern, text: str, start: int) -> int:
    left = 0
    for m in pattern.finditer(text, 0, start):
        left = m.end()
    return left


def _old_right(pattern: re.Pattern, text: str, end: int) -> int:
    m = pattern.search(text, end)
    return m.start() if m else len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=". !?;\n\t\u00a0\u2028aA£(‘“", max_size=40))
def test_sentence_ends_found_once_are_the_ends_found_each_time(text):
    for pattern in (MONEY_ENDS, LEDGER_ENDS):
        ends = SentenceEnds(pattern, text)
        for at in range(len(text) + 1):
            assert ends.left(at) == _old_left(pattern, text, at)
            assert ends.right(at) == _old_right(pattern, text, at)
