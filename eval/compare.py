"""What two builds of one corpus must share, whatever executor made them (``index.executors``): used by the
tests of ``ingest --ray`` and by ``eval.ray_bench``, which checks the index it measures."""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import numpy as np

from index.build import current_generation

VECTOR_FILES = ("vectors.faiss", "sentence_vectors.npy", "decision_vectors.npy")  # equal to float rounding only

_SEGMENT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def index_contents(index_dir: Path) -> dict[str, str]:
    """The sha256 of every file of the live generation, by name. Tantivy names its segments by random ids,
    so a keyword segment is named by its place in ``keywords/meta.json`` and the ids are replaced in the files
    that list them; every other byte is compared as written."""
    gen = current_generation(index_dir)
    meta = json.loads((gen / "keywords" / "meta.json").read_text(encoding="utf-8"))
    names = {s["segment_id"].replace("-", ""): f"SEG{i}" for i, s in enumerate(meta["segments"])}

    def plain(text: str) -> str:
        return _SEGMENT.sub(lambda m: names.get(m.group(0).replace("-", ""), "UNLISTED"), text)

    out = {}
    for path in sorted(p for p in gen.rglob("*") if p.is_file()):
        name = plain(str(path.relative_to(gen)))
        data = path.read_bytes()
        if path.name == ".managed.json":
            data = json.dumps(sorted(plain(n) for n in json.loads(data))).encode()
        elif path.name in ("meta.json", "manifest.json"):
            data = plain(data.decode("utf-8")).encode()
            if path.name == "manifest.json":  # its checksums of the segment files and of meta.json: compared above
                manifest = json.loads(data)
                manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith("keywords/")}
                data = json.dumps(manifest, sort_keys=True).encode()
        out[name] = hashlib.sha256(data).hexdigest()
    return out


def passages(index_dir: Path) -> list[tuple]:
    """Every passage row as stored: id, document, label, text."""
    conn = sqlite3.connect(current_generation(index_dir) / "councilqa.sqlite")
    try:
        return conn.execute("SELECT p.id, d.path, p.label, p.text FROM passages p JOIN documents d "
                            "ON d.id = p.document_id ORDER BY p.id").fetchall()
    finally:
        conn.close()


def stored_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    """The passage vectors (by id order), sentence and decision vectors of the live generation."""
    import faiss

    gen = current_generation(index_dir)
    index = faiss.read_index(str(gen / "vectors.faiss"))
    return {"passages": np.stack([index.reconstruct(int(row[0])) for row in passages(index_dir)]),
            "sentences": np.load(gen / "sentence_vectors.npy", allow_pickle=False),
            "decisions": np.load(gen / "decision_vectors.npy", allow_pickle=False)}


def differences(a: Path, b: Path, atol: float = 1e-5) -> list[str]:
    """What differs between the indexes at ``a`` and ``b``: passages, files (vector files by value, to ``atol``)."""
    out = []
    if passages(a) != passages(b):
        out.append("passages differ (text, ids or order)")
    ca, cb = index_contents(a), index_contents(b)
    exact = {k for k in ca.keys() | cb.keys() if k not in VECTOR_FILES and k != "manifest.json"}
    out += [f"{name} differs" for name in sorted(exact) if ca.get(name) != cb.get(name)]
    if not out:
        va, vb = stored_vectors(a), stored_vectors(b)
        for name in va:
            if va[name].shape != vb[name].shape or not np.allclose(va[name], vb[name], atol=atol):
                out.append(f"{name} vectors differ beyond {atol}")
    return out


def max_vector_difference(a: Path, b: Path) -> float:
    va, vb = stored_vectors(a), stored_vectors(b)
    return max(float(np.abs(va[k] - vb[k]).max()) if len(va[k]) else 0.0 for k in va)
