"""Precedent questions through ``Asker.ask`` (``qa.precedents``): one cited, verified line per decision, grouped by
council with the newest first, near-duplicates once, "not found" when no decision is about the subject."""
from __future__ import annotations

import pytest

from index.embed import HashEmbedder
from index.search import Searcher
from qa.ask import Asker
from qa.precedents import is_precedent_question, subject_of
from qa.text import normalise
from tests.precedent_pages import build_index

EMB = HashEmbedder(384)


@pytest.fixture(scope="module")
def asker(tmp_path_factory):
    return Asker(Searcher(build_index(tmp_path_factory.mktemp("precedent-questions")), embedder=EMB))


@pytest.mark.parametrize("question, subject", [
    ("How have other councils handled garden waste charges?", "garden waste charges"),
    ("Which councils have a community asset transfer policy?", "community asset transfer policy"),
    ("What have councils decided about their dry recycling contracts?", "dry recycling contracts"),
    ("Who else has introduced controlled parking zones?", "introduced controlled parking zones"),
])
def test_a_precedent_question_and_its_subject(question, subject):
    assert is_precedent_question(question) and subject_of(question) == subject


@pytest.mark.parametrize("question", ["How much is the carers' short breaks direct award worth?",
                                      "Which decisions were taken in 2021?", "Who took decision 21/00081?"])
def test_other_questions_are_left_to_the_answerer(question):
    assert not is_precedent_question(question)


def _passage(asker, c) -> str:
    return " ".join(r[0] for r in asker.searcher.conn.execute(
        "SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.number = ? AND p.label = ?"
        " AND d.path = ?", [c.decision, c.paragraph, c.document]))


def test_one_verified_line_per_decision_grouped_by_council_newest_first(asker):
    answer = asker.ask("How have other councils handled garden waste charges?")
    assert not answer.abstained and answer.answerer == "precedents"
    assert [c.citations[0].decision for c in answer.claims] == [
        "eastmarsh:2024-02-12:garden-waste-collection-charge", "westshire:2023-01-20:garden-waste-subscription-fee",
        "northvale:2022-06-03:charging-garden-waste-collections"]
    assert answer.preface == "3 decisions at 3 councils, newest first:"
    for claim in answer.claims:
        (c,) = claim.citations
        assert normalise(c.quote) in normalise(_passage(asker, c))  # a real passage, quoted
        assert claim.text.startswith(("Borough of Eastmarsh: ", "Westshire County Council: ",
                                      "Northvale District Council: "))
    assert "- Borough of Eastmarsh: eastmarsh:2024-02-12:garden-waste-collection-charge Garden Waste" in answer.text


def test_near_duplicates_are_listed_once(asker):
    answer = asker.ask("Which councils have introduced controlled parking zones?")
    listed = [c.citations[0].decision for c in answer.claims]
    assert len([d for d in listed if d in ("205", "northvale:2024-03-04:controlled-parking-zone-extension")]) == 1
    assert len([d for d in listed if d in ("301", "302")]) == 1


def test_a_council_set_aside_is_not_listed(asker):
    answer = asker.ask("How have councils other than Northvale handled garden waste charges?")
    councils = {c.text.split(":")[0] for c in answer.claims}
    assert councils == {"Borough of Eastmarsh", "Westshire County Council"}


def test_filters_apply(asker):
    from index.filters import Filters

    answer = asker.ask("How have other councils handled garden waste charges?", filters=Filters(date_from="2023-01-01"))
    assert {c.citations[0].decision for c in answer.claims} == {
        "eastmarsh:2024-02-12:garden-waste-collection-charge", "westshire:2023-01-20:garden-waste-subscription-fee"}


def test_nothing_similar_indexed_is_not_found(asker):
    answer = asker.ask("How have other councils set their taxi licensing policy?")
    assert answer.abstained and answer.reason == "Not found: no decision indexed is about this subject."
    assert not answer.claims
