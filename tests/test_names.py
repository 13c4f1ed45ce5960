"""A person minutes name by honorific and surname ("Ms Doe confirmed ...") is given their full name where the same
decision prints it, quoted from its own sentence and cited (``qa.names``)."""
from __future__ import annotations

from index.build import build
from index.embed import HashEmbedder
from index.search import Searcher
from qa.ask import Asker
from qa.names import HONORIFIC, _full_name

MINUTES = ("Decision details\n\nDay Centres Contract Extension\n\nDecision Maker: Cabinet Member for Adult Services\n\n"
           "Minutes:\n\nJane Doe, Head of Commissioning, was in attendance for this item.\n\n"
           "Mr Roe introduced the report. Ms Doe confirmed that the day centres contract would be extended to "
           "March 2026.\n\nDate of decision: 18/01/2024\n")


def _asker(tmp_path, text: str) -> Asker:
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    build([page], tmp_path / "ix", HashEmbedder(384), "hash:384")
    return Asker(Searcher(tmp_path / "ix", embedder=HashEmbedder(384)), threshold=0.0)


def test_honorific_and_surname_are_read_and_a_full_name_is_found():
    assert [m["surname"] for m in HONORIFIC.finditer("Mr Roe introduced it. Ms Doe confirmed it.")] == ["Roe", "Doe"]
    assert not list(HONORIFIC.finditer("Cllr Jeremy Hunt agreed"))  # named in full already
    assert _full_name("Doe", "Jane Doe, Head of Commissioning, was in attendance")["first"] == "Jane"
    assert _full_name("Doe", "Ms Doe confirmed it") is None
    assert _full_name("Ward", "the Ward Councillor") is None
    assert _full_name("Ward", "zones in the Gillingham South Ward") is None  # a place, not a first name
    assert _full_name("Hunt", "Decision Maker: Cllr Jeremy Hunt")["first"] == "Jeremy"


def test_who_is_answered_with_the_full_name_the_decision_prints(tmp_path):
    answer = _asker(tmp_path, MINUTES).ask("Which officer confirmed that the day centres contract would be extended?")
    assert not answer.abstained
    assert "Ms Doe confirmed" in answer.text and "Jane Doe, Head of Commissioning" in answer.text
    cited = [c for claim in answer.claims if claim.text.startswith("Jane Doe") for c in claim.citations]
    assert cited and "Jane Doe" in cited[0].quote  # quoted from its own sentence, and verified


def test_no_full_name_is_added_where_the_decision_prints_none(tmp_path):
    page = MINUTES.replace("Jane Doe, Head of Commissioning, was in attendance for this item.", "Officers attended.")
    answer = _asker(tmp_path, page).ask("Which officer confirmed that the day centres contract would be extended?")
    assert "Ms Doe confirmed" in answer.text and "Jane" not in answer.text


def test_a_name_that_says_something_in_minutes_is_a_person_and_a_post_is_not():
    from qa.intent import PERSON_NAMED, Intent, satisfies

    assert PERSON_NAMED.search("Richard Ellis confirmed that the bed-buying option remained")
    assert satisfies(Intent.WHO, "Richard Ellis confirmed that the bed-buying option remained.")
    for text in ("The Cabinet Member agreed the report", "the Adult Social Care Cabinet Committee noted it",
                 "in accordance with the Contract Standing Orders was approved"):
        assert not PERSON_NAMED.search(text), text
