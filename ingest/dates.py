"""Dates as printed in council documents ("31 March 2022", "19/03/2021", "1st April 2023") to ISO 8601."""
from __future__ import annotations

import re
from datetime import date

from ingest.labels import MONTHS

_MONTH_NUM = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_NUM.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
DATE_RE = re.compile(
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>" + "|".join(MONTHS) + r"|Sept?|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Oct|Nov|Dec)"
    r"\.?,?\s+(?P<y>\d{4})\b"
    r"|\b(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})\b"
    r"|\b(?P<y3>\d{4})(?P<sep>[/-])(?P<m3>\d{1,2})(?P=sep)(?P<d3>\d{1,2})\b",  # 2011/12/14 (older ModernGov), ISO
    re.IGNORECASE,
)


def parse_date(match: re.Match[str]) -> str:
    """ISO date of a ``DATE_RE`` match, or "" when it names no real day (31/02/2022)."""
    try:
        if match.group("d"):
            month = _MONTH_NUM[match.group("m").lower()[:3] if len(match.group("m")) <= 4 else match.group("m").lower()]
            return date(int(match.group("y")), month, int(match.group("d"))).isoformat()
        if match.group("y2"):
            return date(int(match.group("y2")), int(match.group("m2")), int(match.group("d2"))).isoformat()
        return date(int(match.group("y3")), int(match.group("m3")), int(match.group("d3"))).isoformat()
    except (ValueError, KeyError):
        return ""


def first_date(text: str) -> str:
    for m in DATE_RE.finditer(text):
        iso = parse_date(m)
        if iso:
            return iso
    return ""
