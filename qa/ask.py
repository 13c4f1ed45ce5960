"""Retrieve, weigh the evidence, answer, verify: the one path every answer takes (CLI, app, eval)."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from index.filters import Filters
from index.search import Hit
from index.thesaurus import expansions
from qa.cite import verify
from qa.evidence import Evidence
from qa.extractive import ExtractiveAnswerer
from qa.intent import Intent, classify
from qa.records import NOT_FOUND, Answer, Draft, Question

# Evidence below this (``qa.evidence``: mean of dense cosine and IDF-weighted term coverage of the best
# passage) means the indexed decisions do not cover the question. Calibrated with all-MiniLM-L6-v2 on the gold
# set and the three held-out sets together (eval/README.md): it sits between the strongest out-of-corpus question
# (0.370) and the weakest answerable one (0.395). Another embedding model, or an index of many thousands of
# decisions, needs its own calibration (``councilqa eval`` prints the margins).
DEFAULT_THRESHOLD = 0.38
LIST_DEPTH = 30  # "which decisions" questions look further down the ranking
DOMINANCE = 0.1  # evidence margin by which one decision must lead for the answer to keep to it
RERANK_POOL = 30  # fused hits the reranker reorders
FOCUS_DEPTH = 12  # passages searched again inside the decision a question is most plainly about

OUT_OF_CORPUS = "Not found: the decisions indexed do not cover this question."
UNVERIFIED = "Not found: no statement in the answer could be verified against the passages it cites."


def read_as(question: str) -> tuple[str, ...]:
    """Says which plain words were also read in the documents' words, so a reader knows why a passage about
    "short breaks" answers a question about "respite" (``index.thesaurus``)."""
    found = [f'"{e.phrase}" as "{" / ".join(e.alternatives)}"' for e in expansions(question)]
    return (f"Also read {'; '.join(found)}.",) if found else ()


class Answerer(Protocol):
    name: str

    def draft(self, question: str, hits: list[Hit], evidence: Evidence, intent: Intent) -> Draft: ...


class Asker:
    def __init__(self, searcher, answerer: Answerer | None = None, threshold: float = DEFAULT_THRESHOLD,
                 mode: str = "hybrid", rerank: bool = True) -> None:
        self.searcher = searcher
        self.rerank = rerank
        self.answerer = answerer or ExtractiveAnswerer()
        self.threshold = threshold
        self.mode = mode
        self._decisions = None
        self._titles = None

    def decisions(self):
        if self._decisions is None:
            from index.decisions import list_decisions
            from index.store import DB_NAME, Store

            with Store(self.searcher.generation / DB_NAME, readonly=True) as store:
                self._decisions = list_decisions(store)
        return self._decisions

    def ask(self, question: str, k: int = 8, filters: Filters | None = None) -> Answer:
        q = Question(question.strip(), k, filters or Filters())
        intent = classify(q.text)
        depth = max(q.k, LIST_DEPTH) if intent is Intent.LIST else q.k
        filters = q.filters
        named = self.named_decisions(q.text)
        if len(named) == 1 and intent is not Intent.LIST and not filters.decision:
            filters = replace(filters, decision=named[0])  # "who took 21/00081?" is about 21/00081
        full = Evidence(self.searcher, q.text)
        hits = self.retrieve(q.text, depth, filters, full)
        shown = tuple(hits[: q.k])
        if not hits:
            return Answer(q.text, True, (), (), self.answerer.name, notes=read_as(q.text), reason=OUT_OF_CORPUS)
        strengths = full.strengths(hits[: q.k])
        # once the search is held to a named decision, its number no longer tells its sentences apart
        evidence = full
        if filters.decision in named:
            evidence = Evidence(self.searcher, q.text.replace(filters.decision, " "))
        strength = max(strengths)
        if intent is not Intent.LIST and not filters.decision:
            hits = self.focus(q.text, hits, strengths, filters)
            top = self.dominant(hits[: q.k], strengths)
            if top:  # the question is plainly about one decision: answer from it, not from look-alikes
                hits = [h for h in hits if h.decision == top]
        if strength < self.threshold:
            return Answer(q.text, True, (), shown[:3], self.answerer.name, notes=read_as(q.text), evidence=strength,
                          reason=OUT_OF_CORPUS)
        if intent is Intent.LIST:
            from qa.listing import draft_list

            draft = draft_list(q.text, hits, evidence, self.decisions(), self.searcher, self.threshold)
        else:
            draft = self.answerer.draft(q.text, list(hits), evidence, intent)
        claims, removed = verify(draft, hits)
        notes = read_as(q.text)
        if removed:
            notes += (f"{removed} statement{'s' if removed > 1 else ''} could not be verified against the passages "
                     f"cited and {'were' if removed > 1 else 'was'} removed.",)
        if not claims:
            reason = UNVERIFIED if draft.claims else NOT_FOUND
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength, reason=reason)
        return Answer(q.text, False, self._with_status(claims), shown, draft.answerer, draft.preface, notes,
                      strength)

    def retrieve(self, question: str, k: int, filters: Filters, evidence: Evidence | None = None) -> list[Hit]:
        """Fused hits, reranked by evidence when ``rerank`` is on (a deeper pool is reranked, then cut to k)."""
        if not self.rerank:
            return self.searcher.search(question, k=k, filters=filters, mode=self.mode)
        from qa.rerank import rerank

        evidence = evidence or Evidence(self.searcher, question)
        pool = self.searcher.search(question, k=max(k, RERANK_POOL), filters=filters, mode=self.mode)
        if pool and not filters.decision:  # the best passages of the decision the question is most about compete too
            pool = self.focus(question, pool, evidence.strengths(pool), filters)
        return rerank(evidence, pool)[:k]

    def titled(self, question: str) -> str | None:
        """The decision the question names by its title (``qa.titles``), if one."""
        if self._titles is None:
            from qa.titles import TitleIndex

            self._titles = TitleIndex(self.decisions())
        return self._titles.named(question)

    def named_decisions(self, question: str) -> list[str]:
        from ingest.labels import DECISION_NUMBER

        known = {d.number for d in self.decisions()}
        return list(dict.fromkeys(m.group(0) for m in DECISION_NUMBER.finditer(question) if m.group(0) in known))

    def focus(self, question: str, hits: list[Hit], strengths: list[float], filters: Filters) -> list[Hit]:
        """Add the best passages of the decision the question is most plainly about (best evidence), and of the
        decision it names by its title.

        "How much is the carers' short breaks direct award worth?" names the decision by its title; the sentence
        with the amount shares no word with the question. Searching again inside that decision finds it.
        """
        top = hits[max(range(len(strengths)), key=strengths.__getitem__)].decision
        seen = {h.passage_id for h in hits}
        out = list(hits)
        for decision in dict.fromkeys([top, self.titled(question) or top]):
            extra = self.searcher.search(question, k=FOCUS_DEPTH, filters=replace(filters, decision=decision),
                                         mode=self.mode)
            out += [h for h in extra if h.passage_id not in seen]
            seen |= {h.passage_id for h in extra}
        return out

    @staticmethod
    def dominant(hits: list[Hit], strengths: list[float]) -> str | None:
        """The decision whose best passage beats every other decision's best by DOMINANCE, if there is one."""
        best: dict[str, float] = {}
        for h, st in zip(hits, strengths):
            best[h.decision] = max(best.get(h.decision, 0.0), st)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= DOMINANCE:
            return ranked[0][0]
        return None

    def _with_status(self, claims):
        """A figure from a proposed decision says so: the record was not signed when the document was written."""
        status = {d.number: d.status for d in self.decisions()}
        out = []
        for claim in claims:
            proposed = sorted({c.decision for c in claim.citations if status.get(c.decision) == "proposed"})
            if proposed and not claim.metadata and not claim.note:
                claim = replace(claim, note=f"{', '.join(proposed)}: proposed, not yet taken")
            out.append(claim)
        return tuple(out)
