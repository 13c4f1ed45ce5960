"""Paragraphs with stable, human labels.

A paragraph is labelled with the document's own number where it has one ("4.2"); a number printed twice
keeps its printed form and gains an ordinal ("6.1", "6.1 (2)"). Other paragraphs take their section heading
and an ordinal within the section ("Financial Implications ¶2"), or just "¶3" before any heading. A field
label that opens a paragraph ("Financial Implications: ...") opens a section of that name. Lists and tables
stay with the paragraph that introduces them.
"""
from __future__ import annotations

import re

from ingest.clean import CleanText
from ingest.labels import NUMBERED_PARA, label_of
from ingest.records import Paragraph

_HEADING_NUMBER = re.compile(r"^\d{1,2}(\.\d{1,2})*\.?\s+")
_MAX_HEADING_WORDS = 8


def section_name(heading: str) -> str:
    """The part of a heading used in labels: no number, no trailing dash, sentence case if shouted."""
    name = _HEADING_NUMBER.sub("", heading).strip().rstrip(":–-— ").strip()
    if name.isupper():
        name = name.capitalize()
    words = name.split()
    if len(words) > _MAX_HEADING_WORDS:
        name = " ".join(words[:_MAX_HEADING_WORDS]) + "…"
    return name


def paragraphs(clean: CleanText) -> list[Paragraph]:
    """Label the paragraphs of a cleaned document. Spans point into ``clean.text``."""
    out: list[Paragraph] = []
    used: dict[str, int] = {}
    heading = ""
    ordinal = 0
    attachable = False  # may the next list/table join the previous paragraph?

    def add(label: str, start: int, end: int) -> None:
        used[label] = used.get(label, 0) + 1
        if used[label] > 1:
            label = f"{label} ({used[label]})"
        out.append(Paragraph(label, heading, start, end, clean.text[start:end]))

    for block in clean.blocks:
        text = clean.block_text(block)
        if block.kind == "heading":
            heading, ordinal, attachable = text, 0, False
            continue
        if block.kind in ("list", "table") and attachable and out:
            last = out[-1]
            out[-1] = Paragraph(last.label, last.heading, last.start, block.end, clean.text[last.start : block.end])
            continue
        if block.kind == "list" and not attachable:
            # items right under a heading are paragraphs of their own ("Options ¶1", "Options ¶2")
            pos = block.start
            for line in text.split("\n"):
                ordinal += 1
                add(f"{section_name(heading)} ¶{ordinal}".strip(), pos, pos + len(line))
                pos += len(line) + 1
            attachable = False
            continue
        number = NUMBERED_PARA.match(text)
        field = label_of(text)
        if number:
            add(number.group(1), block.start, block.end)
        else:
            if field:
                heading, ordinal = field, 0
                if not text[len(field) :].strip(" :?"):
                    attachable = False  # a label standing alone heads what follows
                    continue
            ordinal += 1
            name = section_name(heading)
            add(f"{name} ¶{ordinal}" if name else f"¶{ordinal}", block.start, block.end)
        attachable = True
    return out
