"""Saved searches that report the decisions new or changed since they last ran (issue #20).

A run of one watch: look at the live generation (``WatchStore.sync``), take the decisions that changed materially
after the watch last reported, keep those its filters allow, and score every passage of theirs against its query
(filters before the cut: only these decisions' passages are ever scored). A decision is reported when its best
passage's relevance (``WatchEvidence``: from the dense cosine with the query and the IDF-weighted share of the
query's terms in the passage and its decision's title) reaches ``WATCH_BAR``. Fused ranks cannot be the bar: among
three new decisions one always ranks first, related or not; evidence is an absolute measure.

Delivery comes before the commit: ``run`` returns the reports and a ``commit`` for each, to be called once the
report is printed, mailed or shown. A run killed before it reports the same decisions the next time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.changes import Change
from index.search import Hit, citation_label
from index.thesaurus import expanded
from index.watchstore import Watch, WatchStore, run_lock
from qa.evidence import Evidence, context_of, starts_a_word
from qa.fields import is_furniture
from qa.text import quotable, sentences, stem, terms

# Relevance a decision's best passage needs to be reported (``WatchEvidence``). Measured with all-MiniLM-L6-v2 on
# eval/data/watches (10 watches over 26 invented decisions, labelled before any run; ``python -m eval.watches``
# prints the table, eval/README.md has it): 0.40 is the middle of the widest range of bars with the fewest false
# alerts (0.377 to 0.428): 18 of 19 alerts right, 18 of 23 relevant decisions found; the five missed share no word
# with their watch ("night shelter" for "temporary accommodation").
WATCH_BAR = 0.40
EXACT_LIMIT = 5_000  # candidate passages scored one by one; beyond, the best POOL of the dense and keyword runs
POOL = 1_000
QUOTE_CHARS = 400
QUOTE_MIN_WORDS = 8  # a shorter passage ("Decision Maker: Cabinet Member for Housing") is quoted only if no other is


@dataclass(frozen=True)
class Alert:
    """One decision a watch reports, with the passage that matched, cited as answers are."""

    watch: str
    decision: str
    council: str
    reference: str
    title: str
    status: str
    date: str
    change: str  # "new decision", "status: proposed → taken", ...
    change_kind: str  # new | changed
    citation: str  # [ID PARAGRAPH]
    quote: str  # verbatim from the passage
    passage: str
    document: str
    paragraph: str
    source: str  # the matched document's address on the council's site ("" for a local file)
    page: str  # the decision's own page on the council's site, where it was fetched
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """One watch's run: its alerts, and how to record that they were delivered."""

    watch: Watch
    alerts: list[Alert]
    considered: int  # decisions new or changed since the watch last ran (before its filters and query)
    head: int
    store_path: Path

    def commit(self) -> None:
        with WatchStore(self.store_path.parent) as store:
            store.commit(self.watch.name, self.head, [a.to_dict() for a in self.alerts])

    def to_dict(self) -> dict:
        return {"watch": self.watch.name, "query": self.watch.query, "considered": self.considered,
                "alerts": [a.to_dict() for a in self.alerts]}


class WatchEvidence(Evidence):
    """Evidence for a topic, not a question: ``relevance = (dense + coverage²) / 2``. A watch's words name one
    subject together, so a passage with half of them ("student accommodation" for "temporary accommodation",
    "office accommodation", "road closure" for "library closures") earns a quarter of their weight, not half.
    A term counts where a word of the text starts with it (its stem "centr" covers "centre"); inside a word it
    does not ("bin" is not in "Cabinet"), as in ``Evidence.coverage``; unlike it, the council a question names is not
    taken as covered (a watch's query is matched to each new decision, whatever its council)."""

    def coverage(self, text: str, weights: dict[str, float] | None = None) -> float:
        weights = self.weights if weights is None else weights
        total = sum(weights.values())
        if not total:
            return 0.0
        present = {stem(t) for t in terms(text)}
        lowered = text.lower()
        present |= {t for t in weights if t not in present and starts_a_word(t, lowered)}
        present |= {t for t in weights if t not in present
                    and any(alt <= present or (not alt and literal in lowered)
                            for alt, literal in self.aliases.get(t, ()))}
        return sum(w for t, w in weights.items() if t in present) / total

    def relevance(self, hit: Hit, dense: float) -> float:
        """The passage read with its decision's id, title and heading (which decision it is)."""
        return float(dense + self.coverage(f"{context_of(hit)} {hit.text}") ** 2) / 2

    def own(self, hit: Hit, dense: float) -> float:
        """The passage's own words only: how well it speaks to the watch, whatever its decision's title."""
        return float(dense + self.coverage(f"{hit.heading} {hit.text}") ** 2) / 2

    def strengths(self, hits: list[Hit]) -> list[float]:
        return [self.relevance(h, d) for h, d in zip(hits, self.dense(hits))]


class Matcher:
    """Scores changed decisions against watches, over one Searcher (one generation)."""

    def __init__(self, searcher, bar: float = WATCH_BAR) -> None:
        self.searcher = searcher
        self.bar = bar

    def match(self, watch: Watch, changes: list[Change]) -> list[Alert]:
        if not changes:
            return []
        by_number = {c.after.decision: c for c in changes}
        documents = self._allowed(watch, sorted(by_number))
        if not documents:
            return []
        hits = self._candidates(watch.query, documents)
        evidence = WatchEvidence(self.searcher, watch.query)
        dense = evidence.dense(hits)
        best: dict[str, float] = {}
        quoted: dict[str, tuple[float, Hit]] = {}
        for hit, d in zip(hits, dense):
            # relevance reads the passage with its decision's title (which decision); the passage quoted is the
            # one whose own words match best ("Decision Maker: Cabinet" sits under every title, and answers nothing)
            best[hit.decision] = max(best.get(hit.decision, 0.0), evidence.relevance(hit, d))
            own = evidence.own(hit, d) + (1.0 if len(hit.text.split()) >= QUOTE_MIN_WORDS else 0.0)
            if hit.decision not in quoted or own > quoted[hit.decision][0]:
                quoted[hit.decision] = (own, hit)
        alerts = [self._alert(watch, by_number[n], quoted[n][1], score, evidence) for n, score in best.items()
                  if score >= self.bar]
        return sorted(alerts, key=lambda a: (-a.score, a.decision))

    def scores(self, query: str, numbers: list[str]) -> dict[str, float]:
        """Each decision's best evidence for ``query`` (whatever the bar): what the bar is measured on."""
        documents = self.searcher.documents_of(numbers)
        hits = self._candidates(query, documents)
        out: dict[str, float] = {n: 0.0 for n in numbers}
        for hit, strength in zip(hits, WatchEvidence(self.searcher, query).strengths(hits)):
            out[hit.decision] = max(out[hit.decision], strength)
        return out

    def _allowed(self, watch: Watch, numbers: list[str]) -> list[int]:
        return self.searcher.documents_passing(watch.filters, numbers)

    def _candidates(self, query: str, documents: list[int]) -> list[Hit]:
        """The passages of these documents to score: all of them, or past ``EXACT_LIMIT`` the union of the dense
        and keyword runs' best ``POOL`` among them (the filters applied inside both runs, before their cut)."""
        s = self.searcher
        ids = s.allowed_ids(documents) or []
        if len(ids) > EXACT_LIMIT:
            qvec = s.query_vectors.embed([expanded(query)])[0]
            dense = [i for i, _ in s.dense(qvec, POOL, s.dense_allowed(documents))]
            keyword = [i for i, _ in s.keyword(expanded(query), POOL, documents)]
            ids = list(dict.fromkeys(dense + keyword))
        out: list[Hit] = []
        for start in range(0, len(ids), 500):
            out += s.hits([(i, 0.0) for i in ids[start:start + 500]])
        return out

    def _alert(self, watch: Watch, change: Change, hit: Hit, score: float, evidence: Evidence) -> Alert:
        row = self._decision(hit.decision)
        return Alert(watch.name, hit.decision, row["council"], row["reference"], row["title"] or hit.title,
                     change.after.status, _date(change.after.dates), change.summary(), change.kind,
                     citation_label(hit.decision, hit.paragraph), self._quote(hit, evidence), hit.text, hit.document,
                     hit.paragraph, hit.url or row["page"], row["page"], round(score, 4))

    def _decision(self, number: str) -> dict:
        """Council, printed reference, title and page address of a decision (its most telling document first)."""
        rows = self.searcher.decision_documents(number)
        first = lambda col: next((r[col] for r in rows if r[col]), "")  # noqa: E731
        page = next((r["url"] for r in rows if r["url"] and not r["parent"]), "") or first("url")
        return {"council": first("council"), "reference": first("reference"), "title": first("title"), "page": page}

    def _quote(self, hit: Hit, evidence: Evidence) -> str:
        """The passage's sentence that best matches the query (dense cosine plus term coverage), as quoted in
        answers; page furniture is never quoted."""
        spans = [(s, e) for s, e in sentences(hit.text) if not is_furniture(hit.text[s:e])]
        if not spans:
            return quotable(hit.text, hit.heading)[:QUOTE_CHARS]
        texts = [hit.text[s:e] for s, e in spans]
        qvec = self.searcher.query_vectors.embed([expanded(evidence.question)])[0]  # cached by QueryVectors
        dense = np.clip(self.searcher.sentence_vectors(texts) @ qvec, 0.0, 1.0)
        cover = [evidence.coverage(f"{context_of(hit)} {t}") for t in texts]
        best = max(range(len(texts)), key=lambda i: (dense[i] + cover[i], -i))
        return quotable(texts[best], hit.heading)[:QUOTE_CHARS]


def _date(dates: dict[str, str]) -> str:
    """The date a decision is filed under: taken on, else published, else its meeting or committee."""
    return next((dates[k] for k in ("decision", "published", "meeting", "committee") if dates.get(k)), "")


def prepare(index_dir: Path, names: list[str] | None = None, searcher=None,
            open_searcher: Callable[[], object] | None = None, bar: float = WATCH_BAR) -> list[Report]:
    """Each watch's report (``names``: those watches, else all), computed but not committed. The searcher is
    opened only when some watch has changes to look at (``open_searcher``, default: the live generation with the
    model it was built with); its generation is the one looked at."""
    index_dir = Path(index_dir)
    with WatchStore(index_dir) as store:
        watches = [store.get(n) for n in names] if names else [w for w in store.list() if not w.problem]
        if not watches:
            return []
        changes = {}
        generation = getattr(searcher, "generation", None)
        head = store.sync(generation)
        for watch in watches:
            changes[watch.name] = store.pending(watch, head)
    if any(changes.values()) and searcher is None:
        if open_searcher is None:
            from index.backends import open_searcher as open_index

            searcher = open_index(index_dir)
        else:
            searcher = open_searcher()
        if searcher.generation != generation:  # the generation the changes were read from is the one searched
            with WatchStore(index_dir) as store:
                head = store.sync(searcher.generation)
                changes = {w.name: store.pending(w, head) for w in watches}
    matcher = Matcher(searcher, bar) if searcher is not None else None
    return [Report(w, matcher.match(w, changes[w.name]) if matcher else [], len(changes[w.name]), head,
                   index_dir / "watches.sqlite")
            for w in watches]


def run(index_dir: Path, names: list[str] | None = None, deliver: Callable[[list[Report]], list[Report]] | None = None,
        **kwargs) -> list[Report]:
    """Prepare, deliver, then commit what was delivered, holding the run lock throughout. ``deliver`` takes the
    reports and returns those delivered (default: all, as when the caller shows them itself); a report not
    delivered is not committed and comes back at the next run."""
    with run_lock(Path(index_dir)):
        reports = prepare(index_dir, names, **kwargs)
        delivered = deliver(reports) if deliver else reports
        for report in delivered:
            report.commit()
    return reports
