"""Precedent questions: "How have other councils handled garden waste charges?", "Which councils have a community
asset transfer policy?" answered as a list of decisions, one cited line each, grouped by council, newest first.

A question is a precedent question when it asks across councils (``PRECEDENT``: "how have other councils ...",
"which councils have ...", "what have councils decided about ..."). What remains once that framing is set aside is
its subject ("garden waste charges"). Decisions are ranked by the cosine of their decision vectors
(``index.decision_vectors``) to the subject; each of the first ``CANDIDATES`` is searched for its passage that
best supports the subject, and is listed when that passage's evidence (``qa.evidence``: the same measure and the
same calibrated threshold an answer must pass, ``qa.ask.DEFAULT_THRESHOLD``) holds and its decision is within
``MARGIN`` of the closest decision's cosine. With none listed the answer is "not found". Each line quotes the
best sentence of its passage and is verified like every answer (``qa.cite.verify``).
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from index.filters import Filters
from qa.cards import card
from qa.records import Answer, Claim, Draft

PRECEDENT = re.compile(
    r"\b(?:how|what|which|where|in what way)\s+(?:have|has|did|do|does)\s+(?:other|neighbouring|different|any|"
    r"some|the)?\s*(?:councils|authorities|local authorities|boroughs|districts)\b"
    r"|\b(?:which|what)\s+(?:other\s+|neighbouring\s+)?(?:councils|authorities|local authorities)\b"
    r"|\bother\s+(?:councils|authorities|local authorities)\b"
    r"|\bwho else\s+(?:has|have)\b"
    r"|\bprecedents?\s+(?:for|of)\b",
    re.I)
# the framing words of a precedent question, set aside to leave its subject
_FRAME = re.compile(
    r"\b(?:how|what|which|where|who else|in what way|precedents?\s+(?:for|of)|have|has|had|did|do|does|"
    r"other|neighbouring|different|any|some|the|councils?|authorities|authority|local|boroughs|districts|"
    r"handled|handle|dealt with|deal with|approached|approach|tackled|tackle|gone about|go about|decided about|"
    r"decided on|decided|done about|done|and what did they change|with|about|their|own|its|a|an)\b"
    r"|[?,.]",
    re.I)
CANDIDATES = 30  # decisions, closest first by decision vector, whose passages are read
# A decision is listed only within this cosine of the closest one. First run at 0.1 (``qa.ask.DOMINANCE``): the
# precedent set's 12 list questions had precision 0.872, recall 0.554; 0.3 was chosen leave-one-question-out
# (each question scored with the margin best on the other eleven: precision 0.747, recall 0.806), and the three
# out-of-corpus questions abstain at every margin tried, as the evidence threshold decides those (eval/README.md).
MARGIN = 0.3
MAX_LISTED = 25


def is_precedent_question(question: str) -> bool:
    return bool(PRECEDENT.search(question))


_OTHER_THAN = re.compile(r"\b(?:other|than|besides|apart from|except|excluding)\b", re.I)


def subject_of(question: str, councils: list[str] = ()) -> str:
    """The question without its framing ("garden waste charges"), nor the councils it names ("other than
    Northvale"); the whole question where nothing is left."""
    from ingest.identity import council_slug

    words = {w for c in councils for w in council_slug(c).split("-")}
    rest = _OTHER_THAN.sub(" ", _FRAME.sub(" ", question))
    rest = " ".join(w for w in rest.split() if re.sub(r"(?:'s|’s)$", "", w.lower()) not in words)
    return rest or question


def answer(asker, question: str, filters: Filters) -> Answer | None:
    """The precedent answer to ``question`` (a ``qa.records.Question``'s text), or None where it asks no
    precedent question (``qa.ask.Asker.ask`` then answers it as any other)."""
    if not is_precedent_question(question):
        return None
    from qa.ask import read_as
    from qa.cite import verify
    from qa.councils import named_councils
    from qa.evidence import Evidence
    from qa.extractive import citation_for
    from qa.intent import Intent
    from qa.similar import finder_for

    searcher = asker.searcher
    finder = finder_for(searcher)
    named = named_councils(question, searcher.councils())
    subject = subject_of(question, named)
    notes = read_as(question)
    qvec = searcher.query_vectors.embed([subject])[0]
    scores = finder.vectors.vectors @ qvec
    allowed = finder.table.allowed(filters.council, filters.date_from, filters.date_to)
    if named and _OTHER_THAN.search(question):
        others = ~np.isin(finder.table.council, [finder.table.councils.index(c) for c in named
                                                   if c in finder.table.councils])
        allowed = others if allowed is None else allowed & others
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    order = [int(i) for i in np.argsort(-scores)[:CANDIDATES] if np.isfinite(scores[i])]
    evidence = Evidence(searcher, subject)
    chosen, tried = [], []
    top = float(scores[order[0]]) if order else 0.0
    for i in order:
        if float(scores[i]) < top - MARGIN:
            break
        if any(finder.same_decision(i, j) for j, _, _ in chosen):
            continue  # the same decision under another id (``qa.similar``): listed once
        number = str(finder.vectors.ids[i])
        found = searcher.search(subject, k=3, filters=replace(filters, decision=number))
        if not found:
            continue
        strengths = evidence.strengths(found)
        best = int(np.argmax(strengths))
        tried.append((strengths[best], found[best]))
        if strengths[best] >= asker.threshold:
            chosen.append((i, found[best], strengths[best]))
    if not chosen:
        closest = tuple(h for _, h in sorted(tried, key=lambda x: -x[0])[:3])
        return Answer(question, True, (), closest, "precedents", notes=notes,
                      evidence=max((s for s, _ in tried), default=0.0),
                      reason="Not found: no decision indexed is about this subject.")
    records = finder.records([str(finder.vectors.ids[i]) for i, _, _ in chosen])
    lines = []
    for i, hit, _ in chosen[:MAX_LISTED]:
        c = card(records[hit.decision])
        sentence = evidence.sentences([hit], Intent.LIST)
        quote = sentence[0].text if sentence else hit.text
        cite = citation_for(hit, quote)
        text = f"{c.council or 'Council unknown'}: {c.id} {c.title or '(untitled)'} ({c.when}): “{cite.quote}”"
        lines.append((c.council, finder.table.date[i], Claim(text, (cite,), metadata=True)))
    newest: dict[str, str] = {}
    for council, date, _ in lines:
        newest[council] = max(newest.get(council, ""), date)
    lines.sort(key=lambda x: (newest[x[0]], x[0], x[1]), reverse=True)  # councils by their newest decision
    draft = Draft(tuple(claim for _, _, claim in lines), "precedents")
    claims, removed = verify(draft, [hit for _, hit, _ in chosen])
    if removed:
        notes += (f"{removed} line{'s' if removed > 1 else ''} could not be verified against the passages cited and "
                  f"{'were' if removed > 1 else 'was'} removed.",)
    if not claims:
        return Answer(question, True, (), (), "precedents", notes=notes,
                      reason="Not found: no statement in the answer could be verified against the passages it cites.")
    councils = len({x[0] for x in lines})
    preface = (f"{len(claims)} decision{'s' if len(claims) != 1 else ''} at {councils} council"
               f"{'s' if councils != 1 else ''}, newest first:")
    return Answer(question, False, claims, tuple(hit for _, hit, _ in chosen), "precedents", preface, notes,
                  max(s for _, _, s in chosen))
