"""Vocabulary of council decision documents: field labels, months, and the patterns built from them."""
from __future__ import annotations

import re

MONTHS = (
    "January February March April May June July August September October November December".split()
)
MONTH_RE = "|".join(MONTHS)

# Field labels of records of decision, committee reports and "decision details" pages. Longest first so a
# regex alternation prefers "Decision Maker" over "Decision".
_LABELS = [
    "Decision to be taken by", "Decision taken by", "Decision No", "Decision Number", "Decision Maker",
    "Decision status", "Is Key decision?", "Key decision", "Is subject to call in?", "For publication",
    "Title of Decision", "Subject", "Decision", "Reason(s) for decision", "Reasons for decision",
    "Cabinet Committee recommendations and other consultation", "Any alternatives considered and rejected",
    "Any interest declared when the decision was taken and any dispensation granted by the Proper Officer",
    "Publication date", "Date of decision", "Effective from", "Accompanying Documents", "Classification",
    "Past Pathway of report", "Future Pathway of report", "Electoral Division", "Summary",
    "Recommendation(s)", "Recommendations", "From", "To", "Background Documents", "Proposed decision",
    "Lead officer", "Divisions affected", "Wards affected", "Date of meeting", "Report author",
]
_LABEL_ALT = "|".join(re.escape(x) for x in sorted(_LABELS, key=len, reverse=True))
_IMPLICATIONS = r"(?:[A-Za-z()’']+\s){0,5}implications"
# A known label at the start of a line, followed by its colon ("Is Key decision?:" has both).
KNOWN_LABEL = re.compile(
    rf"^(?P<label>{_LABEL_ALT}|{_IMPLICATIONS}|Any interest declared[^:\n]{{0,120}})\s*+:", re.IGNORECASE
)
# Labels that templates print without a colon, the value following on the same or the next line.
_NO_COLON = ["For publication", "Title of Decision", "Decision Number", "Decision No"]
NO_COLON_LABEL = re.compile(
    rf"^(?P<label>{'|'.join(re.escape(x) for x in _NO_COLON)})(?=\s|$)", re.IGNORECASE
)
# Any short capitalised phrase ending in a colon ("Summary:", "Is Key decision?:"): a field label.
# Older record pages print "Label :-value" with no space after the ":-" ("Reference Number :-2128").
# (the blanks before the colon are taken whole, ``\s*+``: only a colon may follow them)
GENERIC_LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z()’'&/,\- ]{1,70}?\??)\s*+(?::-|:(?=\s|$))")

DECISION_NUMBER = re.compile(r"(?<![\d/])(\d{2}/\d{5})(?![\d/])")
CONNECTIVES = frozenset(
    "and or of for the to in with a an by on at from as that which including including: nor but than "
    "into onto under over between within without via per".split()
)
BULLET_CHARS = "•·▪◦●○■□‣⁃-*"
ENUMERATOR = re.compile(r"^(\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}[.)])\s+")
NUMBERED_PARA = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?=\S)")


def label_of(line: str) -> str:
    """The field label a line starts with ("Financial Implications"), or "" if it starts with none."""
    m = KNOWN_LABEL.match(line) or NO_COLON_LABEL.match(line)
    if m:
        return m.group("label").strip()
    m = GENERIC_LABEL.match(line)
    if m and not any(ch.isdigit() for ch in m.group("label")):
        words = len(m.group("label").split())
        has_value = bool(line[m.end() + 1 :].strip())
        if words <= (8 if has_value else 4):  # "The outcomes are:" ending a line is a lead-in, not a label
            return m.group("label").strip()
    return ""


def label_alone(text: str) -> bool:
    """A field label with no value after it ("DECISION NO:", "Title of Decision")."""
    label = label_of(text)
    return bool(label) and not text[len(label) :].strip(" :?")
