"""``python -m eval.precedents``: similar decisions on the labelled precedent set (``eval/data/precedents``).

The set names decisions by page and title or reference (``groups.jsonl``: 54 query decisions, their graded
precedents and traps; ``same_decision.jsonl``); each is mapped here to the decision id the index gave it, as
``eval.decisions`` recognises a catalogued decision: the same page and reference, else the same title, else the
page's only decision. The index is ``../shared/corpus-uk`` (one build a council, as a person would ingest it) and
the bundled sample, built incrementally in ``.councilqa/precedents-index``.

Three rankings of the other decisions, each with the query's own near-duplicates set aside and one council's
duplicates shown once (``qa.similar.SimilarFinder.same_decision``), so the baselines lose nothing to grouping:

- ``decision vectors``: ``councilqa similar`` (``qa.similar``);
- ``nearest passage``: each other decision scored by its passage closest to any passage of the query decision
  (FAISS, the stored passage vectors), the baseline "nearest passage's decision";
- ``title keywords``: the query decision's title as a keyword query (Tantivy BM25), decisions in the order of
  their first passage.

Metrics, over precedents of grade 1 and 2 (a result counts if it or a duplicate shown with it is a precedent):
P@1; P@3 as the share of precedents among the first min(3, R) results, R the query's number of precedents
(14 queries have one precedent and 11 have two, so the plain P@3 cannot pass 0.759 — printed too, with that
ceiling); R@10; the share of queries with a trap in the first three; and the same-decision pairs found listed as
each other's precedents (must be 0).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.data import GOLD_DIR, SHARED
from eval.decisions import _norm, _title_match

DATA = GOLD_DIR / "precedents"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
CORPUS = SHARED / "corpus-uk"
INDEX = Path(".councilqa/precedents-index")
METHODS = ("decision vectors", "nearest passage", "title keywords")
DEPTH = 10


def page_of(path: str) -> str:
    return "/".join(Path(path.split("#", 1)[0]).parts[-2:])


def build_index(index_dir: Path = INDEX, model: str | None = None, say=print) -> Path:
    """corpus-uk (one build a council, named as its manifest names it) and the sample; a rerun embeds nothing."""
    from eval.run import sample_index
    from index.build import build
    from index.embed import DEFAULT_MODEL, load_embedder

    if not CORPUS.is_dir():
        raise SystemExit(f"the precedent set's pages are read from {CORPUS}, which is not here")
    sample_index(index_dir, model, CORPUS)
    spec = model or DEFAULT_MODEL
    build([SAMPLE], index_dir, load_embedder(spec), spec)
    say(f"index: {index_dir}")
    return index_dir


@dataclass
class Mapper:
    """Labelled entries (page + title/reference) -> decision ids."""

    by_page: dict[str, list] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, decisions: list) -> Mapper:
        m = cls()
        for d in decisions:
            for page in {page_of(doc.path) for doc in d.documents}:
                m.by_page.setdefault(page, []).append(d)
        return m

    def id(self, entry: dict) -> str | None:
        ours = self.by_page.get(entry["file"], [])
        ref, title = entry.get("reference", ""), entry.get("title", "")
        found = (next((d for d in ours if ref and _norm(d.reference) == _norm(ref)), None)
                 or next((d for d in ours if ref and _norm(d.number) == _norm(ref)), None)
                 or next((d for d in ours if title and _title_match(d.title, title)), None))
        if found is None and len(ours) == 1:
            found = ours[0]
        if found is None:
            label = f"{entry['file']} {ref or title or entry.get('about', '')}"[:120]
            if label not in self.unmapped:
                self.unmapped.append(label)
            return None
        return found.number


@dataclass(frozen=True)
class Group:
    gid: str
    query: str
    council: str
    relevant: dict[str, int]  # id -> grade
    across: frozenset[str]  # the precedents at another council
    traps: frozenset[str]


def load_groups(mapper: Mapper) -> list[Group]:
    out = []
    for line in (DATA / "groups.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        query = mapper.id(g["query"])
        if query is None:
            continue
        relevant: dict[str, int] = {}
        across = set()
        for p in g["precedents"]:
            pid = mapper.id(p)
            if pid and pid != query:
                relevant[pid] = max(relevant.get(pid, 0), p["grade"])
                if p.get("across"):
                    across.add(pid)
        traps = {t for t in (mapper.id(x) for x in g.get("traps", [])) if t and t != query}
        if relevant:
            out.append(Group(g["id"], query, g.get("query_council", ""), relevant, frozenset(across),
                             frozenset(traps)))
    return out


def load_pairs(mapper: Mapper) -> list[tuple[str, str]]:
    out = []
    for line in (DATA / "same_decision.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            a, b = mapper.id(p["a"]), mapper.id(p["b"])
            if a and b:
                out.append((a, b))
    return out


class Rankers:
    """The three rankings, each a list of (id, ids shown with it) for a query decision."""

    def __init__(self, searcher, finder, titles: dict[str, str]) -> None:
        self.searcher, self.finder, self.titles = searcher, finder, titles
        self.ids = finder.vectors.ids
        self.row = finder.vectors.row

    def grouped(self, query: str, ranked: list[str], k: int = DEPTH) -> list[tuple[str, list[str]]]:
        """The query's own duplicates out, one council's duplicates shown once (as ``similar`` shows them)."""
        q = self.row[query]
        kept: list[tuple[str, list[str]]] = []
        for number in ranked:
            i = self.row.get(number)
            if i is None or number == query or self.finder.same_decision(q, i):
                continue
            group = next((g for g in kept if self.finder.same_decision(self.row[g[0]], i)), None)
            if group is not None:
                group[1].append(number)
            elif len(kept) < k:
                kept.append((number, []))
        return kept

    def decision_vectors(self, query: str, k: int = DEPTH, **filters) -> list[tuple[str, list[str]]]:
        from index.requests import similar_request

        _, kept, _ = self.finder.ranked(similar_request(query, k, **filters))
        return [(str(self.ids[i]), [str(self.ids[j]) for j in same]) for i, _, same in kept]

    def nearest_passage(self, query: str, k: int = DEPTH) -> list[tuple[str, list[str]]]:
        from index import vectors

        conn = self.searcher.conn
        ids = [r[0] for r in conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.number = ?", [query])]
        own = set(ids)
        best: dict[int, float] = {}
        for vec in self.searcher.vectors_of(ids):
            for pid, score in vectors.search(self.searcher.vectors, vec, 100, None, self.searcher.removed):
                if pid not in own:
                    best[pid] = max(best.get(pid, -1.0), score)
        numbers = dict(conn.execute(
            f"SELECT p.id, d.number FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN"
            f" ({','.join('?' * len(best))})", list(best)).fetchall()) if best else {}
        by_decision: dict[str, float] = {}
        for pid, score in best.items():
            n = numbers.get(pid)
            if n:
                by_decision[n] = max(by_decision.get(n, -1.0), score)
        ranked = sorted(by_decision, key=lambda n: (-by_decision[n], n))
        return self.grouped(query, ranked, k)

    def title_keywords(self, query: str, k: int = DEPTH) -> list[tuple[str, list[str]]]:
        title = self.titles.get(query, "")
        if not title.strip():
            return []
        hits = self.searcher.search(title, k=100, mode="keyword", expand=False)
        ranked = list(dict.fromkeys(h.decision for h in hits))
        return self.grouped(query, ranked, k)


def precision_at(shown: list[tuple[str, list[str]]], relevant, n: int) -> float:
    top = shown[:n]
    return sum(1 for number, same in top if number in relevant or any(s in relevant for s in same)) / n if n else 0.0


def hits(shown: list[tuple[str, list[str]]], wanted) -> set[str]:
    return {x for number, same in shown for x in (number, *same) if x in wanted}


def score(groups: list[Group], rank, k: int = DEPTH) -> dict[str, float]:
    p1, p3, p3_plain, r10, r10_g2, trap3 = [], [], [], [], [], []
    for g in groups:
        shown = rank(g.query, k)
        rel = set(g.relevant)
        p1.append(precision_at(shown, rel, 1))
        p3.append(precision_at(shown, rel, min(3, len(rel))))
        p3_plain.append(precision_at(shown, rel, 3))
        r10.append(len(hits(shown[:10], rel)) / len(rel))
        strong = {n for n, grade in g.relevant.items() if grade == 2}
        if strong:
            r10_g2.append(len(hits(shown[:10], strong)) / len(strong))
        trap3.append(float(bool(hits(shown[:3], g.traps))))
    mean = lambda xs: round(float(np.mean(xs)), 3) if xs else 0.0  # noqa: E731
    return {"queries": len(groups), "P@1": mean(p1), "P@3": mean(p3), "P@3_plain": mean(p3_plain),
            "R@10": mean(r10), "R@10_grade2": mean(r10_g2), "trap@3": mean(trap3)}


def across_score(groups: list[Group], rankers: Rankers) -> dict[str, float]:
    """``similar --other-councils``: P@1 and R@10 over the precedents at other councils, for the queries that have any."""
    p1, r10 = [], []
    for g in groups:
        if not g.across:
            continue
        shown = rankers.decision_vectors(g.query, DEPTH, other_councils=True)
        p1.append(precision_at(shown, g.across, 1))
        r10.append(len(hits(shown, g.across)) / len(g.across))
    return {"queries": len(p1), "P@1": round(float(np.mean(p1)), 3) if p1 else 0.0,
            "R@10": round(float(np.mean(r10)), 3) if r10 else 0.0}


def same_decision_violations(pairs: list[tuple[str, str]], rankers: Rankers) -> int:
    """Same-decision pairs where one is listed as a precedent of the other (grouped under it does not count)."""
    bad = 0
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            bad += any(number == y for number, _ in rankers.decision_vectors(x))
    return bad


def load_questions(mapper: Mapper) -> list[tuple[str, str, str, set[str]]]:
    """(id, text, type, expected decision ids) of each precedent question."""
    out = []
    for line in (DATA / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            meta = q["metadata"]
            out.append((q["_id"], q["text"], meta["type"], {x for x in map(mapper.id, meta["decisions"]) if x}))
    return out


def citation_holds(conn, c) -> bool:
    """The citation names a passage of its decision and quotes it (checked here again, apart from ``qa.cite``)."""
    from qa.text import normalise

    rows = conn.execute("SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id"
                        " WHERE d.number = ? AND p.label = ? AND d.path = ? ORDER BY p.start",
                        [c.decision, c.paragraph, c.document]).fetchall()
    return bool(rows) and normalise(c.quote) in normalise(" ".join(r[0] for r in rows))


def questions_score(questions, searcher) -> dict:
    """Each question through ``Asker.ask``: list precision and recall of the decisions cited, abstention on the
    out-of-corpus ones, every citation checked again. An expected decision listed once under another id (its
    near-duplicate, ``qa.similar``: two resolutions of one item) counts as listed."""
    from qa.ask import Asker
    from qa.similar import finder_for

    asker = Asker(searcher)
    finder = finder_for(searcher)
    row = finder.vectors.row

    def same(a: str, b: str) -> bool:
        return a in row and b in row and finder.same_decision(row[a], row[b])

    prec, rec, out_ok, false_abst, unverified, cited, details = [], [], 0, 0, 0, 0, []
    for qid, text, kind, expected in questions:
        answer = asker.ask(text)
        listed = list(dict.fromkeys(c.decision for c in answer.citations))
        listed += [e for e in expected if e not in listed and any(same(e, x) for x in listed)]
        cited += len(answer.citations)
        unverified += sum(not citation_holds(searcher.conn, c) for c in answer.citations)
        unverified += sum(int(n.split()[0]) for n in answer.notes if "could not be verified" in n)
        if kind == "out":
            out_ok += answer.abstained
        else:
            false_abst += answer.abstained
            prec.append(len(set(listed) & expected) / len(listed) if listed else 0.0)
            rec.append(len(set(listed) & expected) / len(expected) if expected else 0.0)
        details.append({"id": qid, "abstained": answer.abstained, "listed": listed, "expected": sorted(expected),
                        "answerer": answer.answerer})
    outs = sum(1 for q in questions if q[2] == "out")
    return {"list_questions": len(prec), "precision": round(float(np.mean(prec)), 3) if prec else 0.0,
            "recall": round(float(np.mean(rec)), 3) if rec else 0.0, "false_abstentions": false_abst,
            "out_questions": outs, "out_abstained": out_ok, "citations": cited, "unverified": unverified,
            "details": details}


def shown_complete(groups: list[Group], finder) -> dict[str, int]:
    """What ``similar`` shows for every query (k=10): results without a council, or without a verified pair."""
    results = no_council = no_pair = unverified = 0
    for g in groups:
        r = finder.similar(g.query, k=DEPTH)
        results += len(r.results)
        no_council += sum(1 for x in r.results if not x.card.council)
        no_pair += sum(1 for x in r.results if x.pair is None)
        unverified += r.unverified
    return {"results": results, "without_council": no_council, "without_pair": no_pair, "unverified": unverified}


def run(index_dir: Path = INDEX, model: str | None = None, say=print) -> dict:
    from index.decisions import list_decisions
    from index.search import Searcher
    from index.store import DB_NAME, Store
    from qa.similar import SimilarFinder

    build_index(index_dir, model, say)
    searcher = Searcher(index_dir)
    with Store(searcher.generation / DB_NAME, readonly=True) as store:
        decisions = list_decisions(store)
    mapper = Mapper.of(decisions)
    groups = load_groups(mapper)
    pairs = load_pairs(mapper)
    finder = SimilarFinder(searcher)
    # a page that lost its title line is stood for by its first plain sentence, as the decision vectors do
    rankers = Rankers(searcher, finder, {d.number: d.title or d.fields.get("lead", "") for d in decisions})
    table = {
        "decision vectors": score(groups, rankers.decision_vectors),
        "nearest passage": score(groups, rankers.nearest_passage),
        "title keywords": score(groups, rankers.title_keywords),
    }
    return {"table": table, "across": across_score(groups, rankers),
            "same_decision_violations": same_decision_violations(pairs, rankers), "same_decision_pairs": len(pairs),
            "questions": questions_score(load_questions(mapper), searcher),
            "shown": shown_complete(groups, finder),
            "misses_at_1": [{"query": g.query, "first": (rankers.decision_vectors(g.query, 1) or [("", [])])[0][0],
                             "precedents": sorted(g.relevant)} for g in groups
                            if not precision_at(rankers.decision_vectors(g.query, 1), set(g.relevant), 1)],
            "unmapped": mapper.unmapped, "decisions": len(decisions), "model": searcher.manifest["model"]}


def format_result(r: dict) -> str:
    cols = ["P@1", "P@3", "P@3_plain", "R@10", "R@10_grade2", "trap@3"]
    lines = [f"| method | {' | '.join(cols)} |", "| --- |" + " --- |" * len(cols)]
    for name, row in r["table"].items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in cols) + " |")
    q = next(iter(r["table"].values()))["queries"]
    lines.append(f"\n{q} query decisions over {r['decisions']} decisions ({r['model']}); P@3 counts the first "
                 "min(3, R) results (P@3_plain the first three, ceiling 0.759)")
    a = r["across"]
    lines.append(f"similar --other-councils: P@1 {a['P@1']:.3f}, R@10 {a['R@10']:.3f} over the precedents at other "
                 f"councils ({a['queries']} queries)")
    lines.append(f"same-decision pairs listed as each other's precedents: {r['same_decision_violations']} "
                 f"(of {r['same_decision_pairs']} pairs, both ways)")
    sh = r["shown"]
    lines.append(f"similar (k={DEPTH}) for the {q} queries: {sh['results']} decisions shown, {sh['without_council']} "
                 f"without a council, {sh['without_pair']} without a verified passage pair")
    qs = r["questions"]
    lines.append(f"precedent questions: {qs['list_questions']} lists, precision {qs['precision']:.3f}, recall "
                 f"{qs['recall']:.3f}, {qs['false_abstentions']} abstained; {qs['out_abstained']}/{qs['out_questions']}"
                 f" out-of-corpus abstained; {qs['citations']} citations, {qs['unverified']} unverified")
    if r["unmapped"]:
        lines.append("labelled decisions not found in the index: " + "; ".join(r["unmapped"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.precedents", description=__doc__.split("\n")[0])
    p.add_argument("--index", default=str(INDEX), help=f"index of corpus-uk and the sample (default {INDEX})")
    p.add_argument("--model", help="embedding model (default minilm)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))
    result = run(Path(args.index), args.model, say)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
