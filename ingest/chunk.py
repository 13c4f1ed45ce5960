"""Split paragraphs into passages of a size an embedding model reads whole.

Short paragraphs are one passage each and are never merged across labels. A long paragraph is cut at
sentence or line boundaries into parts of at most ``max_chars`` characters (a sentence longer than that is
cut at spaces). Parts keep the paragraph's label. Spans are exact: ``text[start:end] == passage.text``, and
the parts of a paragraph cover it with only whitespace between them.
"""
from __future__ import annotations

import re

from ingest.records import Paragraph, Passage

DEFAULT_MAX_CHARS = 1000
_BOUNDARY = re.compile(r"(?<=[.!?;:’”)])\s+(?=\S)|\n+")


def split_paragraph(para: Paragraph, max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    text = para.text
    pieces = _pieces(text, max_chars)
    parts: list[tuple[int, int]] = []
    for start, end in pieces:
        if parts and end - parts[-1][0] <= max_chars:
            parts[-1] = (parts[-1][0], end)
        else:
            parts.append((start, end))
    out = []
    for i, (start, end) in enumerate(parts):
        out.append(Passage(para.label, para.heading, i, para.start + start, para.start + end, text[start:end]))
    return out


def _pieces(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans (whitespace trimmed), long ones cut at spaces."""
    spans = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        while end - start > max_chars:
            cut = text.rfind(" ", start + 1, start + max_chars)
            cut = cut if cut > start else start + max_chars
            out.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if end > start:
            out.append((start, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


def passages(paras: list[Paragraph], max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    return [p for para in paras for p in split_paragraph(para, max_chars)]
