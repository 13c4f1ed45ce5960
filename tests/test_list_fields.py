"""Lists of decisions read from the record (``qa.listing``, ``qa.makers``): "which decisions of X were taken by a
director / by the Cabinet as a whole / by one of its cabinet committees in March / could not be called in?" are
answered from each decision's maker, date and call-in field, not from passages that happen to mention a director.
One invented council's decisions list (pages written for these tests, in the ModernGov decisions-list layout)."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa.makers import asked_role, role_of
from tests.moderngov_page import PAGE
from ui.cli import main

COUNCIL = "Brackenfold District Council"
DECISION = """{date} - {title} ref: {ref}    Recommendations Approved

Decision Maker: {maker}

Decision published: {date}

Is subject to call in?: {call_in}

Decision:

{text}

"""
DECISIONS = [  # date, title, ref, maker, call-in, text
    ("04/03/2024", "Homelessness Prevention Grant Allocation", "801", "Director of Housing", "No",
     "That the homelessness prevention grant of £86,000 be allocated to the Brackenfold Night Shelter."),
    ("12/03/2024", "Parks Maintenance Contract Extension", "802", "Executive Director Place", "No",
     "That the parks maintenance contract with Fernvale Grounds Ltd be extended by twelve months."),
    ("19/03/2024", "Library Opening Hours", "803", "Cabinet Member for Communities", "Yes",
     "That the opening hours of the three branch libraries be aligned from 1 May 2024."),
    ("26/03/2024", "Local Plan Review", "804", "Cabinet", "Yes",
     "That the Local Plan review timetable be approved for consultation."),
    ("14/03/2024", "Active Travel Routes", "805", "Place Cabinet Committee", "Yes",
     "That the Place Cabinet Committee endorse the proposed cycle routes for the town centre."),
    ("18/06/2024", "Leisure Centre Roof", "806", "Place Cabinet Committee", "Yes",
     "That the Place Cabinet Committee endorse the replacement of the leisure centre roof."),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    page = root / "brackenfold-decisions.txt"
    page.write_text(PAGE.format(decisions="".join(
        DECISION.format(date=d, title=t, ref=r, maker=m, call_in=c, text=x) for d, t, r, m, c, x in DECISIONS)),
        encoding="utf-8")
    index = root / "index"
    assert main(["ingest", str(page), "--index", str(index), "--council", COUNCIL]) == 0
    return index


def _listed(index_dir: Path, question: str) -> list[str]:
    from index.backends import open_searcher
    from qa.ask import Asker

    answer = Asker(open_searcher(index_dir), mode="hybrid", rerank=True).ask(question)
    assert not answer.abstained, answer.text
    return sorted({c.decision for c in answer.citations})


@pytest.mark.parametrize("question, expected", [
    (f"Which decisions of {COUNCIL} were taken by a director?", ["801", "802"]),
    (f"Which decisions of {COUNCIL} were taken by the Cabinet as a whole, rather than by a Cabinet Member or a"
     " cabinet committee?", ["804"]),
    (f"Which decisions of {COUNCIL} did one of its cabinet committees endorse at a March meeting?", ["805"]),
    (f"Which decisions of {COUNCIL} could not be called in?", ["801", "802"]),
])
def test_a_list_is_read_from_the_records_fields(index_dir, question, expected):
    assert _listed(index_dir, question) == expected


def test_a_maker_is_known_by_its_role():
    assert role_of("Executive Director Resources").head == "director"
    assert role_of("Director of Housing").head == "director"
    assert role_of("Cabinet Member for Communities").head == "member"
    assert role_of("Clair Bell, Cabinet Member for Adult Social Care").head == "member"
    committee = role_of("Growth & Housing Cabinet Committee")
    assert (committee.head, committee.qualifiers) == ("committee", frozenset({"cabinet"}))
    assert role_of("Cabinet").head == "cabinet"
    assert role_of("Jo Marlowe") is None


def test_the_role_a_question_asks_for_and_the_words_that_ask_it():
    question = "Which decisions were taken by the Cabinet as a whole, rather than by a Cabinet Member?"
    asked = asked_role(question)
    assert asked.role.head == "cabinet" and asked.role.fits("Cabinet") and not asked.role.fits("Cabinet Member")
    assert question[asked.span[0]:asked.span[1]].endswith("rather than by a Cabinet Member")  # not the topic
    assert asked_role("Which decisions about waste were taken in 2024?") is None
    assert asked_role("Which decisions were taken by Councillor Hale?") is not None  # a councillor is a role


def test_a_span_of_months_is_a_range_not_two_months(index_dir):
    question = f"Which decisions of {COUNCIL} from March 2024 to June 2024 were taken by the Cabinet?"
    assert _listed(index_dir, question) == ["804"]
    from qa.listing import constraints_of

    c = constraints_of("Which decisions from November 2021 to April 2022 awarded contracts?", [])
    assert (c.span, c.months, c.years) == (("2021-11", "2022-04"), (), ())
