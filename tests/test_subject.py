"""What a question is about (``qa.subject``): the decision that answers must print its subject, not only the council,
the kind of deal and the year it names. Over the sample and the two Eastmarsh home care decisions written for the
awards tests (hashing embedder)."""
from __future__ import annotations

import pytest

from index.embed import HashEmbedder
from index.search import Searcher
from ingest.councils import council_words
from qa import ledger
from qa.ask import Asker
from qa.evidence import Evidence
from qa.subject import asking_terms, off_subject, subject_share, subject_weights
from qa.text import terms
from qa.weights import _weights, trying


@pytest.fixture(scope="module")
def asker(awards_index):
    return Asker(Searcher(awards_index, embedder=HashEmbedder(384)))


def _subject(asker, question: str) -> set[str]:
    return set(subject_weights(Evidence(asker.searcher, question)))


def test_the_subject_is_what_is_left_after_where_to_look_and_what_is_asked(asker):
    # the council (every word of its name), the kind of deal, who is asked for and the year say where to look
    assert _subject(asker, "Which company won the Borough of Eastmarsh's short breaks contract in 2022?") == {
        "short", "break"}
    assert _subject(asker, "When did Kent County Council's Cabinet Member approve the supported living service?") \
        == set(terms("supported living service")) - asking_terms()
    # a word no indexed decision prints is the asker's own: it tells no decision from another
    assert _subject(asker, "Which company won Eastmarsh's parking enforcement contract?") == set()
    assert {"borough", "royal", "county", "cabinet", "cyngor"} <= council_words()


def test_a_decision_that_prints_the_subject_answers_and_one_that_does_not_is_another_subject(asker):
    ev = Evidence(asker.searcher, "Which company won the Borough of Eastmarsh's short breaks contract?")
    eastmarsh = [d.number for d in asker.decisions() if d.council == "Borough of Eastmarsh"]
    assert eastmarsh and subject_share(asker.searcher, ev, eastmarsh) == 0.0
    assert subject_share(asker.searcher, ev, ["22/00093"]) == 1.0  # Kent's carers' short breaks direct award
    reason = off_subject(asker.searcher, ev, eastmarsh)
    assert reason and "another subject" in reason and "\u201cshort\u201d" in reason and "\u201cbreaks\u201d" in reason
    assert off_subject(asker.searcher, ev, ["22/00093"]) is None
    # a question with no subject of its own ("What was decided?") is about whatever decision it names
    assert subject_share(asker.searcher, Evidence(asker.searcher, "What was decided in 22/00093?"), eastmarsh) == 1.0


def test_another_subjects_supplier_is_not_found_and_the_subjects_own_is_answered(asker):
    # with no evidence threshold (the hashing embedder's evidence is low), only the subject check turns it away
    asker = Asker(asker.searcher, threshold=0.0)
    with trying({**_weights(), "subject": 0.0}):  # without the check, the home care supplier is quoted
        assert "Acme Care" in asker.ask("Which company won the Borough of Eastmarsh's short breaks contract?").text
    other = asker.ask("Which company won the Borough of Eastmarsh's short breaks contract?")
    # the home care contract's supplier is no answer to it
    assert other.abstained and not other.claims and "another subject" in other.reason
    own = asker.ask("Which company won the Borough of Eastmarsh's home care contract?")
    assert not own.abstained and "Acme Care Ltd" in own.text


def test_the_ledger_gives_no_amounts_of_another_subject(asker):
    # the awards ledger holds Eastmarsh's home care amounts; a question about its short breaks contract gets none
    asker = Asker(asker.searcher, threshold=0.0)  # every decision searched is read: only the subject tells them apart
    with trying({**_weights(), "subject": 0.0}):  # without the check, the home care supplier is the answer
        assert ledger.answer(asker, "Which company won the Borough of Eastmarsh's short breaks contract?") is not None
    assert ledger.answer(asker, "Which company won the Borough of Eastmarsh's short breaks contract?") is None
    own = ledger.answer(asker, "Which company won the Borough of Eastmarsh's home care contract?")
    assert own is not None and not own.abstained and any("Acme Care Ltd" in c.text for c in own.claims)


def test_a_list_of_amounts_keeps_to_its_subject_and_a_light_verb_is_none(asker):
    asker = Asker(asker.searcher, threshold=0.0)
    # a light verb names no subject ("put a value on"): Kent's award and Eastmarsh's both answer
    assert set(terms("put gives making brought")) <= asking_terms()
    both = ledger.answer(asker, "Which contracts over £1m were awarded in 2022 and put a value on the contract?")
    assert both is not None and len(both.claims) == 2
    # "for short breaks" does: Eastmarsh's home care award is no answer to it
    own = ledger.answer(asker, "Which contracts over £1m were awarded in 2022 for short breaks?")
    assert own is not None and [c.text.split(":")[0] for c in own.claims] == ["22/00093"]
