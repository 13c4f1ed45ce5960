"""Keyword ranking in PostgreSQL, measured against the embedded index's Tantivy BM25 on the gold sets.

``python -m eval.pg_keywords --index postgresql://... [--gold uk] [--json]`` fills the database with the gold set's
corpus (as ``councilqa eval --index URL`` does), builds the same corpus into an index directory, and asks every
gold question (expanded by the thesaurus and cut into words as hybrid search does) of each ranking:

- ``bm25``: the backend's (``index.backends.postgres.bm25``): Tantivy's words and BM25 over PostgreSQL's word lists;
- ``ts_rank`` / ``ts_rank_cd``: PostgreSQL's own rankings over ``to_tsvector('english', ...)`` of the same text
  (stemmed, stop words dropped), any of the query's words (``websearch_to_tsquery`` of each, OR-ed);
- ``ts_rank-simple``: ``ts_rank`` over the ``simple`` configuration (no stemming, Tantivy's words).

For each: overlap@10 and @50 with Tantivy's keyword top 10 / top 50 (the share of Tantivy's passages it also
returns; 50 is what hybrid search reads from the keyword run), and the eval table of ``keyword`` and ``hybrid``
with that ranking plugged into the PostgreSQL searcher.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import mean

ALTERNATIVES = ("bm25", "ts_rank", "ts_rank_cd", "ts_rank-simple")


def _alt_table(searcher) -> None:
    """The passages' text as PostgreSQL's own configurations read it, in a temporary table of the session."""
    from index.embed import embed_input

    rows = searcher.conn.execute("SELECT id, document_id, heading, text FROM passages").fetchall()
    with searcher.conn.connection() as conn:
        conn.execute("DROP TABLE IF EXISTS public.alt_words")
        conn.execute("CREATE TABLE public.alt_words (id bigint PRIMARY KEY, document_id bigint, t text, en tsvector,"
                     " simple tsvector)")
        with conn.cursor().copy("COPY public.alt_words (id, document_id, t) FROM STDIN") as copy:
            for pid, doc, heading, text in rows:
                copy.write_row((pid, doc, embed_input(heading, text)))
        conn.execute("UPDATE public.alt_words SET en = to_tsvector('english', t), simple = to_tsvector('simple', t)")
        conn.execute("CREATE INDEX ON public.alt_words USING gin (en)")
        conn.execute("CREATE INDEX ON public.alt_words USING gin (simple)")


def _alt_search(searcher, name: str):
    from index.keywords import query_terms

    column, rank, config = {"ts_rank": ("en", "ts_rank", "english"), "ts_rank_cd": ("en", "ts_rank_cd", "english"),
                            "ts_rank-simple": ("simple", "ts_rank", "simple")}[name]

    def search(text: str, k: int, documents=None):
        terms = query_terms(text)
        if not terms or documents == []:
            return []
        q = " || ".join(f"websearch_to_tsquery('{config}', ?)" for _ in terms)
        where = "" if documents is None else " AND document_id = ANY(?)"
        args = [*terms, *terms] + ([] if documents is None else [documents]) + [k]
        rows = searcher.conn.execute(
            f"SELECT id, {rank}({column}, ({q})) AS s FROM public.alt_words WHERE {column} @@ ({q}){where}"
            " ORDER BY s DESC, id LIMIT ?", args)
        return [(int(i), float(s)) for i, s in rows]

    return search


def measure(index: str, gold_name: str | None = None, model: str = "minilm") -> dict:
    from eval.data import corpus_of, gold_dir, load_gold
    from eval.run import evaluate_config, sample_index
    from index import backends
    from index.thesaurus import expanded

    corpus = corpus_of(gold_name, None)
    database = sample_index(backends.resolve(index), model, corpus)
    local = sample_index(Path(".councilqa") / (f"eval-index-{corpus.name}" if corpus else "eval-index"), model,
                         corpus)
    gold = load_gold(gold_dir(gold_name))
    tantivy = backends.open_searcher(local)
    pg = backends.open_searcher(database, embedder=tantivy.embedder)
    _alt_table(pg)
    bm25 = pg.keyword
    out = {}
    for name in ALTERNATIVES:
        search = bm25 if name == "bm25" else _alt_search(pg, name)
        o10, o50 = [], []
        for q in gold:
            text = expanded(q.text)
            ref = [i for i, _ in tantivy.keyword(text, 50, None)]
            got = [i for i, _ in search(text, 50, None)]
            if ref:
                o10.append(len(set(ref[:10]) & set(got[:10])) / len(ref[:10]))
                o50.append(len(set(ref) & set(got)) / len(ref))
        pg.keyword = search  # the searcher's keyword run, for the eval table
        tables = {mode: evaluate_config(pg, gold, mode, False)[0] for mode in ("keyword", "hybrid")}
        out[name] = {"overlap@10": round(mean(o10), 3), "overlap@50": round(mean(o50), 3), "tables": tables}
    pg.keyword = bm25
    reference = {mode: evaluate_config(tantivy, gold, mode, False)[0] for mode in ("keyword", "hybrid")}
    out["tantivy (index directory)"] = {"overlap@10": 1.0, "overlap@50": 1.0, "tables": reference}
    with pg.conn.connection() as conn:
        conn.execute("DROP TABLE IF EXISTS public.alt_words")
    pg.close()
    return out


def _places(searcher, ids: list[int]) -> list[tuple[str, int]]:
    """(file name, start) of each passage, in order."""
    if not ids:
        return []
    from index.store import rows_in

    rows = rows_in(searcher.conn, "SELECT p.id, d.path, p.start FROM passages p JOIN documents d ON d.id = p.document_id"
                   " WHERE p.id IN ({marks})", list(ids))
    where = {r[0]: (Path(r[1]).name, r[2]) for r in rows}
    return [where[i] for i in ids]


def at_scale(local: Path, database: Path, count: int = 100, budgets: tuple[int, ...] = ()) -> dict:
    """The backend's BM25 against Tantivy on two indexes of the same files (``councilqa bench``'s corpus): overlap
    @10 and @50 over the bench's queries, the keyword run's p50/p95, and the share of queries whose candidate
    budget (``bm25.candidate_budget``) cut the lists short; for each budget of ``budgets`` (default: the current).
    Passages are matched by their file and place, not their ids: two builds of the same files in other steps (the
    bench's sample first) number them differently. Each index is searched with its own model (keyword search embeds
    nothing)."""
    import time

    import numpy as np

    from eval.bench import queries
    from index import backends
    from index.backends.postgres import bm25
    from index.thesaurus import expanded

    tantivy = backends.open_searcher(local)
    pg = backends.open_searcher(database)
    texts = [expanded(q) for q in queries(count)]
    ref = {t: _places(tantivy, [i for i, _ in tantivy.keyword(t, 50, None)]) for t in texts}
    out = {}
    default, least, first = bm25.MAX_CANDIDATES, bm25.MIN_CANDIDATES, bm25.FIRST_BUDGET
    try:
        for budget in budgets or (default,):
            bm25.MAX_CANDIDATES = bm25.MIN_CANDIDATES = budget
            bm25.FIRST_BUDGET = min(first, budget // 2)
            for t in texts[:5]:
                pg.keyword(t, 50, None)
            o10, o50, ms, cut = [], [], [], 0
            for t in texts:
                t0 = time.perf_counter()
                found = [i for i, _ in pg.keyword(t, 50, None)]
                ms.append((time.perf_counter() - t0) * 1000)
                got = _places(pg, found)
                cut += bool(bm25.LAST.get("pruned"))
                if ref[t]:
                    o10.append(len(set(ref[t][:10]) & set(got[:10])) / len(ref[t][:10]))
                    o50.append(len(set(ref[t]) & set(got)) / len(ref[t]))
            out[budget] = {"overlap@10": round(float(np.mean(o10)), 3), "overlap@50": round(float(np.mean(o50)), 3),
                           "p50_ms": round(float(np.percentile(ms, 50)), 1),
                           "p95_ms": round(float(np.percentile(ms, 95)), 1), "cut_short": cut, "queries": len(texts)}
    finally:
        bm25.MAX_CANDIDATES, bm25.MIN_CANDIDATES, bm25.FIRST_BUDGET = default, least, first
        pg.close()
    return {"passages": pg.size(), "budgets": out}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.pg_keywords")
    p.add_argument("--index", help="a postgresql://... database (filled with the corpus first)")
    p.add_argument("--at-scale", nargs=2, metavar=("DIR", "DATABASE"), help="compare two indexes of the same files "
                   "already built (an index directory, a database's local directory or URL) on the bench's queries")
    p.add_argument("--budgets", help="with --at-scale: candidate budgets to try, comma-separated")
    p.add_argument("--gold", help="gold set (default: eval/data over the sample; uk: corpus-uk)")
    p.add_argument("--model", default="minilm")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.at_scale:
        from index import backends

        budgets = tuple(int(b) for b in args.budgets.split(",")) if args.budgets else ()
        print(json.dumps(at_scale(Path(args.at_scale[0]), backends.resolve(args.at_scale[1]), budgets=budgets),
                         indent=2))
        return 0
    if not args.index:
        p.error("--index is required (or --at-scale)")
    result = measure(args.index, args.gold, args.model)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    cols = ["dec_R@1", "para_R@5", "MRR", "nDCG@10", "fact_match", "cite_prec", "abstain_acc"]
    print("| ranking | overlap@10 | overlap@50 | " + " | ".join(f"keyword {c}" for c in cols[:4]) + " | "
          + " | ".join(f"hybrid {c}" for c in cols) + " |")
    print("|---" * (3 + 4 + len(cols)) + "|")
    for name, r in result.items():
        k, h = r["tables"]["keyword"], r["tables"]["hybrid"]
        print(f"| {name} | {r['overlap@10']} | {r['overlap@50']} | " + " | ".join(str(k[c]) for c in cols[:4])
              + " | " + " | ".join(str(h[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
