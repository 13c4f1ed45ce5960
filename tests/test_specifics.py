"""A question that names a period is answered only from a decision that names it (``qa.specifics``)."""
from __future__ import annotations

from qa.frame import read
from qa.specifics import periods, unnamed_periods, years


def _asker(tmp_path, pages: dict[str, str]):
    """An Asker over an index of these pages (the hashing embedder: no model)."""
    from index.build import build
    from index.embed import HashEmbedder
    from index.search import Searcher
    from qa.ask import Asker

    folder = tmp_path / "pages"
    folder.mkdir()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    build([folder], tmp_path / "ix", HashEmbedder(384), "hash:384")
    return Asker(Searcher(tmp_path / "ix", embedder=HashEmbedder(384)))


def test_periods_read_years_and_spans_as_printed():
    assert periods("the plan for 2023-27 and 2018/19, then 2021 to 2022; in 2014") == {
        (2023, 2027), (2018, 2019), (2021, 2022), (2014, 2014)}
    assert periods("Decision 282/2003 of 15/01/2014") == {(2003, 2003), (2014, 2014)}
    assert periods("£2,007,581.28 and ref 1249 and 12/2020") == {(2020, 2020)}
    assert years("decided 15/01/2014; the 2023-27 plan") >= {2014, 2023, 2027}


def test_a_period_the_decision_never_names_is_missing():
    kent = ["Commissioning Plan for Education Provision in Kent 2023-27. Decided on 12/12/2022."]
    assert unnamed_periods("What did Kent decide about its Commissioning Plan for 2024-2028?", kent) == ["2024-2028"]
    assert unnamed_periods("What did Kent decide about its Commissioning Plan for 2023-2027?", kent) == []
    assert unnamed_periods("What did Kent decide in 2022?", kent) == []  # a year inside a printed date counts
    assert unnamed_periods("What did Kent decide in 2019?", kent) == ["2019"]
    assert unnamed_periods("What was the spend in 2021-22?", ["forecast spend 2021/22: £10m"]) == []
    assert unnamed_periods("What did Kent decide about the plan?", kent) == []  # no period asked: nothing to check


def test_a_figure_at_the_head_of_the_question_is_asked_plainly():
    assert read("What hourly rate did Oldham agree to pay Care at Home providers?").plain
    assert read("What price will residents pay for a replacement caddy?").plain
    assert not read("What risks does the budget carry?").plain
    assert not read("What cost pressures led to the overspend?").plain  # the figure is not what is asked


def test_a_question_about_another_period_is_not_answered_from_this_one(tmp_path):
    asker = _asker(tmp_path, {"plan.txt": (
        "Decision details\n\nCommissioning Plan for Education Provision 2023-27\n\n"
        "Decision Maker: Cabinet Member for Education\n\nDecision status: Recommendations Approved\n\n"
        "Decision:\n\nThe Cabinet Member agreed the Commissioning Plan for Education Provision 2023-27, which "
        "plans 1,200 new school places.\n\nDate of decision: 03/05/2023\n")})
    same = asker.ask("What was decided about the Commissioning Plan for Education Provision 2023-27?")
    assert not same.abstained and "1,200 new school places" in same.text
    other = asker.ask("What was decided about the Commissioning Plan for Education Provision 2024-2028?")
    assert other.abstained and other.claims == () and "2024-2028" in other.text


def test_a_years_span_is_named_by_a_text_that_names_both_its_years():
    """"Over the winter of 2024/25" is met by a page reporting the meetings of December 2024 and January 2025,
    though it never prints "2024/25"; a longer span must still be printed as that span."""
    minutes = ["To submit the proceedings of the meetings held on 4 December 2024 and on 15 January 2025."]
    assert unnamed_periods("What did the Executive recommend over the winter of 2024/25?", minutes) == []
    assert unnamed_periods("What did the Executive recommend in 2025/26?", minutes) == ["2025-2026"]
    assert unnamed_periods("What was in the plan for 2024-2027?", minutes) == ["2024-2027"]
    assert unnamed_periods("What did it recommend in 2024/25?", ["Decided on 4 December 2024."]) == ["2024-2025"]


def test_the_decision_that_names_the_asked_period_answers_though_another_reads_closer(tmp_path):
    """Two budget monitoring decisions of one council: the later one shares more of the question's words, the
    earlier one names the year asked for. The period is a filter before the cut: the earlier one answers."""
    asker = _asker(tmp_path, {
        "early.txt": "Decision details\n\nBudget Monitoring Update\n\nDecision Maker: Executive\n\nDecision:\n\nThe "
                     "Executive agreed to draw £2.4m from the Transport Reserve and the Insurance Reserve.\n\n"
                     "Date of decision: 11/12/2019\n",
        "later.txt": "Decision details\n\nRevenue Budget Monitoring Update: reserves the Executive may draw on\n\n"
                     "Decision Maker: Executive\n\nDecision:\n\nThe Executive agreed which reserves it may draw on "
                     "in the budget monitoring: £3.1m from the Waste Reserve.\n\nDate of decision: 14/10/2021\n"})
    question = "Which reserves could the Executive draw on in its budget monitoring in 2019?"
    answer = asker.ask(question)
    assert not answer.abstained, answer.text
    assert "Transport Reserve" in answer.claims[0].text
    # without the year the later, closer decision answers: the filter is the period's, nothing else
    assert "Waste Reserve" in asker.ask(question.replace(" in 2019", "")).claims[0].text


def test_a_line_that_only_states_the_title_counts_nothing(tmp_path):
    """"How many ...?" is not answered by the numbers of a line that only names the decision (its item number,
    reference and title): such a line does not hold the kind of fact asked for."""
    from index.filters import Filters
    from qa.evidence import Evidence
    from qa.intent import Intent

    asker = _asker(tmp_path, {"issue.txt": (
        "Issue details\n\nSS14142 Residential Care Contract Extension\n\n"
        "Decision Maker: Cabinet Member for Adult Social Care\n\nDecision status: Recommendations Approved\n\n"
        "Meetings:\n\n177 24/00002 - SS14142 Residential Care Contract Extension\n\n"
        "Decision:\n\nThe Cabinet Member agreed to extend the contract for 12 care homes while the market is "
        "reviewed.\n\nDate of decision: 18/01/2024\n")})
    question = "How many care homes does the residential care contract extension cover?"
    hits = asker.retrieve(question, 10, Filters())
    fits = {s.text: s.fits for s in Evidence(asker.searcher, question).sentences(hits, Intent.COUNT)}
    assert fits["177 24/00002 - SS14142 Residential Care Contract Extension"] is False
    assert fits["The Cabinet Member agreed to extend the contract for 12 care homes while the market is reviewed."]
