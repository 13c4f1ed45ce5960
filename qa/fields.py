"""The fields a question asks for by name. "From what date is the order effective?" asks for the page's
"Effective from" field, "Who wrote the report?" for its "Report author": a sentence under a field the
question names answers it before a sentence that merely shares its words ("Date of decision").

Labels come from the layout tables (``ingest.layouts``); a label's words that every date or decision field
shares ("date", "decision") say nothing of which field is meant, so they are left out of the match.
"""
from __future__ import annotations

from functools import lru_cache

from index.thesaurus import expanded
from ingest.layouts import layout
from ingest.split import is_meeting_line
from qa.text import stem, terms

# compared as ``terms`` gives them, stemmed: "taken" and "made" as their stems, not as written
_GENERIC = frozenset(stem(w) for w in ("date", "decision", "decisions", "details", "detail", "any", "made", "taken",
                                      "meeting", "council", "decide", "decided"))


@lru_cache(maxsize=1)
def _label_words() -> tuple[tuple[str, frozenset[str]], ...]:
    lay = layout()
    out = []
    for labels in lay.fields.values():
        for label in labels:
            words = frozenset(t for t in terms(label) if t not in _GENERIC)
            if words:
                out.append((label.lower(), words))
    return tuple(out)


def asked_labels(question: str, fields: tuple[str, ...] = ()) -> frozenset[str]:
    """The field labels (lower case) whose telling words the question, or its thesaurus reading, holds, and the
    labels of ``fields``, the fields the question asks for without naming them ("why" the reasons: ``qa.frame``)."""
    said = {stem(t) for t in terms(expanded(question))}
    out = {label for label, words in _label_words() if words <= said}
    lay = layout()
    for name in fields:
        out |= {label.lower() for label in lay.fields.get(name, ())}
    return frozenset(out)


def under_asked_field(heading: str, text: str, asked: frozenset[str]) -> bool:
    """The sentence is a field the question asks for: its heading, or the label it opens with."""
    if not asked:
        return False
    lead = text.split(":", 1)[0].strip().lower() if ":" in text[:60] else ""
    return heading.strip().rstrip(":").lower() in asked or lead in asked


def is_furniture(sentence: str, part: bool = False) -> bool:
    """A line the publishing system prints on every page, which answers nothing: a page or record header
    ("Decision details", "Salford City Council - Record of Decision"), a field's label with no value ("Reasons
    for Decision"), or, in one decision of a page of several (``part``), the meeting line they share ("Cabinet -
    Tuesday, 23 September 2003", kept with each: ``ingest.split``); a report's "Committee - 2 February 2022" is
    an answer."""
    lay = layout()
    line = sentence.strip()
    return bool(line) and (bool(lay.page_kind(line)) or bool(lay.field_of(line)) or (part and is_meeting_line(line))
                           or any(h.fullmatch(line) for h in lay.record_headers)
                           or any(n.search(line) for n in lay.reader_notes))
