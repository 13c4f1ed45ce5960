"""Questions that ask for a page's field by name, or without naming it, and list lines that only state a title."""
from __future__ import annotations

import pytest

from qa.fields import asked_labels, under_asked_field
from qa.frame import read
from qa.intent import Intent
from qa.titles import states_title


def _asker(folder, record: str):
    """An Asker over an index of one page holding ``record`` (the hashing embedder: no model)."""
    from index.build import build
    from index.embed import HashEmbedder
    from index.search import Searcher
    from qa.ask import Asker

    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "record.txt"
    page.write_text(record, encoding="utf-8")
    emb = HashEmbedder(384)
    build([page], folder / "ix", emb, "hash:384")
    return Asker(Searcher(folder / "ix", embedder=emb))


@pytest.mark.parametrize(("question", "label"), [
    ("From what date is the traffic order effective?", "effective from"),
    ("When was the parking review decision published?", "publication date"),
    ("Who wrote the report on the grant guide?", "report author"),
    ("Who was the lead director for the highway scheme?", "lead director"),
    ("What alternative options were considered?", "alternative options considered"),
    ("Why did the cabinet approve the parking changes?", "reasons for the decision"),
    ("What was decided in OKD55 (20/21)?", "resolved"),
])
def test_the_field_a_question_asks_for(question, label):
    assert label in read(question).labels


def test_words_every_field_shares_name_no_field():
    assert asked_labels("What is the date of the decision on the carers award?") == frozenset()
    assert asked_labels("How much is the carers' short breaks direct award worth?") == frozenset()


def test_a_sentence_under_an_asked_field():
    asked = asked_labels("From what date is the order effective?")
    assert under_asked_field("Effective from", "Effective from: 25/06/2021", asked)
    assert under_asked_field("", "Effective from: 25/06/2021", asked)
    assert not under_asked_field("Date of decision", "Date of decision: 17/06/2021", asked)


def test_a_list_start_line_only_states_the_title():
    title = "Salford's Temporary Accommodation Allocations and Commissioning Policy"
    assert states_title(f"15/09/2022 - {title}. ref: 2190 Recommendations Approved", title)
    assert states_title(title, title)
    assert not states_title(f"The Cabinet approved the {title} with two changes to its bands.", title)


@pytest.mark.parametrize(("question", "plain"), [
    ("How much is the fuel card contract worth?", True), ("When was it published?", True),
    ("Who took the decision?", True), ("What risk does the procurement carry for fees?", False),
    ("Is the contract worth more than last year's?", False),
    # the head may follow a preposition, and a verb may ask for the sum
    ("By how much did the parking charges rise?", True), ("Up to what value can an officer award a grant?", True),
    ("What did the council pay for the new mower?", True), ("What will the new depot cost?", True),
    ("What did the council pay attention to?", False), ("How did the council charge the agency fee?", False)])
def test_questions_that_plainly_ask_for_one_kind_of_fact(question, plain):
    assert read(question).plain is plain


def test_a_lead_in_that_ends_its_passage_is_quoted_with_the_list_after_it(tmp_path):
    answer = _asker(tmp_path,
        "Decision details\n\nDisposal of land at Mill Lane\n\nDecision Maker: Cabinet Member for Property\n\n"
        "Decision status: Recommendations Approved\n\nDecision:\n\nThe Cabinet Member has endorsed:\n\n"
        "(a) the sale of the Mill Lane depot site to Hartwell Homes for £640,000;\n\n"
        "(b) the use of the receipt for the Mill Lane play area.\n\n"
        "Reasons for the decision:\n\nThe depot has stood empty since 2019.\n\nDate of decision: 03/05/2022\n"
    ).ask("What was decided about the Mill Lane depot?")
    said = " ".join(c.text for c in answer.claims)
    assert "The Cabinet Member has endorsed:" in said
    assert "Hartwell Homes for £640,000" in said and "play area" in said  # the list, quoted and cited
    assert all(c.paragraph.startswith("Decision") for claim in answer.claims for c in claim.citations)


def test_a_question_that_plainly_asks_a_sum_the_record_never_states_is_not_found(tmp_path):
    """"What did the council pay for the mower?" of a record that waives a rule to buy it, at no price printed: the
    sentence about the purchase is no answer. "By how much ...?" is answered by a percentage as by a sum."""
    asker = _asker(tmp_path,
        "Decision details\n\nGrounds maintenance mower\n\nDecision Maker: Portfolio Holder for Parks\n\n"
        "Decision:\n\nThat Contract Standing Order 4.2 be waived to allow the purchase of a new ride-on mower for "
        "the Parks Service by direct award to Brookfield Turf Machinery Ltd.\n\n"
        "That allotment rents rise by 4% from April 2023.\n\nDate of decision: 14/03/2023\n")
    assert asker.ask("What did the council pay for the new ride-on mower from Brookfield Turf Machinery?").abstained
    answer = asker.ask("By how much will allotment rents rise from April 2023?")
    assert not answer.abstained and "4%" in " ".join(c.text for c in answer.claims)


def test_which_company_asks_for_a_named_firm_not_a_department():
    from qa.intent import satisfies

    assert read("Which company won the dry recycling contract?").intent is Intent.ORGANISATION
    assert read("By what percentage did council tax rise?").intent is Intent.PERCENT
    assert satisfies(Intent.ORGANISATION, "The contract was awarded to Advanced KFS Special Vehicles Ltd.")
    assert satisfies(Intent.ORGANISATION, "The highest scoring provider, Hestia Housing and Support.")
    assert not satisfies(Intent.ORGANISATION, "The Head of Environmental Services submitted an exempt report.")
    assert satisfies(Intent.PERCENT, "Council tax will rise by 4.99%.")
    assert not satisfies(Intent.PERCENT, "Council tax will rise.")


def test_a_label_that_repeats_the_decision_id_is_not_written_twice():
    from index.search import citation_label

    assert citation_label("Exe/19/03", "Exe/19/03 Capital Programme Update ¶1") == "[Exe/19/03 Capital Programme Update ¶1]"
    assert citation_label("22/00034", "4.2") == "[22/00034 ¶4.2]"


def test_a_council_of_three_words_is_named_by_its_initials():
    from qa.councils import named_councils

    councils = ["Bournemouth, Christchurch and Poole Council", "Neath Port Talbot Council", "West Sussex County Council"]
    assert named_councils("From what date is BCP Council's order effective?", councils) == [councils[0]]
    assert named_councils("What did NPT decide about the school?", councils) == [councils[1]]
    assert named_councils("What did the bcp of the scheme cost?", councils) == []  # capitals only
    assert named_councils("What did WSC decide?", councils) == []  # two words: no initials


@pytest.mark.parametrize(("question", "intent"), [
    ("How long will the refurbishment works last?", Intent.DURATION),
    ("For how long may the council use the empty flats?", Intent.DURATION),
    ("Once the decision is published, how long is there to call it in?", Intent.DURATION),
    ("Until when did the council extend the contracts?", Intent.DATE),  # a day, not a span
    ("For how many months was the contract extended?", Intent.COUNT)])
def test_how_long_asks_for_a_span_of_time_or_a_length(question, intent):
    frame = read(question)
    assert (frame.intent, frame.plain) == (intent, True)


@pytest.mark.parametrize(("sentence", "fits"), [
    ("The flats will be used for a period of 12 months.", True), ("The agreement ran for three years.", True),
    ("A call-in must be made within five working days.", True), ("The retaining wall is 41m long.", True),
    ("The contracts continue until 31st March 2019.", True), ("It offers time-unlimited in-work support.", True),
    ("A 12-month contract was awarded.", True),
    ("The contract is worth £3.5m.", False), ("The decision was taken on 12 March 2019.", False),
    ("The works will repurpose the building.", False)])
def test_a_span_of_time_or_a_length_answers_how_long(sentence, fits):
    from qa.intent import satisfies

    assert satisfies(Intent.DURATION, sentence) is fits


def test_how_long_is_answered_by_the_span_and_not_found_without_one(tmp_path):
    record = (
        "Decision details\n\nRefurbishment of Elm Road Library\n\nDecision Maker: Director of Place\n\n"
        "Decision:\n\nTo appoint Northgate Builders Ltd to refurbish Elm Road Library.\n\n"
        "The refurbishment works at Elm Road Library will take 14 weeks from June 2024.\n\n"
        "Date of decision: 02/04/2024\n")
    answer = _asker(tmp_path / "one", record).ask("How long will the refurbishment works at Elm Road Library take?")
    assert not answer.abstained and "14 weeks" in " ".join(c.text for c in answer.claims)
    # the same record without the span: the sentence about the works is no answer to "how long"
    without = record.replace("The refurbishment works at Elm Road Library will take 14 weeks from June 2024.",
                             "The refurbishment works at Elm Road Library will start in June 2024.")
    assert _asker(tmp_path / "two", without).ask(
        "How long will the refurbishment works at Elm Road Library take?").abstained


@pytest.mark.parametrize(("question", "intent"), [
    ("Where will the new primary school be built?", Intent.PLACE),
    ("Apart from Elm House, where else will the council house families?", Intent.PLACE),
    ("Where was the money for the new wall to come from?", Intent.SOURCE),
    ("Where would any overspend left at year end be met from?", Intent.SOURCE),
    ("Which decisions say where the money comes from?", Intent.LIST)])
def test_where_asks_for_a_place_or_for_what_pays(question, intent):
    assert read(question).intent is intent


@pytest.mark.parametrize(("intent", "sentence", "fits"), [
    (Intent.PLACE, "To use the vacant homes at Elm House and Rowan Court.", True),
    (Intent.PLACE, "The works are at the depot, NW1 1HQ.", True),
    (Intent.PLACE, "The service is Care in the Home, bought across Kent since June 2020.", False),
    (Intent.PLACE, "To consult on a new two form entry Welsh-medium school from September 2026.", False),
    (Intent.SOURCE, "The £0.3m will be funded from the centrally held budget.", True),
    (Intent.SOURCE, "Any remainder will be met from the General Contingency.", True),
    (Intent.SOURCE, "The wall protects the river bank next to Shore Road.", False)])
def test_a_place_or_a_source_answers_where(intent, sentence, fits):
    from qa.intent import satisfies

    assert satisfies(intent, sentence) is fits


@pytest.mark.parametrize(("question", "intent", "record", "plain"), [
    ("On what date did the Cabinet give the go-ahead to the library works?", Intent.DATE, "date_decision", True),
    ("Over how many years must the loan be repaid?", Intent.COUNT, "", True),
    ("Which consultancy did the council hire for the design work?", Intent.ORGANISATION, "", True),
    ("Which operator runs the leisure centres?", Intent.ORGANISATION, "", True)])
def test_everyday_words_for_deciding_counting_and_hiring(question, intent, record, plain):
    frame = read(question)
    assert (frame.intent, frame.record, frame.plain) == (intent, record, plain)


@pytest.mark.parametrize(("sentence", "fits"), [
    ("The rules be waived to appoint Harlow Transport Planning as consultants.", True),
    ("To appoint ACME for the habitat assessment.", True),
    ("To appoint the Director of Finance to agree the lease.", False),
    ("To proceed to commissioning consultants for the detailed design.", False)])
def test_a_firm_appointed_is_named_a_post_appointed_is_not(sentence, fits):
    from qa.intent import satisfies

    assert satisfies(Intent.ORGANISATION, sentence) is fits
