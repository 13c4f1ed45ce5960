"""Keyword engines side by side on the benchmark's synthetic corpus (issue #15): a measurement, not a product.

``python -m eval.keyword_engines --passages 100000 --queries 100 --json``

Engines, each built from the same passages (heading and text) and asked the same queries:

- ``fts5``: SQLite FTS5 exactly as ``index/store.py`` builds it (two columns, triggers on insert) and as
  ``index/keywords.py`` searched it before Tantivy (quoted terms, ``bm25(passages_fts, 1.0, 0.3)``, common words dropped);
- ``fts5-all``: the same, no word dropped (plain FTS5 BM25: it scores every passage any query word matches);
- ``tantivy``: Tantivy (``pip install tantivy``), one text field, the default tokenizer, BM25 with block-max
  WAND (``count=False``: counting every match would turn the pruning off);
- ``tantivy-phrase``: the same with word positions indexed, and a query word that the tokenizer cuts in two
  ("22/00093", "£1.339m") searched as a phrase, as FTS5 searches it (block-max WAND needs plain terms);
- ``bm25s``: ``pip install bm25s``, exact BM25 (Lucene's IDF, k1=1.2, b=0.75) on sparse matrices. It scores
  every passage a query word matches, in numpy; it is the reference ranking.

The queries are the benchmark's (``eval.bench.queries``), expanded by the thesaurus and cut into words as hybrid
search does (``index.keywords.query_terms``); tantivy and bm25s get the words' tokens, each once, made with
``TOKEN`` (what FTS5's unicode61 and tantivy's default tokenizer both make: runs of letters and digits,
lowercased). Each engine runs in its own processes: one builds (time, size on disk), a fresh one loads it
(resident memory after loading, and at the end) and searches at k=50, what hybrid search reads, unfiltered and
restricted to a pseudo-random 5% of the passages (``in_subset``). Overlap with the reference is tie-aware: a
passage counts as found when its reference score is at least the k-th best reference score (the synthetic
corpus repeats boilerplate word for word, so many passages tie).

The corpus is cached as JSON lines in ``--workdir`` (default ``.councilqa/keyword-engines``), one per size.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from eval.keyword_backends import BUILD, Bm25s, in_subset, open_engine, read_corpus, store_of, tokens

ENGINES = ("fts5", "fts5-all", "tantivy", "tantivy-phrase", "bm25s")
PROBES = ["22/00093", "£0.322m", "D50773", "OKD55 (20/21)"]
K = 50


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.is_dir() else \
        path.stat().st_size / 2**20


# --- the corpus and the queries ---------------------------------------------------------------------------

def corpus(passages: int, work: Path, say) -> Path:
    """JSON lines ``[heading, text]``, the passages of the benchmark's synthetic decisions (seed 7), in order."""
    from eval.synthetic import decisions
    from ingest.pipeline import parse_bytes

    path = work / f"corpus-{passages}.jsonl"
    if path.exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    t0, n = time.perf_counter(), 0
    with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
        for d in decisions(10**9, keep=1.0, seed=7):
            if n >= passages:
                break
            for p in parse_bytes(d.text.encode("utf-8"), d.name).passages:
                out.write(json.dumps([p.heading, p.text], ensure_ascii=False) + "\n")
                n += 1
    path.with_suffix(".tmp").rename(path)
    say(f"wrote {n} passages to {path} in {time.perf_counter() - t0:.0f} s")
    return path


def queries(count: int) -> list[str]:
    from eval.bench import queries as bench_queries
    from index.thesaurus import expanded

    return [expanded(q) for q in bench_queries(count)]


# --- one engine, in its own process --------------------------------------------------------------------------

def phase_build(name: str, path: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    BUILD[name](path, out)
    row = {"build_s": round(time.perf_counter() - t0, 1), "disk_mb": round(du_mb(out), 1),
           "build_peak_mb": round(peak_mb(), 1)}
    if name == "fts5":  # the full-text index alone, without the passages' text (which the index needs anyway)
        with sqlite3.connect(out / "fts.db") as conn:
            try:
                size = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'passages_fts%'").fetchone()[0]
                row["index_mb"] = round(size / 2**20, 1)
            except sqlite3.OperationalError:  # SQLite built without dbstat
                pass
    return row


def phase_query(name: str, out: Path, qs: list[str], passages: int, others: dict | None,
                literal: list[str] = ()) -> dict:
    base = rss_mb()
    t0 = time.perf_counter()
    engine = open_engine(name, out)
    load_s = time.perf_counter() - t0
    loaded = rss_mb()
    subset_ids = [i for i in range(passages) if in_subset(i)]
    engine.set_subset(subset_ids)
    for q in qs[:5]:
        engine.search(q, K)
    result: dict = {"load_s": round(load_s, 2), "rss_loaded_mb": round(loaded - base, 1)}
    tantivy = name.startswith("tantivy")
    runs = {"": [], "subset": [], "subset-ids": []} if tantivy else {"": [], "subset": []}
    for kind in runs:
        arg = {"": False, "subset": True, "subset-ids": "ids"}[kind]
        if tantivy:
            arg = {"": "", "subset": "field", "subset-ids": "ids"}[kind]
        lat = []
        for q in qs:
            t = time.perf_counter()
            ranked = engine.search(q, K, arg)
            lat.append((time.perf_counter() - t) * 1000)
            runs[kind].append([i for i, _ in ranked])
        key = kind and "_" + kind.replace("-", "_")
        result[f"p50{key}_ms"] = round(float(np.percentile(lat, 50)), 2)
        result[f"p95{key}_ms"] = round(float(np.percentile(lat, 95)), 2)
    subset = set(subset_ids)
    result["subset_exact"] = all(i in subset for kind in runs if kind for run in runs[kind] for i in run)
    result["rss_end_mb"] = round(rss_mb() - base, 1)
    result["literal"] = [[i for i, _ in engine.search(q, 10)] for q in literal]
    result["runs"] = runs
    if name == "bm25s" and others is not None:
        result["overlap"] = overlap(engine, qs, {**others, "bm25s": runs})
    return result


def overlap(ref: Bm25s, qs: list[str], runs: dict[str, dict[str, list[list[int]]]]) -> dict:
    """Tie-aware recall@10 and @50 of each engine's runs against exact BM25 (``ref``): the share of the
    reference's top k that the engine returns, counting a tie at the k-th score as found."""
    found: dict[str, dict[str, list[float]]] = {}
    for n, q in enumerate(qs):
        scores = ref.scores(q)
        for kind, mask in (("", None), ("subset", ref.mask)):
            s = scores if mask is None else scores * mask
            for k in (10, 50):
                want = min(k, int((s > 0).sum()))
                if want == 0:
                    continue
                cut = np.partition(s, -want)[-want] - 1e-5
                for engine, engine_runs in runs.items():
                    got = engine_runs.get(kind, [])
                    if n >= len(got):
                        continue
                    hit = sum(1 for i in got[n][:k] if s[i] >= cut)
                    tail = kind and "_" + kind
                    found.setdefault(engine, {}).setdefault(f"recall@{k}{tail}", []).append(min(1.0, hit / want))
                    # graded: the reference scores of what the engine returned over the best possible
                    best = float(np.sort(s)[-want:].sum())
                    found[engine].setdefault(f"score_share@{k}{tail}", []).append(
                        float(sum(s[i] for i in got[n][:k])) / best)
    return {e: {m: round(float(np.mean(v)), 3) for m, v in sorted(ms.items())} for e, ms in found.items()}


def tantivy_update(out: Path, path: Path, changed: int = 100) -> dict:
    """A new generation of a built tantivy index with ``changed`` passages replaced: its immutable segment files
    hard-linked from the live one, the passages deleted by id and added again, one commit. The live generation
    is left as it was (its searcher still counts every passage once)."""
    import tantivy

    nxt = out.with_name(out.name + "-next")
    shutil.rmtree(nxt, ignore_errors=True)
    texts = dict(enumerate(itertools.islice(read_corpus(path), changed)))
    t0 = time.perf_counter()
    subprocess.run(["cp", "-al", str(out), str(nxt)], check=True)
    index = tantivy.Index.open(str(nxt))
    writer = index.writer(heap_size=64 * 2**20, num_threads=1)
    for i, (heading, text) in texts.items():
        # by query: delete_documents_by_term("id", i) deletes nothing on a u64 field (tantivy-py 0.27)
        writer.delete_documents_by_query(tantivy.Query.term_query(index.schema, "id", i))
        doc = tantivy.Document()
        doc.add_unsigned("id", i)
        doc.add_unsigned("subset", int(in_subset(i)))
        doc.add_text("text", heading + "\n" + text + " changed")
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - t0
    live = tantivy.Index.open(str(out))
    index.reload()
    new_bytes = sum(f.stat().st_size for f in nxt.rglob("*") if f.is_file() and f.stat().st_nlink == 1)
    row = {"changed": changed, "update_s": round(seconds, 2), "new_mb": round(new_bytes / 2**20, 2),
           "live_docs": live.searcher().num_docs, "next_docs": index.searcher().num_docs}
    shutil.rmtree(nxt)
    return row


# --- tokenisation ------------------------------------------------------------------------------------------

def probe_tokens() -> dict[str, dict[str, list[str]]]:
    """What each engine's tokenizer makes of references and money (what a query for them must match)."""
    out: dict[str, dict[str, list[str]]] = {}
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    for n, probe in enumerate(PROBES):
        conn.execute("INSERT INTO t(rowid, x) VALUES (?, ?)", [n, probe])
        fts = [r[0] for r in conn.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", [n])]
        out[probe] = {"fts5": fts, "ours": tokens(probe)}
    try:
        import tantivy

        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
                    .filter(tantivy.Filter.lowercase()).build())
        for probe in PROBES:
            out[probe]["tantivy"] = list(analyzer.analyze(probe))
    except (ImportError, AttributeError) as e:
        print(f"tantivy tokenizer not probed: {e}", file=sys.stderr)
    try:
        import bm25s

        for probe in PROBES:
            out[probe]["bm25s default"] = bm25s.tokenize([probe], stopwords=None, return_ids=False,
                                                         show_progress=False)[0]
    except ImportError:
        pass
    return out


# --- the driver --------------------------------------------------------------------------------------------

def literal_queries(path: Path) -> list[str]:
    """A decision number and a sum of money that the corpus prints, as a person would type them."""
    from eval.synthetic import number_of

    money = next(m.group(0) for heading, text in read_corpus(path) for m in re.finditer(r"£\d+\.\d+m", text))
    return [number_of(123), money]


def literal_precision(work: Path, passages: int, literal: list[str], runs: list[list[int]]) -> list[float]:
    """For each literal query, the passages of its top 10 whose text holds the literal string, over as many
    as could be (10, or fewer where fewer passages hold it)."""
    with sqlite3.connect(work / f"fts5-{passages}" / "fts.db") as conn:
        out = []
        for q, ids in zip(literal, runs):
            texts = [r[0] for r in conn.execute(
                f"SELECT heading || ' ' || text FROM passages WHERE id IN ({','.join('?' * len(ids))})", ids)]
            holding = conn.execute("SELECT count(*) FROM passages WHERE instr(heading || ' ' || text, ?) > 0",
                                   [q]).fetchone()[0]
            out.append(round(sum(q in t for t in texts) / max(1, min(10, holding)), 2))
        return out


def run(passages: int, query_count: int, work: Path, engines: tuple[str, ...] = ENGINES, say=print,
        reuse: bool = False) -> dict:
    path = corpus(passages, work, say)
    qs = queries(query_count)
    literal = literal_queries(path)
    (work / f"queries-{query_count}.json").write_text(json.dumps({"queries": qs, "literal": literal}))
    out: dict = {"passages": passages, "queries": len(qs), "k": K, "engines": {}, "tokens": probe_tokens()}
    built: set[str] = set()
    others: dict = {}
    for name in sorted(engines, key=lambda e: e == "bm25s"):  # the reference last: it scores the others
        store = store_of(name)
        d = work / f"{store}-{passages}"
        row: dict = {}
        if store not in built and reuse and (d / "built.json").exists():
            row.update(json.loads((d / "built.json").read_text()))
            built.add(store)
        elif store not in built:
            say(f"building {store} over {passages} passages")
            row.update(_child(["build", name, str(path), str(d)]))
            (d / "built.json").write_text(json.dumps(row))
            built.add(store)
        say(f"searching {name}")
        others_file = work / "runs.json"
        others_file.write_text(json.dumps(others))
        q = _child(["query", name, str(d), str(work / f"queries-{query_count}.json"), str(passages),
                    str(others_file)])
        others[name] = q.pop("runs")
        row.update(q)
        if (work / f"fts5-{passages}" / "fts.db").exists():
            row["literal_p@10"] = dict(zip(literal, literal_precision(work, passages, literal, row.pop("literal"))))
        if name == "fts5-all" and "fts5" in out["engines"]:
            row.update({k: v for k, v in out["engines"]["fts5"].items() if k in ("build_s", "disk_mb")})
        out["engines"][name] = row
        say(f"{name}: {json.dumps(row)}")
    if "fts5" in others and "fts5-all" in others:  # what dropping common words changes in FTS5's own ranking
        out["fts5_drop_vs_all"] = {
            f"overlap@{k}": round(float(np.mean([len(set(a[:k]) & set(b[:k])) / max(1, min(k, len(b)))
                                                 for a, b in zip(others["fts5"][""], others["fts5-all"][""])])), 3)
            for k in (10, 50)}
    return out


def _child(args: list[str]) -> dict:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "eval.keyword_engines", "--phase", *args], cwd=root,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def format_table(r: dict) -> str:
    lines = [f"{r['passages']} passages, {r['queries']} queries, k={r['k']}",
             "engine    build_s  disk_mb  rss_mb(loaded/end)  p50/p95 ms   filtered p50/p95 ms  "
             "R@10   R@50   R@10 filtered  share@10"]
    ref = r["engines"].get("bm25s", {}).get("overlap", {})
    for name, e in r["engines"].items():
        o = ref.get(name, {})
        lines.append(
            f"{name:<9} {e.get('build_s', ''):>7}  {e.get('disk_mb', ''):>7}  {e['rss_loaded_mb']:>8} / "
            f"{e['rss_end_mb']:<8}  {e['p50_ms']:>5} / {e['p95_ms']:<6} {e['p50_subset_ms']:>6} / "
            f"{e['p95_subset_ms']:<10}  {o.get('recall@10', '')!s:<6} {o.get('recall@50', '')!s:<6} "
            f"{o.get('recall@10_subset', '')!s:<14} {o.get('score_share@10', '')}")
        if "p50_subset_ids_ms" in e:
            lines.append(f"{'':<9} allowed ids passed in as a term set: {e['p50_subset_ids_ms']} / "
                         f"{e['p95_subset_ids_ms']} ms")
    for name, e in r["engines"].items():
        if "literal_p@10" in e:
            lines.append(f"{name}: top 10 holding the literal string (recall): {e['literal_p@10']}")
    if "fts5_drop_vs_all" in r:
        lines.append(f"fts5 (words dropped) against fts5-all: {r['fts5_drop_vs_all']}")
    for probe, engines in r["tokens"].items():
        lines.append(f"{probe!r}: " + "; ".join(f"{e} {t}" for e, t in engines.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--phase"]:
        phase, name, *rest = argv[1:]
        if phase == "update":
            print(json.dumps(tantivy_update(Path(rest[0]), Path(name))))
            return 0
        if phase == "build":
            print(json.dumps(phase_build(name, Path(rest[0]), Path(rest[1]))))
        else:
            others = json.loads(Path(rest[3]).read_text()) if name == "bm25s" else None
            qs = json.loads(Path(rest[1]).read_text())
            print(json.dumps(phase_query(name, Path(rest[0]), qs["queries"], int(rest[2]), others, qs["literal"])))
        return 0
    p = argparse.ArgumentParser(prog="python -m eval.keyword_engines", description=__doc__.split("\n")[0])
    p.add_argument("--passages", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--workdir", default=".councilqa/keyword-engines")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reuse", action="store_true", help="search the engines already built in --workdir")
    args = p.parse_args(argv)
    engines = tuple(e for e in args.engines.split(",") if e)
    if unknown := set(engines) - set(ENGINES):
        p.error(f"unknown engines {sorted(unknown)}: choose from {', '.join(ENGINES)}")
    say = lambda m: print(f"keyword_engines: {m}", file=sys.stderr, flush=True)  # noqa: E731
    r = run(args.passages, args.queries, Path(args.workdir), engines, say, args.reuse)
    print(json.dumps(r) if args.json else format_table(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
