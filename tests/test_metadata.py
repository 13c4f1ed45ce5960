"""Metadata of each sample document, every field checked against the text."""
from __future__ import annotations

import pytest

MAKER = "Clair Bell, Cabinet Member for Adult Social Care and Public Health"
TITLE_34 = "External Community Opportunities for People with Learning and Physical Disabilities"

EXPECTED = {
    "000": dict(
        number="22/00034", mentions=(), title=TITLE_34,
        decision_maker=MAKER + " (in consultation with the Cabinet Member for Integrated Children’s Services)",
        status="proposed", doc_type="proposed record", key_decision=True,
        key_decision_text="Affects more than 2 Electoral Divisions and expenditure of more than £1m",
        council="Kent County Council", dates={"committee": "2022-03-31"},
    ),
    "001": dict(
        number="22/00034", mentions=(), title=TITLE_34, decision_maker="", status="", doc_type="report",
        key_decision=None, key_decision_text="", council="Kent County Council", dates={"committee": "2022-03-31"},
    ),
    "002": dict(
        number="20/00102", mentions=(), title="Community Support Services for Disabled Children & Young People",
        decision_maker="Cabinet Member for Integrated Children's Services", status="recommendations approved",
        doc_type="decision page", key_decision=True, key_decision_text="Yes", council="Kent County Council",
        dates={"decision": "2021-03-19", "published": "2021-03-19", "effective": "2021-03-27"},
    ),
    "003": dict(
        number="22/00093", mentions=(), title="CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD", decision_maker=MAKER,
        status="proposed", doc_type="proposed record", key_decision=True, key_decision_text="Yes",
        council="Kent County Council", dates={"committee": "2022-09-28"},
    ),
    "004": dict(
        number="21/00081", mentions=("20/00031",), title="CARE AND SUPPORT IN THE HOME SERVICE PHASE 2 -SUPPORTED LIVING",
        decision_maker=MAKER, status="taken", doc_type="record", key_decision=True,
        key_decision_text="Yes Expenditure in excess of £1m", council="Kent County Council",
        dates={"committee": "2021-09-29", "decision": "2021-10-19"},
    ),
}

AMOUNTS = {
    "000": [1e6, 10_065_200, 7_392_400, 2_672_800, 1_593_900, 850_200, 1_000_000],
    "001": [10_065_200, 7_392_400, 2_672_800, 1_593_900, 850_200, 1_000_000],
    "002": [],
    "003": [3_087_000, 2_500_000, 585_000],
    "004": [1e6, 6_036_000, 5_110_000, 926_000, 5_110_000, 94_000_000, 322_000, 322_000, 784_000, 121_000],
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_sample_metadata(sample_docs, key):
    meta = sample_docs[key].meta
    for field, value in EXPECTED[key].items():
        assert getattr(meta, field) == value, field


@pytest.mark.parametrize("key", sorted(AMOUNTS))
def test_sample_amounts(sample_docs, key):
    doc = sample_docs[key]
    assert [a.value for a in doc.meta.amounts] == AMOUNTS[key]
    for amount in doc.meta.amounts:
        para = next(p for p in doc.paragraphs if p.label == amount.paragraph)
        assert amount.sentence in para.text and amount.text in amount.sentence


def test_amount_sentence_is_the_sentence(sample_docs):
    amount = next(a for a in sample_docs["003"].meta.amounts if a.text == "£3.087m")
    assert amount.sentence == "The total value of the one-year contract extension will be £3.087m."
    assert amount.paragraph == "Financial Implications ¶2"


def test_fields_absent_stay_empty():
    from ingest.pipeline import parse_bytes

    doc = parse_bytes(b"A note about parking.\n\nNothing was decided here.", "note.txt")
    m = doc.meta
    assert (m.number, m.title, m.decision_maker, m.status, m.key_decision, m.dates, m.amounts) == (
        "", "", "", "", None, {}, ())


def test_a_title_is_one_paragraph_even_when_an_unheaded_paragraph_follows_it():
    """A record whose next section lost its heading (here, as the distractor eval's decisions do, a record with
    sections left out): the paragraph after the title is body text, not part of the title."""
    from ingest.pipeline import parse_bytes

    text = (
        "KENT COUNTY COUNCIL – PROPOSED RECORD OF DECISION\n\nDECISION TO BE TAKEN BY:\n\nDECISION NO:\n\n"
        "Clair Bell, Cabinet Member for Adult Social Care and Public Health\n\n22/00093\n\nFor publication Yes\n\n"
        "Key decision: Yes\n\nTitle of Decision: CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD\n\n"
        "In consideration of Option 4, whilst it is recognised that ending these contracts could deliver a "
        "significant saving to the Council, ending the contract was dismissed at this point for the following "
        "reasons:\n\n• Loss of current support to vulnerable people\n"
        "• People accessing the contract may fall into crisis resulting in a high financial pressure on Kent County "
        "Council operational services (negates possible benefit of saving on the contract value)\n"
        "• Increased isolation and loneliness to unpaid Carers.\n"
    )
    doc = parse_bytes(text.encode(), "record.txt")
    assert doc.meta.title == "CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD"
    assert [p.label for p in doc.paragraphs][-2:] == ["Title of Decision ¶1", "Title of Decision ¶2"]

    alone = text.replace("Title of Decision: CARERS", "Title of Decision\n\nCARERS")  # the label on its own line
    assert parse_bytes(alone.encode(), "record.txt").meta.title == "CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD"


@pytest.mark.parametrize(("opening", "maker"), [
    ("The Director of Place has approved the heads of terms for a lease.", "Director of Place"),
    ("The Assistant Director (Property and Assets) has approved the allocation.", "Assistant Director (Property and Assets)"),
    ("RESOLVED that Cabinet:\n\na. Approved the relocation.", "Cabinet"),
    ("AGREED: That Cabinet noted the report and agreed to consult.", "Cabinet"),
    ("RESOLVED that the Executive approves the programme.", "Executive"),
    ("The Executive considered a report of the Director.\n\nRESOLVED:\n\n1. To approve the programme.", "Executive"),
    # no clear construction, or no body or post that decides: no maker
    ("RESOLVED that the Director of Place be authorised to agree the lease.", ""),
    ("RESOLVED: that officers be authorised to consult.", ""),
    ("The Government has approved funding of £2m for the scheme.", ""),
    ("The Executive considered a report of the Director and noted it.", ""),  # no resolution follows
    ("The Executive Member for Transport reported that 38 schemes would be delivered.", ""),
    ("That the proposals be approved.\n\nThe Council has approved a budget of £3m in 2019.", ""),  # not its opening
])
def test_a_maker_named_in_a_decisions_own_text_only_by_a_clear_construction(opening, maker):
    from ingest.metadata import text_maker

    assert text_maker(f"19/09/2022 - Eastfield Depot\n\n{opening}\n") == maker


def test_makers_printed_outside_a_field():
    from ingest.pipeline import parse_bytes

    signed = ("Holmcaster City Council – Record of Decision\n\nCCTV Replacement – Contract Award\n\n"
              "I, Councillor Denise Harker, Deputy Leader, in exercise of the powers contained in the Council's "
              "Constitution, do hereby approve:\n\nThe award of a contract for the supply and installation of 42 "
              "public space CCTV cameras in the city centre to Northline Security Systems Ltd for £318,640.\n\n"
              "The reasons are:\n\nThe existing analogue cameras are obsolete and spare parts are no longer made, "
              "and the tender evaluated on quality and price found the most advantageous offer.\n\n"
              "Signed: Councillor D Harker\n\nDated: 3 October 2023\n")
    meta = parse_bytes(signed.encode(), "record.txt").meta
    assert (meta.decision_maker, meta.title, meta.dates.get("decision")) == (
        "Councillor Denise Harker, Deputy Leader", "CCTV Replacement – Contract Award", "2023-10-03")
    due = ("Issue details\n\n21/00045 - Sandgate Roundabout\n\nDecision status: Recommendations Approved\n\n"
           "Decision due: Not before 2nd Jun 2021 by Cabinet Member for Highways\n\nLead member: Cabinet Member\n")
    assert parse_bytes(due.encode(), "issue.txt").meta.decision_maker == "Cabinet Member for Highways"


def test_a_post_printed_under_its_own_label_is_joined_to_the_maker_only_on_the_next_line():
    from ingest.fields import read_fields

    fields = read_fields("Officer taking the decision: Sarah Whitcombe\n\nPost: Head of Housing\n")
    assert fields["decision_maker"] == "Sarah Whitcombe, Head of Housing"
    apart = read_fields("Decision Maker: Cabinet\n\nContact: Sam Lee\n\nPost: Parking Manager\n")
    assert apart["decision_maker"] == "Cabinet"


def test_a_reference_under_a_label_printed_without_its_colon():
    from ingest.pipeline import parse_bytes

    text = "KESTRELBURY DISTRICT COUNCIL\n\nRECORD OF DECISION\n\nDecision Number\n45/2021\n\nTitle of Decision\nFree Parking\n"
    assert parse_bytes(text.encode(), "record.txt").meta.number == "45/2021"


def test_a_records_unlabelled_title_is_the_line_right_under_its_heading():
    from ingest.metadata import _record_title

    body = ("\n\nI, Councillor Denise Harker, Deputy Leader, in exercise of the powers contained in the Council's "
            "Constitution, do hereby approve the award of the contract.\n")
    assert _record_title("Holmcaster City Council – Record of Decision\n\nCCTV Replacement – Contract Award" + body) \
        == "CCTV Replacement – Contract Award"
    # the record's date may come first, alone or under its label; the title follows it
    assert _record_title("RECORD OF DECISION OF THE Cabinet\n\nDecision Made:\n\n12 September 2012\n\nThe Plan" + body) \
        == "The Plan"
    assert _record_title("RECORD OF DECISION\n\n12/09/2012\n\nThe Plan" + body) == "The Plan"
    # another label, or the text itself, first: no title is guessed
    assert _record_title("RECORD OF DECISION OF THE Cabinet\n\nDecision Made:\n\n12 September 2012" + body) == ""
    assert _record_title("RECORD OF DECISION OF THE Cabinet\n\nIssue for Decision:\n\nThe Plan" + body) == ""
    assert _record_title("Record of Decision" + body) == ""
    assert _record_title("Minutes of the meeting\n\nCCTV Replacement – Contract Award" + body) == ""


def test_the_sites_guidance_to_its_reader_is_never_what_an_untitled_decision_is_about():
    """A page that lost its title line is named by its first plain sentence, not by the line every list page of the
    site prints to guide its reader."""
    from ingest.pipeline import parse_bytes
    from qa.fields import is_furniture

    note = ("Use the below search options at the bottom of the page to find information regarding recent decisions "
            "that have been taken by the council's decision making bodies.")
    doc = parse_bytes(f"{note}\n\nDecision Maker: Director of Environment\n\nTo award the street cleansing contract to "
                      "Brightway Services Ltd for five years.\n\nDate of decision: 12/01/2024\n".encode(), "page.txt")
    assert doc.meta.fields.get("lead", "").startswith("To award the street cleansing contract")
    assert is_furniture(note) and not is_furniture("To award the street cleansing contract.")
