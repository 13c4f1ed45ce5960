"""The fields a question asks for by name. "From what date is the order effective?" asks for the page's
"Effective from" field, "Who wrote the report?" for its "Report author": a sentence under a field the
question names answers it before a sentence that merely shares its words ("Date of decision").

Labels come from the layout tables (``ingest.layouts``); a label's words that every date or decision field
shares ("date", "decision") say nothing of which field is meant, so they are left out of the match.
"""
from __future__ import annotations

import re
from functools import lru_cache

from index.thesaurus import expanded
from ingest.layouts import layout
from qa.text import stem, terms

_GENERIC = {"date", "decision", "decisions", "details", "detail", "the", "of", "from", "to", "by", "for", "is", "and",
            "any", "made", "taken", "meeting", "council"}


@lru_cache(maxsize=1)
def _label_words() -> tuple[tuple[str, frozenset[str]], ...]:
    lay = layout()
    out = []
    for labels in lay.fields.values():
        for label in labels:
            words = frozenset(stem(t) for t in terms(label) if t.lower() not in _GENERIC)
            if words:
                out.append((label.lower(), words))
    return tuple(out)


# Questions that ask for a field without naming its label: "why" for the reasons, "what was decided" for the
# decision itself.
_ASKS_FOR = {
    "reasons": re.compile(r"^\s*(why|for what reasons?|what (is|was|are|were) the reasons?)\b", re.I),
    "decision": re.compile(r"\bwhat (was|were|has been|have been) (decided|agreed|resolved|approved)\b|"
                           r"\bwhat did (the )?[\w' ]{1,40} (decide|agree|resolve)\b", re.I),
}


def asked_labels(question: str) -> frozenset[str]:
    """The field labels (lower case) whose telling words the question, or its thesaurus reading, holds, and
    those of the field it asks for without naming it (``_ASKS_FOR``)."""
    said = {stem(t) for t in terms(expanded(question))}
    out = {label for label, words in _label_words() if words <= said}
    for name, pattern in _ASKS_FOR.items():
        if pattern.search(question):
            out |= {label.lower() for label in layout().fields[name]}
    return frozenset(out)


def under_asked_field(heading: str, text: str, asked: frozenset[str]) -> bool:
    """The sentence is a field the question asks for: its heading, or the label it opens with."""
    if not asked:
        return False
    lead = text.split(":", 1)[0].strip().lower() if ":" in text[:60] else ""
    return heading.strip().rstrip(":").lower() in asked or lead in asked


def is_furniture(sentence: str) -> bool:
    """A line the publishing system prints on every page, which answers nothing: a page or record header
    ("Decision details", "Salford City Council - Record of Decision") or a field's label with no value ("Reasons
    for Decision")."""
    lay = layout()
    line = sentence.strip()
    return bool(line) and (bool(lay.page_kind(line)) or bool(lay.field_of(line))
                           or any(h.fullmatch(line) for h in lay.record_headers))
