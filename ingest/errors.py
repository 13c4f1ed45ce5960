"""Domain errors of ingestion. The CLI and the UI turn them into one sentence for a person."""
from __future__ import annotations


class IngestError(Exception):
    """Base class of everything ingest raises on purpose."""


class UnreadableDocument(IngestError):
    """A file that cannot be turned into text; ``reason`` says why in words a person can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
