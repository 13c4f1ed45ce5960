"""Ray ingest throughput against the single-process path: ``python -m eval.ray_bench [--ray ADDRESS]``.

One synthetic corpus (``eval.synthetic``, as ``councilqa bench`` writes it: about ``--passages`` passages), one
model, two builds into fresh index directories, each with an empty embedding cache, so each embeds every text:

1. **one process**: ``index.build.build`` as ``councilqa ingest`` runs it;
2. **Ray**: the same build with ``index.ray_pool.ray_executor`` (a new local cluster, or the cluster at
   ``--ray ADDRESS``: GPU workers where it has GPUs); starting the cluster is timed apart.

Passages/s is passages written over the build's wall time: reading, parsing, storing, loading the model (in one
process; in each embedding worker), embedding passages, sentences and decision texts, FAISS, the keyword index,
the manifest and the switch, all of it, as a person running ``councilqa ingest`` waits for it (``councilqa
bench``'s ``ingest_pps`` is the same ratio, its model loaded beforehand). Then the two indexes are compared
(``eval.compare``): the same passages and ids, every file the same bytes except the vector files, whose vectors
must agree to 1e-5.

The machine is shared: the load average is printed before and after each build. On a GPU cluster run it as it
is, with ``--ray ADDRESS`` (``--no-single`` skips the one-process build there, whose figure is that machine's CPU).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _corpus(passages: int, folder: Path, say) -> list[Path]:
    from eval.bench import _files_for

    if not (folder / "sample").is_dir():  # written once per workdir: a rerun measures the same files
        _files_for(passages, passages, folder, say)
    return sorted((folder / "sample").glob("*"))


def _build(files: list[Path], index_dir: Path, embedder, spec: str, executor=None) -> tuple[float, object]:
    from index.build import build

    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    report = build(files, index_dir, embedder, spec, executor=executor)
    return time.perf_counter() - t0, report


def _figures(seconds: float, report, load: tuple[float, float]) -> dict:
    texts = report.embedded + report.embedded_sentences + report.embedded_decisions
    return {"build_s": round(seconds, 1), "passages": report.passages,
            "passages_per_s": round(report.passages / seconds, 1), "texts_embedded": texts,
            "texts_per_s": round(texts / seconds, 1),
            "load_before": round(load[0], 2), "load_after": round(load[1], 2)}


def run(passages: int = 10_000, model: str = "minilm", address: str | None = None, single: bool = True,
        workdir: Path | None = None, embed_workers: int | None = None,
        say: Callable[[str], None] = print, ray_first: bool = False) -> dict:
    from eval.bench import machine
    from eval.compare import differences, max_vector_difference
    from index.embed import load_embedder
    from index.ray_pool import ray_executor

    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="councilqa-ray-bench-")) if own else workdir
    out: dict = {"machine": machine(), "model": model, "ray_address": address or "local",
                 "order": "ray first" if ray_first else "one process first"}
    try:
        files = _corpus(passages, work / "corpus", say)
        out["files"] = len(files)

        def one_process() -> None:
            say(f"one process: ingesting {len(files)} files")
            before = os.getloadavg()[0]
            seconds, report = _build(files, work / "one", load_embedder(model), model)
            out["single"] = _figures(seconds, report, (before, os.getloadavg()[0]))
            say(f"one process: {out['single']}")

        if single and not ray_first:
            one_process()
        t0 = time.perf_counter()
        pool_options = {"embed_workers": embed_workers} if embed_workers else {}
        with ray_executor(address, say, **pool_options) as executor:
            start_s = time.perf_counter() - t0
            say(f"ray: ingesting {len(files)} files")
            before = os.getloadavg()[0]
            # the model is never loaded in this process: its id names it, the workers load it
            seconds, report = _build(files, work / "ray", load_embedder(model), model, executor)
            out["ray"] = {**_figures(seconds, report, (before, os.getloadavg()[0])), "start_s": round(start_s, 1),
                          **executor.pool.describe()}
        say(f"ray: {out['ray']}")
        if single and ray_first:
            one_process()
        if single:
            out["speedup"] = round(out["ray"]["passages_per_s"] / out["single"]["passages_per_s"], 2)
            out["differences"] = differences(work / "one", work / "ray")
            out["max_vector_difference"] = max_vector_difference(work / "one", work / "ray")
        return out
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def format_result(r: dict) -> str:
    lines = [f"machine      {r['machine']}", f"model        {r['model']}", f"ray cluster  {r['ray_address']}",
             f"corpus       {r['files']} synthetic decisions, {r['order']}"]
    rows = [("one process", r.get("single")), ("ray", r.get("ray"))]
    lines.append(f"{'':12} {'passages':>9} {'build s':>8} {'passages/s':>11} {'texts':>7} {'texts/s':>8} "
                 f"{'start s':>8} {'load':>11}")
    for name, f in rows:
        if f:
            start = f.get("start_s", "")
            lines.append(f"{name:12} {f['passages']:>9,} {f['build_s']:>8} {f['passages_per_s']:>11} "
                         f"{f['texts_embedded']:>7,} {f['texts_per_s']:>8} {start:>8} "
                         f"{f['load_before']:>5}->{f['load_after']:<5}")
    ray = r["ray"]
    lines.append(f"ray resources: {ray['cpus']} CPUs, {ray['gpus']} GPUs, {ray['embed_workers']} embedding workers")
    if "speedup" in r:
        lines.append(f"ray / one process: {r['speedup']}x passages/s")
        same = "identical" if not r["differences"] else "DIFFERENT: " + "; ".join(r["differences"])
        lines.append(f"indexes: {same} (vectors: max difference {r['max_vector_difference']:.2e})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.ray_bench", description=__doc__.splitlines()[0])
    p.add_argument("--passages", type=int, default=10_000, help="size of the synthetic corpus (default 10000)")
    p.add_argument("--model", default="minilm", help="embedding model (default minilm)")
    p.add_argument("--ray", metavar="ADDRESS", help="a Ray cluster's address (default: a new local cluster)")
    p.add_argument("--no-single", action="store_true", help="skip the one-process build (on a GPU cluster)")
    p.add_argument("--ray-first", action="store_true", help="build on Ray first (the machine's load drifts: run both "
                   "orders)")
    p.add_argument("--embed-workers", type=int, help="cap the embedding workers (default: one per GPU, else CPU)")
    p.add_argument("--workdir", help="keep the corpus and both indexes here (default: a temporary directory)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    say = lambda msg: print(f"ray_bench: {msg}", file=sys.stderr, flush=True)  # noqa: E731
    result = run(args.passages, args.model, args.ray, not args.no_single,
                 Path(args.workdir) if args.workdir else None, args.embed_workers, say, args.ray_first)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
