"""Helpers of the hostile suite (imported by its tests; fixtures live in conftest.py)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from index.embed import HashEmbedder

EMB = HashEmbedder(384)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """The councilqa command in-process: (exit code, stdout, stderr); argparse's own usage errors included."""
    from ui.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def fingerprint(index_dir: Path) -> dict[str, str]:
    """sha256 of every file under the index directory: equal before and after means byte-identical."""
    return {str(p.relative_to(index_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(index_dir.rglob("*")) if p.is_file()}
