"""What a sentence is: one split, used by ingest to embed sentences and by the evidence step to score them.

The sentences ingest embeds (``index.sentence_vectors``) are found again at question time by the content hash of
their exact text, so the two sides must cut a passage at the same places: both call ``sentence_spans``.
"""
from __future__ import annotations

import re

# An item's number or letter alone ("1.", "b.", "iv."): the start of the sentence after it, not a sentence.
_ENUMERATOR = re.compile(r"\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]")
# A sentence ends at . ! ? followed by space and a capital, digit, quote, bullet or bracket; or at a newline.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9£“‘\"•])|\s*\n\s*|\s+(?=•)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` (trimmed, never empty)."""
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        closing = len(m.group(0)) - len(m.group(0).lstrip("\"”’)"))  # a closing quote stays with its sentence
        spans.append((pos, m.start() + closing))
        pos = m.end()
    spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            if out and _ENUMERATOR.fullmatch(text[out[-1][0]:out[-1][1]]) and "\n" not in text[out[-1][1]:s]:
                out[-1] = (out[-1][0], e)  # "1. Maintain business continuity": an item keeps its number
            else:
                out.append((s, e))
    return out


def sentence_texts(text: str) -> list[str]:
    """The sentences of a passage exactly as the evidence step embeds them."""
    return [text[s:e] for s, e in sentence_spans(text)]
