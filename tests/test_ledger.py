"""The ledger's reading of amounts (``ingest.ledger``) and organisations (``ingest.orgs``), on sentences written for
these tests in the layouts councils print (never copied from corpus-uk)."""
from __future__ import annotations

import pytest

from ingest.ledger import entries, term_years
from ingest.orgs import org_key
from ingest.records import Paragraph


def read(text: str, council: str = "Borough of Eastmarsh"):
    paras = [Paragraph(f"¶{i}", "", 0, len(t), t) for i, t in enumerate(text.split("\n\n"), 1)]
    return entries(paras, council)


@pytest.mark.parametrize("text, amount, kind, period", [
    ("The Cabinet Member agreed to award the grounds maintenance contract for three years at a total value of "
     "£2.4m.", "£2.4m", "contract_value", "total_over_term"),
    ("The annual cost of the service is £310,000 per annum.", "£310,000", "annual_cost", "per_annum"),
    ("A grant of £25,000 will be paid to the Riverside Trust.", "£25,000", "grant", "unstated"),
    ("A loan of up to £600k to the Marsh Leisure CIC was approved in principle.", "£600k", "loan", "one_off"),
    ("The proposals deliver savings of £120,000 in 2024/25.", "£120,000", "saving", "per_annum"),
    ("Key decision: expenditure in excess of £500,000.", "£500,000", "threshold", "unstated"),
    ("A capital budget increase of £1.25m is requested, funded from the Harbour Reserve.", "£1.25m", "budget",
     "one_off"),
    ("The hourly rate paid to providers rises to £21.50 per hour.", "£21.50", "fee_or_rate", "per_unit"),
    ("The forecast outturn shows a £2.1m overspend.", "£2.1m", "other", "per_annum"),
    ("The figure is £40,000.", "£40,000", "", "unstated"),  # nothing printed says what it is: nothing claimed
])
def test_kind_and_period_are_read_from_the_words_printed_around_the_figure(text, amount, kind, period):
    e = next(e for e in read(text) if e.text == amount)
    assert (e.kind, e.period) == (kind, period)
    assert e.sentence == text


def test_a_list_after_its_governing_word_keeps_its_kind_but_a_noun_names_one_item():
    found = read("A capital budget increase of £3.000m is requested, funded by £1.500m Housing Revenue Account, "
                 "£1.000m Grant and £0.500m Capital Receipts.")
    kinds = {e.text: e.kind for e in found}
    assert kinds == {"£3.000m": "budget", "£1.500m": "budget", "£1.000m": "grant", "£0.500m": "budget"}


def test_a_threshold_with_words_between_comparator_and_figure():
    e = read("Proposals above a cumulative total of £5 million need Council approval.")[0]
    assert e.kind == "threshold" and e.period == "unstated"


def test_a_counterparty_named_by_an_award_carries_to_the_contract_figures_after_it():
    found = read("Officers propose to award the contract to the highest scoring bidder, Greenway Estates Ltd. The "
                 "contract runs for a period of two years. The maximum value of the contract is £812,500.")
    e = found[0]
    assert (e.counterparty, e.role, e.kind, e.period, e.term_years, e.qualifier) == \
        ("Greenway Estates Ltd", "supplier", "contract_value", "total_over_term", 2.0, "maximum")


def test_a_figure_before_the_award_sentence_gets_no_counterparty():
    found = read("The estimated contract value is £90,000.\n\nThe Director awarded the contract to Brightside "
                 "Print Ltd for £88,400.")
    assert [(e.text, e.counterparty) for e in found] == [("£90,000", ""), ("£88,400", "Brightside Print Ltd")]


def test_a_fund_after_funded_by_is_no_counterparty_but_a_named_body_is():
    found = read("A capital budget increase of £0.300m is requested, funded by Coastal Reserve Fund.\n\n"
                 "A contribution of £0.150m, funded by NHS Sussex Integrated Care Board, is agreed.")
    assert found[0].counterparty == ""
    assert found[1].counterparty == "NHS Sussex Integrated Care Board"


def test_table_rows_keep_their_label_and_unsigned_cells_their_unit():
    text = ("The table below shows the annual costs:\nSERVICE\nCURRENT\nANNUAL\nCOST £m\nREVISED\nANNUAL\nCOST £m\n"
            "Older People 12.500 13.250\nMental Health 4.100 4.300")
    found = read(text)
    cells = [(e.text, e.value, e.row, e.kind, e.period) for e in found]
    assert ("12.500", 12_500_000.0, "Older People", "annual_cost", "per_annum") in cells
    assert ("4.300", 4_300_000.0, "Mental Health", "annual_cost", "per_annum") in cells
    assert len(cells) == 4


def test_a_signed_figure_on_a_table_line_keeps_the_label_above_it():
    text = ("The total forecast spend for 2023-24 is £900,000 (see table below).\n\tForecast 2023/24\n"
            "Adults with a learning disability – includes\nrespite\n£700,000\nYoung people £200,000")
    rows = {e.text: e.row for e in read(text)}
    assert rows["£700,000"] == "Adults with a learning disability – includes respite"
    assert rows["£200,000"] == "Young people"


@pytest.mark.parametrize("text, years", [
    ("for a period of 6 months", 0.5), ("for three years", 3.0), ("a one-year contract extension", 1.0),
    ("from 01 April 2024 to 31 March 2027", 3.0), ("the service", None),
])
def test_term_years(text, years):
    assert term_years(text) == years


def test_names_are_normalised():
    assert org_key("Acme Care Ltd") == org_key("ACME CARE LIMITED") == org_key("The Acme Care Limited")
    assert org_key("Smith & Sons plc") == org_key("SMITH AND SONS PLC")
    assert org_key("Acme Care Ltd") != org_key("Acme Homes Ltd")


def test_organisations_named_by_their_form_not_the_councils_own_parts():
    from ingest.orgs import mentions

    paras = [Paragraph("¶1", "", 0, 0, "The Cabinet agreed with Adult Social Care that Riverside Care CIC and "
                       "Harbour Homes Ltd join the framework; Borough of Eastmarsh will monitor it.")]
    names = {m.name for m in mentions(paras, "Borough of Eastmarsh")}
    assert names == {"Riverside Care CIC", "Harbour Homes Ltd"}
