"""Corpora for the tests of ``index.executors`` (what two builds must share: ``eval.compare``)."""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import make_pdf
from eval.compare import index_contents, passages, stored_vectors  # noqa: F401 - re-exported for the tests


def bad_and_good(corpus: Path) -> None:
    """Files that fail, each for its own reason, among the sample's good ones and a good PDF (as ``test_cli``)."""
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (corpus / "bad.txt").write_bytes(b"caf\xe9 \x81\x8d")
    (corpus / "provenance.jsonl").write_text('{"url": "https://example.org/"}\n', encoding="utf-8")
    make_pdf(corpus / "locked.pdf", ["DECISION NO: 23/00001"], password="pw")
    make_pdf(corpus / "good.pdf", ["DECISION NO: 23/00002", "Title of Decision: Bus Shelters"])


def copy_sample(sample: Path, to: Path) -> Path:
    shutil.copytree(sample, to)
    return to
