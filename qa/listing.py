"""Answers to "which decisions ..." questions: a list of decisions (number, title, date), one citation each.

The question is read for constraints the metadata can settle (a year, a month or a span of months, "key",
"proposed"/"taken", call-in, a decision maker named in the index or by its role: "taken by a director",
``qa.makers``) and for a topic. Decisions come from the retrieved passages whose evidence is strong enough; when the
question has no topic, from the metadata alone: every decision (of the council it names) they admit. Each listed
decision cites the sentence of its best passage, so the list is verified like any other answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.decisions import Decision
from index.filters import Filters
from index.search import Hit
from ingest.labels import MONTH_RE, MONTHS
from qa.evidence import Evidence
from qa.extractive import citation_for
from qa.intent import Intent
from qa.makers import Role, asked_role
from qa.records import Claim, Draft
from qa.text import terms

MAX_LISTED = 25
# a year the question asks about; not the year in a statute's name ("the Care Act 2014", "Regulations (2015)")
_YEAR = re.compile(r"(?<!Act )(?<!Act \()(?<!Regulations )(?<!Regulations \()\b(19|20)\d\d\b", re.IGNORECASE)
_LIST_WORDS = set(terms("which what list show find decisions decision contracts contract records record reports "
                        "report were was are is taken made approved proposed key agreed signed by in during year "
                        "month meeting held"))
# a month the decisions were taken in, capitalised ("may" is a verb), not a bound ("since May") or a day ("May 3")
_MONTH = re.compile(rf"(?<!since )(?<!after )(?<!before )(?<!from )(?<!until )(?<!to )(?<!till )(?<!through )"
                    rf"\b(?=[A-Z])({MONTH_RE})\b(?!\s+\d{{1,2}}\b)")
# a span of months: "from November 2021 to April 2022", "between May 2023 and March 2024"
_SPAN = re.compile(rf"\b(?:from|between)\s+({MONTH_RE})\s+((?:19|20)\d\d)\s+(?:to|and|until|till|through)\s+"
                   rf"({MONTH_RE})\s+((?:19|20)\d\d)\b")
# "could not be called in", "not subject to call-in"; "could be called in", "subject to call-in"
_NO_CALL_IN = re.compile(r"\b(?:could not|cannot|can't|can not|were not|was not|not)\s+(?:be\s+)?called[ -]in\b|"
                         r"\bnot subject to call[ -]?in\b|\bexempt(?:ed)? from call[ -]?in\b", re.I)
_CALL_IN = re.compile(r"\b(?:could|can|may|might)\s+be\s+called[ -]in\b|\bsubject to call[ -]?in\b", re.I)


@dataclass(frozen=True)
class Constraints:
    years: tuple[str, ...] = ()
    key: bool | None = None
    status: str = ""
    maker: str = ""
    months: tuple[str, ...] = ()  # "01" .. "12"
    span: tuple[str, ...] = ()  # ("2021-11", "2022-04"): the first and last month, inclusive
    call_in: bool | None = None
    role: Role | None = None
    spans: tuple[tuple[int, int], ...] = ()  # the question's words that ask them (not its topic)

    def admit(self, d: Decision) -> bool:
        dates = [x for x in (d.date, *d.dates.values()) if x]
        if self.years and not any(x[:4] in self.years for x in dates):
            return False
        if self.span and not any(self.span[0] <= x[:7] <= self.span[1] for x in dates):
            return False
        if self.months and not any(x[5:7] in self.months and (not self.years or x[:4] in self.years)
                                   for x in dates):
            return False
        if self.call_in is not None and d.call_in is not self.call_in:
            return False
        if self.role and not self.role.fits(d.decision_maker):
            return False
        if self.key is not None and d.key_decision is not self.key:
            return False
        if self.status == "proposed" and d.status != "proposed":
            return False
        if self.status == "taken" and d.status in ("", "proposed"):
            return False
        if self.maker and self.maker.lower() not in d.decision_maker.lower():
            return False
        return True


def constraints_of(question: str, decisions: list[Decision]) -> Constraints:
    q = question.lower()
    key = True if re.search(r"\bkey decisions?\b", q) else None
    status = "proposed" if re.search(r"\bproposed\b|\bnot yet taken\b", q) else (
        "taken" if re.search(r"\b(taken|signed)\b", q) else "")
    spans = []
    asked = asked_role(question)  # "taken by a director": by role, before a maker's name the question holds
    maker = ""
    for d in decisions if asked is None else ():
        name = d.decision_maker.split(",")[0].strip()
        if name and len(name) > 3 and name.lower() in q:
            maker = name
            break
    if asked:
        spans.append(asked.span)
        status = "" if status == "taken" and re.search(r"\btaken\b", question[asked.span[0]:asked.span[1]]) else status
    span: tuple[str, ...] = ()
    if (r := _SPAN.search(question)):
        span = (f"{r.group(2)}-{_month(r.group(1))}", f"{r.group(4)}-{_month(r.group(3))}")
        spans.append(r.span())
    months = []
    for m in _MONTH.finditer(question):
        if span and r.start() <= m.start() < r.end():
            continue
        months.append(_month(m.group(1)))
        spans.append(m.span())
    call_in = None
    if (m := _NO_CALL_IN.search(question)) or (m := _CALL_IN.search(question)):
        call_in = m.re is _CALL_IN
        spans.append(m.span())
    years = tuple(m.group(0) for m in _YEAR.finditer(question) if not (span and r.start() <= m.start() < r.end()))
    return Constraints(years=years, key=key, status=status, maker=maker, months=tuple(months), span=span,
                       call_in=call_in, role=asked.role if asked else None, spans=tuple(spans))


def _month(name: str) -> str:
    """"November" -> "11"."""
    return f"{next(n for n, month in enumerate(MONTHS, 1) if month.lower().startswith(name.lower()[:3])):02d}"


def topic_terms(question: str, c: Constraints, councils: tuple[str, ...] = ()) -> list[str]:
    """The question's topic: its words less those that ask for constraints and those of the councils it names."""
    for start, end in sorted(c.spans, reverse=True):
        question = question[:start] + " " + question[end:]
    drop = _LIST_WORDS | set(c.years) | set(terms(c.maker)) | {t for name in councils for t in terms(name)}
    drop |= set(terms("london borough royal city county district"))  # the forms of a council's name
    return [t for t in terms(question) if t not in drop]


def from_record(question: str, decisions: list[Decision], filters: Filters) -> bool:
    """Whether the list is read from the records alone: the question names its council and what the records
    settle (a maker, a month, call-in ...), and no topic that passages must match. Then how closely passages
    read like the question says nothing about the answer."""
    if not filters.council:
        return False
    c = constraints_of(question, [d for d in decisions if d.council == filters.council])
    settled = c.role or c.maker or c.months or c.span or c.call_in is not None or c.key is not None or c.years
    return bool(settled) and not topic_terms(question, c, (filters.council,))


def _label(d: Decision) -> str:
    """How a listed decision is named: its title, else the opening of what it decided or its purpose."""
    if d.title:
        return d.title
    text = " ".join((d.fields.get("decision") or d.fields.get("purpose") or "").split())
    if len(text) > 90:
        text = text[:90].rsplit(" ", 1)[0] + "…"
    return text


def draft_list(question: str, hits: list[Hit], evidence: Evidence, decisions: list[Decision], searcher,
               threshold: float, filters: Filters | None = None) -> Draft:
    filters = filters or Filters()
    if filters.council:  # the council the question names: its decisions alone
        decisions = [d for d in decisions if d.council == filters.council]
    by_number = {d.number: d for d in decisions}
    c = constraints_of(question, decisions)
    best: dict[str, Hit] = {}
    named = (filters.council,) if filters.council else ()
    if topic_terms(question, c, named):
        for h, strength in zip(hits, evidence.strengths(hits)):
            d = by_number.get(h.decision)
            if d and strength >= threshold and c.admit(d) and h.decision not in best:
                best[h.decision] = h
    else:
        for d in decisions:
            if c.admit(d) and len(best) < MAX_LISTED:
                found = searcher.search(question, k=1, filters=Filters(decision=d.number))
                if found:
                    best[d.number] = found[0]
    claims = []
    for number, hit in list(best.items())[:MAX_LISTED]:
        d = by_number[number]
        when = d.date or (f"committee {d.dates['committee']}" if d.dates.get("committee") else "no date")
        # its best sentence is the quote (a passage of page furniture alone, a meeting line, has none: the next one)
        candidates = [hit, *(h for h in hits if h.decision == number and h.passage_id != hit.passage_id)]
        sentence = next((found[0] for h in candidates if (found := evidence.sentences([h], Intent.LIST))), None)
        if sentence is None:
            continue
        hit = sentence.hit
        status = d.status or "status unknown"
        claims.append(Claim(f"{number} {_label(d)} ({status}, {when})", (citation_for(hit, sentence.text),),
                            metadata=True))
    preface = f"{len(claims)} decision{'s' if len(claims) != 1 else ''} found:" if claims else ""
    return Draft(tuple(claims), "list", preface)
