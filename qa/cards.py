"""A decision as a person reads it: title, council, reference, maker, date, status, amounts and a link to its page
on the council's site; never the server's file paths. Shown beside a cited paragraph, in ``similar`` and on a
decision's page, and sent as JSON by whatever front end asks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from index.decisions import Decision

# The date a decision is filed under, as the search filters file it (``index.filters.DATE_SQL``), then the meeting.
DATE_ORDER = (("decision", ""), ("published", "published"), ("committee", "committee"), ("meeting", "meeting"))
_SAFE_URL = re.compile(r"https?://[^\s()<>\[\]\"'`]+")
MAX_AMOUNTS = 6


def filed_date(dates: dict[str, str]) -> tuple[str, str]:
    """(the date, what it is: "" for the date the decision was taken, else "published", "committee", "meeting")."""
    for key, label in DATE_ORDER:
        if dates.get(key):
            return dates[key][:10], label
    return "", ""


@dataclass(frozen=True)
class DecisionCard:
    id: str
    title: str
    council: str
    reference: str
    decision_maker: str
    date: str  # ISO; what it is in ``date_kind``
    date_kind: str  # "" (taken on), "published", "committee", "meeting"
    status: str
    amounts: tuple[str, ...]  # as printed ("£3.087m"), the first few, distinct
    link: str  # the decision's page (or its document) on the council's site; "" where it was read from a file

    @property
    def when(self) -> str:
        if not self.date:
            return "no date"
        return f"{self.date_kind} {self.date}" if self.date_kind else self.date

    def lines(self) -> list[str]:
        """The card as plain text lines (the CLI; the app shows the same as text)."""
        out = [f"{self.id}  {self.title or '(untitled)'}",
               " · ".join(x for x in (self.council or "council unknown", self.status or "status unknown", self.when,
                                      self.decision_maker or "maker unknown") if x)]
        if self.reference and self.reference != self.id:
            out.append(f"reference as printed: {self.reference}")
        if self.amounts:
            out.append("amounts: " + "; ".join(self.amounts))
        if self.link:
            out.append(f"on the council's site: {self.link}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "council": self.council, "reference": self.reference,
                "decision_maker": self.decision_maker, "date": self.date, "date_kind": self.date_kind,
                "status": self.status, "amounts": list(self.amounts), "link": self.link}


def card(d: Decision) -> DecisionCard:
    date, kind = (d.date, "") if d.date else filed_date(d.dates)
    amounts = tuple(dict.fromkeys(a["text"] for a in d.amounts if a.get("text")))[:MAX_AMOUNTS]
    link = next((doc.url for doc in d.documents if _SAFE_URL.fullmatch(doc.url or "")), "")
    return DecisionCard(d.number, " ".join(d.title.split()), d.council, d.reference, d.decision_maker, date, kind,
                        d.status, amounts, link)
