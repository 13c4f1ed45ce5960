"""A question about a decision's own record (when it was taken, published, effective; who took it, wrote its report,
is its contact; why; its status) is answered from the field the record prints, cited to that field's paragraph.
Fixtures: the invented councils' pages in tests/data/layouts."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build
from index.embed import HashEmbedder
from index.search import Searcher
from ingest.pipeline import parse_parts
from qa.ask import Asker
from qa.frame import read
from qa.intent import Intent

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
PAGES = ("01a_decision_details_full.txt", "13_decision_record_older_format.txt", "06_agenda_and_decisions_numbered.txt",
         "04a_decisions_list_okd_refs.txt")


def _sources(name: str) -> dict[str, dict[str, str]]:
    return {d.path: d.meta.sources for d in parse_parts((LAYOUTS / name).read_bytes(), name)}


@pytest.mark.parametrize(("page", "field", "label"), [
    ("01a_decision_details_full.txt", "date_decision", "Date of decision ¶1"),
    ("01a_decision_details_full.txt", "date_published", "Publication date ¶1"),
    ("01a_decision_details_full.txt", "date_effective", "Effective from ¶1"),
    ("01a_decision_details_full.txt", "date_meeting", "Decided at meeting ¶1"),
    ("01a_decision_details_full.txt", "report_author", "Report author ¶1"),
    ("01a_decision_details_full.txt", "contact", "Contact ¶1"),
    ("01a_decision_details_full.txt", "reasons", "Reasons for the decision ¶1"),
    ("01a_decision_details_full.txt", "call_in", "Is subject to call in? ¶1"),
    ("01a_decision_details_full.txt", "key_reason", "Reason Key ¶1"),
    # an older record prints "Label :-value" with no space: each is a field of its own paragraph
    ("13_decision_record_older_format.txt", "reference", "Reference Number ¶1"),
    ("13_decision_record_older_format.txt", "date_decision", "Date ¶1"),
    ("13_decision_record_older_format.txt", "title", "Subject of Decision ¶1"),
    ("13_decision_record_older_format.txt", "reasons", "Reason for Decision ¶1"),
    ("13_decision_record_older_format.txt", "contact", "Contact Officer ¶1"),
    ("13_decision_record_older_format.txt", "date_effective", "Decision to Take Effect at end of ¶1"),
    # a report cover run into one line: each field under its label (the title under "Subject"); the maker named in the phrase "Report to the
    # Executive for Decision" (not a paragraph) is cited where the text names it, not where a label holds its word
    # ("Executive summary: ..." for the Executive)
    ("21_report_cover_run_together.txt", "title", "Subject ¶1"),
    ("21_report_cover_run_together.txt", "decision_maker", "Recommendation ¶1"),
])
def test_each_field_knows_the_paragraph_that_prints_it(page, field, label):
    (sources,) = _sources(page).values()
    assert sources[field] == label


def test_a_decision_list_entry_prints_its_date_reference_and_status_in_its_start_line():
    sources = _sources("04a_decisions_list_okd_refs.txt")["04a_decisions_list_okd_refs.txt#1"]
    assert sources["date_decision"] == sources["reference"] == sources["status"] == "¶1"
    assert sources["lead_officer"] == "Lead officer ¶1"  # the lead officer is a field of its own, not "contact"


def test_a_decision_of_an_agenda_page_keeps_the_meeting_line_that_dates_it():
    """The meeting's date is printed once, in the page's preamble: each decision keeps that line, after its own
    text, so the record's date is printed in the decision it belongs to (its paragraph labels do not move)."""
    docs = parse_parts((LAYOUTS / "06_agenda_and_decisions_numbered.txt").read_bytes(), "06.txt")
    first = docs[0]
    at = first.meta.sources["date_decision"]
    para = next(p for p in first.paragraphs if p.label == at)
    assert para.text.startswith("Cabinet - Wednesday, 11th September, 2019")
    assert first.paragraphs[0].text.startswith("112/2019 The Cabinet approved")  # its own text first, as before


@pytest.mark.parametrize(("question", "intent", "record", "other"), [
    ("When did the Cabinet decide to replace the pool plant?", Intent.DATE, "date_decision", False),
    ("When was the decision on the pool plant taken?", Intent.DATE, "date_decision", False),
    ("When was the parking review decision published?", Intent.DATE, "date_published", False),
    ("From what date is the traffic order decision effective?", Intent.DATE, "date_effective", False),
    ("At the end of which date does decision 3310 take effect?", Intent.DATE, "date_effective", False),
    ("When did the Cabinet Committee discuss decision 21/00081?", Intent.DATE, "date_committee", False),
    ("When will the new contract start?", Intent.DATE, "", True),
    ("Until when will the contracts continue?", Intent.DATE, "", True),
    ("When was the consultation on the budget expected to close?", Intent.DATE, "", True),
    ("Who took decision OKD12 (23/24)?", Intent.WHO, "decision_maker", False),
    ("Which Eastmarsh councillor approved the policy?", Intent.WHO, "decision_maker", False),
    ("Who wrote the report on the pool plant?", Intent.WHO, "report_author", False),
    ("Who is the contact officer for the beach hut fees?", Intent.WHO, "contact", False),
    ("Who was the lead officer for the fuel card extension?", Intent.WHO, "lead_officer", False),
    ("Which portfolio holder presented the report to Cabinet?", Intent.WHO, "", True),
    ("Who was given the power to award the works contract?", Intent.WHO, "", True),
    ("Who came up with the plans that the Cabinet signed off?", Intent.WHO, "", True),  # the first event decides
    ("Why did the Cabinet approve the pool plant replacement?", Intent.REASON, "reasons", False),
    ("Why was closing the main pool rejected?", Intent.REASON, "", True),  # an option's reason, not the decision's
    ("Is the pool plant replacement a key decision?", Intent.GENERAL, "key_decision", False),
    ("Can the beach hut fees decision be called in?", Intent.GENERAL, "call_in", False),
    ("What is the reference number of the beach hut fees decision?", Intent.GENERAL, "reference", False),
    ("What reference number does the council give the beach hut fees decision?", Intent.GENERAL, "reference", False),
    ("How much will the pool plant cost?", Intent.AMOUNT, "", False),
])
def test_a_question_is_read_once_into_what_it_asks_of_the_record(question, intent, record, other):
    frame = read(question)
    assert (frame.intent, frame.record, frame.other_event) == (intent, record, other)


def test_the_checks_a_question_needs_are_named_in_its_frame():
    assert read("How much is the carers' award worth?").checks == ("echo",)  # every answer must add something
    assert "echo" not in read("Was the carers' award approved?").checks  # "It was approved" answers a yes or no
    assert "period" in read("What did Kent plan for 2024-2028?").checks
    assert "count" in read("How many parking spaces would the car park lose?").checks
    assert "record_only" in read("When does the consultation close?").checks
    assert "record_only" not in read("When was the decision taken?").checks


@pytest.fixture(scope="module")
def asker(tmp_path_factory):
    root = tmp_path_factory.mktemp("record")
    corpus = root / "pages"
    corpus.mkdir()
    for name in PAGES:
        shutil.copy(LAYOUTS / name, corpus / name)
    build([corpus], root / "index", HashEmbedder(384), "hash:384")
    return Asker(Searcher(root / "index", embedder=HashEmbedder(384)))


@pytest.mark.parametrize(("question", "quote", "label", "note"), [
    ("When was the decision on the Riverside Leisure Centre pool plant replacement taken?",
     "Date of decision: 13/11/2023", "Date of decision ¶1", "2023-11-13"),
    ("When was the Riverside Leisure Centre pool plant decision published?",
     "Publication date: 14/11/2023", "Publication date ¶1", "2023-11-14"),
    ("Who wrote the report on the Riverside Leisure Centre pool plant replacement?",
     "Report author: Priya Anand", "Report author ¶1", ""),
    ("When did the Cabinet decide the beach hut site licence fees?", "Date :-2013/02/06", "Date ¶1", "2013-02-06"),
    ("Who is the contact officer for the beach hut site licence fees?",
     "Contact Officer :-Head of Leisure Services - Karen Ashdown", "Contact Officer ¶1", ""),
    ("Can the beach hut site licence fees decision be called in?", "Subject to Call-in :-Yes", "Subject to Call-in ¶1", ""),
    # "why is it a key decision?" is not the reasons for the decision: its "Reason Key" line
    ("Why was the Riverside Leisure Centre pool plant replacement a key decision?",
     "Reason Key: Expenditure of more than £500,000;", "Reason Key ¶1", ""),
])
def test_a_question_about_the_record_is_answered_from_its_field(asker, question, quote, label, note):
    answer = asker.ask(question)
    assert not answer.abstained, answer.text
    assert answer.answerer == "record"
    (claim,) = answer.claims
    assert claim.text == quote and claim.citations[0].paragraph == label
    assert claim.note == note


def test_why_is_answered_by_the_reasons_the_record_gives(asker):
    answer = asker.ask("Why did the Cabinet approve the Riverside Leisure Centre pool plant replacement?")
    assert answer.answerer == "record"
    assert answer.claims[0].text.startswith("Condition surveys found that the plant is likely to fail")
    assert answer.claims[0].citations[0].paragraph == "Reasons for the decision ¶1"


def test_the_date_of_a_decision_on_an_agenda_page_is_its_meeting(asker):
    answer = asker.ask("When did the Cabinet approve the revised Housing Allocations Policy?")
    assert answer.answerer == "record", answer.text
    assert answer.claims[0].text.startswith("Cabinet - Wednesday, 11th September, 2019")
    assert answer.claims[0].note == "2019-09-11"


def test_a_field_the_record_does_not_print_is_said_to_be_missing(asker):
    answer = asker.ask("Who was the lead officer for the beach hut site licence fees?")
    assert answer.abstained
    assert answer.reason == "Not found: the record of 3310 prints no lead officer."


def test_a_maker_that_is_a_body_does_not_answer_which_councillor(asker):
    """"Which councillor ...?" wants a person: the record's "Decision Maker :-Cabinet" is a body, so the record
    does not answer; the decision's own text is read instead, and here names no councillor who decided."""
    answer = asker.ask("Which councillor approved the beach hut site licence fees?")
    assert answer.abstained  # the one councillor the page names declared an interest: he decided nothing
    assert answer.reason == "Not found: the record of 3310 gives its decision maker as Cabinet, and names no person."


def test_the_council_a_question_names_says_where_to_look_not_what_to_find(tmp_path):
    """"Eastmarsh's market stall rents": the search is held to Eastmarsh's decisions, and every passage of them
    covers the word "Eastmarsh" in its evidence, since a council's page seldom prints its own name."""
    from qa.evidence import Evidence

    build([LAYOUTS / "15a_same_ref_101_eastmarsh.txt", LAYOUTS / "15b_same_ref_101_northvale.txt"], tmp_path / "ix",
          HashEmbedder(384), "hash:384")
    searcher = Searcher(tmp_path / "ix", embedder=HashEmbedder(384))
    evidence = Evidence(searcher, "How much did Eastmarsh's market stall rents raise?")
    assert evidence.given == {"eastmarsh"} and {"market", "stall"} <= set(evidence.terms)
    assert evidence.coverage("market stall") == evidence.coverage("Eastmarsh market stall")


@pytest.mark.parametrize("question, intent, plain", [
    # the noun of the "which/what ..." phrase says what is asked, also after an opening clause
    ("Which Kent commissioning manager presented the short breaks report?", Intent.WHO, False),
    ("Which body approved the carers' short breaks direct award?", Intent.WHO, False),
    ("Which officer signed off the direct award?", Intent.WHO, False),
    ("In Kent, what day did the direct award start?", Intent.DATE, True),  # after an opening clause
    ("From what day did the new short breaks service run?", Intent.DATE, True),
    ("In what year did the council first commission short breaks?", Intent.DATE, True),
    ("What is the budget for the carers' short breaks service?", Intent.AMOUNT, True),
    ("How large a saving did the direct award make?", Intent.AMOUNT, True),
    # "kick-start" holds no start date; "What did ... decide about ... value" asks what was decided
    ("Which part of the county did the council hope the grant would kick-start growth across?", Intent.GENERAL, False),
    ("What did the Cabinet Member decide about the service's value for money?", Intent.GENERAL, False),
    ("Which day opportunities did the council commission?", Intent.GENERAL, False),  # "day" is no date here
])
def test_the_noun_a_question_asks_about_says_what_it_wants(question, intent, plain):
    frame = read(question)
    assert (frame.intent, frame.plain) == (intent, plain)


def test_a_body_that_decided_is_the_records_decision_maker():
    assert read("Which body approved the carers' short breaks direct award?").record == "decision_maker"


@pytest.mark.parametrize("question, record, other", [
    # the question's own verb comes last: the decision to publish is not its publication
    ("From what date did the decision to publish the short breaks notice take effect?", "date_effective", False),
    ("When was the decision on the short breaks award made public?", "date_published", False),
    # the person asked for is whom another named: not the decision maker
    ("Which officer did the Cabinet Member authorise to sign the contract?", "", True),
    ("Who approved the carers' short breaks direct award?", "decision_maker", False),
])
def test_which_record_field_a_question_asks_for(question, record, other):
    frame = read(question)
    assert (frame.record, frame.other_event) == (record, other)


def test_a_contract_or_tender_names_the_firm_it_went_to():
    from qa.intent import Intent, satisfies

    assert satisfies(Intent.ORGANISATION, "Members chose the tender from Harwood Civils for the bridge works.")
    assert not satisfies(Intent.ORGANISATION, "Members chose the tender for the bridge works.")


def test_whose_asks_for_a_person_or_body():
    assert read("Whose approval does the short breaks award need?").intent is Intent.WHO
    # after a preposition too, and then it asks plainly: a sentence naming no one does not answer it
    frame = read("In whose name was the report on the library review put to the Cabinet?")
    assert frame.intent is Intent.WHO and frame.plain


def test_a_post_or_a_body_answers_who():
    from qa.intent import satisfies

    assert satisfies(Intent.WHO, "The Head of Leisure Services tabled a confidential report.")
    assert satisfies(Intent.WHO, "Ms Okafor presented the report.")  # a person by name
    field = "Decision Maker: Cabinet"  # a record's field line names who decided, not who did something else
    assert satisfies(Intent.WHO, field) and not satisfies(Intent.WHO, field, fields=False)
    assert not satisfies(Intent.WHO, "An exempt report was submitted on the dry recycling contract.")


def test_who_did_another_act_is_not_answered_by_the_body_the_question_names():
    from qa.asked import only_asked_who

    question = "Who presented the beach hut fees report to the Leisure and Tourism Committee?"
    assert read(question).other_event and "who" in read(question).checks
    assert only_asked_who(question, "12/03/2024 - Leisure and Tourism Committee (Item 7)")
    assert not only_asked_who(question, "The Cabinet Member for Leisure presented the report.")
    assert not only_asked_who(question, "The report was presented to members.")  # names none: the sentence test's
    assert "who" not in read("Who took the beach hut fees decision?").checks  # the record's maker answers that


MEETINGS = """Agenda item

Proceedings of the Executive

To submit the part proceedings of the meetings which took place on 4 December 2024 and on 15 January 2025 and, in particular, to consider:

Exe/24/131     Capital Programme Update

That the Council approves a capital budget increase of £0.412m for Harbour Street residents' parking, funded by £0.300m of Section 106 contributions and £0.112m from the Parking Reserve.

Exe/25/007     Capital Programme Update

That the Council approves a capital budget increase of £0.215m for the Mill Lane play area, funded by borrowing.
"""


def test_each_decision_of_a_page_reporting_several_meetings_keeps_the_line_naming_them(tmp_path):
    """The preamble names two meetings and no one date for every decision: each decision keeps the line, so a
    question about the winter they span is answered from the decision, not refused as about another period."""
    docs = parse_parts(MEETINGS.encode(), "exe.txt")
    assert [d.meta.number for d in docs] == ["Exe/24/131", "Exe/25/007"]
    assert all("4 December 2024 and on 15 January 2025" in d.text and not d.meta.dates for d in docs)
    assert all(d.meta.sources["decision_maker"] for d in docs)  # "Proceedings of the Executive" still prints it
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "exe.txt").write_text(MEETINGS, encoding="utf-8")
    build([tmp_path / "pages"], tmp_path / "index", HashEmbedder(384), "hash:384")
    answer = Asker(Searcher(tmp_path / "index", embedder=HashEmbedder(384))).ask(
        "How much Section 106 money went to Harbour Street residents' parking in the capital programme changes "
        "recommended over the winter of 2024/25?")
    assert not answer.abstained, answer.text
    assert "£0.300m" in answer.claims[0].text


TITLED = """Decision details

Highway Works – Sealing of Traffic Regulation Order ref W31 2023 Junction Protection Summer Review 2023

Decision Maker: Portfolio Holder for Highways

Decision status: Recommendations Approved

Purpose:

To consider the objections received and to approve the making of the order so that the junction protection markings can be laid.

Decision:

To make and seal the order and lay the markings as advertised.

Date of decision: 14/09/2023
"""


def test_a_reference_printed_only_in_the_title_line_is_answered_from_it(tmp_path):
    """The record's reference is printed in its title line alone, which is no paragraph: the answer quotes that
    line as a line of the record and cites the paragraph under it, rather than saying the record prints none."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "order.txt").write_text(TITLED, encoding="utf-8")
    build([tmp_path / "pages"], tmp_path / "index", HashEmbedder(384), "hash:384")
    asker = Asker(Searcher(tmp_path / "index", embedder=HashEmbedder(384)))
    answer = asker.ask("What reference number does the junction protection traffic order give?")
    assert not answer.abstained, answer.text
    assert answer.answerer == "record"
    (claim,) = answer.claims
    assert claim.metadata and claim.text.startswith("W31 2023: printed in its title line")
    assert "ref W31 2023 Junction Protection" in claim.text
    assert claim.citations[0].decision == "W31 2023" and claim.citations[0].quote in TITLED


def test_the_records_own_lines_answer_only_what_they_are():
    from qa.record import record_lines_only
    from qa.records import Citation, Claim

    def claim(text: str, paragraph: str) -> Claim:
        return Claim(text, (Citation("2190", paragraph, "page.txt", text, 1),))

    maker = claim("Statutory Deputy City Mayor & Lead Member for Housing Briefing", "Decision Maker \u00b61")
    meeting = claim("15/09/2022 - Lead Member for Housing Briefing", "Made at meeting \u00b61")
    assert record_lines_only([maker, meeting]) == "decision_maker"
    # a page may print its body under the last label: a later paragraph, or a sentence, is no field line
    body = claim("That the policy be approved.", "Is subject to call in? \u00b62")
    assert record_lines_only([maker, body]) is None
    long = claim("That Heads of Terms for the lease of the golf course including the clubhouse building, ancillary "
                 "buildings and facilities are exchanged with Applicant 2.", "Effective from \u00b61")
    assert record_lines_only([long]) is None
    assert record_lines_only([claim("The Cabinet agreed the policy.", "Decision \u00b61")]) is None
