"""The periods a question pins down, which the decision that answers it must also name.

"What did Kent decide about its Commissioning Plan for Education Provision 2024-2028?" is not answered by the
decision on the plan for 2023-27, however alike the two read: a question that names a year or a span of years
("2018/19", "2024-2028", "in 2021") asks about that period, and a decision whose documents never name it is
about another one. Years are compared as numbers, so "2021-22", "2021/22", "2021 to 2022" and "2021-2022" are
one span, and a year inside a printed date ("15/01/2014") counts as named.
"""
from __future__ import annotations

import re

_YEAR = r"(?:19|20)\d\d"
_SPAN = re.compile(rf"\b({_YEAR})(?:\s*(?:-|–|/|to)\s*((?:19|20)?\d\d))?\b(?![/.]\d)")


def _year(start: int, end: str) -> int:
    """The end of a span as a full year: "2023-27" ends in 2027."""
    return int(end) if len(end) == 4 else start - start % 100 + int(end)


def periods(text: str) -> set[tuple[int, int]]:
    """Each year (y, y) and span of years (start, end) named in ``text``."""
    out = set()
    for m in _SPAN.finditer(text):
        start = int(m.group(1))
        end = _year(start, m.group(2)) if m.group(2) else start
        if start <= end <= start + 10:  # "2014/15" is a span; "2014-1234" is not
            out.add((start, end))
        else:
            out.add((start, start))
    return out


def years(text: str) -> set[int]:
    """Every year ``text`` names, alone, in a span, or in a date."""
    found = {int(y) for y in re.findall(rf"(?<!\d){_YEAR}(?!\d)", text)}
    for start, end in periods(text):
        found.update((start, end))  # a span names its two ends ("2023-27": 2023 and 2027), not the years between
    return found


def unnamed_periods(question: str, texts: list[str]) -> list[str]:
    """The years and spans the question names that none of ``texts`` (a decision's documents) names: a span must
    be printed as that span, or, for a span of one year to the next, both its years named; a single year anywhere
    (in a span or a date too)."""
    asked = periods(question)
    if not asked:
        return []
    spans = set().union(*(periods(t) for t in texts)) if texts else set()
    named = set().union(*(years(t) for t in texts)) if texts else set()
    missing = []
    for start, end in sorted(asked):
        # a year's span ("winter 2018/19", a financial year) is also named by a text that names both its years
        # ("the meetings of 12 December 2018 and 16 January 2019"); a longer span only as printed
        ok = (start, end) in spans or {start, end} <= named if end == start + 1 else (
            (start, end) in spans if start != end else start in named)
        if not ok:
            missing.append(str(start) if start == end else f"{start}-{end}")
    return missing
