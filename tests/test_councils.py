"""Councils named right (issue #22): the national list and the name forms as data, a page's council (its own
name, else --council, else its site's or printed address's, never a bare "Council"), ``councilqa fetch`` taking
the council from the site's address, and a question's council (named, unknown, or none)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.council_names import mentioned
from ingest.council_sites import addressed, by_folder, by_host, by_url
from ingest.councils import council_name, distinctive, lookup, national, same_council
from ingest.metadata import page_council
from ingest.pipeline import parse_parts
from qa.councils import named_councils, unknown_council
from tests.conftest import SAMPLE
from tests.test_layouts import LAYOUTS
from ui.cli import main

PAGES = Path(__file__).resolve().parent / "data" / "councils"


# --- the national list and the name forms ----------------------------------------------------------------------

def test_the_national_list_holds_every_principal_council_with_names_and_addresses():
    councils = national()
    current = [c for c in councils if c.current]
    assert len(current) >= 380  # 2025: 317 English, 22 Welsh, 32 Scottish, 11 NI principal councils
    assert {c.nation for c in current} == {"England", "Wales", "Scotland", "Northern Ireland"}
    assert all(c.short_names for c in councils), [c.name for c in councils if not c.short_names]
    assert sum(bool(c.domains) for c in current) / len(current) > 0.99
    welsh = [c for c in current if c.nation == "Wales"]
    assert len(welsh) == 22 and all(c.name_cy and c.short_cy for c in welsh)
    assert lookup("Ynys Môn").name == lookup("Sir Ynys Môn").name == "Isle of Anglesey County Council"
    codes = {c.code for c in councils}
    abolished = [c for c in councils if not c.current]
    assert abolished and all(set(c.replaced_by) <= codes for c in abolished)
    assert lookup("Aylesbury Vale District Council").end == "2020-03-31"
    assert lookup("Aylesbury Vale District Council").replaced_by == ("BUC",)
    assert not any(c.kind in ("COMB", "SRA") for c in councils)  # combined authorities are not councils here


def test_the_list_names_its_sources_and_licences():
    here = Path(__file__).resolve().parents[1] / "ingest" / "layouts"
    first = (here / "councils.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and "CC BY 4.0" in first and "OGL" in first
    notes = (here / "COUNCILS.md").read_text(encoding="utf-8")
    for source in ("mysociety/uk_local_authority_names_and_codes", "openregister/local-authority-data",
                   "alphagov/local-links-manager", "CC BY 4.0", "Open Government Licence"):
        assert source in notes


@pytest.mark.parametrize(("name", "part"), [
    ("West Sussex County Council", "West Sussex"),
    ("London Borough of Richmond upon Thames", "Richmond upon Thames"),
    ("Royal Borough of Windsor and Maidenhead", "Windsor and Maidenhead"),
    ("West Northamptonshire Council", "West Northamptonshire"),
    ("City of Cardiff Council", "Cardiff"),
    ("City and County of Swansea Council", "Swansea"),
    ("Neath Port Talbot County Borough Council", "Neath Port Talbot"),
    ("Oldham Metropolitan Borough Council", "Oldham"),
    ("Borough Council of King's Lynn and West Norfolk", "King's Lynn and West Norfolk"),
    ("Council of the Isles of Scilly", "Isles of Scilly"),
    ("Cyngor Sir Ynys Môn", "Ynys Môn"),
    ("Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr", "Pen-y-bont ar Ogwr"),
    ("Cyngor Dinas Casnewydd", "Casnewydd"),
    ("Borough of Eastmarsh", "Eastmarsh"),
    ("Slough's", "Slough"),
    ("Council", ""), ("the Council", ""), ("County Council", ""), ("Cabinet", ""), ("Full Council", ""),
])
def test_a_name_s_distinctive_part(name, part):
    assert distinctive(name) == part


@pytest.mark.parametrize(("name", "expected"), [
    ("Council", ""), ("The Council", ""), ("Cabinet", ""), ("Executive", ""), ("Full Council", ""),
    ("County Council", ""), ("Town Council", ""), ("This Council", ""), ("Decisions Council", ""),
    ("Kent", "Kent County Council"),  # a short name of the list: the council's official name
    ("KENT COUNTY COUNCIL", "Kent County Council"),  # printed in capitals: the list's spelling
    ("Cardiff Council", "Cardiff Council"),  # a full name as printed, though the list says "City of Cardiff Council"
    ("Windsor and Maidenhead", "Royal Borough of Windsor and Maidenhead"),
    ("Cyngor Sir Ynys Môn", "Cyngor Sir Ynys Môn"),
    ("Hollinsbury Council", "Hollinsbury Council"),  # on no list, in a council's form: a council's name
    ("Tallow Bay Borough Council", "Tallow Bay Borough Council"),
    ("HOLMCASTER CITY COUNCIL", "Holmcaster City Council"),
    ("Compton Parish Council", "Compton Parish Council"),
])
def test_a_council_s_name_is_never_a_generic_word(name, expected):
    assert council_name(name) == expected


@pytest.mark.parametrize(("name", "council"), [
    ("Dorset County Council", "Dorset County Council"),  # abolished 2019: still known, by its full name
    ("Dorset", "Dorset Council"),  # the short name: the council that exists
    ("Northamptonshire County Council", "Northamptonshire County Council"),
    ("West Northamptonshire's", "West Northamptonshire Council"),
    ("Sussex County Council", None),  # no such council: "West Sussex" is not "Sussex"
    ("Newcastle-under-Lyme", "Newcastle-under-Lyme Borough Council"),
    ("Newcastle upon Tyne", "Newcastle City Council"),
    ("Anglesey", "Isle of Anglesey County Council"),
    ("Sir Ynys Mon", "Isle of Anglesey County Council"),  # Welsh, accents aside
    ("Shepway", "Folkestone and Hythe District Council"),  # a former name the source lists
])
def test_lookup_by_full_or_distinctive_name(name, council):
    found = lookup(name)
    assert (found.name if found else None) == council


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Oldham Council", "Oldham Metropolitan Borough Council", True),
    ("Cardiff Council", "City of Cardiff Council", True),
    ("Sussex County Council", "West Sussex County Council", False),
    ("Holmcaster City Council", "Holmcaster Borough Council", True),  # one distinctive part: one council
    ("Kent County Council", "", False),
])
def test_same_council(a, b, same):
    assert same_council(a, b) is same


@pytest.mark.parametrize(("host", "council"), [
    ("democracy.kent.gov.uk", "Kent County Council"),
    ("democracy.kent.gov.uk:9071", "Kent County Council"),
    ("ashford.moderngov.co.uk", "Ashford Borough Council"),  # a hosted site: its first label
    ("rbwm.moderngov.co.uk", "Royal Borough of Windsor and Maidenhead"),
    ("rutlandcounty.moderngov.co.uk", "Rutland County Council"),
    ("eppingforest.moderngov.co.uk", "Epping Forest District Council"),
    ("mycouncil.surreycc.gov.uk", "Surrey County Council"),
    ("democracy.npt.gov.uk", "Neath Port Talbot County Borough Council"),
    ("cherwell-dc.gov.uk", "Cherwell District Council"),  # a former domain's label spells the council
    ("www.gwynedd.llyw.cymru", "Gwynedd Council"),
    ("democracy.northyorks.gov.uk", "North Yorkshire Council"),  # the county's site, now the unitary council's
    ("adur-worthing.gov.uk", None),  # shared by two councils: names neither
    ("www.gov.uk", None), ("example.gov.uk", None), ("127.0.0.1", None), ("docslib.org", None),
    ("kent.example.com", None),
])
def test_a_council_by_its_site(host, council):
    found = by_host(host)
    assert (found.name if found else None) == council


def test_a_url_names_its_site_s_council():
    assert by_url("https://democracy.kent.gov.uk:9071/ieIssueDetails.aspx?IId=65464").name == "Kent County Council"
    assert by_url("not a url at all") is None


@pytest.mark.parametrize(("text", "council"), [
    ("Contact: Democratic Services, democratic.services@slough.gov.uk.", "Slough Borough Council"),
    ("More at https://www.kent.gov.uk/roads and www.kent.gov.uk/about.", "Kent County Council"),
    ("Write to planning@medway.gov.uk or see www.kent.gov.uk and www.kent.gov.uk/x", "Kent County Council"),
    ("planning@medway.gov.uk or www.kent.gov.uk", None),  # one each: a tie names neither
    ("Officers: jo@example.gov.uk", None),
    ("No address here.", None),
])
def test_a_page_s_printed_addresses(text, council):
    found = addressed(text)
    assert (found.name if found else None) == council


@pytest.mark.parametrize(("text", "given", "url", "council"), [
    ("Decisions taken by the Council's Cabinet are listed here.", "Wealdmoor County Council", "",
     "Wealdmoor County Council"),  # --council wins over a generic word
    ("Decisions taken by the Council's Cabinet are listed here.", "", "", ""),
    ("Hollinsbury Council publishes here the decisions taken by its Cabinet.", "Wealdmoor County Council", "",
     "Hollinsbury Council"),  # the page's own name wins
    ("OLDHAM METROPOLITAN BOROUGH COUNCIL – DECISIONS\n\nA decision.", "Oldham Council", "", "Oldham Council"),
    ("A decision. Contact: democratic.services@slough.gov.uk", "", "", "Slough Borough Council"),
    ("A decision. Contact: democratic.services@slough.gov.uk", "Reading Borough Council", "",
     "Reading Borough Council"),  # --council first, then the address
    ("A decision.", "", "https://democracy.kent.gov.uk/ieDecisionDetails.aspx?ID=1", "Kent County Council"),
    ("A decision with the agreement of Essex County Council and Essex County Council.", "", "", "Essex County Council"),
])
def test_the_council_a_page_is_filed_under(text, given, url, council):
    assert page_council(text, given, url) == council


def test_names_a_page_mentions_are_councils_names_only():
    text = ("Kent Music School will move. The Council's Cabinet agreed with Kent County Council and with "
            "Tallow Bay Borough Council; Compton Parish Council was consulted.")
    assert [n for n, _ in mentioned(text)] == ["Kent County Council", "Tallow Bay Borough Council",
                                               "Compton Parish Council"]
    assert [n for n, _ in mentioned(text, principal_only=True)] == ["Kent County Council",
                                                                    "Tallow Bay Borough Council"]


# --- pages in their layouts ------------------------------------------------------------------------------------

def _councils(name: str, council: str = "", url: str = "") -> list[str]:
    path = PAGES / name if (PAGES / name).exists() else LAYOUTS / name
    return [d.meta.council for d in parse_parts(path.read_bytes(), str(path), council=council, url=url)]


@pytest.mark.parametrize(("page", "given", "url", "expected"), [
    # "decisions taken by the Council's Cabinet": once stored as council "Council", over --council
    ("generic_preamble_list.txt", "West Sussex County Council", "", ["West Sussex County Council"] * 2),
    ("generic_preamble_list.txt", "", "", ["", ""]),
    ("generic_preamble_list.txt", "", "https://westsussex.moderngov.co.uk/mgDelegatedDecisions.aspx",
     ["West Sussex County Council"] * 2),
    ("contact_address_only.txt", "", "", ["Slough Borough Council"]),
    ("contact_address_only.txt", "Hollowmere District Council", "", ["Hollowmere District Council"]),
    ("website_footer_only.txt", "", "", ["Royal Borough of Windsor and Maidenhead"]),
    ("own_name_in_capitals.txt", "Hollowmere District Council", "", ["Wealdmoor County Council"]),
    ("04b_decisions_list_d_refs.txt", "Hollowmere District Council", "", ["Hollinsbury Council"] * 2),
    ("15a_same_ref_101_eastmarsh.txt", "", "", ["Borough of Eastmarsh"]),
])
def test_each_page_is_filed_under_its_council(page, given, url, expected):
    got = _councils(page, given, url)
    assert got[:len(expected)] == expected and set(got) == set(expected)  # a list page: each part alike


@pytest.mark.parametrize(("folder", "council"), [
    ("kent-cc", "Kent County Council"), ("west-sussex-cc", "West Sussex County Council"),
    ("windsor-maidenhead", "Royal Borough of Windsor and Maidenhead"), ("neath-port-talbot",
                                                                       "Neath Port Talbot County Borough Council"),
    ("bcp", "Bournemouth, Christchurch and Poole Council"),  # its domain's label: bcpcouncil.gov.uk
    ("Epping Forest", "Epping Forest District Council"),
    ("corpus", None), ("decisions", None), ("2021", None), ("council", None), ("sample", None),
    ("test_a_page0", None), ("../kent", None),
])
def test_a_folder_named_after_its_council(folder, council):
    found = by_folder(folder)
    assert (found.name if found else None) == council


def test_a_folder_s_name_files_the_pages_in_it_that_name_no_council(tmp_path):
    from ingest.pipeline import IngestOptions, parse_all

    root = tmp_path / "corpus"
    for folder, page in (("kent-cc/2024", "generic_preamble_list.txt"), ("kent-cc", "contact_address_only.txt"),
                         ("kent-cc", "own_name_in_capitals.txt"), ("misc", "generic_preamble_list.txt")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(PAGES / page, root / folder / page)

    def councils(*paths, council=""):
        return {str(Path(d.path).relative_to(tmp_path)).split("#")[0]: d.meta.council
                for d in parse_all([Path(p) for p in paths], options=IngestOptions(council=council))}

    got = councils(root)
    assert got["corpus/kent-cc/2024/generic_preamble_list.txt"] == "Kent County Council"  # an ancestor's name
    assert got["corpus/kent-cc/contact_address_only.txt"] == "Slough Borough Council"  # its printed address first
    assert got["corpus/kent-cc/own_name_in_capitals.txt"] == "Wealdmoor County Council"  # its own name first
    assert got["corpus/misc/generic_preamble_list.txt"] == ""
    assert councils(root / "kent-cc")["corpus/kent-cc/2024/generic_preamble_list.txt"] == "Kent County Council"
    # only folders inside the one named count; --council wins over a folder's name
    assert councils(root / "kent-cc" / "2024")["corpus/kent-cc/2024/generic_preamble_list.txt"] == ""
    assert councils(root / "kent-cc" / "2024" / "generic_preamble_list.txt") == {
        "corpus/kent-cc/2024/generic_preamble_list.txt": ""}
    assert set(councils(root / "misc", council="Tallow Bay Borough Council").values()) == {"Tallow Bay Borough Council"}


# --- a question's council --------------------------------------------------------------------------------------

INDEX = ["Kent County Council", "West Sussex County Council", "Ashford Borough Council",
         "Royal Borough of Windsor and Maidenhead", "Bournemouth, Christchurch and Poole Council",
         "Neath Port Talbot Council", "Oldham Council", "Isle of Anglesey County Council",
         "West Northamptonshire Council", "London Borough of Richmond upon Thames", "Hollinsbury Council",
         "Borough of Eastmarsh"]


@pytest.mark.parametrize(("question", "named"), [
    ("What did West Sussex decide about care homes?", ["West Sussex County Council"]),
    ("Which of West Northamptonshire's decisions concern libraries?", ["West Northamptonshire Council"]),
    ("What did Richmond upon Thames agree on parking?", ["London Borough of Richmond upon Thames"]),
    ("How large a budget gap did Windsor and Maidenhead have to close?", ["Royal Borough of Windsor and Maidenhead"]),
    ("What is Windsor and Maidenhead's budget gap?", ["Royal Borough of Windsor and Maidenhead"]),
    ("From what date is BCP Council's order effective?", ["Bournemouth, Christchurch and Poole Council"]),
    ("What did NPT decide about the school?", ["Neath Port Talbot Council"]),
    ("What did the bcp of the scheme cost?", []),  # initials in capitals only
    ("What did Oldham Metropolitan Borough Council agree?", ["Oldham Council"]),  # the list's name, the index's
    ("When did Anglesey's Executive agree?", ["Isle of Anglesey County Council"]),
    ("When did Cyngor Sir Ynys Môn agree?", ["Isle of Anglesey County Council"]),
    ("How many parking fines did Kent issue in 2021?", ["Kent County Council"]),
    ("Which outcome for Kent's children does the decision serve?", ["Kent County Council"]),
    ("how much did kent spend on gritting", ["Kent County Council"]),  # typed without capitals
    # "Kent" the council, whatever a retrieval stopword list says of the word
    ("What did Kent County Council decide about the Kent Carers' Strategy?", ["Kent County Council"]),
    # a place name inside another name is not the council asked about, where another council is named
    ("What will Kent Music School's new premises in Javelin Way, Ashford cost?", ["Ashford Borough Council"]),
    ("What interest rate will Ashford charge Kent Music on the loan?", ["Ashford Borough Council"]),
    ("Which of Kent's schools are in Ashford?", ["Kent County Council"]),  # the possessive over the bare place
    ("How much is Hollinsbury's workwear contract worth?", ["Hollinsbury Council"]),
    ("What did Eastmarsh decide?", ["Borough of Eastmarsh"]),
    ("What did Sussex County Council decide about care homes?", []),  # not West Sussex
    ("Which councils have introduced controlled parking zones?", []),
    ("What happened to the carers' contract after it was turned down?", []),  # "Down": a word, not the council
    ("What is the speed limit near Reading the sign?", []),
])
def test_the_index_councils_a_question_names(question, named):
    assert named_councils(question, INDEX) == named


@pytest.mark.parametrize(("question", "stranger"), [
    ("When did Slough approve controlled parking zones?", "Slough Borough Council"),
    ("when did slough approve controlled parking zones", "Slough Borough Council"),
    ("What did Sussex County Council decide about care homes?", "Sussex County Council"),
    ("How much did Brighton and Hove City Council pay for staff workwear?", "Brighton and Hove City Council"),
    ("What did Vale of White Horse District Council decide about grants?", "Vale of White Horse District Council"),
    ("Who took Aylesbury Vale District Council's decision?", "Aylesbury Vale District Council"),  # abolished 2020
    ("What did Reading's Cabinet decide about bus lanes?", "Reading Borough Council"),
    ("Which schemes were approved by Medway?", "Medway Council"),
    ("What is the budget for adult education in Medway?", "Medway Council"),  # a place in no indexed council's area
    ("How much was spent on bus shelters in Maidstone?", ""),  # Maidstone lies in Kent's area: maybe Kent's
    ("How many potholes were filled in Canterbury?", ""),
    ("What did West Sussex decide about care homes?", ""),
    ("What did the University of Kent receive?", ""),
    ("Did Compton Parish Council object to the sale?", ""),  # a parish council: consulted, not deciding
    ("What did Full Council decide?", ""),
    ("How much did the council spend on pothole repairs?", ""),
    ("What will Kent Music School's new premises cost?", ""),
])
def test_a_council_the_index_does_not_hold(question, stranger):
    assert unknown_council(question, INDEX) == stranger


def test_an_index_council_named_by_its_short_name_alone_is_no_full_name():
    councils = ["Kent", "Ashford Borough Council"]  # --council "Kent"
    assert named_councils("What will Kent Music School's premises in Ashford cost?", councils) == [councils[1]]
    assert named_councils("What did Kent decide?", councils) == ["Kent"]


def test_every_gold_question_with_a_council_is_read_as_it_or_as_none():
    """The uk sets' questions name their councils in every way people do: none is read as another council."""
    from eval.councils import CORPUS, questions

    if not (CORPUS / "manifest.jsonl").exists():
        pytest.skip(f"corpus-uk absent ({CORPUS})")
    results = questions(CORPUS)
    for name, r in results.items():
        if name.startswith("uk"):
            assert r.get("wrong", 0) == 0, r["wrong_items"]
    assert sum(r.get("right", 0) for n, r in results.items() if n.startswith("uk")) >= 200


# --- answers, end to end ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def asker(tmp_path_factory):
    from index.search import Searcher
    from qa.ask import Asker

    root = tmp_path_factory.mktemp("councils")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE, corpus / "kent", ignore=shutil.ignore_patterns("README*"))
    (corpus / "others").mkdir()
    for page in ("contact_address_only.txt", "website_footer_only.txt"):
        shutil.copy(PAGES / page, corpus / "others" / page)
    shutil.copy(LAYOUTS / "04b_decisions_list_d_refs.txt", corpus / "others")
    (corpus / "wsx").mkdir()
    shutil.copy(PAGES / "generic_preamble_list.txt", corpus / "wsx")
    index = root / "ix"
    assert main(["ingest", str(corpus / "kent"), str(corpus / "others"), "--index", str(index), "--json"]) == 0
    assert main(["ingest", str(corpus / "wsx"), "--index", str(index), "--council", "West Sussex County Council",
                 "--json"]) == 0
    return Asker(Searcher(index))


def test_the_index_files_each_page_under_its_council(asker):
    assert asker.searcher.councils() == ["Hollinsbury Council", "Kent County Council",
                                         "Royal Borough of Windsor and Maidenhead", "Slough Borough Council",
                                         "West Sussex County Council"]


@pytest.mark.parametrize(("question", "council"), [
    ("When did Reading approve controlled parking zones?", "Reading Borough Council"),
    ("What did Sussex County Council decide about highway drainage?", "Sussex County Council"),
    ("Who took Northamptonshire County Council's decision on home to school transport?",
     "Northamptonshire County Council"),
])
def test_a_council_not_indexed_is_not_answered_from_another(asker, question, council):
    answer = asker.ask(question)
    assert answer.abstained and answer.citations == []
    assert answer.reason == f"Not found: no decisions of {council} are indexed."


def test_a_council_indexed_by_its_address_is_answered_from_its_decisions(asker):
    answer = asker.ask("When did Slough decide to remove the pay and display machines?")
    assert not (answer.reason or "").startswith("Not found: no decisions of")
    assert all(c.decision.startswith("slough") for c in answer.citations)
