"""Ingest files into an index directory: parse outside the lock's critical section, write one by one."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.pipeline import parse_all
from ingest.records import Failure, ParsedDocument
from index.lock import writer_lock
from index.store import DB_NAME, Store


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # duplicates: not errors
    failed: list[Failure] = field(default_factory=list)
    passages: int = 0

    @property
    def documents(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged)


def ingest_paths(
    paths: Iterable[Path],
    index_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    with writer_lock(index_dir), Store(index_dir / DB_NAME) as store:
        for item in parse_all(paths):
            if isinstance(item, Failure):
                report.failed.append(item)
                if progress:
                    progress(f"failed: {item.path}: {item.reason}")
                continue
            result = store.write(item)
            _record(report, item, result.outcome, result.detail)
            if progress:
                progress(f"{result.outcome}: {item.path}")
    return report


def _record(report: IngestReport, doc: ParsedDocument, outcome: str, detail: str) -> None:
    if outcome == "duplicate":
        report.skipped.append(Failure(doc.path, detail))
        return
    getattr(report, outcome).append(doc.path)
    report.passages += len(doc.passages)
