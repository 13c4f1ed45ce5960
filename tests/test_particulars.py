"""A question that pins down a kind of thing, a part or a name, or asks for a name, a number or a date, is
answered only by a passage that gives it (``qa.particulars``, ``qa.asked``)."""
from __future__ import annotations

import pytest

from qa.frame import read
from qa.intent import Intent, satisfies
from qa.asked import names, record_date_only, unnamed, wanted_names
from qa.particulars import contrasted, contrasts, numbered_parts, other_parts, titles, untitled


def test_a_qualifier_is_read_with_the_noun_it_qualifies():
    assert [c[:2] for c in contrasts("When will the new Welsh-medium secondary school open?")] == [("secondary", "school")]
    assert [c[:2] for c in contrasts("What is the capital programme for 2024?")] == [("capital", "programme")]
    assert contrasts("What was the primary aim of the review?") == []  # "primary" qualifies no school here
    assert contrasts("How many primary and secondary school places are planned?") == []  # both asked: none to tell


def test_an_answer_about_a_sibling_the_decision_never_calls_by_the_asked_name_is_contrasted():
    primary = ["Decision: consult on a new primary school, to open in September 2021."]
    stated = "consult on a new primary school, to open in September 2021"
    assert contrasted("When will the new secondary school open?", stated, primary) == (
        "secondary school", "primary school")
    # the decision says "secondary" somewhere: the answer may be about it after all, and is left to stand
    both = primary + ["Pupils will move on to the secondary school in the town."]
    assert contrasted("When will the new secondary school open?", stated, both) is None
    assert contrasted("When will the new primary school open?", stated, primary) is None
    revenue = ["A revenue budget increase of £1.352m."]
    assert contrasted("How big is the capital budget increase?", "A revenue budget increase of £1.352m.", revenue) == (
        "capital budget", "revenue budget")


@pytest.mark.parametrize("question, wanted", [
    ("Which community centres is the council closing?", ("community centres", False)),
    ("Which wards are affected?", ("wards", False)),
    ("What is the name of the new 3-16 school in the valley?", ("school", True)),
    ("What will the new academy be called?", ("academy", True)),
    ("Through which reseller did the council buy its licences?", ("reseller", False)),
    ("Which provider did the council appoint?", ("provider", False)),
    ("Which school will take the pupils?", ("school", False)),
    ("What share of suppliers also serve adults?", None),  # a share, not names
    ("Which options were rejected?", None),  # prose, not names
    ("Which decisions awarded contracts?", None),
    ("When will the school open?", None),
])
def test_what_a_question_wants_named(question, wanted):
    assert wanted_names(question) == wanted


def test_names_are_what_the_question_does_not_already_say():
    q = "Which community centres is the council closing?"
    assert names("To report on the review of the Council's Community Centres.", q) == []
    assert names("Silverdale Community Centre and Knutton Community Centre will close.", q) == [
        "Silverdale Community Centre and Knutton Community Centre"]
    assert names("Following the review, the centres at Silverdale will close.", q) == ["Silverdale"]  # not "Following"


def test_dates_verbs_and_references_are_no_names():
    q = "Which streets get new parking restrictions?"
    assert names("1) Cabinet APPROVED the amendments listed in Appendix 1 of Report No. 18/2017.", q) == []
    assert names("The council entered into the agreement via a reseller in April 2019.", q) == []
    assert names("The restrictions cover Oakham High Street and Station Road.", q) == ["Oakham High Street and Station Road"]


def test_a_record_date_answers_only_when_the_decision_was_taken_published_or_effective():
    def unmet(question, claims):
        return read(question).unmet(claims, lambda: [])

    assert "only the date the decision was taken" in unmet(
        "When does the public consultation on the leisure strategy close?", ["Date of decision: 28/03/2018"])
    assert "only the date it took effect" in unmet("When will the new school open?", ["Effective from: 05/08/2023"])
    assert unmet("When was the leisure strategy decision taken?", ["Date of decision: 28/03/2018"]) is None
    assert unmet("When did the Cabinet approve the strategy?", ["Date of decision: 28/03/2018"]) is None
    assert unmet("When was it published?", ["Decision published: 28/03/2018"]) is None
    # a sentence that says more than the record's date may say when the consultation closes
    assert unmet("When does the consultation close?", ["The consultation runs to 22 January 2024."]) is None
    assert record_date_only(["Date of decision: 28/03/2018"]) == "date_decision"
    assert record_date_only(["The consultation runs to 22 January 2024."]) is None


def test_an_answer_that_names_nothing_asked_for_is_unnamed():
    q = "Which community centres is the council closing?"
    assert unnamed(q, "To report on the review of the Council's Community Centres.") == "do not name the community centres"
    assert unnamed(q, "Silverdale and Knutton community centres will close in March.") is None
    name = "What is the name of the new school that replaces Groes Primary and Dyffryn School?"
    assert unnamed(name, "an English-medium community School be established to replace Groes Primary and Dyffryn "
                         "School, under the School Standards and Organisation (Wales) Act 2013") == (
        "do not give the school's name")
    assert unnamed(name, "Ysgol Carreg Wen School opens in place of Groes Primary and Dyffryn School.") is None
    assert unnamed(name, "The new school will be called Ysgol Carreg Wen.") is None
    assert unnamed("What did the council decide about community centres?", "To report on the review.") is None
    reseller = "Through which reseller did West Marsh Council buy its 2019 Microsoft licences?"
    assert unnamed(reseller, "West Marsh Council bought Microsoft licences via a reseller in April 2019.") == (
        "do not name the reseller")
    assert unnamed(reseller, "The licences were bought through Softcat plc in April 2019.") is None


def test_a_money_figure_at_the_head_of_the_question_is_asked_plainly():
    for q in ("What annual rent will the tenant pay for the lease of the golf course?",
              "At what price did the Cabinet accept the tender?", "For what sum was the land sold?"):
        assert read(q).plain and read(q).intent is Intent.AMOUNT, q
    assert read("What rent policy did the council adopt?").intent is Intent.GENERAL
    assert read("What charges did the council introduce?").intent is Intent.GENERAL  # which charges: prose


def _asker(tmp_path, text: str):
    from index.build import build
    from index.embed import HashEmbedder
    from index.search import Searcher
    from qa.ask import Asker

    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    emb = HashEmbedder(384)
    build([page], tmp_path / "ix", emb, "hash:384")
    return Asker(Searcher(tmp_path / "ix", embedder=emb))


def test_a_question_about_a_sibling_or_a_name_not_given_is_not_found(tmp_path):
    asker = _asker(tmp_path, (
        "Decision details\n\nNew primary school for Northfield\n\nDecision Maker: Cabinet\n\n"
        "Decision:\n\nRESOLVED: that officers consult on a new primary school for Northfield, to open in "
        "September 2021, replacing Northfield Infant School.\n\nDate of decision: 18/04/2019\n"))
    right = asker.ask("When will the new primary school for Northfield open?")
    assert not right.abstained and "September 2021" in right.text
    other = asker.ask("When will the new secondary school for Northfield open?")
    assert other.abstained and other.claims == () and "secondary school" in other.text
    name = asker.ask("What is the name of the new primary school that replaces Northfield Infant School?")
    assert name.abstained and name.claims == () and "school's name" in name.text


def test_a_price_the_passage_does_not_state_is_not_found(tmp_path):
    asker = _asker(tmp_path, (
        "Decision details\n\nA228 Dualling - Tender Acceptance\n\nDecision Maker: Cabinet\n\n"
        "Decision:\n\nThe Cabinet accepted the tender from Hollins Civil Engineering Ltd on the terms set out in "
        "paragraph 6.1 of the report.\n\nDate of decision: 23/09/2003\n"))
    assert not asker.ask("Whose tender did the Cabinet accept for the A228 dualling?").abstained
    price = asker.ask("At what price did the Cabinet accept the tender for the A228 dualling?")
    assert price.abstained and price.claims == ()


def test_the_date_a_decision_was_taken_does_not_answer_when_something_else_happens(tmp_path):
    asker = _asker(tmp_path, (
        "Decision details\n\nLeisure facilities strategy\n\nDecision Maker: Cabinet\n\n"
        "Decision:\n\nTo sign off the draft leisure strategy for public engagement.\n\n"
        "Date of decision: 28/03/2018\n"))
    taken = asker.ask("When was the decision on the leisure facilities strategy taken?")
    assert not taken.abstained and "28/03/2018" in taken.text
    close = asker.ask("When does the public engagement on the leisure facilities strategy close?")
    assert close.abstained and close.claims == () and "date the decision was taken" in close.text


def test_numbered_parts_of_a_thing_are_told_apart():
    q = "How much capital did the council request to fit out levels three and four of the Town Hall?"
    assert numbered_parts(q) == [("levels", ("three", "four"))]
    page = ["A capital budget increase of £1.170m was requested for the fit out of levels five and six."]
    assert other_parts(q, page[0], page) == ("levels three and four", "levels five and six")
    assert other_parts("What was the fit out of levels five and six to cost?", page[0], page) is None
    # the decision numbers the asked levels somewhere: the quote may still be the answer
    assert other_parts(q, page[0], page + ["Levels three and four were fitted out in 2019."]) is None


def test_a_title_the_question_names_must_be_printed_by_the_decision():
    councils = ["London Borough of Brent", "West Lancashire Borough Council"]
    q = "When did the London Borough of Brent adopt a Temporary Accommodation Allocations and Commissioning Policy?"
    assert titles(q, councils) == [("Temporary Accommodation Allocations and Commissioning Policy",
                                    ("temporary", "accommodation", "allocations", "commissioning", "policy"))]
    brent = ["Use of Decanted Properties at Bernard Shaw House for the Purpose of Temporary Accommodation"]
    assert untitled(q, brent, councils) == "Temporary Accommodation Allocations and Commissioning Policy"
    assert untitled(q, brent + ["The Temporary Accommodation Allocation and Commissioning Policies are adopted."],
                    councils) is None  # words compared by their stems
    # a council's own name is no title; a name the decision prints by its initials is printed
    dfg = "On what date did West Lancashire decide to top slice the Disabled Facilities Grant agency fee?"
    assert untitled(dfg, ["To top slice the DFG agency fee."], councils) is None
    assert untitled("Which Church in Wales primary school gets the unit?", ["St Mary the Virgin CiW Primary School"],
                    []) is None


def test_numbers_that_count_nothing_do_not_answer_how_many():
    assert not satisfies(Intent.COUNT, "21/00002 Active Travel Funding Tranche 2 pdf icon PDF 238 KB\n2.")
    assert not satisfies(Intent.COUNT, "Meeting: 19/01/2021 - Environment & Transport Cabinet Committee (Item 320)")
    assert satisfies(Intent.COUNT, "There are currently 47 organisations providing 72 services.")
    assert satisfies(Intent.COUNT, "That the planning applications numbered 1 – 11 be determined.")
    assert read("What interest rate will the charity pay on the loan?").intent is Intent.PERCENT
    assert read("What interest rate will the charity pay on the loan?").plain


def test_a_policy_the_decision_never_names_is_not_found(tmp_path):
    asker = _asker(tmp_path, (
        "Decision details\n\nUse of Decanted Properties for Temporary Accommodation\n\nDecision Maker: Corporate "
        "Director\n\nDecision:\n\nThat the decanted properties at Shaw House be used as temporary accommodation "
        "from 9 April 2024.\n\nDate of decision: 09/04/2024\n"))
    used = asker.ask("When were the decanted properties at Shaw House to be used as temporary accommodation?")
    assert not used.abstained and "9 April 2024" in used.text
    policy = asker.ask("When were the decanted properties at Shaw House used as temporary accommodation under "
                       "the Temporary Accommodation Allocations and Commissioning Policy?")
    assert policy.abstained and policy.claims == () and "Allocations and Commissioning Policy" in policy.text


@pytest.mark.parametrize("question, answer, missing", [
    ("How many parking spaces would the schemes take away?",
     "320 21/00002 Active Travel Funding Tranche 2 pdf icon PDF 238 KB", "spaces"),
    ("How many places will the unit have?", "extend the age range of the school from 11-16 to 11-19", "places"),
    ("How many people are currently supported?", "Currently there are approximately 1,115 individuals supported", None),
    ("How many suppliers are on the framework?", "There are currently 47 organisations on the framework", None),
    ("How many planning applications did the sub-committee determine?",
     "That the planning applications numbered 1 – 11 be determined", None),
    ("How many years does the plan cover?", "a five-year rolling plan", None),
    ("How many events were held?", "three virtual provider engagement events were held", None),
    ("How many organisations provide services?", "Several organisations provide them.", None),  # no verb: not read
    # the noun phrase "how many" opens ends at a preposition, an article or a past tense; a date counts nothing
    ("How many empty flats at Shaw House will the council use?",
     "09/04/2024 - Use of Decanted Properties at Shaw House: the use of vacant homes for a period of 12 months",
     "flats"),
    ("How many people a year will the service help?", "The contract will commence on 1st April 2025.", "people"),
    ("How many of the care homes were rated inadequate?", "Two care homes were rated inadequate.", None),
    ("How many of the care homes were rated inadequate?", "Care homes were rated on 2 May 2024.", "homes"),
    ("How many Cabinet members voted for the review?", "The Cabinet agreed the review.", "members"),
])
def test_how_many_is_answered_by_a_number_of_what_is_counted(question, answer, missing):
    from qa.asked import uncounted

    assert uncounted(question, answer) == missing


def test_the_first_word_of_a_question_is_no_part_of_a_title():
    q = "According to West Sussex's Total Performance Monitor FR10, where would an overspend be funded from?"
    assert titles(q, ["West Sussex County Council"]) == [("West Sussex's Total Performance Monitor FR10",
                                                          ("total", "performance", "monitor", "fr10"))]


def test_a_name_is_printed_with_its_words_together():
    """"Community Right to Bid" is not printed by a page on the Community Right to Challenge where groups "bid"."""
    page = ["The Community Right to Challenge lets groups bid to run a service.", "Groups may bid from May."]
    assert untitled("What did the Cabinet decide about the Community Right to Bid?", page, []) == \
        "Community Right to Bid"
    assert untitled("What did the Cabinet decide about the Community Right to Challenge?", page, []) is None
    # a name of two names, joined by "and" or "in": each is printed as a name
    assert untitled("How are Welsh and English medium places split?",
                    ["a Welsh stream of thirty places and a larger English stream"], []) is None


def test_an_answer_that_only_repeats_the_question_adds_nothing():
    from qa.asked import adds_nothing

    question = "Which applications did the Planning Committee North refuse on 12 March 2019?"
    assert adds_nothing(question, ["12/03/2019 - Planning Committee North"])  # the same day, its heading
    assert not adds_nothing(question, ["Application NP/0412/19 was refused."])
    assert not adds_nothing("When did the Planning Committee North meet?", ["12/03/2019 - Planning Committee North"])


def test_a_single_capitalised_word_names_something_the_decision_must_print():
    from qa.particulars import proper_words, unnamed_word

    question = "Which company won the county's contract for Oracle software licences?"
    assert proper_words(question, []) == ["Oracle"]
    assert unnamed_word(question, ["A contract for Microsoft licences was awarded."], []) == "Oracle"
    assert unnamed_word(question, ["A contract for Oracle licences was awarded."], []) is None
    # a word of a longer name, a title's, a sentence's first or a council's is not such a word
    assert proper_words("What did Ms Okafor confirm about the Disabled Facilities Grant?", []) == []
    assert proper_words("When did Kent County Council decide?", ["Kent County Council"]) == []


def test_a_decisions_list_entry_gives_only_the_records_date():
    from qa.asked import record_date_only

    assert record_date_only(["04/05/2022 - Introduction of Harbour Ward Permit Parking"]) == \
        "date_decision"
    assert record_date_only(["The consultation ran from 3 January to 14 February 2023."]) is None
    assert record_date_only(["04/05/2022 - Harbour Ward Permit Parking, consulted on from 3 January 2022"]) is None


@pytest.mark.parametrize(("question", "intent"), [
    # an opening clause sets the scene; what is asked for is read in the main clause
    ("When the councillors looked at the cycling schemes, which kind of streets did they fear for?", Intent.GENERAL),
    ("If nobody calls it in, when does a lead member's decision come into force?", Intent.DATE),
    ("Once the plan was adopted, which officer could amend it?", Intent.WHO),
    # a question whose own head comes before the comma is read whole
    ("When was the budget, which had been delayed twice, approved?", Intent.DATE),
    ("Who approved the lease, and when?", Intent.WHO),
    # "where" in the documents is not where on the map, nor where the money comes from
    ("Where are the terms set out on which the Cabinet accepted the tender?", Intent.SECTION),
    ("Where does the report give the funding sum?", Intent.SECTION),
    ("Where will the new depot be built?", Intent.PLACE),
    ("Where was the money for the works to come from?", Intent.SOURCE),
])
def test_what_a_question_asks_for(question, intent):
    assert read(question).intent is intent


def test_a_part_of_a_document_answers_where_it_is_set_out():
    assert satisfies(Intent.SECTION, "The tender was accepted on the terms set out in paragraph 6.1 of the report.")
    assert satisfies(Intent.SECTION, "funding for the works, as outlined in confidential Appendix B")
    assert not satisfies(Intent.SECTION, "The tender was accepted on the terms set out in the report.")


@pytest.mark.parametrize("question", [
    "When did the committee first decide to market the lease of the golf course?",
    "Who originally proposed the parking review?",
    "Which earlier decision gave the go-ahead for the recording system?",
])
def test_an_earlier_event_is_not_the_records_own(question):
    frame = read(question)
    assert frame.record == "" and frame.other_event


def test_the_records_own_event_is_still_read_as_its_field():
    assert read("When did the Cabinet decide to market the lease of the golf course?").record == "date_decision"
    assert read("Who took the decision on the parking review?").record == "decision_maker"
