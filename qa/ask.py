"""Retrieve, weigh the evidence, answer, verify: the one path every answer takes (CLI, app, eval)."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from index.council_filter import readable
from index.filters import Filters
from index.search import Hit
from index.thesaurus import expansions
from qa.cite import verify
from qa.councils import named_councils, unknown_council
from qa.evidence import Evidence, context_of
from qa.extractive import ExtractiveAnswerer
from qa import record
from qa.frame import Frame, read
from qa.intent import Intent
from qa.listing import draft_list, from_record
from qa.names import with_full_names
from qa.records import NOT_FOUND, Answer, Draft, Question
from qa.specifics import periods, unnamed_periods
from qa.subject import off_subject
from qa.weights import setting

# Evidence below this (``qa.evidence``: mean of dense cosine and IDF-weighted term coverage of the best
# passage) means the indexed decisions do not cover the question; how it was set, and with which model, is in
# eval/README.md (another embedding model needs its own: ``councilqa eval`` prints the margins).
DEFAULT_THRESHOLD = setting("threshold")
LIST_DEPTH = 30  # "which decisions" questions look further down the ranking
RERANK_POOL = 30  # fused hits the reranker reorders
FOCUS_DEPTH = 12  # passages searched again inside the decision a question is most plainly about
COPIES_PER_TEXT = 3  # copies of a repeated paragraph kept for the decisions whose title and heading fit best

OUT_OF_CORPUS = "Not found: the decisions indexed do not cover this question."
UNVERIFIED = "Not found: no statement in the answer could be verified against the passages it cites."


def read_under(claim, hits: list[Hit]) -> str:
    """The headings a claim's cited passages sit under ("Report Author" above "Simon Mitchell ...")."""
    ids = {c.passage_id for c in claim.citations}
    return " ".join(dict.fromkeys(h.heading for h in hits if h.passage_id in ids))


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
            with self.searcher.store() as store:
                self._decisions = list_decisions(store)
        return self._decisions

    def ask(self, question: str, k: int = 8, filters: Filters | None = None) -> Answer:
        q = Question(question, k, filters or Filters())  # sanitised and bounded (index.requests)
        stranger = unknown_council(q.text, self.searcher.councils())
        if stranger and not named_councils(q.text, self.searcher.councils()):
            return Answer(q.text, True, (), (), self.answerer.name, notes=read_as(q.text),
                          reason=f"Not found: no decisions of {stranger} are indexed.")
        from qa.precedents import answer as precedents  # "how have other councils ...": issue #19

        if (listed := precedents(self, q.text, q.filters)) is not None:
            return listed
        from qa import ledger  # who was paid what: answered from the awards ledger (issue #21), else as below

        if (paid := ledger.answer(self, q.text, q.filters)) is not None:
            return paid
        frame = read(q.text, self.searcher.councils())
        intent = frame.intent
        depth = max(q.k, LIST_DEPTH) if intent is Intent.LIST else q.k
        named = self.named_decisions(q.text)
        filters = self.scoped(q.text, q.filters, intent)
        full = Evidence(self.searcher, q.text, frame)
        ranked = self.ranked(q.text, depth, filters, full)
        hits = [h for h, _ in ranked]
        shown = tuple(hits[: q.k])
        if not hits:
            return Answer(q.text, True, (), (), self.answerer.name, notes=read_as(q.text), reason=OUT_OF_CORPUS)
        strengths = full.strengths(hits[: q.k])
        strength = max(strengths)  # how well the index covers the question, whichever decision answers it
        if self.rerank and intent is not Intent.LIST and periods(q.text):  # a decision naming the period answers
            ranked = self.ranked(q.text, depth, filters, full, in_period=True)
            hits = [h for h, _ in ranked]
            shown = tuple(hits[: q.k])
            strengths = full.strengths(hits[: q.k])
        # once the search is held to a named decision, its number no longer tells its sentences apart
        evidence = full
        if filters.decision in named:
            evidence = Evidence(self.searcher, q.text.replace(filters.decision, " "), frame)
        top = filters.decision or None
        if intent is not Intent.LIST and not filters.decision:
            # the reranker's scores weigh what the decision as a whole covers; fused scores do not, so without it
            # the evidence itself decides
            lead = [score for _, score in ranked[: q.k]] if self.rerank else strengths
            hits = self.focus(q.text, hits, strengths, filters)
            top = self.dominant(hits[: q.k], lead)
            if top:  # the question is plainly about one decision: answer from it, not from look-alikes
                hits = [h for h in hits if h.decision == top]
        listed = intent is Intent.LIST and from_record(q.text, self.decisions(), filters)  # the records answer
        if strength < self.threshold and not listed:
            return Answer(q.text, True, (), shown[:3], self.answerer.name, notes=read_as(q.text), evidence=strength,
                          reason=OUT_OF_CORPUS)
        decision = self.decision(top or hits[0].decision)
        draft = None
        if intent is Intent.LIST:
            draft = draft_list(q.text, hits, evidence, self.decisions(), self.searcher, self.threshold, filters)
        elif frame.record and decision is not None:  # a question about the record: its field answers
            draft = next((d for field in frame.record_fields
                          if (d := record.draft(field, decision, self.searcher, frame.wants_person))), None)
        if draft is None:
            draft = self.answerer.draft(q.text, list(hits), evidence, intent)
            if intent is Intent.WHO:  # "Ms Ward confirmed ...": and who Ms Ward is, where the decision says
                draft = with_full_names(self.searcher, draft)
        claims, removed = verify(draft, [*hits, *draft.read])
        notes = read_as(q.text)
        if removed:
            notes += (f"{removed} statement{'s' if removed > 1 else ''} could not be verified against the passages "
                     f"cited and {'were' if removed > 1 else 'was'} removed.",)
        if not claims:
            reason = UNVERIFIED if draft.claims else NOT_FOUND
            if not draft.claims and frame.record and decision is not None:
                reason = record.absent(frame.record, decision, frame.wants_person)  # say so, not quote something near
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength, reason=reason)
        if (frame.record and draft.answerer != "record" and decision is not None
                and not frame.states_record([f"{read_under(claim, [*hits, *draft.read])} {claim.text}"
                                             for claim in claims])):  # say so, rather than quote something near it
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength,
                          reason=record.absent(frame.record, decision, frame.wants_person))
        if intent is not Intent.LIST and (unmet := self.unmet(frame, claims)):
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength,
                          reason=unmet)
        if (intent not in (Intent.LIST, Intent.WHO, Intent.DATE) and not frame.record
                and (field := record.record_lines_only(claims))):  # the record's lines answer only what they are
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength,
                          reason=f"Not found: the passages that come closest give only the decision's "
                                 f"{record.FIELD_NAMES.get(field, 'record')}, not what was asked.")
        if intent is not Intent.LIST and not filters.decision and (
                other := off_subject(self.searcher, full, sorted({c.decision for cl in claims for c in cl.citations}),
                                     self.title_terms())):
            return Answer(q.text, True, (), shown[:3], draft.answerer, notes=notes, evidence=strength, reason=other)
        return Answer(q.text, False, self._with_status(claims), shown, draft.answerer, draft.preface, notes,
                      strength)

    def title_terms(self) -> frozenset[str]:
        """The terms of the indexed decisions' titles: a word only a title prints is still printed."""
        if getattr(self, "_title_terms", None) is None:
            from qa.text import terms

            self._title_terms = frozenset(t for d in self.decisions() for t in terms(d.title or ""))
        return self._title_terms

    def decision(self, number: str):
        """The decision record of this id (``index.decisions``), or None."""
        if not hasattr(self, "_by_number"):
            self._by_number = {d.number: d for d in self.decisions()}
        return self._by_number.get(number)

    def unmet(self, frame: Frame, claims) -> str | None:
        """Why the drafted answer, verified as it is, does not answer what the question pins down (``Frame.unmet``:
        a period, a kind of thing, a name ...); None where it does. The cited decisions' texts are read only when a
        check needs them."""
        cited = sorted({c.decision for claim in claims for c in claim.citations})

        def texts() -> list[list[str]]:
            found = self.searcher.decision_texts(cited)
            return [found[d] for d in cited]

        return frame.unmet([claim.text for claim in claims], texts)

    def scoped(self, question: str, filters: Filters, intent: Intent | None = None) -> Filters:
        """The filters a question is answered under: a question that names one decision by its number ("who took
        21/00081?") is about that decision, unless it asks for a list of decisions; one that names one council
        of the index ("Cherwell's dry recycling contract") is about that council's decisions."""
        named = self.named_decisions(question)
        intent = intent or read(question).intent
        if len(named) == 1 and intent is not Intent.LIST and not filters.decision:
            return replace(filters, decision=named[0])
        councils = named_councils(question, self.searcher.councils())
        if len(councils) == 1 and not filters.council and not filters.decision and readable(councils[0]):
            return replace(filters, council=councils[0])
        return filters

    def retrieve(self, question: str, k: int, filters: Filters, evidence: Evidence | None = None) -> list[Hit]:
        """Fused hits, reranked by evidence when ``rerank`` is on (a deeper pool is reranked, then cut to k)."""
        return [h for h, _ in self.ranked(question, k, filters, evidence)]

    def ranked(self, question: str, k: int, filters: Filters,
               evidence: Evidence | None = None, in_period: bool = False) -> list[tuple[Hit, float]]:
        """``retrieve`` with each hit's score: the reranker's (``qa.rerank``), else the fused search score.
        ``in_period``: only the decisions that name the period the question names, where any does (``in_period``)."""
        if not self.rerank:
            return [(h, h.score) for h in self.searcher.search(question, k=k, filters=filters, mode=self.mode)]
        from qa.rerank import scored

        evidence = evidence or Evidence(self.searcher, question, read(question, self.searcher.councils()))
        pool = self.searcher.search(question, k=max(k, RERANK_POOL), filters=filters, mode=self.mode, distinct=True)
        pool += self.copies(question, pool, filters, evidence)
        if pool and not filters.decision:  # the best passages of the decisions the question is most about compete too
            pool = self.focus(question, pool, evidence.strengths(pool), filters, evidence)
        return scored(evidence, self.in_period(question, pool) if in_period else pool)[:k]

    def in_period(self, question: str, pool: list[Hit]) -> list[Hit]:
        """The hits of the decisions that name the period the question names ("over the winter of 2018/19", "in
        late September 2003"), where any does: a filter before the cut, as the period check after the answer
        would refuse the others. Without a period, or where no decision names it, the pool as it is."""
        if not periods(question) or not pool:
            return pool
        numbers = list(dict.fromkeys(h.decision for h in pool))
        texts = self.searcher.decision_texts(numbers)
        named = {n for n in numbers if not unnamed_periods(question, texts[n])}
        return [h for h in pool if h.decision in named] if named else pool

    def copies(self, question: str, pool: list[Hit], filters: Filters, evidence: Evidence) -> list[Hit]:
        """The copies of the pool's repeated paragraphs that belong to the decisions the question points at.

        The pool holds each distinct text once, from whichever decision the search met first. Its copies in the
        decisions already in the pool (through their other passages), in the decision named by its title, and in
        the decisions whose title and heading carry most of the question compete for it in the reranking.
        """
        copies = self.searcher.copies(pool, filters)
        if not copies:
            return []
        wanted = {h.decision for h in pool} | {self.titled(question)}
        fit: dict[int, float] = {}
        by_text: dict[str, list[Hit]] = {}
        for c in copies:
            by_text.setdefault(c.text, []).append(c)
            fit[c.passage_id] = evidence.coverage(context_of(c))
        out = []
        for group in by_text.values():
            best = {c.passage_id for c in sorted(group, key=lambda c: -fit[c.passage_id])[:COPIES_PER_TEXT]}
            out += [c for c in group if c.decision in wanted or c.passage_id in best]
        return out

    def titled(self, question: str) -> str | None:
        """The decision the question names by its title (``qa.titles``), if one."""
        if self._titles is None:
            from qa.titles import TitleIndex

            self._titles = TitleIndex(self.decisions())
        return self._titles.named(question)

    def named_decisions(self, question: str) -> list[str]:
        """Decisions the question names by id or by the reference its council prints ("21/00081", "OKD55
        (20/21)", "ref 1168", "Exe/20/112"), in the order named."""
        return self.searcher.named(question)

    def focus(self, question: str, hits: list[Hit], strengths: list[float], filters: Filters,
              evidence: Evidence | None = None) -> list[Hit]:
        """Add the best passages of the decisions the question is most plainly about: the one with the best
        passage, the one whose passages cover most of the question together, and the one it names by its title.

        "How much is the carers' short breaks direct award worth?" names the decision by its title; the sentence
        with the amount shares no word with the question. Searching again inside that decision finds it. Among
        thousands of decisions that repeat the same boilerplate, the sentence asked for may not be retrieved at all
        for the right decision, only its copies in others; the decision whose passages carry the rest of the
        question is searched again for it.
        """
        top = hits[max(range(len(strengths)), key=strengths.__getitem__)].decision
        wanted = [top]
        if evidence is not None:
            covered = evidence.decision_coverage(hits)
            wanted.append(max(covered, key=lambda d: (covered[d], d == top)))
        wanted.append(self.titled(question) or top)
        seen = {h.passage_id for h in hits}
        out = list(hits)
        for decision in dict.fromkeys(wanted):
            extra = self.searcher.search(question, k=FOCUS_DEPTH, filters=replace(filters, decision=decision),
                                         mode=self.mode)
            out += [h for h in extra if h.passage_id not in seen]
            seen |= {h.passage_id for h in extra}
        return out

    @staticmethod
    def dominant(hits: list[Hit], strengths: list[float]) -> str | None:
        """The decision whose best passage beats every other decision's best by the dominance margin
        (``qa/data/weights.json``), if there is one."""
        best: dict[str, float] = {}
        for h, st in zip(hits, strengths):
            best[h.decision] = max(best.get(h.decision, 0.0), st)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= setting("dominance"):
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
