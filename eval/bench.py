"""``councilqa bench``: ingest and encode throughput, search latency, memory and re-ingest time at scale.

What it does, in order (every step is the real pipeline, on files in a temporary directory):

1. Writes synthetic decisions (``eval/synthetic.py``) until the corpus holds about ``passages`` passages.
2. Ingests the first ``sample`` passages' worth of files with the real model into a fresh index, and times it
   (reading, cleaning, splitting, storing, embedding, FAISS, manifest, atomic switch).
3. Encodes exactly the texts that ingest embedded (passages, then the sentences of each passage that the answers
   score: ``index.sentence_vectors``) with ``SentenceTransformer.encode`` alone, in the same process, before and
   after the ingest, and times that (the mean of the two). ``ratio`` is raw encode's time over ingest's for the
   same texts: what our pipeline costs on top. ``ingest_pps`` is passages a second, sentences included.
4. Ingests the rest of the corpus. Embedding 100,000 passages takes hours on two cores, so these passages
   reuse the sample's vectors plus small Gaussian noise (re-normalised), under the real model's id: the
   index, its size and its FAISS type are those of a real one; its vectors are not real embeddings.
5. Searches 200 queries (the gold questions and variants of them) through ``Searcher.search``, hybrid,
   query embedding included, and reports p50 and p95, of the whole search and of each stage (``STAGES``: the
   passages the filters allow, query embedding, dense, keyword, fusion, loading the passages shown). Then the
   same queries again with a maker and a date range (``FILTERED``), timed the same way.
6. Asks the same questions through ``Asker.ask`` (extractive answers, evidence, verified citations) and reports
   p50 and p95, each question's own cost: the query-vector cache is emptied before each, as ``councilqa eval`` does.
7. Starts a fresh process that loads the index and the model and answers one search, and reports its
   resident memory (VmRSS from /proc, else ru_maxrss).
8. Re-ingests the unchanged corpus and times it; it must embed nothing.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

KEYS = ["ingest_pps", "encode_pps", "ratio", "search_p50_ms", "search_p95_ms", "ask_p50_ms", "ask_p95_ms", "rss_mb",
        "reingest_s", "passages"]
# A filtered search as a person makes one: a maker's name and a range of years (one of twelve names on the
# adult social care records, five of the ten years: 2.8% of the synthetic documents, 2.4% of their passages).
FILTERED = {"decision_maker": "Priya Shah", "date_from": "2014-01-01", "date_to": "2018-12-31"}
NOISE = 0.05  # per-dimension sigma before re-normalising: cosine to the source vector about 0.6


@dataclass
class BenchResult:
    ingest_pps: float
    encode_pps: float
    ratio: float
    search_p50_ms: float
    search_p95_ms: float
    ask_p50_ms: float
    ask_p95_ms: float
    rss_mb: float
    reingest_s: float
    passages: int
    # context, printed and kept in --json under "details"
    sampled: int = 0
    sampled_sentences: int = 0
    reused: int = 0
    faiss_index: str = ""
    scale_build_s: float = 0.0
    reembedded: int = 0
    queries: int = 0
    asks_abstained: int = 0
    model: str = ""
    machine: str = ""
    stages: dict = field(default_factory=dict)  # stage -> {"p50_ms", "p95_ms"}, unfiltered hybrid search
    filtered_p50_ms: float = 0.0
    filtered_p95_ms: float = 0.0
    filtered_stages: dict = field(default_factory=dict)
    filtered_hits: float = 0.0  # mean hits a filtered search returned (0 would mean the filter matched nothing)
    backend: str = "embedded"  # or "postgres" (``--backend``)
    server_mb: float = 0.0  # postgres: the server's memory (proportional set size of its processes, shared memory
    # counted once), after the searches
    database_mb: float = 0.0  # postgres: pg_database_size after the scale build
    scale_pps: float = 0.0  # passages a second of the scale build (reused vectors: everything but embedding)

    def summary(self) -> dict:
        return {k: getattr(self, k) for k in KEYS}

    def to_json(self) -> dict:
        details = {k: v for k, v in asdict(self).items() if k not in KEYS}
        return {**self.summary(), "details": details}


class ReusedVectors:
    """An embedder that returns a sample vector plus noise, chosen by the text: for scale, not for quality."""

    def __init__(self, model_id: str, pool: np.ndarray, seed: int = 0) -> None:
        self.model_id, self.dim, self.pool = model_id, pool.shape[1], pool
        self.rng = np.random.default_rng(seed)
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        picks = np.array([zlib.crc32(t.encode()) % len(self.pool) for t in texts], dtype=np.int64)
        out = self.pool[picks] + self.rng.normal(0.0, NOISE, (len(texts), self.dim)).astype(np.float32)
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        mem_s = f", {mem:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        mem_s = ""
    return f"{platform.machine()} {platform.system()}, {cpus} cores{mem_s}, Python {platform.python_version()}"


def queries(count: int) -> list[str]:
    from eval.data import load_gold
    from eval.synthetic import SERVICES

    base = [q.text for q in load_gold()]
    out = []
    for i in range(count):
        q = base[i % len(base)]
        if i >= len(base):  # variants: the same question about another service
            q = f"{q} {SERVICES[i % len(SERVICES)]}"
        out.append(q)
    return out


def _files_for(passages: int, sample: int, directory: Path, say) -> tuple[list[Path], list[Path]]:
    """Synthetic files holding about ``passages`` passages, split at about ``sample`` passages."""
    from eval.synthetic import decisions
    from ingest.pipeline import parse_bytes

    directory.mkdir(parents=True, exist_ok=True)
    first, rest, total = [], [], 0
    for d in decisions(10**9, keep=1.0, seed=7):
        if total >= passages:
            break
        path = directory / ("sample" if total < sample else "rest") / d.name
        path.parent.mkdir(exist_ok=True)
        data = d.text.encode("utf-8")
        path.write_bytes(data)
        total += len(parse_bytes(data, str(path)).passages)
        (first if path.parent.name == "sample" else rest).append(path)
    say(f"wrote {len(first) + len(rest)} synthetic decisions, about {total} passages")
    return first, rest


def _sample_texts(paths: list[Path]) -> list[str]:
    """What ingest will embed for these files: each distinct passage input, then each distinct sentence of the
    passages (``index.sentence_vectors``), parsed once here, untimed."""
    from index.embed import embed_input
    from index.sentences import sentence_texts
    from ingest.pipeline import parse_all
    from ingest.records import ParsedDocument

    passages = [p for d in parse_all(paths) if isinstance(d, ParsedDocument) for p in d.passages]
    texts = [embed_input(p.heading, p.text) for p in passages]
    texts += [s for p in passages for s in sentence_texts(p.text)]
    return list(dict.fromkeys(texts))


def _encode_seconds(embedder, texts: list[str]) -> float:
    raw = getattr(embedder, "model", None)
    t0 = time.perf_counter()
    if raw is not None:
        raw.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    else:  # hash embedders have no model: time their embed()
        embedder.embed(texts)
    return time.perf_counter() - t0


def _ask_latencies(searcher, questions: list[str]) -> tuple[list[float], int]:
    """Milliseconds each question takes through ``Asker.ask``, warm (model, index and decisions loaded), and how
    many abstained (an abstention skips choosing sentences, so it is cheaper: the count says how many)."""
    from qa.ask import Asker

    asker = Asker(searcher)
    for q in questions[:5]:
        asker.ask(q)
    out, abstained = [], 0
    for q in questions:
        searcher.query_vectors.clear()  # each question's own cost, not helped by the one before
        t0 = time.perf_counter()
        abstained += asker.ask(q).abstained
        out.append((time.perf_counter() - t0) * 1000)
    return out, abstained


def _timed_searches(searcher, qs: list[str], filters) -> tuple[list[float], dict[str, list[float]], float]:
    """Milliseconds of each hybrid search (k=10), the milliseconds of each stage, and the mean hit count. The
    query-vector cache is emptied before each search, so each query pays for its own embedding (the filtered
    pass repeats the unfiltered pass's queries)."""
    from index.search import STAGES

    total, stages, hits = [], {stage: [] for stage in STAGES}, 0
    for q in qs:
        searcher.query_vectors.clear()
        timings: dict = {}
        t0 = time.perf_counter()
        hits += len(searcher.search(q, k=10, filters=filters, timings=timings))
        total.append((time.perf_counter() - t0) * 1000)
        for stage in STAGES:
            stages[stage].append(timings[stage] * 1000)
    return total, stages, hits / max(1, len(qs))


def _percentiles(stages: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {stage: {"p50_ms": _p(ms, 50), "p95_ms": _p(ms, 95)} for stage, ms in stages.items()}


def _p(ms: list[float], q: int) -> float:
    return round(float(np.percentile(ms, q)), 2) if ms else 0.0


def rss_of_loaded_index(index_dir: Path, model: str) -> float:
    """Resident MiB of a fresh process with the index and model loaded, after one search."""
    code = (
        "import sys, resource\n"
        "from pathlib import Path\n"
        "from index.backends import open_searcher\n"
        "s = open_searcher(Path(sys.argv[1]), model=sys.argv[2]); s.search('total forecast spend', k=10)\n"
        "rss = 0\n"
        "try:\n"
        "    rss = int([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]) / 1024\n"
        "except OSError:\n"
        "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(rss)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code, str(index_dir), model], capture_output=True, text=True,
                         cwd=root, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run(passages: int = 100_000, sample: int = 2_000, model: str = "minilm", query_count: int = 200,
        workdir: Path | None = None, say: Callable[[str], None] = print, backend: str = "embedded",
        database: str | None = None) -> BenchResult:
    """``backend``: "embedded" (an index directory) or "postgres": the database at ``database``, else one of a
    server the bench starts in its work directory (``index.backends.postgres.server.BENCH_SETTINGS``)."""
    from contextlib import ExitStack

    sample = min(sample, passages)
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="councilqa-bench-")) if own else workdir
    work.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            index_dir = work / "index"
            if backend == "postgres":
                index_dir = stack.enter_context(_database(work, database, say))
            else:
                shutil.rmtree(index_dir, ignore_errors=True)
            return _run(index_dir, passages, sample, model, query_count, work, say, backend)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def _database(work: Path, url: str | None, say):
    """The bench's database: a new one on the server of ``url``, else on a server started in ``work``."""
    from contextlib import contextmanager

    from index import backends
    from index.backends.postgres import server

    @contextmanager
    def opened():
        import os

        os.environ.setdefault(backends.STATE_ENV, str(work / "state"))
        if url:
            yield backends.resolve(server.create_database(url, f"bench_{int(time.time())}"))
            return
        with server.temporary(server.BENCH_SETTINGS, parent=work) as root:
            say(f"a PostgreSQL server of the bench's own in {work}: {server.BENCH_SETTINGS}")
            yield backends.resolve(server.create_database(root, "bench"))

    return opened()


def _run(index_dir: Path, passages: int, sample: int, model: str, query_count: int, work: Path, say,
         backend: str) -> BenchResult:
    from index.backends import build, open_searcher
    from index.embed import load_embedder
    from index.filters import Filters

    first, rest = _files_for(passages, sample, work / "corpus", say)

    embedder = load_embedder(model)
    embedder.embed(["warm up the model before anything is timed"])

    # Raw encode is timed before and after the ingest and averaged, so drift in the machine's speed
    # (other work on two shared cores) does not land on one side of the ratio.
    texts = _sample_texts(first)
    encode_s_before = _encode_seconds(embedder, texts)
    say("ingesting the sample with the real model")
    t0 = time.perf_counter()
    report = build(first, index_dir, embedder, model)
    ingest_s = time.perf_counter() - t0
    ingest_pps = report.embedded / ingest_s

    say(f"encoding the same {len(texts)} texts with SentenceTransformer.encode alone, again")
    encode_s = (encode_s_before + _encode_seconds(embedder, texts)) / 2

    reused = 0
    scale_s = 0.0
    if rest:
        searcher = open_searcher(index_dir, embedder=embedder)
        pool = searcher.vectors_of([r[0] for r in searcher.conn.execute("SELECT id FROM passages")])
        searcher.close()
        filler = ReusedVectors(embedder.model_id, pool)
        say(f"ingesting the other {len(rest)} files, reusing sample vectors with noise")
        t0 = time.perf_counter()
        scaled = build(first + rest, index_dir, filler, model, progress=lambda m: None)
        scale_s = time.perf_counter() - t0
        reused = scaled.embedded  # passages; their sentences reuse vectors too (filler.calls counts both)
        say(f"scale build: {scale_s:.1f} s")

    searcher = open_searcher(index_dir, embedder=embedder)
    total = searcher.passage_count()
    qs = queries(query_count)
    for q in qs[:5]:
        searcher.search(q, k=10)
    say(f"searching {len(qs)} queries over {total} passages")
    lat, stages, _ = _timed_searches(searcher, qs, Filters())
    say(f"searching them again with a maker and a date range ({FILTERED})")
    flat, fstages, fhits = _timed_searches(searcher, qs, Filters(**FILTERED))
    say(f"asking {len(qs)} questions over {total} passages")
    ask_lat, abstained = _ask_latencies(searcher, qs)
    kind = searcher.manifest.get("faiss_index", "")
    from eval.pgmemory import server_memory

    server_mb, database_mb = server_memory(searcher) if backend == "postgres" else (0.0, 0.0)
    searcher.close()

    say("measuring the memory of a process with the index loaded")
    rss = rss_of_loaded_index(index_dir, model)

    say("re-ingesting the unchanged corpus")
    t0 = time.perf_counter()
    again = build(first + rest, index_dir, embedder, model)
    reingest_s = time.perf_counter() - t0

    return BenchResult(
        ingest_pps=round(ingest_pps, 1), encode_pps=round(len(texts) / encode_s, 1),
        ratio=round(encode_s / ingest_s, 3),
        search_p50_ms=round(float(np.percentile(lat, 50)), 1), search_p95_ms=round(float(np.percentile(lat, 95)), 1),
        ask_p50_ms=round(float(np.percentile(ask_lat, 50)), 1),
        ask_p95_ms=round(float(np.percentile(ask_lat, 95)), 1),
        rss_mb=round(rss, 1), reingest_s=round(reingest_s, 2), passages=total, sampled=report.embedded,
        sampled_sentences=report.embedded_sentences, reused=reused, faiss_index=kind,
        scale_build_s=round(scale_s, 1), reembedded=again.embedded + again.embedded_sentences,
        queries=len(qs), asks_abstained=abstained, model=embedder.model_id, machine=machine(),
        stages=_percentiles(stages), filtered_p50_ms=_p(flat, 50), filtered_p95_ms=_p(flat, 95),
        filtered_stages=_percentiles(fstages), filtered_hits=round(fhits, 2), backend=backend,
        server_mb=server_mb, database_mb=database_mb,
        scale_pps=round((total - report.passages) / scale_s, 1) if scale_s else 0.0,
    )


def format_result(r: BenchResult) -> str:
    lines = [
        f"backend            {r.backend}",
        f"machine            {r.machine}",
        f"model              {r.model}",
        f"passages           {r.passages} ({r.sampled} embedded for real, {r.reused} reuse sample vectors with noise)",
        f"ingest             {r.ingest_pps} passages/s (the whole pipeline, on the {r.sampled} sample passages and"
        f" their {r.sampled_sentences} sentences)",
        f"encode             {r.encode_pps} texts/s (SentenceTransformer.encode alone, the same passages and"
        " sentences)",
        f"ratio              {r.ratio} (raw encode's time over ingest's, same texts; target >= 0.9)",
        f"search p50 / p95   {r.search_p50_ms} / {r.search_p95_ms} ms over {r.queries} queries, hybrid,"
        f" query embedding included, FAISS {r.faiss_index} (target p50 <= 50 ms)",
        f"ask p50 / p95      {r.ask_p50_ms} / {r.ask_p95_ms} ms over the same {r.queries} questions, warm, extractive"
        f" answers with citations verified, {r.asks_abstained} abstained (target p50 <= 150 ms)",
        f"memory             {r.rss_mb} MiB resident: a fresh process with the index and the model loaded"
        + (f"; the PostgreSQL server {r.server_mb} MiB (PSS), the database {r.database_mb} MiB on disk"
           if r.backend == "postgres" else ""),
        f"re-ingest          {r.reingest_s} s for the unchanged corpus, {r.reembedded} passages or sentences"
        " re-embedded",
        f"scale build        {r.scale_build_s} s to add the other passages (reused vectors: no embedding),"
        f" {r.scale_pps} passages/s",
        f"filtered p50 / p95 {r.filtered_p50_ms} / {r.filtered_p95_ms} ms, the same queries, hybrid, maker"
        f" {FILTERED['decision_maker']!r} from {FILTERED['date_from']} to {FILTERED['date_to']}"
        f" ({r.filtered_hits} hits a search on average)",
    ]
    if r.stages:
        lines.append("stages p50 / p95   ms   unfiltered        filtered")
        for stage, ms in r.stages.items():
            f = r.filtered_stages.get(stage, {"p50_ms": 0.0, "p95_ms": 0.0})
            lines.append(f"  {stage:<16} {ms['p50_ms']:>8} / {ms['p95_ms']:<8} {f['p50_ms']:>8} / {f['p95_ms']}")
    return "\n".join(lines)


def main_json(r: BenchResult) -> str:
    return json.dumps(r.to_json())
