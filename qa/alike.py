"""The pair of passages that make two decisions alike, quoted and cited on both sides, and verified.

Among the two decisions' passages (their stored vectors, no embedding here) the closest pair is taken, leaving
out what says nothing of a subject: lines under a label of who, when or how (``index.decision_vectors``) and
text that another decision prints word for word (a council's boilerplate). Inside the two passages, the closest
two sentences (stored at ingest, ``index.sentence_vectors``) are the quotes. Each citation is then checked as an
answer's are (``qa.cite.check_citation``): it must name a real passage of that decision and quote it verbatim.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from index.decision_vectors import is_metadata
from index.decisions import Decision
from index.sentences import sentence_texts
from qa.cite import check_citation
from qa.fields import is_furniture
from qa.records import Citation
from qa.text import quotable

MAX_PASSAGES = 300  # passages of one decision compared (a 500-page report is read up to here, its opening first)
MIN_WORDS = 4  # a shorter sentence ("Yes", "21/00081") is quoted only where a passage has nothing longer
_ORDER = ("CASE d.doc_type WHEN 'record' THEN 0 WHEN 'decision page' THEN 1 WHEN 'proposed record' THEN 2"
          " WHEN 'report' THEN 3 ELSE 4 END, d.path, p.start")


@dataclass(frozen=True)
class PassagePair:
    here: Citation  # the passage of the decision asked about
    there: Citation  # the passage of the similar decision
    score: float  # cosine of the two sentences quoted

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "query": {**self.here.to_dict(), "label": self.here.label},
                "similar": {**self.there.to_dict(), "label": self.there.label}}


@dataclass(frozen=True)
class _Passage:
    id: int
    label: str
    heading: str
    text: str
    digest: str
    document: str


def subject_passages(conn, number: str) -> list[_Passage]:
    """A decision's passages that can say what it is about, the most authoritative document's first; all of its
    passages where none is left."""
    rows = [_Passage(*r) for r in conn.execute(
        "SELECT p.id, p.label, p.heading, p.text, p.content_hash, d.path FROM passages p JOIN documents d"
        f" ON d.id = p.document_id WHERE d.number = ? ORDER BY {_ORDER} LIMIT ?", [number, MAX_PASSAGES])]
    if not rows:
        return []
    # one probe a text, on the content-hash index, that stops at the first other decision printing it: a council's
    # boilerplate is printed by thousands of decisions, and reading them all cost 25 ms a decision at 10,000
    shared = {digest for digest in {p.digest for p in rows} if conn.execute(
        "SELECT 1 FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.content_hash = ? AND d.number != ?"
        " LIMIT 1", [digest, number]).fetchone()}
    own = [p for p in rows if p.digest not in shared and not is_metadata(p.heading)]
    return own or rows


def _sentences(p: _Passage) -> list[str]:
    found = [s for s in sentence_texts(p.text) if not is_furniture(s)]
    long = [s for s in found if len(s.split()) >= MIN_WORDS]
    return long or found or [p.text]


def side(searcher, number: str) -> tuple[list[_Passage], np.ndarray]:
    """A decision's subject passages and their stored vectors (read once for the decision asked about)."""
    passages = subject_passages(searcher.conn, number)
    return passages, searcher.vectors_of([p.id for p in passages])


def passage_pair(searcher, a: Decision, b: Decision, da: np.ndarray | None = None,
                 db: np.ndarray | None = None, here: tuple | None = None) -> PassagePair | None:
    """The passages of ``a`` and ``b`` that best explain why they are alike, each quoted by its closest sentence
    to the other's; None where nothing verifies. With the decisions' vectors ``da`` and ``db``, a pair scores its
    own cosine plus each passage's cosine to the *other* decision as a whole: two near-identical lines of one
    council's template ("DELEGATE authority to the Corporate Director ...") are close to each other, but say
    little of what the other decision is about. ``here``: ``side(searcher, a.number)``, read once for many pairs."""
    (pa, va), (pb, vb) = here or side(searcher, a.number), side(searcher, b.number)
    if not pa or not pb:
        return None
    sims = va @ vb.T
    if da is not None and db is not None:
        sims = sims + (va @ db)[:, None] + (vb @ da)[None, :]
    same_text = np.array([[x.digest == y.digest for y in pb] for x in pa])
    if not same_text.all():
        sims = np.where(same_text, -np.inf, sims)  # a paragraph both print word for word is not what makes them alike
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    x, y = pa[i], pb[j]
    sx, sy = _sentences(x), _sentences(y)
    vx, vy = searcher.sentence_vectors(sx), searcher.sentence_vectors(sy)
    ss = vx @ vy.T
    m, n = np.unravel_index(int(np.argmax(ss)), ss.shape)
    hits = searcher.hits([(x.id, 0.0), (y.id, 0.0)])
    by_label = {}
    for h in hits:
        by_label.setdefault((h.decision, h.paragraph), []).append(h)
    here = check_citation(Citation(a.number, x.label, x.document, quotable(sx[m], x.heading), x.id), by_label)
    there = check_citation(Citation(b.number, y.label, y.document, quotable(sy[n], y.heading), y.id), by_label)
    if here is None or there is None:
        return None
    return PassagePair(here, there, round(float(ss[m, n]), 4))
