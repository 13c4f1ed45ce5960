"""Amounts of money stated in a document, with the sentence each occurs in."""
from __future__ import annotations

import re
from bisect import bisect_left

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


class SentenceEnds:
    """The sentence ends of one text, found once for all the amounts in it (a table of 20k amounts searched its
    text from the start once an amount: the square of its size). ``pattern`` is written as ``_SENTENCE_END`` is:
    one character before blanks and one after them, or a line break, so a match never reaches past the blanks
    around it; ``left`` and ``right`` give what the searches they replace gave, position for position."""

    def __init__(self, pattern: re.Pattern, text: str) -> None:
        self.pattern, self.text = pattern, text
        self.spans = [m.span() for m in pattern.finditer(text)]
        self.starts = [a for a, _ in self.spans]

    def left(self, start: int) -> int:
        """The end of the last sentence end in ``text[:start]`` (``pattern.finditer(text, 0, start)``), or 0. The
        matches that start before the blanks running up to ``start`` are the whole text's; within those blanks
        the cut text may match otherwise (its lookahead sees its end), so they are searched as cut."""
        text = self.text
        blank = start
        while blank > 0 and text[blank - 1].isspace():
            blank -= 1
        i = bisect_left(self.starts, blank) - 1
        left = self.spans[i][1] if i >= 0 else 0
        for m in self.pattern.finditer(text, blank, start):
            left = m.end()
        return left

    def right(self, end: int) -> int:
        """The start of the first sentence end at or after ``end`` (``pattern.search(text, end)``), or the text's
        length."""
        i = bisect_left(self.starts, end)
        if i and self.spans[i - 1][1] > end:  # a match of the whole text runs across ``end``: search as before
            m = self.pattern.search(self.text, end)
            return m.start() if m else len(self.text)
        return self.starts[i] if i < len(self.starts) else len(self.text)


def sentence_around(text: str, start: int, end: int, ends: SentenceEnds | None = None) -> str:
    ends = ends or SentenceEnds(_SENTENCE_END, text)
    left, right = ends.left(start), ends.right(end)
    if not text[left:start].strip() and not text[end:right].strip() and left > 0:
        # an amount alone on a table line: the line before names what it is
        left = text.rfind("\n", 0, max(0, left - 1)) + 1
    return text[left:right].strip()


def amounts(paras: list[Paragraph]) -> list[MoneyAmount]:
    found = []
    for para in paras:
        ends = SentenceEnds(_SENTENCE_END, para.text)
        for m in MONEY_RE.finditer(para.text):
            found.append(
                MoneyAmount(
                    value=money_value(m),
                    text=m.group(0).strip(),
                    sentence=sentence_around(para.text, m.start(), m.end(), ends),
                    paragraph=para.label,
                )
            )
    return found
