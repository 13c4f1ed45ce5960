"""The kinds of answer a question may want (an amount, a date, a count, a person, a list of decisions, prose) and
the test each puts to a sentence: whether it holds that kind of fact. How a question is read is ``qa.frame``."""
from __future__ import annotations

import re
from enum import Enum

from ingest.labels import MONTH_RE
from ingest.layouts import layout


class Intent(str, Enum):
    LIST = "list"  # "which decisions ...": a list of decisions, one citation each
    AMOUNT = "amount"
    DATE = "date"
    COUNT = "count"
    WHO = "who"
    REASON = "reason"  # "why ...": a sentence that gives a cause ("due to the pandemic", "therefore")
    PERCENT = "percent"  # "by what percentage ...": a sentence with a percentage
    ORGANISATION = "organisation"  # "which company won ...": a sentence that names a firm or body
    DURATION = "duration"  # "how long ...": a sentence with a span of time or a length
    PLACE = "place"  # "where ...": a sentence that names a place
    SOURCE = "source"  # "where does the money come from ...": a sentence that says what pays
    SECTION = "section"  # "where are the terms set out ...": a sentence that names a part of a document
    GENERAL = "general"


DATE_IN_TEXT = re.compile(
    rf"\b\d{{1,2}}(st|nd|rd|th)?\s+(?:{MONTH_RE})\s+\d{{4}}\b|\b(?:{MONTH_RE})\s+\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b|"
    r"\b(19|20)\d\d(-\d\d|/\d\d)?\b",
    re.I,
)
FULL_DATE_IN_TEXT = re.compile(  # a day or a month, not a year alone ("the Provider Selection Regime 2023")
    rf"\b\d{{1,2}}(st|nd|rd|th)?\s+(?:{MONTH_RE})\s+\d{{4}}\b|\b(?:{MONTH_RE})\s+\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b",
    re.I,
)
PERCENT_IN_TEXT = re.compile(r"\d\s?%|\bper ?cent\b", re.I)
# A firm or body by the word its name ends with ("Advanced KFS Special Vehicles Ltd", "Hestia Housing and Support")
ORGANISATION_IN_TEXT = re.compile(
    r"\b[A-Z][\w&'.-]*(?:\s+(?:and\s+|&\s+|of\s+)?[A-Z][\w&'.-]*)*\s+(?:Ltd|Limited|plc|PLC|LLP|LLC|Inc|Group|"
    r"Trust|CIC|Association|Partnership|Foundation|Housing|Homes|Systems|Construction|Contractors|"
    r"Consulting|Consultants|Solutions|Charity)\b"  # not "Services", "Care": a council's own departments
    # or a name a contract or a tender went to or came from: "the tender from Alfred McAlpine"
    r"|\b(?:tender|contract|bid|quote|offer|award)\w*\s+(?:\w+\s+){0,2}?(?:from|to|with)\s+[A-Z][\w&'.-]+\s+[A-Z][\w&'.-]+"
    # or a name appointed, engaged or commissioned that is no post: "to appoint Ringway Jacobs as consultants"
    r"|\b(?:appoint|appointed|appointing|engage|engaged|commission|commissioned|hire|hired)\s+(?!(?:The|A|An|Director|"
    r"Officer|Head|Manager|Councillor|Cabinet|Chief|Assistant|Corporate|Interim|Executive|Deputy|Leader)\b)"
    r"[A-Z][\w&'.-]+")
AMOUNT_IN_TEXT = re.compile(r"£\s?\d[\d,]*(\.\d+)?\s?(m|bn|k|million|billion)?", re.I)
COUNT_IN_TEXT = re.compile(r"\b\d[\d,]*\b(?!\s*(January|February|March|April|May|June|July|August|September|"
                           r"October|November|December))")
# Numbers that count nothing: a file's size ("PDF 238 KB"), the number of an item, paragraph, part or rule
# ("Item 320", "Tranche 2", "paragraph 6.1"), a reference ("21/00002", "Report No. 18/2017"). A range stays a
# count: "the applications numbered 1 – 11" counts eleven. A list item's own number ("2.") counts nothing.
NOT_A_COUNT = re.compile(
    r"\b\d[\d,.]*\s?(?:KB|MB|GB|kb|mb)\b|\b(?:item|items|paragraph|paragraphs|para|section|appendix|page|pages|minute|"
    r"tranche|phase|round|band|level|stage|rule|regulation|option|no\.?|number|ref\.?|reference|clause|schedule|"
    r"annex|part|chapter|report)\s+\d[\d.()a-z]*|\b\d+\s*/\s*\d+\b|"
    r"(?:^|\n)\s*\(?\d{1,2}[.)](?=\s|$)", re.I)  # the number of an item in a list: "2.", "(3)"
# a person: "Simon Mitchell,", "Ms Ward", or a name that says or does something in minutes ("Richard Ellis
# confirmed that ...", "Heidi Ward attended")
_REPORTS = (r"said|says|confirmed|confirms|noted|explained|introduced|presented|stated|advised|reported|responded|"
            r"answered|replied|added|agreed|asked|highlighted|informed|outlined|briefed|commented|clarified|"
            r"emphasised|emphasized|acknowledged|proposed|seconded|declared|attended")
# words of posts and bodies, never of a person's name: "The Cabinet Member agreed", "the Committee noted"
_POSTS = (r"The|This|That|Cabinet|Committee|Council|Member|Members|Director|Officer|Officers|Executive|Leader|Mayor|"
          r"Manager|Head|Chief|Lead|Portfolio|Holder|Board|Panel|Group|Team|Care|Social|Adult|Adults|Children|"
          r"Health|Housing|Services|Service|County|Borough|City|District|Authority|Partnership|Corporate|Strategic|"
          r"Assistant|Deputy|Senior|Chair|Chairman|Vice|Commissioning|Report|Decision|Plan|Policy|Strategy")
HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Cllr", "Councillor")  # how minutes name a person
PERSON_NAMED = re.compile(rf"\b[A-Z][a-z]+ [A-Z][a-z]+,|\b({'|'.join(HONORIFICS)})\.? [A-Z][a-z]+|"
                          rf"\b(?!(?:{_POSTS})\b)[A-Z][a-z]+ (?!(?:{_POSTS})\b)[A-Z][a-z'’-]+ (?:{_REPORTS})\b")
WHO_IN_TEXT = re.compile(r"\b(Cabinet Member|Corporate Director|Director|Officer|Leader|Councillor|Manager|"
                         # a post or a body: "the Head of Environmental Services", "Chief Executive", "the Board"
                         r"Head of [A-Z]\w+|Chief Executive|Portfolio Holder|Lead Member|Mayor|Committee|"
                         r"Sub-Committee|Board|Panel)\b|"
                         r"\b[A-Z][a-z]+ [A-Z][a-z]+,", re.M)  # "Director" but not "Directorate"


NUMBER_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                         r"hundred|dozen)\b", re.I)


_SPAN = (r"(?:\d[\d,.]*|a|an|one|half an?|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
         r"fifteen|eighteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)(?:[- ](?:one|two|three|four|five|six|"
         r"seven|eight|nine))?)")
# "for three years", "a 12-month contract", "five working days", "41m", "until 31 March 2019", "time-unlimited"
DURATION_IN_TEXT = re.compile(
    rf"\b{_SPAN}[- ](?:(?:working|calendar|clear|full|further|additional|more)\s+)?"
    r"(?:days?|weeks?|fortnights?|months?|years?|hours?|minutes?|decades?|metres?|meters?|miles?|kilometres?|"
    r"km|feet|yards?)\b|(?<![£$€\d,.])\b\d[\d,.]*\s?(?:m|km|ft)\b|"
    r"\b(?:until|till|to|through|up to)\s+(?:the\s+end\s+of\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{MONTH_RE})\s+\d{{4}}|"
    r"\b(?:until|till|to|up to)\s+\d{1,2}/\d{1,2}/\d{4}|\b(?:time-(?:un)?limited|unlimited|indefinite(?:ly)?|"
    r"permanent(?:ly)?|open-ended)\b", re.I)


# "Where ...?" is answered by a place ("at Bernard Shaw House and Granville Homes", "the Mill Lane site", "NW1 1HQ");
# "in" or "across" a capitalised word is no place alone ("Care in the Home", "across Kent")
_PLACE_WORDS = (r"Road|Street|Lane|Avenue|Drive|Way|Close|Crescent|Place|Park|House|Homes|Centre|Center|Estate|Square|"
                r"Green|Court|Hall|Ward|Village|Shore|Gardens|Wharf|Quay|Hill|Common|Fields?|Farm|Site|Depot|"
                r"Library|School|Academy|Campus|Building|Tower|Bridge|Station")
PLACE_IN_TEXT = re.compile(
    rf"\b(?:at|near|beside|opposite|off|along|adjacent to|next to)\s+(?:the\s+)?(?!(?:{MONTH_RE})\b)[A-Z][\w'’-]+|"
    rf"\b[A-Z][\w'’-]+\s+(?:{_PLACE_WORDS})\b|\b(?:site|sites|premises|location|address|land at)\b|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b")
# "Where are the terms set out?", "Where does the report give the sum?" is answered by a part of a document
SECTION_IN_TEXT = re.compile(r"\b(?:paragraphs?|paras?|sections?|appendix|appendices|annex(?:es)?|schedules?|"
                             r"chapters?|tables?|pages?)\s+(?:[A-Z]\b|\d[\d.]*[a-z]?\b)", re.I)
# "Where will the money come from?" is answered by a source: "funded by Waterfall Fund", "met from reserves"
SOURCE_IN_TEXT = re.compile(
    r"\b(?:funded|financed|paid|met|covered|resourced|drawn|found)\s+(?:\w+\s+){0,2}?(?:by|from|through|via|out of)\b|"
    r"\bfunding\s+(?:\w+\s+){0,2}?(?:from|by|through)\b|\b(?:reserves?|borrowing|grant funding|capital receipts?|"
    r"section 106|s106|contingency)\b", re.I)


REASON_IN_TEXT = re.compile(  # a cause given; "due to expire" is a schedule, not a cause
    r"\b(because|due to(?! (expire|end|start|begin|be|run|close|open|finish))|owing to|as a result|result of|"
    r"therefore|(the|following|main|key) reasons?|reasons? (for|why)|so that|in order to|given (the|that))\b",
    re.I,
)


def satisfies(intent: Intent, sentence: str, fields: bool = True) -> bool:
    """Whether a sentence holds the kind of fact the question asks for. ``fields``: whether a record's field line
    that names who ("Decision Maker: Cabinet", "Meeting: ... Committee") counts; not for a question about who did
    something else ("Who introduced the report?")."""
    if intent is Intent.REASON:
        return bool(REASON_IN_TEXT.search(sentence))
    if intent is Intent.AMOUNT:
        return bool(AMOUNT_IN_TEXT.search(sentence))
    if intent is Intent.DATE:
        return bool(DATE_IN_TEXT.search(sentence))
    if intent is Intent.COUNT:
        counted = NOT_A_COUNT.sub("", DATE_IN_TEXT.sub("", sentence))
        return bool(COUNT_IN_TEXT.search(counted) or NUMBER_WORD.search(counted))
    if intent is Intent.WHO:
        named = WHO_IN_TEXT.search(sentence) or PERSON_NAMED.search(sentence)
        return bool(named) or (fields and _person_field(sentence))
    if intent is Intent.PERCENT:
        return bool(PERCENT_IN_TEXT.search(sentence))
    if intent is Intent.ORGANISATION:
        return bool(ORGANISATION_IN_TEXT.search(sentence))
    if intent is Intent.DURATION:
        return bool(DURATION_IN_TEXT.search(sentence))
    if intent is Intent.PLACE:
        return bool(PLACE_IN_TEXT.search(sentence))
    if intent is Intent.SOURCE:
        return bool(SOURCE_IN_TEXT.search(sentence))
    if intent is Intent.SECTION:
        return bool(SECTION_IN_TEXT.search(sentence))
    return True


# the record's fields that name who: its maker, the people behind its report, the meeting that made it
PERSON_FIELDS = ("decision_maker", "report_author", "lead_officer", "lead_member", "contact", "meeting")


def _person_field(sentence: str) -> bool:
    """"Report author: Sandy Muirhead", "Decision Maker: Cabinet": a field that names who, by its label."""
    lay = layout()
    label = sentence.split(":", 1)[0].strip() if ":" in sentence[:60] else ""
    return bool(label) and lay.field_of(label) in PERSON_FIELDS
