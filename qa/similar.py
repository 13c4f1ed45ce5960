"""Similar decisions: who else has decided something like this, and how.

Decisions are ranked by the cosine of their decision vectors (``index.decision_vectors``: title, subject fields
and the centroid of their own passages), searched whole: 100,000 decisions are a 150 MB matrix, one product a
query, a few milliseconds on two cores. Filters (a council, other councils only, a date range) apply before the
cut. Each decision found comes with the pair of passages that make the two alike (``qa.alike``), both quoted and
cited, and both verified as every answer's citations are (``qa.cite``).

Near-duplicates are one decision, not precedents of each other (``same_decision``): two decisions of one council
with the same title on the same date (two documents, or two numbered resolutions, of one agenda item), or whose
vectors are all but identical (the same decision fetched twice, a proposed and a signed record filed under two
ids). The query's own are named apart; those among the results are shown once, with the others' ids.

One library call (``SimilarFinder.similar``) returns typed records for the CLI, the app and the HTTP API alike;
every request is checked by ``index.requests.similar_request``.
"""
from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.council_filter import council_match
from index.decisions import Decision, decisions_of
from index.errors import BadRequest
from index.requests import SimilarRequest, similar_request
from qa.alike import PassagePair, passage_pair, side
from qa.cards import DecisionCard, card, filed_date

NEAR_DUPLICATE = 0.97  # cosine of two decisions' vectors above which one council's two ids are one decision
POOL = 3  # candidates read per result asked for, before near-duplicates are set aside (more read if needed)


class DecisionNotFound(BadRequest):
    def __init__(self, number: str) -> None:
        super().__init__(f"no decision {number!r} in the index: `councilqa decisions` lists their ids")


@dataclass(frozen=True)
class SimilarDecision:
    card: DecisionCard
    score: float  # cosine of the two decisions' vectors
    pair: PassagePair | None  # None only where no passage pair could be verified (counted in ``unverified``)
    same_as: tuple[str, ...] = ()  # the same decision under other ids (near-duplicates), shown once

    @property
    def id(self) -> str:
        return self.card.id

    def to_dict(self) -> dict[str, Any]:
        return {**self.card.to_dict(), "score": round(self.score, 4), "same_as": list(self.same_as),
                "alike": self.pair.to_dict() if self.pair else None}


@dataclass(frozen=True)
class SimilarResult:
    query: DecisionCard
    results: tuple[SimilarDecision, ...]
    same_decision: tuple[str, ...] = ()  # the query decision under other ids: not its precedents
    unverified: int = 0  # passage pairs left out because a citation could not be verified
    request: SimilarRequest | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.query.to_dict(), "same_decision": list(self.same_decision),
                "similar": [r.to_dict() for r in self.results], "unverified": self.unverified}

    @property
    def text(self) -> str:
        q = self.query
        lines = [f"Decisions like {q.id} {q.title or '(untitled)'} ({q.council or 'council unknown'}, {q.when})"]
        if self.same_decision:
            lines.append(f"The same decision is also indexed as: {', '.join(self.same_decision)}")
        if not self.results:
            lines.append("No similar decision is indexed" + (" within these filters." if self._filtered() else "."))
        for rank, r in enumerate(self.results, 1):
            first, *rest = r.card.lines()
            lines.append(f"\n{rank:>2}. {first}   (similarity {r.score:.2f})")
            lines += [f"    {line}" for line in rest]
            if r.same_as:
                lines.append(f"    also indexed as: {', '.join(r.same_as)}")
            if r.pair:
                lines.append(f"    alike: {r.pair.here.label} “{_short(r.pair.here.quote)}”")
                lines.append(f"           {r.pair.there.label} “{_short(r.pair.there.quote)}”")
        if self.unverified:
            lines.append(f"\nNote: {self.unverified} passage pair(s) could not be verified and were left out.")
        return "\n".join(lines)

    def _filtered(self) -> bool:
        r = self.request
        return bool(r and (r.council or r.other_councils or r.date_from or r.date_to))


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def title_key(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


class DecisionTable:
    """Per decision of a generation, in decision-vector order: council, filed date and title, as arrays, so
    filters over 100,000 decisions are a few vector operations."""

    def __init__(self, conn, ids: np.ndarray) -> None:
        from index.decisions import _AUTHORITY

        rows: dict[str, list] = {}
        for number, doc_type, path, council, title, dates in conn.execute(
                "SELECT number, doc_type, path, council, title, dates FROM documents WHERE number != ''"):
            rows.setdefault(number, []).append((_AUTHORITY.get(doc_type, 9), path, council, title, dates))
        self.councils: list[str] = [""]
        code: dict[str, int] = {"": 0}
        councils, filed, titles = [], [], []
        for number in ids:
            docs = sorted(rows.get(str(number), []))
            council = next((d[2] for d in docs if d[2]), "")
            if council not in code:
                code[council] = len(self.councils)
                self.councils.append(council)
            merged: dict[str, str] = {}
            for d in reversed(docs):
                merged.update(json.loads(d[4] or "{}"))
            councils.append(code[council])
            filed.append(filed_date(merged)[0])
            titles.append(title_key(next((d[3] for d in docs if d[3]), "")))
        self.council = np.array(councils, dtype=np.int32)
        self.date = np.array(filed, dtype="<U10")
        self.title = titles

    def mask(self, request: SimilarRequest, query_row: int) -> np.ndarray | None:
        """The decisions the request's filters allow (None: all)."""
        keep = self.allowed(request.council, request.date_from, request.date_to)
        if request.other_councils:
            own = self.council[query_row]
            others = (self.council != own) if own else np.ones(len(self.council), dtype=bool)
            keep = others if keep is None else keep & others
        return keep

    def allowed(self, council: str = "", date_from: str = "", date_to: str = "") -> np.ndarray | None:
        """The decisions of the councils ``council`` selects (``index.council_filter``: that council, not its
        neighbours), filed within the dates (None: all)."""
        keep = None
        if council:
            match = council_match(council)
            wanted = [i for i, name in enumerate(self.councils) if name and match.selects(name)]
            keep = np.isin(self.council, wanted)
        if date_from or date_to:
            dated = self.date != ""
            if date_from:
                dated &= self.date >= date_from
            if date_to:
                dated &= self.date <= date_to
            keep = dated if keep is None else keep & dated
        return keep


_FINDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def finder_for(searcher) -> SimilarFinder:
    """The searcher's finder, made once (an app or an asker keeps one searcher per generation)."""
    finder = _FINDERS.get(searcher)
    if finder is None:
        finder = _FINDERS[searcher] = SimilarFinder(searcher)
    return finder


class SimilarFinder:
    """``similar`` over one searcher's generation (``index.search.Searcher``); loads what it reads once."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.vectors = searcher.decision_vectors()
        self.table = DecisionTable(searcher.conn, self.vectors.ids)
        self._store = None

    def store(self):
        if self._store is None:
            self._store = self.searcher.store()
        return self._store

    def records(self, numbers: list[str]) -> dict[str, Decision]:
        return decisions_of(self.store(), numbers)

    def resolve(self, number: str) -> str:
        """The id of the decision ``number`` names: its id, or a reference as its council prints it."""
        if number in self.vectors.row:
            return number
        named = [n for n in self.searcher.named(number, whole=True) if n in self.vectors.row]
        if len(named) == 1:
            return named[0]
        if named:
            raise BadRequest(f"{number!r} names {len(named)} decisions ({', '.join(named[:5])}): give one id")
        raise DecisionNotFound(number)

    def same_decision(self, i: int, j: int) -> bool:
        """Rows ``i`` and ``j`` are one decision: one council (or one unknown), and the same title on the same date,
        or all but identical vectors."""
        ci, cj = self.table.council[i], self.table.council[j]
        if ci and cj and ci != cj:
            return False
        if self.table.title[i] and self.table.title[i] == self.table.title[j] and self.table.date[i] \
                and self.table.date[i] == self.table.date[j]:
            return True
        return float(self.vectors.vectors[i] @ self.vectors.vectors[j]) >= NEAR_DUPLICATE

    def ranked(self, request: SimilarRequest) -> tuple[int, list[tuple[int, float, list[int]]], list[int]]:
        """(the query's row, [(row, score, rows of the same decision)] best first, the query's own duplicates)."""
        row = self.vectors.row[self.resolve(request.decision)]
        scores = self.vectors.vectors @ self.vectors.vectors[row]
        allowed = self.table.mask(request, row)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        scores[row] = -np.inf
        n_live = int(np.isfinite(scores).sum())
        depth = min(n_live, request.k * POOL + 10)
        while True:
            top = np.argpartition(-scores, depth - 1)[:depth] if 0 < depth < len(scores) else np.arange(len(scores))
            top = [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if np.isfinite(scores[i])]
            own, kept = [], []
            for i in top:
                if self.same_decision(row, i):
                    own.append(i)
                    continue
                group = next((g for g in kept if self.same_decision(g[0], i)), None)
                if group is not None:
                    group[2].append(i)
                elif len(kept) < request.k:
                    kept.append((i, float(scores[i]), []))
            if len(kept) >= request.k or depth >= n_live:
                return row, kept, own
            depth = min(n_live, depth * 2)

    def similar(self, decision: str, k: int = 10, council: str = "", other_councils: bool = False,
                date_from: str = "", date_to: str = "") -> SimilarResult:
        """The ``k`` decisions most like ``decision`` (an id, or a reference as printed)."""
        request = similar_request(decision, k, council, other_councils, date_from, date_to)
        return self.similar_to(request)

    def similar_to(self, request: SimilarRequest) -> SimilarResult:
        row, kept, own = self.ranked(request)
        ids = self.vectors.ids
        number = str(ids[row])
        records = decisions_of(self.store(), [number, *(str(ids[i]) for i, _, _ in kept)])
        query = records[number]
        out, unverified = [], 0
        here = side(self.searcher, number) if kept else None
        for i, score, same in kept:
            other: Decision = records[str(ids[i])]
            pair = passage_pair(self.searcher, query, other, self.vectors.vectors[row], self.vectors.vectors[i], here)
            unverified += pair is None
            out.append(SimilarDecision(card(other), score, pair, tuple(str(ids[j]) for j in same)))
        return SimilarResult(card(query), tuple(out), tuple(str(ids[j]) for j in own), unverified, request)
