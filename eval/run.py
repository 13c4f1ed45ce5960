"""``councilqa eval``: retrieval and answer quality on the gold set, one row per retrieval configuration."""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from eval.data import GoldQuestion, load_gold
from eval.metrics import dedupe, fact_match, hit_at, mean, mrr, ndcg_at, percentile, recall_at
from eval.synthetic import is_synthetic_number
from index.filters import Filters
from qa.frame import read
from qa.text import normalise

CONFIGS = {  # name: (search mode, rerank)
    "keyword": ("keyword", False),
    "dense": ("dense", False),
    "hybrid": ("hybrid", False),
    "hybrid+rerank": ("hybrid", True),
}
COLUMNS = ["config", "dec_R@1", "dec_R@5", "para_R@5", "MRR", "nDCG@10", "fact_match", "dec_cited", "cite_prec",
           "unverified", "abstain_acc", "false_abst", "missed_abst", "p50_ms"]
DISTRACTOR_COLUMNS = ["synthetic_top1", "synthetic_cited"]  # shown when synthetic distractors are indexed


@dataclass
class QuestionResult:
    qid: str
    kind: str
    answer: str
    abstained: bool
    evidence: float
    fact: float
    cited: list[str]
    answerer: str = ""


def _paragraph_ids(hits) -> list[str]:
    return dedupe([f"{h.decision}#{h.paragraph}" for h in hits])


def page_of(document: str) -> str:
    """A document's page as a ``files`` gold set names it: ``council/page.txt`` (a part's ``#n`` dropped)."""
    return "/".join(Path(document.split("#", 1)[0]).parts[-2:])


def _paragraph_text(conn, document: str, label: str, cache: dict) -> str:
    key = (document, label)
    if key not in cache:
        rows = conn.execute("SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id"
                            " WHERE d.path = ? AND p.label = ? ORDER BY p.start", [document, label]).fetchall()
        cache[key] = normalise(" ".join(r[0] for r in rows))
    return cache[key]


def _quoted_ids(q: GoldQuestion, conn, hits, cache: dict) -> list[str]:
    """``FILE#QUOTE`` for a hit whose paragraph holds a gold quote of its page, else ``FILE#label``."""
    out = []
    for h in hits:
        page = page_of(h.document)
        text = _paragraph_text(conn, h.document, h.paragraph, cache)
        match = next((r for r in sorted(q.relevant) if r.split("#", 1)[0] == page
                      and normalise(r.split("#", 1)[1]) in text), None)
        out.append(match or f"{page}#{h.paragraph}")
    return dedupe(out)


def _quote_holds(conn, citation) -> bool:
    rows = conn.execute(
        "SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id"
        " WHERE d.number = ? AND p.label = ? AND d.path = ? ORDER BY p.start",
        [citation.decision, citation.paragraph, citation.document],
    ).fetchall()
    whole = normalise(" ".join(r[0] for r in rows))
    return bool(rows) and normalise(citation.quote) in whole


def _cite_ok(q: GoldQuestion, conn, citation, cache: dict) -> bool:
    """Cited paragraph holds a fact of the answer (for a list: the cited decision is one expected)."""
    if q.files:
        text = _paragraph_text(conn, citation.document, citation.paragraph, cache).lower()
        page = page_of(citation.document)
        if q.kind == "list":
            return page in q.files
        return any(normalise(f).lower() in text for f in q.facts if f) or any(
            r.split("#", 1)[0] == page and normalise(r.split("#", 1)[1]).lower() in text for r in q.relevant)
    if q.kind == "list":
        return citation.decision in q.decisions
    rows = conn.execute(
        "SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.number = ? AND p.label = ?",
        [citation.decision, citation.paragraph],
    ).fetchall()
    text = normalise(" ".join(r[0] for r in rows)).lower()
    return any(normalise(f).lower() in text for f in q.facts) or f"{citation.decision}#{citation.paragraph}" in q.relevant


def _decisions_cited(q: GoldQuestion, citations) -> float:
    """Whether the answer cites the decision asked about (its page, for a set over pages); for a list, the share
    of the expected decisions it cites."""
    cited = {page_of(c.document) for c in citations} if q.files else {c.decision for c in citations}
    if q.kind == "list":
        return len(cited & q.decisions) / len(q.decisions) if q.decisions else 0.0
    return float(bool(cited & q.decisions))


def evaluate_config(searcher, gold: list[GoldQuestion], mode: str, rerank: bool, threshold: float | None = None):
    from qa.ask import DEFAULT_THRESHOLD, Asker

    asker = Asker(searcher, mode=mode, rerank=rerank, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    rows: dict[str, list[float]] = {c: [] for c in COLUMNS[1:]}
    results, latencies = [], []
    unverified = 0
    synthetic_top1, synthetic_cited = 0, 0
    record_asked = record_right = 0
    cache: dict = {}
    for q in gold:
        if q.answerable:
            # ranked as ``ask`` ranks them: a question naming one decision number is held to that decision
            ranked_hits = asker.retrieve(q.text, 20, asker.scoped(q.text, Filters()))
            if q.files:  # a gold set over pages: judged by page and quoted paragraph
                paras = _quoted_ids(q, searcher.conn, ranked_hits, cache)
                decisions = dedupe([page_of(h.document) for h in ranked_hits])
            else:
                paras = _paragraph_ids(ranked_hits)
                decisions = dedupe([h.decision for h in ranked_hits])
            synthetic_top1 += bool(decisions) and is_synthetic_number(decisions[0])
            rows["dec_R@1"].append(recall_at(decisions, q.decisions, 1) if q.kind != "list" else hit_at(decisions, q.decisions, 1))
            rows["dec_R@5"].append(recall_at(decisions, q.decisions, 5))
            if q.kind != "list":
                rows["para_R@5"].append(hit_at(paras, q.relevant, 5))
                rows["MRR"].append(mrr(paras, q.relevant))
                rows["nDCG@10"].append(ndcg_at(paras, q.relevant, 10))
        searcher.query_vectors.clear()  # p50_ms is each question's own cost, not helped by the one before
        t0 = time.perf_counter()
        ans = asker.ask(q.text)
        latencies.append((time.perf_counter() - t0) * 1000)
        for c in ans.citations:
            if not _quote_holds(searcher.conn, c):
                unverified += 1
        synthetic_cited += any(is_synthetic_number(c.decision) for c in ans.citations)
        stated = " ".join(c.text for c in ans.claims)  # what the answer says, not its notes ("Also read ...")
        fact = fact_match(stated, q.facts, q.alternatives) if q.answerable and not ans.abstained else 0.0
        if q.answerable and read(q.text).record:  # a question about the record ("when was it decided?")
            record_asked += 1
            record_right += int(ans.answerer == "record" and fact == 1.0)
        if q.answerable:
            rows["fact_match"].append(fact)
            rows["dec_cited"].append(_decisions_cited(q, ans.citations) if not ans.abstained else 0.0)
            rows["cite_prec"].extend(float(_cite_ok(q, searcher.conn, c, cache)) for c in ans.citations)
            rows["false_abst"].append(float(ans.abstained))
        else:
            rows["missed_abst"].append(float(not ans.abstained))
        rows["abstain_acc"].append(float(ans.abstained == (not q.answerable)))
        results.append(QuestionResult(q.qid, q.kind, ans.text, ans.abstained, ans.evidence, fact,
                                      [c.label for c in ans.citations], ans.answerer))
    summary = {c: round(mean(v), 3) for c, v in rows.items()}
    summary["false_abst"] = int(sum(rows["false_abst"]))
    summary["missed_abst"] = int(sum(rows["missed_abst"]))
    summary["unverified"] = unverified
    summary["p50_ms"] = round(percentile(latencies, 50), 1)
    summary["record_asks"] = f"{record_right}/{record_asked}"  # record questions answered right from the record
    summary["synthetic_top1"] = synthetic_top1  # answerable questions whose first decision is a distractor
    summary["synthetic_cited"] = synthetic_cited  # answers that cite a distractor
    return summary, results


def evaluate(index_dir: Path, configs: list[str] | None = None, gold: list[GoldQuestion] | None = None,
             embedder=None, threshold: float | None = None) -> tuple[list[dict], dict[str, list[QuestionResult]]]:
    """``threshold``: the abstention threshold to try (default: ``qa/data/weights.json``'s)."""
    from index.backends import open_searcher

    searcher = open_searcher(index_dir, embedder=embedder)
    gold = gold or load_gold()
    table, details = [], {}
    for name in configs or list(CONFIGS):
        mode, rerank = CONFIGS[name]
        summary, results = evaluate_config(searcher, gold, mode, rerank, threshold)
        table.append({"config": name, **summary})
        details[name] = results
    return table, details


def calibration(results: list[QuestionResult]) -> dict[str, float]:
    """The evidence margin the abstention threshold sits in: weakest answerable vs strongest out-of-corpus."""
    answerable = [r.evidence for r in results if r.kind != "out"]
    out = [r.evidence for r in results if r.kind == "out"]
    return {"weakest_answerable": round(min(answerable), 3) if answerable else 0.0,
            "strongest_out_of_corpus": round(max(out), 3) if out else 0.0}


def format_table(table: list[dict], distractors: bool = False) -> str:
    columns = COLUMNS + (DISTRACTOR_COLUMNS if distractors else [])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in table:
        lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
    return "\n".join(lines)


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def distractor_index(index_dir: Path, count: int, model: str | None = None, say=None) -> Path:
    """The bundled corpus plus ``count`` short synthetic decisions (eval/synthetic.py) as distractors.

    Each distractor keeps its template's header (number, maker, title) and about a tenth of its body, so it is
    a plausible decision about another service, with other sums and years. Built once; later runs re-read
    files by hash and embed nothing (10,000 distractors: about 42,000 distinct passages to embed once).
    """
    from eval.synthetic import write
    from index.backends import build
    from index.embed import DEFAULT_MODEL, load_embedder

    spec = model or DEFAULT_MODEL
    corpus = index_dir.parent / f"{index_dir.name}-corpus"
    marker = corpus / ".count"
    if not marker.exists() or marker.read_text() != str(count):
        shutil.rmtree(corpus, ignore_errors=True)
        write(corpus, count, keep=0.1, seed=11, header=5)
        marker.write_text(str(count))
    build([SAMPLE, corpus], index_dir, load_embedder(spec), spec, progress=say)
    return index_dir


def index_name(corpus: Path | None, model: str | None = None) -> str:
    """The eval's own index of ``corpus`` (None: the bundled sample) under ``.councilqa``: ``eval-index[-CORPUS]``,
    with ``-MODEL`` for a model other than the default, so each model keeps its index and neither rebuilds the
    other's."""
    from index.embed import DEFAULT_MODEL

    name = f"eval-index-{corpus.name}" if corpus else "eval-index"
    if model and model != DEFAULT_MODEL:
        name += "-" + re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-.")
    return name


def sample_index(index_dir: Path, model: str | None = None, corpus: Path | None = None) -> Path:
    """An index of the bundled corpus, or of the pages of ``corpus`` (incremental: a second run embeds
    nothing). A corpus's own SOURCES.md and manifest are not pages and are left out."""
    from eval.data import corpus_councils
    from index.backends import build
    from ingest.pipeline import IngestOptions
    from index.embed import DEFAULT_MODEL, load_embedder

    spec = model or DEFAULT_MODEL
    embedder = load_embedder(spec)
    if not corpus:
        build([SAMPLE], index_dir, embedder, spec)
        return index_dir
    # As a person would ingest their councils' pages: one folder a council, named with --council (a page that
    # names its council itself keeps that name).
    for council, files in corpus_councils(corpus).items():
        build(files, index_dir, embedder, spec, options=IngestOptions(council=council))
    return index_dir
