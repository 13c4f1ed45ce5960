"""One file in, one ``ParsedDocument`` out; folders walked; bad files reported, never fatal."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.chunk import passages
from ingest.clean import clean
from ingest.errors import UnreadableDocument
from ingest.metadata import extract
from ingest.read import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, read_bytes
from ingest.records import Failure, ParsedDocument, Unchanged
from ingest.structure import paragraphs

_SKIP_NAMES = ("readme", "license", "licence", "changelog")
# Raised whenever parsing changes what is stored from the same bytes (a title, a label, a paragraph): an index
# built by another version reads every file again (``index.build``); its vectors come back from the cache.
# 2: a title is one paragraph (2026-11-23).
INGEST_VERSION = 2


def parse_bytes(data: bytes, path: str, max_chars: int = 1000, timeout_s: float = DEFAULT_TIMEOUT_S) -> ParsedDocument:
    raw = read_bytes(data, path, Path(path).suffix.lower(), timeout_s)
    cleaned = clean(raw.text, raw.format)
    paras = paragraphs(cleaned)
    if not paras:
        raise UnreadableDocument(path, "no paragraphs of text were found in it")
    return ParsedDocument(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        format=raw.format,
        text=cleaned.text,
        meta=extract(cleaned.text, paras),
        paragraphs=tuple(paras),
        passages=tuple(passages(paras, max_chars)),
    )


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(name, f"cannot be opened ({exc.strerror})") from None
    if size > max_bytes:
        raise UnreadableDocument(name, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(name, f"cannot be read ({exc.strerror})") from None


def parse_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, timeout_s: float = DEFAULT_TIMEOUT_S) -> ParsedDocument:
    return parse_bytes(read_file(path, max_bytes), str(path), timeout_s=timeout_s)


def walk(paths: Iterable[Path]) -> Iterator[Path | Failure]:
    """Files named, and files in folders named (hidden files and README/LICENSE files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    if not child.name.lower().startswith(_SKIP_NAMES):
                        yield child
        elif path.is_file():
            yield path
        else:
            yield Failure(str(path), "no such file or folder")


def parse_all(
    paths: Iterable[Path],
    known: Callable[[str, str], bool] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Iterator[ParsedDocument | Failure | Unchanged]:
    """Every file under ``paths``, parsed. ``known(path, sha256)`` says a file is already stored with these
    bytes: it is not parsed again (re-reading an unchanged corpus costs a hash per file, not a parse)."""
    for item in walk(paths):
        if isinstance(item, Failure):
            yield item
            continue
        try:
            data = read_file(item, max_bytes)
            if known is not None and known(str(item), hashlib.sha256(data).hexdigest()):
                yield Unchanged(str(item))
                continue
            yield parse_bytes(data, str(item), timeout_s=timeout_s)
        except UnreadableDocument as exc:
            yield Failure(str(item), exc.reason)
