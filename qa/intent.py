"""What kind of answer a question wants: an amount, a date, a count, a person, a list of decisions, or prose."""
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
    GENERAL = "general"


_LIST = re.compile(
    r"^\s*(which|what|list|show|find)\b(\s+\w+){0,2}?\s+(decisions|contracts|awards|procurements|records|"
    r"reports)\b|^\s*(list|show)\b",
    re.I,
)
_AMOUNT = re.compile(r"\b(how much|cost|costs|worth|value|spend|spent|budget|funding|funded|price|£|amount|"
                     r"saving|savings|money|pay|paid|fees?|bill|price tag|outlay|set (\w+ ){0,3}back)\b|£", re.I)
# "Are the fees below those of neighbouring councils?" wants the statement that says so, not a figure
_POLAR = re.compile(r"^\s*(is|are|was|were|does|do|did|has|have|had|will|would|can|could|should|may|might)\b", re.I)
# not "day" alone ("day opportunities"), and "when" only where it opens the question (_DATE_FIRST): "What
# options did the Executive consider when it decided ...?" asks for the options
_DATE = re.compile(r"\b(what date|which date|date|(what|which) (day|month|year)|deadline|expire|expires|expiry|"
                   r"start|begin|end|until|effective)\b", re.I)
_DATE_FIRST = re.compile(r"^\s*(when|on what date|from what date|by what date|what date|which date)\b", re.I)
_REASON = re.compile(r"^\s*(why|for what reason|what (is|was|are|were) the reasons?)\b|\bwhat (led|caused)\b", re.I)
_COUNT = re.compile(r"\bhow many\b|\bnumber of\b", re.I)
_PERCENT = re.compile(r"\b(what|which) percentage\b|\bhow many per ?cent\b|\bby what per ?cent|"
                      # a rate that is a percentage ("What interest rate will ..."); "hourly rate" is money
                      r"\b(what|which|at what) ([\w-]+ )?(interest|discount|inflation|vacancy|occupancy|growth|"
                      r"uplift|return|collection|tax) rate\b", re.I)
_ORGANISATION = re.compile(r"^\s*(which|what) ([\w-]+ )?(company|companies|firm|firms|contractor|contractors|supplier|"
                           r"suppliers|provider|providers|organisation|organisations|business|businesses)\b|"
                           r"^\s*who (won|was awarded|will (build|supply|run|provide|deliver|fit))\b", re.I)
_WHO = re.compile(r"^\s*(who|whom|which (officer|member|cabinet member|director|person|portfolio holder|"
                  r"councillor|committee|lead member))\b|\bwho\b", re.I)

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
    r"Consulting|Consultants|Solutions|Charity)\b")  # not "Services", "Care": a council's own departments
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
PERSON_NAMED = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+,|\b(Mr|Mrs|Ms|Dr|Cllr|Councillor)\.? [A-Z][a-z]+")
WHO_IN_TEXT = re.compile(r"\b(Cabinet Member|Corporate Director|Director|Officer|Leader|Councillor|Manager)\b|"
                         r"\b[A-Z][a-z]+ [A-Z][a-z]+,", re.M)  # "Director" but not "Directorate"


_FIGURE = r"(rate|price|cost|fee|charge|sum|amount|figure|budget|value|rent|salary|premium|grant|contribution)"
_PLAIN_ASK = re.compile(r"^\s*(how much|how many|when|who|whom|on what date|from what date|by what date|what date|"
                        r"which date|by what percentage|what percentage|which ([\w-]+ )?(company|firm|contractor|supplier)|"
                        # "What hourly rate did ...", "What annual rent will ...": the figure is the head of the question
                        rf"what ([\w-]+ ){{0,2}}{_FIGURE}s? (did|does|do|was|is|were|are|will|would|has|had|have)\b|"
                        # "At what price did ...", "For what sum was ..."
                        rf"(at|for) what ([\w-]+ )?{_FIGURE}s?)\b",
                        re.I)


# the figure is the head of the question and is money ("rate" may be a percentage: left to the other rules)
_MONEY_ASK = re.compile(r"^\s*(what ([\w-]+ ){0,2}|(at|for) what ([\w-]+ )?)(price|cost|fee|charge|sum|rent|salary|premium) "
                        r"(did|does|do|was|is|were|are|will|would|has|had|have)\b", re.I)


def asks_plainly(question: str) -> bool:
    """The question opens by asking for one kind of fact ("How much ...", "When ...", "Who ..."): a sentence
    without such a fact cannot answer it. ("What risk ... for fees?" mentions money but asks for prose.)"""
    return bool(_PLAIN_ASK.search(question))


def classify(question: str) -> Intent:
    if _LIST.search(question):
        return Intent.LIST
    if _POLAR.search(question):
        return Intent.GENERAL
    if _REASON.search(question):
        return Intent.REASON
    if _PERCENT.search(question):
        return Intent.PERCENT
    if _ORGANISATION.search(question):
        return Intent.ORGANISATION
    if _COUNT.search(question):
        return Intent.COUNT
    if _WHO.search(question):
        return Intent.WHO
    if _DATE_FIRST.search(question):  # "When was the budget approved?" asks for a date, not the budget
        return Intent.DATE
    if _MONEY_ASK.search(question) or _AMOUNT.search(question):
        return Intent.AMOUNT
    if _DATE.search(question):
        return Intent.DATE
    return Intent.GENERAL


NUMBER_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                         r"hundred|dozen)\b", re.I)


REASON_IN_TEXT = re.compile(  # a cause given; "due to expire" is a schedule, not a cause
    r"\b(because|due to(?! (expire|end|start|begin|be|run|close|open|finish))|owing to|as a result|result of|"
    r"therefore|(the|following|main|key) reasons?|reasons? (for|why)|so that|in order to|given (the|that))\b",
    re.I,
)


def satisfies(intent: Intent, sentence: str) -> bool:
    """Whether a sentence holds the kind of fact the question asks for."""
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
        return bool(WHO_IN_TEXT.search(sentence)) or _person_field(sentence)
    if intent is Intent.PERCENT:
        return bool(PERCENT_IN_TEXT.search(sentence))
    if intent is Intent.ORGANISATION:
        return bool(ORGANISATION_IN_TEXT.search(sentence))
    return True


def _person_field(sentence: str) -> bool:
    """"Report author: Sandy Muirhead", "Decision Maker: Cabinet": a field that names who, by its label."""
    lay = layout()
    label = sentence.split(":", 1)[0].strip() if ":" in sentence[:60] else ""
    return bool(label) and lay.field_of(label) in ("decision_maker", "contact", "meeting")
