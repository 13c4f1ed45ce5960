"""What every ``councilqa`` command shares: the exit codes, the default index and how an ``--index`` value opens.

Re-exported by ``ui.cli``, which the other ``ui.cli_*`` modules import them from.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INDEX = ".councilqa/index"
EXIT_OK, EXIT_USAGE, EXIT_PARTIAL, EXIT_ALL_FAILED = 0, 2, 3, 4


def _index_dir(value: str | None) -> Path:
    """The index: a directory, or a database URL (``postgresql://...``) as its local directory (index.backends)."""
    from index.backends import resolve

    return resolve(value or os.environ.get("COUNCILQA_INDEX") or DEFAULT_INDEX)


def _open_store(index_dir: Path):
    from index.backends import open_store

    return open_store(index_dir)
