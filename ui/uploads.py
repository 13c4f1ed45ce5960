"""The app's "Add documents": uploaded files copied under safe names into the upload folder and ingested, one
result row a file. Only reachable when the app is served with ``--allow-upload`` (``ui.guard`` closes Gradio's
upload route otherwise)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.services import Services

UPLOAD_TYPES = [".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"]
MAX_UPLOAD_FILES = 50
UPLOAD_BUDGET = 5_000  # passages one batch of added files may make: about two minutes of embedding on two cores


def _safe_name(name: str) -> str:
    name = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "document"
    return name[-120:]


def add_documents(services: Services, files: list[str] | None, progress=None) -> list[list[str]]:
    """Copy uploaded files into the upload folder and ingest them; one row per file: name, result, detail.

    A file with the name of one added before is a new version of it and replaces it in the index. The index
    switches to the new generation when the build completes; searches keep using the old one until then.
    """
    from index.backends import build
    from index.embed import DEFAULT_MODEL, load_embedder
    from index.errors import IndexError_, IndexNotFound

    if services.upload_dir is None:
        return [["", "refused", "adding documents is switched off (councilqa serve --allow-upload)"]]
    files = list(files or [])
    if not files:
        return []
    if len(files) > MAX_UPLOAD_FILES:
        return [["", "refused", f"{len(files)} files: add at most {MAX_UPLOAD_FILES} at a time"]]
    say = progress or (lambda *_a, **_k: None)
    services.upload_dir.mkdir(parents=True, exist_ok=True)
    targets: dict[str, str] = {}
    refused = []
    for f in files:
        src, name = Path(str(f)), _safe_name(str(f))
        if src.is_symlink() or not src.is_file():
            refused.append([name, "refused", "not a regular file"])
            continue
        dest = services.upload_dir / name
        shutil.copyfile(src, dest, follow_symlinks=False)
        targets[str(dest)] = dest.name
    if not targets:
        return refused
    say(0.05, desc="loading the model")
    try:
        searcher = services.asker().searcher
        embedder, spec = searcher.embedder, searcher.manifest.get("model_spec") or DEFAULT_MODEL
    except IndexNotFound:
        spec = services.model or DEFAULT_MODEL
        embedder = load_embedder(spec)
    done = [0]

    def step(message: str) -> None:
        if message.startswith(("added", "replaced", "unchanged", "duplicate", "failed")):
            done[0] += 1
            say(0.1 + 0.4 * done[0] / len(targets), desc=f"read {done[0]}/{len(targets)} files")
        elif message.startswith("embedded "):
            n, _, total = message.split()[1].partition("/")
            say(0.5 + 0.3 * int(n) / max(1, int(total)), desc=f"embedding passages: {message.split()[1]}")
        elif message.startswith("sentences embedded "):
            n, _, total = message.split()[2].partition("/")
            say(0.8 + 0.2 * int(n) / max(1, int(total)), desc=f"embedding sentences: {message.split()[2]}")

    try:
        report = build([Path(p) for p in targets], services.index_dir, embedder, spec, progress=step,
                       budget=UPLOAD_BUDGET)
    except IndexError_ as exc:
        return refused + [[name, "not added", str(exc)] for name in targets.values()]
    outcome = {p: ("added", "") for p in report.added}
    outcome |= {p: ("replaced", "a new version of a file added before") for p in report.replaced}
    outcome |= {p: ("unchanged", "already in the index") for p in report.unchanged}
    outcome |= {f.path: ("skipped", f.reason) for f in report.skipped}
    outcome |= {f.path: ("failed", f.reason) for f in report.failed}
    return refused + [[name, *_outcome_of(path, outcome)] for path, name in targets.items()]


def _outcome_of(path: str, outcome: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """A file's result; a page of several decisions is stored as ``PATH#n`` parts, reported together."""
    if path in outcome:
        return outcome[path]
    parts = [v for k, v in outcome.items() if k.startswith(path + "#")]
    if not parts:
        return "failed", "not read"
    kinds = {kind for kind, _ in parts}
    kind = "added" if "added" in kinds else "replaced" if "replaced" in kinds else sorted(kinds)[0]
    return kind, f"{len(parts)} decisions on one page"
