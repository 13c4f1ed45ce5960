"""One reading of a question (``read``): what it asks for, where the answer is, and what it pins down.

A question is read once into a ``Frame``, and every later step (ranking, the sentence chosen, the checks after
the answer is drafted) reads the frame, never the question's wording again:
- its *intent*, the kind of fact it wants (``qa.intent``: an amount, a date, a person, a list of decisions ...), and
  whether it asks for it *plainly* ("How much ...", "When ...", "Who ...": a sentence without such a fact cannot
  answer it);
- the *record field* that answers it where it asks about a decision's own record: "When did Cherwell's Executive
  decide ...?" wants the record's date of decision, "Who wrote the report ...?" its report author, "Why ...?" its
  reasons, "Is it subject to call-in?" its call-in field (``qa.record`` answers from it). The words are data,
  ``qa/data/asks.json`` (``qa.asks``); the field labels themselves come from the layout tables (``ingest.layouts``);
- the field *labels* it names ("effective", "report author"): a sentence under one of them answers first;
- the *checks* an answer must pass (``unmet``): each asks whether something the question pins down is in what the
  answer cites: a period, a kind of thing, a numbered part, a name it gives, a name or a number it asks for.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa.asks import POLAR, REFERENCE_ASK, ask_words, cue_pattern, heads, main_clause, pattern, record_field
from qa.asked import (adds_nothing, counted, only_asked_who, record_date_only, uncounted, unnamed,
                      wanted_names)
from qa.fields import asked_labels
from qa.intent import Intent
from qa.particulars import (contrasted, contrasts, numbered_parts, other_parts, proper_words, titles, unnamed_word,
                             untitled)
from qa.specifics import periods, unnamed_periods


_LIST = re.compile(
    r"^\s*(which|what|list|show|find)\b(\s+\w+){0,2}?\s+(decisions|contracts|awards|procurements|records|"
    r"reports)\b|^\s*(list|show)\b",
    re.I,
)
_AMOUNT = re.compile(r"\b(how much|cost|costs|worth|value|spend|spent|budget|funding|funded|price|£|amount|"
                     r"saving|savings|money|pay|paid|fees?|bill|price tag|outlay|set (\w+ ){0,3}back)\b|£", re.I)
# not "day" alone ("day opportunities"), and "when" only where it opens the question (_DATE_FIRST): "What
# options did the Executive consider when it decided ...?" asks for the options
# whole words only: "kick-start" and "year-end" are no start or end; "what day", "which year" are heads (heads)
_DATE = re.compile(r"(?<![\w-])(what date|which date|date|deadline|expire|expires|expiry|"
                   r"start|begin|end|until|effective)(?![\w-])", re.I)
_DATE_FIRST = re.compile(r"^\s*(when|on what date|from what date|by what date|what date|which date)\b", re.I)
_REASON = re.compile(r"^\s*(why|for what reasons?|what (is|was|are|were) the reasons?)\b|\bwhat (led|caused)\b", re.I)
_COUNT = re.compile(r"\bhow many\b|\bnumber of\b", re.I)
# "Where will the school be built?", "Where was the money to come from?": a place or a source, at the head of the
# question or after its opening clause ("Apart from X, where else ...")
_PLACE = re.compile(r"(?:^\s*|,\s*)(?:(?:from|to)\s+)?where\b", re.I)
_MONEY_FROM = re.compile(r"\b(money|funding|funds?|cash|costs?|budget|capital|overspend|shortfall|gap|paid|pay)\b"
                         r"[^?]*\b(come|came|coming|found|met|paid|funded|drawn)\b|\bfunded\b", re.I)
# "Where are the terms set out?", "Where does the report give the figure?": where in the documents, not on the map
_SET_OUT = re.compile(r"\b(?:set out|set down|laid out|given|gives?|shown|shows?|listed|lists?|detailed|described|"
                      r"explained|stated|states?|recorded|published|summari[sz]ed)\b", re.I)
# "How long will the works last?", "For how long may Brent ...?": a span of time or a length
_DURATION = re.compile(r"(?:^\s*|,\s*)(?:(?:for|within|in)\s+)?how long\b", re.I)
_PERCENT = re.compile(r"\b(what|which) percentage\b|\bhow many per ?cent\b|\bby what per ?cent|"
                      # a rate that is a percentage ("What interest rate will ..."); "hourly rate" is money
                      r"\b(what|which|at what) ([\w-]+ )?(interest|discount|inflation|vacancy|occupancy|growth|"
                      r"uplift|return|collection|tax) rate\b", re.I)
_ORGANISATION = re.compile(r"^\s*(which|what) ([\w-]+ )?(company|companies|firm|firms|contractor|contractors|supplier|"
                           r"suppliers|provider|providers|organisation|organisations|business|businesses|consultancy|"
                           r"consultancies|consultants?|operators?|developers?|builders?|bidders?|charity|charities)\b|"
                           r"^\s*who (won|was awarded|will (build|supply|run|provide|deliver|fit))\b", re.I)
# "Which Salford councillor ...": a council or a qualifier may stand between "which" and the kind of person
_WHO = re.compile(r"^\s*(who|whom|which ([\w'’-]+ ){0,2}?(officer|member|cabinet member|director|person|"
                  r"portfolio holder|councillor|committee|lead member))\b|\bwho\b|\bwhose\b", re.I)  # "In whose name ..."
_FIGURE = r"(rate|price|cost|fee|charge|sum|amount|figure|budget|value|rent|salary|premium|grant|contribution)"
_AUX = r"(did|does|do|was|is|were|are|will|would|has|had|have|can|could|may|might|must|should|shall)"
# the head of a question may follow a preposition: "By how much did ...", "Up to what value can ...", "For how many ..."
_LEAD = r"^\s*(?:(?:by|up to|at|for|to|from|of|on|in|with|within|until|over|across|during)\s+)?"
_PLAIN_ASK = re.compile(rf"{_LEAD}(how much|how many|when|who|whom|whose|what date|"
                        r"which date|what percentage|which ([\w-]+ )?(company|firm|contractor|supplier)|"
                        # "What hourly rate did ...", "Up to what value can ...": the figure is the head of the question
                        rf"what ([\w-]+ ){{0,2}}{_FIGURE}s? {_AUX}|"
                        # "At what price did ...", "For what sum was ..."
                        rf"(at|for) what ([\w-]+ )?{_FIGURE}s?|"
                        # "What did the Council pay for ...", "What will the scheme cost?": the verb asks for a sum
                        rf"what {_AUX} ([\w'’-]+ ){{1,8}}?(pay(?! attention| regard| tribute)|spend|cost|charge))\b",
                        re.I)
_CHANGE = re.compile(r"^\s*by how much\b", re.I)
# the figure is the head of the question and is money ("rate" may be a percentage: left to the other rules)
_MONEY_ASK = re.compile(r"^\s*(what ([\w-]+ ){0,2}|(at|for) what ([\w-]+ )?)(price|cost|fee|charge|sum|rent|salary|premium) "
                        r"(did|does|do|was|is|were|are|will|would|has|had|have)\b", re.I)
# "What was decided?": the decision's own text answers (its "Decision" field) before a sentence about it
_WHAT_DECIDED = re.compile(r"\bwhat (was|were|has been|have been) (decided|agreed|resolved|approved)\b|"
                           r"\bwhat did (the )?[\w' ]{1,40} (decide|agree|resolve)\b", re.I)


def _intent(question: str) -> Intent:
    if REFERENCE_ASK.search(question):  # "What is the reference number of ...": no count
        return Intent.GENERAL
    if _LIST.search(question):
        return Intent.LIST
    if POLAR.search(question):
        return Intent.GENERAL
    if _REASON.search(question):
        return Intent.REASON
    if _PERCENT.search(question):
        return Intent.PERCENT
    if _ORGANISATION.search(question):
        return Intent.ORGANISATION
    if _DURATION.search(question):
        return Intent.DURATION
    if _PLACE.search(question):
        if _MONEY_FROM.search(question):
            return Intent.SOURCE
        return Intent.SECTION if _SET_OUT.search(question) else Intent.PLACE
    if _COUNT.search(question):
        return Intent.COUNT
    nouns = heads()
    if nouns["date"].search(question):  # "From what day could people ...": the noun asked about decides
        return Intent.DATE
    if nouns["money"].search(question):  # "What is the budget for ...", "How large a budget gap ..."
        return Intent.AMOUNT
    if _WHO.search(question) or nouns["who"].search(question):  # "Which Kent policy manager ...", "Which body ..."
        return Intent.WHO
    if _DATE_FIRST.search(question):  # "When was the budget approved?" asks for a date, not the budget
        return Intent.DATE
    if _MONEY_ASK.search(question):
        return Intent.AMOUNT
    if _WHAT_DECIDED.search(question):  # "What did the Cabinet decide about ... assets of community value?"
        return Intent.GENERAL
    if _AMOUNT.search(question):
        return Intent.AMOUNT
    if _DATE.search(question):
        return Intent.DATE
    return Intent.GENERAL


# --- the checks an answer must pass -------------------------------------------------------------------------
# Each reads the frame, what the answer states and, where it needs them, the cited decisions' texts (read only
# when the question pins something down), and says why the answer does not answer, or None.

Texts = Callable[[], list[list[str]]]  # each cited decision's documents
RECORD_DATES = {"date_decision": "the date the decision was taken", "date_published": "the date it was published",
                "date_effective": "the date it took effect", "meeting": "the meeting it was made at",
                "date_meeting": "the meeting it was made at"}


def _period(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    gaps = [unnamed_periods(frame.text, t) for t in texts()]
    if gaps and all(gaps):
        return f"Not found: the decisions that come closest never mention {' or '.join(gaps[0])}."
    return None


def _about_another(find, saying: str):
    """A check that holds where every cited decision is about another thing than the one asked (``find`` says
    which: (asked, other) or None)."""
    def check(frame: Frame, claims: list[str], texts: Texts) -> str | None:
        found = [find(frame.text, " ".join(claims), t) for t in texts()]
        if found and all(found):
            asked, other = found[0]
            return "Not found: the decisions that come closest " + saying.format(asked=asked, other=other)
        return None
    return check


_contrast = _about_another(contrasted, "are about a {other} and never mention a {asked}.")
_parts = _about_another(other_parts, "are about {other}, and never mention {asked}.")


def _title(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    found = [untitled(frame.text, t, list(frame.councils)) for t in texts()]
    if found and all(found):
        return f"Not found: the decisions that come closest never mention \u201c{found[0]}\u201d."
    return None


def _word(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    found = [unnamed_word(frame.text, t, list(frame.councils)) for t in texts()]
    if found and all(found):
        return f"Not found: the decisions that come closest never mention \u201c{found[0]}\u201d."
    return None


def _name(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    wanted = unnamed(frame.text, " ".join(claims))
    return f"Not found: the passages that come closest {wanted}." if wanted else None


def _count(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    noun = uncounted(frame.text, " ".join(claims))
    return f"Not found: the passages that come closest give no number of {noun}." if noun else None


def _who(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    """"Who introduced the report to the Adult Social Care Cabinet Committee?" is not answered by that committee's
    meeting line: an answer to "who" names someone the question does not."""
    if only_asked_who(frame.text, " ".join(claims)):
        return "Not found: the passages that come closest name no one the question does not already name."
    return None


def _record_only(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    """"When does the consultation close?" is not answered by "Date of decision: 28/03/2018": where every quoted
    claim is one of the record's own dates and the question asks about another event."""
    field = record_date_only(claims)
    if field:
        what = RECORD_DATES.get(field, "a date of the decision record")
        return f"Not found: the passages that come closest give only {what}, not the date asked for."
    return None


def _echo(frame: Frame, claims: list[str], texts: Texts) -> str | None:
    if adds_nothing(frame.text, claims):
        return "Not found: the passages that come closest only repeat what the question says."
    return None


@dataclass(frozen=True)
class Check:
    name: str
    applies: Callable[[Frame], bool]
    unmet: Callable[[Frame, list[str], Texts], str | None]


CHECKS = (  # in the order their reasons are given
    Check("period", lambda f: bool(periods(f.text)), _period),
    Check("contrast", lambda f: bool(contrasts(f.text)), _contrast),
    Check("parts", lambda f: bool(numbered_parts(f.text)), _parts),
    Check("title", lambda f: bool(titles(f.text, list(f.councils))), _title),
    Check("word", lambda f: bool(proper_words(f.text, list(f.councils))), _word),  # "Oracle software licences"
    Check("name", lambda f: wanted_names(f.text) is not None, _name),
    Check("count", lambda f: f.intent is Intent.COUNT and counted(f.text) is not None, _count),
    # "Who presented the report to the Committee?": not the record's maker, so the record's lines do not answer it
    Check("who", lambda f: f.intent is Intent.WHO and f.other_event, _who),
    Check("record_only", lambda f: f.intent is Intent.DATE and not f.record.startswith("date_"), _record_only),
    # "Which applications did the Sub-Committee refuse on 7 February 2018?" is not answered by its heading
    Check("echo", lambda f: not POLAR.search(f.text), _echo),
)


@dataclass(frozen=True)
class Frame:
    text: str
    intent: Intent
    plain: bool  # opens by asking for one kind of fact: a sentence without such a fact cannot answer it
    record: str = ""  # the record field that answers it ("date_decision", "report_author", "reasons" ...)
    other_event: bool = False  # asks the date or person of another event than the record's own
    change: bool = False  # "By how much did ... rise?": a sum or a percentage answers
    labels: frozenset[str] = frozenset()  # field labels (lower case) whose sentences answer first (``qa.fields``)
    councils: tuple[str, ...] = ()  # the index's councils (a question's capitalised names are not theirs)
    checks: tuple[str, ...] = ()  # the names of the CHECKS that apply

    @property
    def wants_person(self) -> bool:
        """The question wants a person's name ("Which councillor ..."), not a body or a post."""
        return self.intent is Intent.WHO and bool(pattern(ask_words().person_words).search(self.text))

    def states_record(self, claims: list[str]) -> bool:
        """Whether quoted sentences can state the record field asked for, where the record prints none: "Report
        No. 18/2017 from the Director for Places" names a report's author; "Councillor Varley declared an interest"
        names no lead officer."""
        cues = ask_words().cues.get(self.record, ())
        if not cues:
            return True
        cue = cue_pattern(cues)
        return any(cue.search(claim) for claim in claims)

    @property
    def record_fields(self) -> tuple[str, ...]:
        """The record field asked for, then those that may stand for it where the record prints none."""
        return (self.record, *ask_words().fallback.get(self.record, ())) if self.record else ()

    def unmet(self, claims: list[str], texts: Texts) -> str | None:
        """Why the drafted answer, verified as it is, does not answer what the question pins down; None where it
        does. ``texts`` is called at most once, and only when a check needs the cited decisions' texts."""
        cache: list[list[list[str]]] = []

        def cached() -> list[list[str]]:
            if not cache:
                cache.append(texts())
            return cache[0]

        for check in CHECKS:
            if check.name in self.checks and (reason := check.unmet(self, claims, cached)):
                return reason
        return None


def read(question: str, councils: Sequence[str] = ()) -> Frame:
    """The question, read once: what it asks for is read in its main clause ("If nobody calls it in, when does it
    come into force?" asks for a date; "When the committee met, which streets did it fear for?" does not)."""
    main = main_clause(question)
    intent = _intent(main)
    record, other = record_field(question, intent)
    named = (record,) * bool(record) + ("decision",) * bool(_WHAT_DECIDED.search(question))
    nouns = heads()
    # "Which consultancy did Kent hire ...?": the kind of organisation heads the question (``_ORGANISATION``)
    plain = bool(intent is Intent.ORGANISATION or _PLAIN_ASK.search(main) or _DURATION.search(main)
                 or _PLACE.search(main) or nouns["date"].search(main) or nouns["money"].search(main))
    frame = Frame(question, intent, plain, record, other, bool(_CHANGE.search(question)),
                  asked_labels(question, named), tuple(councils))
    return replace(frame, checks=tuple(c.name for c in CHECKS if c.applies(frame)))
