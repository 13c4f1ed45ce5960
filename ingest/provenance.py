"""Where a decision's record prints each of its fields: the paragraph an answer about the record cites.

"When was it decided?" is answered by the record's "Date of decision: 03/02/2026" and cited to that paragraph
(``[D123 Date of decision ¶1]``), not by a sentence that happens to share the question's words. A field printed
under its label is found by the paragraph's heading (the layout tables name the label); a value read from
elsewhere (a decision list's start line "15/01/2021 - Title ref: 1168 Recommendations Approved", a maker named
in the decision's own text) by the first paragraph that prints it.
"""
from __future__ import annotations

import re

from ingest.dates import DATE_RE, parse_date
from ingest.layouts import layout
from ingest.records import DocumentMeta, Paragraph
from ingest.structure import section_name

# the kinds of ``DocumentMeta.dates`` and the record fields they are
DATE_FIELDS = {"decision": "date_decision", "published": "date_published", "effective": "date_effective",
               "meeting": "date_meeting", "committee": "date_committee"}


ALSO = {"date_meeting": ("meeting",)}  # a field whose line also prints that date ("Decided at meeting: <date> - X")


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def _dates_in(text: str) -> set[str]:
    return {iso for m in DATE_RE.finditer(text) if (iso := parse_date(m))}


def _unlabelled(p: Paragraph) -> str:
    """A paragraph's text after the label it opens with ("Executive summary: ..."), where it opens with its heading."""
    head = p.heading.strip()
    if head and p.text.lstrip().lower().startswith(head.lower()):
        return p.text.lstrip()[len(head):].lstrip(" :-")
    return p.text


def locate(meta: DocumentMeta, paras: list[Paragraph] | tuple[Paragraph, ...]) -> dict[str, str]:
    """Field name -> the label of the paragraph that prints it, for every field of ``meta`` found printed."""
    lay = layout()
    found: dict[str, str] = {}
    for p in paras:  # a field under its own label: "Date of decision: 03/02/2026", "Reasons for the decision:" ...
        name = lay.field_of(section_name(p.heading)) if p.heading else ""  # "12. Report Author" too
        if name and name not in found:
            found[name] = p.label
    for kind, iso in meta.dates.items():  # a date read from a start line, a minute's meeting, a signature
        name = DATE_FIELDS.get(kind, f"date_{kind}")
        if name not in found:
            # its own field first ("Decided at meeting: 13/11/2023 - Cabinet" for the meeting), then any paragraph
            own = [found[f] for f in (name, *ALSO.get(name, ())) if f in found]
            ordered = [p for p in paras if p.label in own] + [p for p in paras if p.label not in own]
            at = next((p.label for p in ordered if iso in _dates_in(p.text)), "")
            if at:
                found[name] = at
    printed = {"decision_maker": meta.decision_maker, "reference": meta.number, "title": meta.title}
    for name, value in printed.items():
        if name in found or not value:
            continue
        wanted = re.compile(r"(?<!\w)" + re.escape(_plain(value)) + r"(?!\w)")
        # printed in a paragraph's text, outside its label: the maker "Executive" is printed by "... recommended that
        # the Executive approves", not by "Executive summary: The failing structure ..."; a title heads its own
        at = next((p.label for p in paras if wanted.search(_plain(_unlabelled(p)))), "") or \
            next((p.label for p in paras if wanted.search(_plain(p.text))), "")
        if at:
            found[name] = at
    if meta.status and "status" not in found:  # a list entry's start line: "... ref: 1168 Recommendations Approved"
        words = [w for w, status in lay.status.items() if status == meta.status]
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
                             re.I) if words else None
        at = next((p.label for p in paras[:1] if pattern and pattern.search(p.text)), "")
        if at:
            found["status"] = at
    return found
