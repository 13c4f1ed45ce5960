"""Questions about who was paid what, answered from the awards ledger (``qa.ledger``) through ``Asker.ask``, over
the sample and the two Acme decisions written for these tests (hashing embedder)."""
from __future__ import annotations

import pytest

from index.embed import HashEmbedder
from index.search import Searcher
from qa import ledger
from qa.ask import Asker
from qa.text import collapse


@pytest.fixture(scope="module")
def asker(awards_index):
    return Asker(Searcher(awards_index, embedder=HashEmbedder(384)))


@pytest.mark.parametrize("question, shape", [
    ("How much has West Sussex County Council awarded to Computacenter UK Ltd?", "org"),
    ("How much has Acme Care Ltd received?", "org"),
    ("Which organisation did the council agree to lend money to?", "org"),
    ("Which contracts over £1m were awarded in 2022?", "list"),
    ("Which of the decisions of 14 October 2020 involve sums of more than £10m?", "list"),
    ("What did the council agree to spend on home care in 2021?", "topic"),
    ("How much is the carers' short breaks direct award worth?", None),
    ("Which key decisions were taken in 2021?", None),
    ("What is the library budget for 2023?", None),
    ("Which road is the highway improvement the Cabinet Member took through statutory orders in 2019?", None),
])
def test_the_shapes_of_ledger_questions(question, shape):
    found = ledger.asks(question)
    assert (found.shape if found else None) == shape


def test_a_list_over_a_figure_in_a_year_cites_each_amount_and_says_proposed(asker):
    a = asker.ask("Which contracts over £1m were awarded in 2022?")
    assert a.answerer == "ledger" and not a.abstained and len(a.claims) == 2  # Kent's, and Eastmarsh's to Acme
    claim = next(c for c in a.claims if c.text.startswith("22/00093"))
    assert claim.text.startswith("22/00093: £3.087m contract value")
    assert "proposed, not yet taken" in claim.note and "2022-09-28" in claim.note
    c = claim.citations[0]
    assert c.label == "[22/00093 Financial Implications ¶2]"
    passage = asker.searcher.hits([(c.passage_id, 1.0)])[0]
    assert collapse(c.quote) in collapse(passage.text)  # verified: the quote is in the passage it names


def test_a_total_only_where_the_amounts_add_up(asker):
    same = asker.ask("Which contracts over £1m were awarded in 2021?")
    assert {c.text.split(": ")[1].split(" ")[0] for c in same.claims} == {"£94m", "£5.110m"}
    assert any(n.startswith("Together £99.110m: every amount listed is a contract value, per annum") for n in same.notes)
    mixed = asker.ask("How much has been awarded to Acme Care Ltd?")
    assert {c.text.split(": ")[1].split(" ")[0] for c in mixed.claims} == {"£1,650,000", "£560,000"}
    assert any(n.startswith("No total: these amounts are of different kinds or periods") for n in mixed.notes)
    assert not any(n.startswith("Together") for n in mixed.notes)


def test_the_same_organisation_printed_otherwise_is_found(asker):
    a = asker.ask("How much has ACME CARE LIMITED been paid?")
    assert a.answerer == "ledger" and len(a.claims) == 2


def test_a_question_the_ledger_holds_nothing_for_is_answered_as_before(asker):
    a = asker.ask("How much did the council spend on pothole repairs in 2022?")
    assert a.abstained and a.answerer != "ledger"
    b = asker.ask("How much is the carers' short breaks direct award worth?")
    assert b.answerer != "ledger" and "£3.087m" in b.text


def test_a_line_whose_citation_fails_is_removed_never_shown(asker, monkeypatch):
    real = ledger._passages

    def wrong(searcher, rows):  # every line pointed at a passage that does not hold its sentence
        found = real(searcher, rows)
        other = searcher.search("Legal Implications", k=1)[0]
        return {k: other for k in found}

    monkeypatch.setattr(ledger, "_passages", wrong)
    a = asker.ask("Which contracts over £1m were awarded in 2022?")
    assert a.answerer != "ledger"  # nothing verified: the ledger gives no answer, the ordinary path does
