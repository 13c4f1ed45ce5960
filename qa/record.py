"""Answers from a decision's own record: the field the question asks for, quoted where the page prints it.

"When did Cherwell's Executive decide to appoint ...?" is answered by the record's "Date of decision: 03/02/2026"
(and the date in ISO), cited to that paragraph, not by a sentence that shares the question's words; "Who wrote the
report ...?" by "Report author: Richard Smith"; "Why ...?" by the reasons the page gives under their label. Which
field a question asks for is read by ``qa.frame``; where each field is printed, at ingest (``ingest.provenance``).
The quote is verbatim and its citation is checked like any other (``qa.cite``).
"""
from __future__ import annotations

import re

from index.decisions import Decision
from index.search import Hit
from ingest.dates import DATE_RE, parse_date
from ingest.provenance import DATE_FIELDS
from qa.extractive import citation_for
from qa.records import Claim, Draft
from qa.text import collapse, quotable, sentences

# how an answer names a field the record does not print
FIELD_NAMES = {"date_decision": "date of decision", "date_published": "publication date",
               "date_effective": "date it takes effect", "date_meeting": "meeting date", "meeting": "meeting",
               "decision_maker": "decision maker", "report_author": "report author", "lead_officer": "lead officer",
               "lead_member": "lead member", "contact": "contact", "reasons": "reasons for the decision",
               "status": "status", "key_decision": "key decision field",
               "key_reason": "reason for being a key decision", "call_in": "call-in field",
               "reference": "reference"}
# a person named: "Councillor Kelly", "(Sabrina Cohen-Hatton)", "Richard Smith" alone, "Clair Bell, Cabinet Member ..."
PERSON = re.compile(r"\b(?:Councillor|Cllr|Mr|Mrs|Ms|Miss|Dr)\.? [A-Z]|\([A-Z][a-z]+(?: [A-Z][\w'-]+){1,2}\)|"
                    r"^[A-Z][a-z]+(?: [A-Z][\w'-]+){1,2}(?:,|$)")
TITLE_ANCHORS = ("title", "decision", "purpose", "lead")  # the paragraphs a title line heads, first ones first
SECTION_CHARS = 1500  # of a section quoted whole (the reasons): enough for a page's reasons, not a report's


def _value(decision: Decision, field: str) -> str:
    """The field's value as the index holds it: an ISO date, a maker's name, a reference."""
    kind = next((k for k, name in DATE_FIELDS.items() if name == field), "")
    if kind:
        return decision.dates.get(kind, "")
    return {"decision_maker": decision.decision_maker, "reference": decision.reference,
            "title": decision.title}.get(field, decision.fields.get(field, ""))


def _holds(sentence: str, field: str, value: str) -> bool:
    if field.startswith("date_"):
        return any(parse_date(m) == value for m in DATE_RE.finditer(sentence))
    return " ".join(value.lower().split()) in " ".join(sentence.lower().split())


def _line(hit: Hit, field: str, value: str) -> str:
    """The sentence of the passage that prints the value (the field's own line, for a labelled field)."""
    spans = [hit.text[s:e] for s, e in sentences(hit.text)] or [hit.text]
    if value:
        for sentence in spans:
            if _holds(sentence, field, value):
                return collapse(sentence)
    return collapse(spans[0])


def _in_title(field: str, decision: Decision, searcher) -> Draft | None:
    """A reference printed only in the decision's title line ("Sealing of Traffic Regulation Order ref P20 2019
    ...", "Exe/18/116 Capital Programme Update"): a heading, no paragraph, so the answer quotes the title line and
    cites the decision's first paragraph under it, as a line of the record (``Claim.metadata``)."""
    value = _value(decision, field)
    anchors = [decision.sources[f] for f in TITLE_ANCHORS if f in decision.sources] or list(decision.sources.values())
    if field != "reference" or not value or not anchors:
        return None
    hits = searcher.paragraph_hits(anchors[0]["document"], anchors[0]["paragraph"])
    lines = [decision.title, *(h.heading for h in hits[:1])]
    line = next((collapse(t) for t in lines if _holds(t, field, value)), "")
    if not hits or not line:
        return None
    first = _line(hits[0], "", "")
    text = f"{value}: printed in its title line, \"{line}\""
    return Draft((Claim(text, (citation_for(hits[0], first),), metadata=True),), "record", read=tuple(hits))


def draft(field: str, decision: Decision, searcher, person: bool = False) -> Draft | None:
    """The record's answer, or None where the record prints no such field (or its paragraph is gone). ``person``:
    the question wants a person's name, which a maker that is a body or a post does not give."""
    at = decision.sources.get(field)
    if not at:
        return _in_title(field, decision, searcher)
    if person and not PERSON.search(_value(decision, field)):
        return None
    if field == "reasons":  # the reasons the page gives: the section under their label, whole
        hits = searcher.section_hits(at["document"], at["paragraph"])
        claims, size = [], 0
        for h in hits:
            quote = quotable(h.text, h.heading)
            if not quote or size > SECTION_CHARS:
                break
            size += len(quote)
            claims.append(Claim(quote, (citation_for(h, quote),)))
        return Draft(tuple(claims), "record", read=tuple(hits)) if claims else None
    hits = searcher.paragraph_hits(at["document"], at["paragraph"])
    if not hits:
        return None
    value = _value(decision, field)
    hit = next((h for h in hits if value and any(_holds(h.text[s:e], field, value) for s, e in sentences(h.text))),
               hits[0])
    quote = _line(hit, field, value)
    note = value if field.startswith("date_") and re.fullmatch(r"\d{4}-\d\d-\d\d", value or "") else ""
    return Draft((Claim(quote, (citation_for(hit, quote),), note=note),), "record", read=tuple(hits))


def absent(field: str, decision: Decision, person: bool = False) -> str:
    """What an answer says where the record does not print the field asked for (``person``: or prints a body or a
    post where a person's name was asked for)."""
    name = FIELD_NAMES.get(field, field.replace("_", " "))
    value = _value(decision, field)
    if person and value and decision.sources.get(field):
        return f"Not found: the record of {decision.number} gives its {name} as {value}, and names no person."
    return f"Not found: the record of {decision.number} prints no {name}."


# the record's own lines: who took it, when, where, in what state; not what it decided or why
FIELD_LINE_WORDS = 15  # a field's value ("Statutory Deputy City Mayor & Lead Member for Housing Briefing") is short
RECORD_LINES = frozenset({"decision_maker", "meeting", "date_meeting", "date_decision", "date_published",
                          "date_effective", "status", "call_in", "key_decision", "reference"})


def record_lines_only(claims) -> str | None:
    """The record field every claim is quoted from, where each cites a paragraph printed under one of the record's
    own labels ("Decision Maker", "Made at meeting", "Effective from"); None where any claim cites something else.
    "How often are call-in requests meant to be used?" is not answered by "Decision Maker: Statutory Deputy City
    Mayor"."""
    from ingest.layouts import layout

    lay = layout()
    fields = []
    for claim in claims:
        if len(claim.text.split()) > FIELD_LINE_WORDS:
            return None  # a sentence, not a field's value
        for c in claim.citations:
            heading, _, number = c.paragraph.rpartition(" \u00b6")
            # the field's own line is its first paragraph; a page may print its body under the last label it
            # printed ("Is subject to call in? ¶2": the decision's text)
            field = lay.field_of(heading) if heading and number == "1" else ""
            if field not in RECORD_LINES:
                return None
            fields.append(field)
    return fields[0] if fields else None
