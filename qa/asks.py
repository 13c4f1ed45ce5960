"""What a question asks of a decision's own record, in the words of ``qa/data/asks.json``: the record field that
answers it (``record_field``: "When did Cherwell's Executive decide ...?" wants the date of decision, "Who wrote
the report ...?" its report author), and the noun its "which/what ..." phrase asks about (``heads``). ``qa.frame``
reads a question once with them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.intent import Intent

ASKS = Path(__file__).parent / "data" / "asks.json"
# "Are the fees below those of neighbouring councils?" wants the statement that says so, not a figure
POLAR = re.compile(r"^\s*(is|are|was|were|does|do|did|has|have|had|will|would|can|could|should|may|might)\b", re.I)
# "What is the reference of ...?", "What reference number does Kent give ...?"
REFERENCE_ASK = re.compile(r"^\s*(what|which)\s+((is|was|are|were)\s+(the\s+)?([\w'’-]+\s+){0,3}?)?"
                           r"(reference|decision number|ref number|reference number)\b", re.I)


_OPENING = r"(?:^\s*|[,;:]\s*)"  # a phrase that opens the question or follows its opening clause
_NOT_VERB = r"(?!(?:is|was|are|were|do|does|did|will|would|could|can|should|may|might|has|have|had|be|been)\b)"


@lru_cache(maxsize=1)
def heads() -> dict[str, re.Pattern]:
    """What the noun of the question's "which/what ..." phrase asks for (``asks.json``'s "heads"): a person or a
    body, a date, a sum of money."""
    nouns = json.loads(ASKS.read_text(encoding="utf-8"))["heads"]

    def alt(kind: str) -> str:
        return "|".join(re.escape(w) for w in sorted(nouns[kind], key=len, reverse=True))

    between = rf"(?:{_NOT_VERB}[\w'’-]+\s+){{0,2}}?"  # "Which Kent policy manager": up to two words, no verb
    # the noun heads its phrase: a verb or a preposition follows ("what day could", "the budget for"), not another
    # noun ("which day opportunities")
    ends = (r"(?=\s+(?:did|does|do|was|is|were|are|will|would|could|can|should|might|may|has|had|have|of|in|on|"
            r"for|to|from|at|by|that)\b|\s*[?,;]|\s*$)")
    return {
        # a person or body only where the question opens with it: after an opening clause ("Once Ashford adopted
        # its checklist, which officer could change it?") the record's maker is seldom the one asked for
        "who": re.compile(rf"^\s*(?:which|what)\s+{between}(?:{alt('who')})(?![\w-])", re.I),
        "date": re.compile(rf"{_OPENING}(?:(?:from|on|by|since|until|before|after|in)\s+)?(?:which|what)\s+"
                           rf"(?:(?:is|was|were|will be) the\s+{between})?(?:{alt('date')}){ends}", re.I),
        "money": re.compile(rf"{_OPENING}(?:(?:what|which)\s+(?:is|was|are|were|will be|would be|has been)\s+the|"
                            rf"how (?:large|big|high|much))\s+(?:(?:a|an|the)\s+)?{between}(?:{alt('money')})"
                            rf"{ends}", re.I),
    }


@dataclass(frozen=True)
class _Words:
    date_fields: tuple[tuple[str, tuple[str, ...]], ...]
    decision_date: tuple[str, ...]
    deadline_leads: tuple[str, ...]
    people_fields: tuple[tuple[str, tuple[str, ...]], ...]
    decision_maker: tuple[str, ...]
    other_events: tuple[str, ...]
    status: dict[str, tuple[str, ...]]
    fallback: dict[str, tuple[str, ...]]  # a date the record may print where it prints no such date
    reasons_not: tuple[str, ...]  # "why" about something else than the decision: an option rejected, a deferral
    reason_fields: tuple[tuple[str, tuple[str, ...]], ...]  # "why is it a key decision?": its "Reason Key" line
    person_words: tuple[str, ...]  # "which councillor ...": a person's name is wanted, not a body or a post
    cues: dict[str, tuple[str, ...]]  # words a sentence must hold to state a record field the record does not print
    earlier: tuple[str, ...] = ()  # "first", "earlier", "originally": an event before the record's own
    answer_kinds: tuple[str, ...] = ()  # "which company", "contract", "won", "put": what is asked for, not what about
    besides: tuple[str, ...] = ()  # "Besides X, what ...": X is known to the asker, the answer is the rest


@lru_cache(maxsize=1)
def ask_words() -> _Words:
    d = json.loads(ASKS.read_text(encoding="utf-8"))
    fields = lambda group: tuple((f["field"], tuple(f["words"])) for f in d[group]["fields"])  # noqa: E731
    return _Words(fields("dates"), tuple(d["dates"]["decision"]["words"]), tuple(d["dates"]["deadline_leads"]),
                  fields("people"), tuple(d["people"]["decision"]["words"]), tuple(d["other_events"]),
                  {k: tuple(v) for k, v in d["status"].items() if not k.startswith("_")},
                  {k: tuple(v) for k, v in d["dates"]["fallback"].items() if not k.startswith("_")},
                  tuple(d["reasons"]["not_words"]), fields("reasons"), tuple(d["people"]["person_words"]),
                  {k: tuple(v) for k, v in d["cues"].items() if not k.startswith("_")},
                  tuple(d.get("earlier_words", ())), tuple(d.get("answer_kinds", ())) + tuple(d.get("light_verbs", ())),
                  tuple(d.get("besides", ())))


def _phrase(words: Sequence[str]) -> re.Pattern:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I)


@lru_cache(maxsize=64)
def pattern(words: tuple[str, ...]) -> re.Pattern:
    return _phrase(words)


@lru_cache(maxsize=64)
def cue_pattern(words: tuple[str, ...]) -> re.Pattern:
    """Cue words in a sentence, as parts of words too ("Non-Key" holds "key", "publication" "publication")."""
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")", re.I)


def _first(question: str, ours: tuple[str, ...]) -> bool | None:
    """Whether the first event the question names is one of ``ours`` (True), another (False), or none (None)."""
    mine = pattern(ours).search(question)
    other = pattern(ask_words().other_events).search(question)
    # where both start at one word, the longer reading wins: "decision making" is no decision
    if mine and (not other or (mine.start(), -len(mine.group(0))) <= (other.start(), -len(other.group(0)))):
        return True
    return False if other else None


_OPENING_CLAUSE = re.compile(r"^[^?]*?,\s*(?=(?:which|what|who|whom|when|how|why)\b)", re.I)


# the person asked for is the object of another's act: "Which officer did the Cabinet authorise ...?", "Whom did
# the Executive appoint ...?"
_OBJECT = re.compile(r"^\s*(?:which|what|who|whom)\b[^?]{0,60}?\b(?:did|does|do|will|would|has|had|have)\s+"
                     r"(?:the|its|a|an)\s", re.I)


# a question's own head before a comma ("When was the budget, which ..., approved?") opens no clause
_ASKS_FIRST = re.compile(r"^\s*(?:which|what|who|whom|when|how|why|where)\s+(?:[\w'’-]+\s+)?(?:was|is|were|are|did|"
                         r"does|do|will|would|has|had|have|can|could|may|might|must|should)\b", re.I)


def main_clause(question: str) -> str:
    """The question without an opening clause: "Once Ashford adopted its checklist, which officer could change
    it?" asks about changing it, not about the adoption; "When Kent's councillors looked at the schemes, which
    streets did they fear for?" asks for streets, not a date."""
    return question if _ASKS_FIRST.match(question) else _OPENING_CLAUSE.sub("", question, count=1)


def known_part(question: str) -> str:
    """The opening clause that names what the asker already knows ("Besides controlled parking zones as its
    standard approach, what policy ...?": "controlled parking zones as its standard approach"), or ""."""
    words = ask_words().besides
    if not words or _ASKS_FIRST.match(question):
        return ""
    found = re.match(rf"^\s*(?:{'|'.join(re.escape(w) for w in words)})\s+(?P<known>[^?]*?),\s*"
                     r"(?=(?:which|what|who|whom|when|how|why|where)\b)", question, re.I)
    return found["known"] if found else ""


def record_field(question: str, intent: Intent) -> tuple[str, bool]:
    """(the record field the question asks for or "", whether it asks about another event than the record's own).

    "When was Rutland's parking review decision published?" -> ("date_published", False); "When did Cherwell's
    Executive decide to appoint ...?" -> ("date_decision", False); "When will the contract start?" -> ("", True);
    "Who wrote the report for ...?" -> ("report_author", False); "Who presented the report?" -> ("", True)."""
    w = ask_words()
    q = main_clause(question.replace("’", "'"))
    if w.earlier and pattern(w.earlier).search(q):  # "When did the committee first decide ...?": not the record's
        return "", True
    if intent is Intent.DATE:
        if pattern(w.deadline_leads).search(q):
            return "", True
        for name, words in w.date_fields:
            # "the decision to publish the notices": what was decided, not the event asked about
            if any(not q[:m.start()].rstrip().lower().endswith(" to") for m in pattern(words).finditer(q)):
                return name, False
        first = _first(q, w.decision_date)
        return ("date_decision", False) if first else ("", first is False)
    if intent is Intent.WHO:
        if _OBJECT.search(q):  # "Which officer did the Cabinet authorise ...?": not who decided, whom they named
            return "", True
        for name, words in w.people_fields:
            if pattern(words).search(q):
                return name, False
        first = _first(q, w.decision_maker)
        return ("decision_maker", False) if first else ("", first is False)
    if intent is Intent.REASON:
        for name, words in w.reason_fields:
            if pattern(words).search(q):
                return name, False
        return ("", True) if pattern(w.reasons_not).search(q) else ("reasons", False)
    if REFERENCE_ASK.search(q):
        return "reference", False
    if intent is Intent.GENERAL and POLAR.search(q):
        for name in ("key_decision", "call_in", "status"):
            if pattern(w.status[name]).search(q):
                return name, False
    elif intent is Intent.GENERAL and re.search(r"\bstatus\b", q, re.I):
        return "status", False
    return "", False
