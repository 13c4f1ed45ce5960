"""A person named as minutes name them ("Ms Ward confirmed ...") is also given their full name where the same
decision prints it ("Heidi Ward, Senior Commissioning Manager, was in attendance"): a reader needs the whole name
to know who, and a journalist to name them. The full name is quoted from its own sentence and cited, never made up.
"""
from __future__ import annotations

import re
from dataclasses import replace

from index.filters import Filters
from qa.extractive import citation_for
from qa.intent import HONORIFICS
from qa.records import Claim, Draft
from qa.text import quotable, sentences

HONORIFIC = re.compile(rf"\b(?:{'|'.join(HONORIFICS)})\.?\s+(?P<surname>[A-Z][a-z'’-]+)\b(?!\s+[A-Z][a-z])")
_NOT_FIRST = {*HONORIFICS, "The", "And", "Of", "For", "To", "By"}
MAX_NAMES = 2  # full names added to one answer


def _full_name(surname: str, text: str) -> re.Match | None:
    """"Heidi Ward" (or "Heidi J. Ward") in ``text``: a capitalised first name, not an honorific, before the
    surname."""
    for m in re.finditer(rf"\b(?P<first>[A-Z][a-z]+)(?:\s+[A-Z]\.?)?\s+{re.escape(surname)}\b", text):
        before = re.search(r"([A-Z][a-z]+)\s+$", text[:m.start()])
        # a name opens its run of capitalised words, after an honorific at most: not "Gillingham South Ward"
        if m["first"] not in _NOT_FIRST and (before is None or before[1] in _NOT_FIRST):
            return m
    return None


def with_full_names(searcher, draft: Draft) -> Draft:
    """``draft`` with, after each claim that names someone only by honorific and surname, the sentence of the same
    decision that prints their full name (where one does)."""
    claims, read = list(draft.claims), list(draft.read)
    added = 0
    for claim in draft.claims:
        if added >= MAX_NAMES or not claim.citations:
            break
        decision = claim.citations[0].decision
        for m in HONORIFIC.finditer(claim.text):
            surname = m["surname"]
            if _full_name(surname, claim.text):
                continue  # already named in full
            found = _sentence_naming(searcher, decision, surname)
            if found is None:
                continue
            hit, start, end = found
            quote = quotable(hit.text[start:end], hit.heading)
            if any(quote == c.text for c in claims):
                continue
            claims.append(Claim(quote, (citation_for(hit, quote),)))
            read.append(hit)
            added += 1
            break
    return replace(draft, claims=tuple(claims), read=tuple(read)) if added else draft


def _sentence_naming(searcher, decision: str, surname: str):
    """The first sentence of ``decision`` that prints ``surname`` with a first name: (hit, start, end), or None."""
    for hit in searcher.search(surname, k=10, filters=Filters(decision=decision), mode="keyword"):
        for start, end in sentences(hit.text):
            if _full_name(surname, hit.text[start:end]):
                return hit, start, end
    return None
