"""The plain-English thesaurus: what it matches, and what it changes in keyword search and evidence."""
from __future__ import annotations

import json

import pytest

from index.build import build
from index.embed import HashEmbedder
from index.search import Searcher
from index.thesaurus import PATH, expanded, expansions
from qa.evidence import Evidence
from tests.conftest import SAMPLE


def _found(question: str) -> dict[str, tuple[str, ...]]:
    return {e.phrase: e.alternatives for e in expansions(question)}


def test_a_plain_word_calls_up_the_documents_words():
    assert _found("Is there respite for carers?") == {"respite": ("short breaks",)}


@pytest.mark.parametrize("question", ["Which officer was given the job of agreeing the lease?",
                                      "Who was put in charge of carrying out the plan?"])
def test_a_job_given_is_authority_delegated(question):
    """People say an officer was "given the job"; records say authority was "delegated" to the post."""
    assert "delegated authority" in next(iter(_found(question).values()))


def test_a_school_or_centre_to_shut_is_one_to_close():
    """People say a school will "shut"; records say "close" and "closure"."""
    assert _found("Which primary school is to shut?")["shut"] == ("close", "closure", "closing")
    assert _found("When will the day centre shut down?")["shut down"] == ("close", "closure", "closing")


def test_the_longest_phrase_wins_and_possessives_match():
    found = _found("What will family caregivers' respite cost?")
    assert found["family caregivers"] == ("carers", "unpaid carers")
    assert "caregivers" not in found
    assert "youngster's" in _found("What is a youngster's support worth?")


def test_a_star_stands_for_up_to_three_words():
    assert "set the county council back" in _found("What will it set the county council back?")
    assert not any("set" in p for p in _found("Set out the plan, then go back to the start."))


def test_words_already_in_the_question_are_not_added_again():
    assert _found("Which laws, or which Act, apply?")["laws"] == ("legislation", "legislative", "statutory")


@pytest.mark.parametrize("question", ["What is the capital of France?", "How many swimming lessons were given?", ""])
def test_questions_outside_the_thesaurus_are_left_alone(question):
    assert expansions(question) == [] and expanded(question) == question


def test_the_thesaurus_file_is_well_formed():
    data = json.loads(PATH.read_text(encoding="utf-8"))
    assert data["about"]
    for entry in data["entries"]:
        assert set(entry) == {"ask", "find"} and entry["ask"] and entry["find"], entry
        for phrase in entry["ask"]:  # each phrase, asked alone, calls up its entry
            asked = phrase.replace("*", "the county")
            assert expansions(asked) or all(f.lower() in asked.lower() for f in entry["find"]), phrase


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    d = tmp_path_factory.mktemp("thesaurus") / "index"
    build([SAMPLE], d, HashEmbedder(384), "hash:384")
    return Searcher(d, embedder=HashEmbedder(384))


def test_keyword_search_finds_the_documents_word(searcher):
    question = "respite for family caregivers"
    plain = searcher.search(question, k=5, mode="keyword", expand=False)
    wide = searcher.search(question, k=5, mode="keyword")
    assert not any("short breaks" in h.text.lower() for h in plain)
    assert "short breaks" in wide[0].text.lower() and wide[0].decision == "22/00093"


def test_evidence_counts_the_documents_word_as_covering_the_plain_one(searcher):
    evidence = Evidence(searcher, "respite")
    assert evidence.coverage("The Carers’ Short Breaks Contract") == 1.0
    assert evidence.coverage("The Carers’ Contract") == 0.0
    assert Evidence(searcher, "What share of providers?").coverage("at least 80% of providers") == 1.0


def test_a_question_word_covers_where_a_word_starts_never_inside_one(searcher):
    """"bin" is not in "Cabinet", nor "rent" in "current"; "child" is in "children", a figure as printed."""
    assert Evidence(searcher, "bin").coverage("The Cabinet approved the contract") == 0.0
    assert Evidence(searcher, "rent").coverage("the current arrangements continue") == 0.0
    assert Evidence(searcher, "child").coverage("services for children and families") == 1.0
    assert Evidence(searcher, "What about 2022?").coverage("in 2021/2022 the council") > 0.0


def _decision(number: str, title: str):
    from index.decisions import Decision

    return Decision(number, title, "", "taken", None, "", "", {}, [])


def test_a_question_names_a_decision_by_the_rare_words_of_its_title():
    from qa.titles import TitleIndex

    titles = TitleIndex([_decision("22/00034", "External Community Opportunities for People with Learning and "
                                   "Physical Disabilities"),
                         *(_decision(f"10/5{i:04d}", f"Community {s}") for i, s in
                           enumerate(["Museum Outreach", "Tree Planting", "Youth Hubs", "Wardens"] * 5))])
    assert titles.named("When was the budget approved, according to the external community opportunities "
                        "decision?") == "22/00034"
    assert titles.named("What does the community support cost?") is None  # one common title word names nothing
    assert titles.named("What is the community tree planting budget?") is None  # five decisions share that title


def test_an_answer_says_which_plain_words_it_also_read(searcher):
    from qa.ask import Asker

    answer = Asker(searcher, threshold=0.0).ask("How much is the respite award for carers worth?")
    assert 'Note: Also read "respite" as "short breaks".' in answer.text
    assert answer.to_dict()["notes"][0] == 'Also read "respite" as "short breaks".'
    plain = Asker(searcher, threshold=0.0).ask("How much is the short breaks award for carers worth?")
    assert "Also read" not in plain.text
