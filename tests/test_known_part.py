""""Besides X, what ...?": X names what the asker knows. Its words found the decision; the sentence that answers
is the one with the rest (``qa.asks.known_part``, ``qa.evidence``)."""
from __future__ import annotations

import pytest

from qa import evidence
from qa.asks import known_part


@pytest.mark.parametrize("question, known", [
    ("Besides controlled parking zones as its standard approach, what policy did Slough approve?",
     "controlled parking zones as its standard approach"),
    ("Apart from Northfield and Southgate, which wards would the school serve?", "Northfield and Southgate"),
    ("Other than the annual fee, what else will the operator pay?", "the annual fee"),
    ("As well as the library, which buildings close?", "the library"),
    ("What did the Cabinet approve besides the closure?", ""),  # not an opening clause
    ("Which policy, besides the charter, was adopted?", ""),  # the question's own head comes first
    ("When the Cabinet met, what did it approve?", ""),  # an opening clause, but not of what is known
])
def test_the_known_part_is_an_opening_besides_clause(question, known):
    assert known_part(question) == known


PAGE = ("Decision details\n\nLibrary services review\n\nDecision Maker: Cabinet\n\nDecision:\n\n"
        "The Cabinet approved the closure of the mobile library service from April 2024.\n\n"
        "The Cabinet also approved longer opening hours at the central library.\n\nDate of decision: 18/04/2023\n")
QUESTION = "Besides closing the mobile library service, what else did the Cabinet approve?"


def _asker(tmp_path):
    from index.build import build
    from index.embed import HashEmbedder
    from index.search import Searcher
    from qa.ask import Asker

    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    build([page], tmp_path / "ix", HashEmbedder(384), "hash:384")
    return Asker(Searcher(tmp_path / "ix", embedder=HashEmbedder(384)), threshold=0.0)


def test_what_the_asker_knows_picks_no_sentence(tmp_path, monkeypatch):
    from index.filters import Filters
    from qa.evidence import Evidence
    from qa.intent import Intent
    from qa.text import terms

    asker = _asker(tmp_path)
    hits = asker.retrieve(QUESTION, 8, Filters())
    known = "The Cabinet approved the closure of the mobile library service from April 2024."
    rest = "The Cabinet also approved longer opening hours at the central library."

    def lead() -> float:  # by how much the sentence that repeats what the asker knows leads the other
        scored = {" ".join(s.text.split()): s.score for s in Evidence(asker.searcher, QUESTION).sentences(
            hits, Intent.GENERAL)}
        return scored[known] - scored[rest]

    assert Evidence(asker.searcher, QUESTION).known == set(terms("closing the mobile library service"))
    told = lead()
    monkeypatch.setattr(evidence, "known_part", lambda question: "")  # read as one question
    assert lead() > told + 0.05


REPORT = ("Decision details\n\nHampden Centre works\n\nDecision Maker: Director of Property\n\nDecision:\n\n"
          "This report sets out a proposed approach to the procurement of contractors for the Hampden Centre works.\n\n"
          "The works are to be procured via a closed tender using a JCT Minor Works Building Contract.\n")


def test_a_report_saying_what_it_is_about_answers_nothing_asked_of_it(tmp_path):
    from index.build import build
    from index.embed import HashEmbedder
    from index.filters import Filters
    from index.search import Searcher
    from qa.ask import Asker
    from qa.evidence import _SELF_REFERENCE, Evidence
    from qa.intent import Intent

    assert _SELF_REFERENCE.match("This report sets out a proposed approach")
    assert _SELF_REFERENCE.match("1.2 The purpose of this report is to seek approval")
    assert not _SELF_REFERENCE.match("The report of the Director was received")  # another report, named
    page = tmp_path / "report.txt"
    page.write_text(REPORT, encoding="utf-8")
    build([page], tmp_path / "rx", HashEmbedder(384), "hash:384")
    asker = Asker(Searcher(tmp_path / "rx", embedder=HashEmbedder(384)), threshold=0.0)
    question = "What standard form of building contract will be used for the Hampden Centre works?"
    hits = asker.retrieve(question, 8, Filters())
    # weighed as a sentence that restates the decision's title
    told = {s.text.split()[1]: s.features["title"] for s in Evidence(asker.searcher, question).sentences(
        hits, Intent.GENERAL)}
    assert told["report"] == 1.0 and told["works"] == 0.0
    assert "JCT Minor Works Building Contract" in asker.ask(question).text


@pytest.mark.parametrize("question, noun", [
    ("Which corporate objective did Fareham tie the wall works to?", "objective"),
    ("Under which programme did the council plan to replace the two schools?", "programme"),
    ("Which of Kent's strategic objectives is the plan said to serve?", "objectiv"),
    ("Which committee could call in the decision?", "committee"),
    ("What years does the strategy cover?", ""),  # "what" asks for a value, which need not name its kind
    ("Which provides the most?", ""),  # no noun before the verb
])
def test_which_asks_for_a_thing_named_with_its_kind(question, noun):
    from qa.evidence import which_noun
    from qa.text import terms

    assert which_noun(question) == (terms(noun)[0] if noun else "")


def test_a_sentence_naming_the_kind_of_thing_asked_for_weighs_as_an_asked_field(tmp_path):
    from index.build import build
    from index.embed import HashEmbedder
    from index.filters import Filters
    from index.search import Searcher
    from qa.ask import Asker
    from qa.evidence import Evidence
    from qa.intent import Intent

    page = tmp_path / "wall.txt"
    page.write_text("Decision details\n\nRiver wall replacement\n\nDecision Maker: Executive\n\nDecision:\n\n"
                    "The works protect the village from flooding.\n\n"
                    "The works serve the Corporate Strategy 2011-2017.\n", encoding="utf-8")
    build([page], tmp_path / "wx", HashEmbedder(384), "hash:384")
    asker = Asker(Searcher(tmp_path / "wx", embedder=HashEmbedder(384)), threshold=0.0)
    question = "Which corporate strategy do the river wall works serve?"
    scored = {s.text.split()[-1]: s.features["asked_field"] for s in Evidence(asker.searcher, question).sentences(
        asker.retrieve(question, 8, Filters()), Intent.GENERAL)}
    assert scored["2011-2017."] == 1.0 and scored["flooding."] == 0.0
