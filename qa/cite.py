"""Verification, in code, of every citation an answerer proposes, whoever wrote it.

A citation stands only if it names a passage that was retrieved for this question and its quote occurs in that
passage (after whitespace and quote-mark normalisation). A statement stands only if at least one of its
citations stands and every figure it states (an amount, a number, a year) occurs in the passages it cites.
Whatever fails is removed, and the answer says how many statements were removed.
"""
from __future__ import annotations

import re
from dataclasses import replace

from index.search import Hit
from qa.records import Citation, Claim, Draft
from qa.text import collapse, figures, normalise


def _key(decision: str, paragraph: str) -> tuple[str, str]:
    return decision.strip(), paragraph.strip()


def check_citation(c: Citation, by_label: dict[tuple[str, str], list[Hit]]) -> Citation | None:
    hits = by_label.get(_key(c.decision, c.paragraph))
    if not hits or not c.quote.strip():
        return None
    quote = normalise(c.quote)
    for h in hits:
        if quote in normalise(h.text):
            return replace(c, document=h.document, passage_id=h.passage_id, quote=_verbatim(c.quote, h.text),
                           source=h.url)
    ordered = sorted(hits, key=lambda h: h.start)
    whole = " ".join(h.text for h in ordered)
    if quote in normalise(whole):  # a quote across the parts of one long paragraph
        return replace(c, document=ordered[0].document, passage_id=ordered[0].passage_id,
                       quote=_verbatim(c.quote, whole), source=ordered[0].url)
    return None


def _verbatim(quote: str, passage: str) -> str:
    """The passage's own characters for a quote that matched after normalisation (a model may write ' for ’)."""
    words = collapse(passage)
    target = normalise(quote)
    plain = normalise(words)
    at = plain.find(target)
    # normalise() changes only quote marks (one character for one) once whitespace is collapsed
    return words[at:at + len(target)] if at >= 0 and len(plain) == len(words) else collapse(quote)


def _stated_figures(text: str) -> set[str]:
    # single digits ("Option 2", "a) b)") are wording, not figures anyone will check
    return {f for f in figures(text) if f.startswith("£") or len(re.sub(r"\D", "", f)) > 1}


def verify(draft: Draft, hits: list[Hit]) -> tuple[tuple[Claim, ...], int]:
    """The claims that survive, and how many were removed."""
    by_label: dict[tuple[str, str], list[Hit]] = {}
    for h in hits:
        by_label.setdefault(_key(h.decision, h.paragraph), []).append(h)
    kept, removed = [], 0
    for claim in draft.claims:
        cites = [v for c in claim.citations if (v := check_citation(c, by_label))]
        if cites and not claim.metadata:
            supported = " ".join(
                f"{c.decision} {c.paragraph} " + " ".join(h.text for h in by_label[_key(c.decision, c.paragraph)])
                for c in cites
            )
            have = figures(supported)
            if not _stated_figures(claim.text) <= have:
                cites = []
        if cites:
            kept.append(replace(claim, citations=tuple(dict.fromkeys(cites))))
        else:
            removed += 1
    return tuple(kept), removed
