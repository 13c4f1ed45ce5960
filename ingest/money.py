"""Amounts of money stated in a document, with the sentence each occurs in."""
from __future__ import annotations

import re

from ingest.records import MoneyAmount, Paragraph

MONEY_RE = re.compile(
    r"£\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?\s?(?P<unit>bn|billion|million|m|k)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SCALE = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z£(‘“])|\n")


def money_value(match: re.Match[str]) -> float:
    number = float(match.group("num").replace(",", "") + (match.group("dec") or ""))
    return number * _SCALE.get((match.group("unit") or "").lower(), 1.0)


def sentence_around(text: str, start: int, end: int) -> str:
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    m = _SENTENCE_END.search(text, end)
    right = m.start() if m else len(text)
    if not text[left:start].strip() and not text[end:right].strip() and left > 0:
        # an amount alone on a table line: the line before names what it is
        left = text.rfind("\n", 0, max(0, left - 1)) + 1
    return text[left:right].strip()


def amounts(paras: list[Paragraph]) -> list[MoneyAmount]:
    found = []
    for para in paras:
        for m in MONEY_RE.finditer(para.text):
            found.append(
                MoneyAmount(
                    value=money_value(m),
                    text=m.group(0).strip(),
                    sentence=sentence_around(para.text, m.start(), m.end()),
                    paragraph=para.label,
                )
            )
    return found
