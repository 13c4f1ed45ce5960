"""``manifest.json``: what a generation holds and the sha256 of each file, checked before anything is read."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from index.errors import IndexCorrupt, ModelMismatch

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write(
    gen_dir: Path, model_id: str, dim: int, counts: dict[str, int], files: list[str], index_type: str,
    model_spec: str = "",
) -> dict:
    manifest = {
        "model_spec": model_spec,
        "format_version": FORMAT_VERSION,
        "model": model_id,
        "dimension": dim,
        "normalised": True,
        "metric": "inner_product",
        "faiss_index": index_type,
        "counts": counts,
        "files": {name: sha256_file(gen_dir / name) for name in files},
    }
    path = gen_dir / MANIFEST
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    return manifest


def read_and_verify(gen_dir: Path, model_id: str | None = None, dim: int | None = None) -> dict:
    path = gen_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(str(path), f"manifest unreadable ({exc})") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorrupt(str(path), f"format version {manifest.get('format_version')} is not {FORMAT_VERSION}")
    for name, digest in manifest.get("files", {}).items():
        file = gen_dir / name
        if not file.exists():
            raise IndexCorrupt(str(file), "file is missing")
        if sha256_file(file) != digest:
            raise IndexCorrupt(str(file), "checksum does not match the manifest (changed or damaged)")
    if model_id is not None and manifest["model"] != model_id:
        raise ModelMismatch(manifest["model"], model_id)
    if dim is not None and manifest["dimension"] != dim:
        raise ModelMismatch(f"{manifest['model']} ({manifest['dimension']}-d)", f"{model_id} ({dim}-d)")
    return manifest
