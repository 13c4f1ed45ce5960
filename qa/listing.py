"""Answers to "which decisions ..." questions: a list of decisions (number, title, date), one citation each.

The question is read for constraints the metadata can settle (a year, "key", "proposed"/"taken", a decision
maker named in the index) and for a topic. Decisions come from the retrieved passages whose evidence is strong
enough; when the question has no topic, from the metadata alone. Each listed decision cites the sentence of its
best passage, so the list is verified like any other answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.decisions import Decision
from index.filters import Filters
from index.search import Hit
from qa.evidence import Evidence
from qa.extractive import citation_for
from qa.intent import Intent
from qa.records import Claim, Draft
from qa.text import terms

MAX_LISTED = 25
# a year the question asks about; not the year in a statute's name ("the Care Act 2014", "Regulations (2015)")
_YEAR = re.compile(r"(?<!Act )(?<!Act \()(?<!Regulations )(?<!Regulations \()\b(19|20)\d\d\b", re.IGNORECASE)
_LIST_WORDS = set(terms("which what list show find decisions decision contracts contract records record reports "
                        "report were was are is taken made approved proposed key agreed signed by in during year"))


@dataclass(frozen=True)
class Constraints:
    years: tuple[str, ...] = ()
    key: bool | None = None
    status: str = ""
    maker: str = ""

    def admit(self, d: Decision) -> bool:
        if self.years:
            dates = [d.date, *d.dates.values()]
            if not any(x[:4] in self.years for x in dates if x):
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
    maker = ""
    for d in decisions:
        name = d.decision_maker.split(",")[0].strip()
        if name and len(name) > 3 and name.lower() in q:
            maker = name
            break
    return Constraints(tuple(m.group(0) for m in _YEAR.finditer(question)), key, status, maker)


def topic_terms(question: str, c: Constraints) -> list[str]:
    drop = _LIST_WORDS | set(c.years) | set(terms(c.maker))
    return [t for t in terms(question) if t not in drop]


def draft_list(question: str, hits: list[Hit], evidence: Evidence, decisions: list[Decision], searcher,
               threshold: float) -> Draft:
    by_number = {d.number: d for d in decisions}
    c = constraints_of(question, decisions)
    best: dict[str, Hit] = {}
    if topic_terms(question, c):
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
        claims.append(Claim(f"{number} {d.title} ({status}, {when})", (citation_for(hit, sentence.text),), metadata=True))
    preface = f"{len(claims)} decision{'s' if len(claims) != 1 else ''} found:" if claims else ""
    return Draft(tuple(claims), "list", preface)
