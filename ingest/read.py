"""Read a file into raw text: detect its format by content, decode it, extract text from PDF/HTML/DOCX.

Formats: ``pdf``, ``html``, ``docx``, ``markdown``, ``text``. HTML and DOCX come out as light Markdown
(``#`` headings, ``-`` list items, tab-separated table rows) so one structuring step serves all formats.
Parsers of binary formats (PDF, DOCX) run in a child process under a time limit (see ``sandbox``); inside the
whole file's bounded parse (``ingest.bounded``, every ingest) they run in that parse's own child.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import UnreadableDocument

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RawText:
    text: str
    format: str  # pdf | html | docx | markdown | text


def sniff_format(data: bytes, suffix: str) -> str:
    """The format of ``data``, judged by content first and by the file's suffix second."""
    head = data[:8192]
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        return "docx"
    if suffix == ".pdf":
        return "pdf"  # a .pdf without a PDF header: the PDF reader reports it as damaged
    if suffix == ".docx":
        return "docx"
    lowered = head.lower().replace(b"\x00", b"")
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
        return "html"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown") or _looks_markdown(head):
        return "markdown"
    return "text"


def _looks_markdown(head: bytes) -> bool:
    """Markdown by content: several ``#`` headings or ``**bold**`` runs (Word reports converted to .txt)."""
    import re

    text = head.decode("utf-8", errors="ignore")
    headings = len(re.findall(r"(?m)^#{1,6} \S", text))
    bold = len(re.findall(r"\*\*[^*\n]+\*\*", text))
    return headings >= 2 or bold >= 3


def decode_text(data: bytes, path: str) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252. NUL bytes removed."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _binary_bytes(data):
        raise UnreadableDocument(path, "binary file: it holds no readable text")
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict") if _is_utf8(data[3:]) else None
        if text is None:
            raise UnreadableDocument(path, "starts with a UTF-8 mark but holds bytes that are not UTF-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(path, f"UTF-16 text is damaged near byte {exc.start}") from None
    elif _is_utf8(data):
        text = data.decode("utf-8")
    else:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(
                path,
                f"undecodable bytes: not UTF-8, UTF-16 or cp1252 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            ) from None
    text = text.replace("\x00", "")
    if _looks_binary(text):
        raise UnreadableDocument(path, "binary file: it holds no readable text")
    return text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _binary_bytes(data: bytes) -> bool:
    sample = data[:8192]
    control = len(sample.translate(None, _NOT_CONTROL))  # what is left once every other byte is deleted
    return control / max(1, len(sample)) > 0.05


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    return len(_CONTROL_CHARS.findall(sample)) / len(sample) > 0.05


def read_bytes(data: bytes, name: str, suffix: str = "", timeout_s: float = DEFAULT_TIMEOUT_S) -> RawText:
    if not data.strip(b" \t\r\n\x00"):
        raise UnreadableDocument(name, "file is empty")
    fmt = sniff_format(data, suffix)
    if fmt in ("pdf", "docx"):
        from ingest.sandbox import run_with_timeout

        func = "ingest.pdf:extract_pdf" if fmt == "pdf" else "ingest.docx:extract_docx"
        text = run_with_timeout(func, data, name, timeout_s)
        fmt = "pdf" if fmt == "pdf" else "markdown"
    elif fmt == "html":
        from ingest.html import html_to_markdown

        text = html_to_markdown(decode_text(data, name))
        fmt = "markdown"
    else:
        text = decode_text(data, name)
    if not text.strip():
        raise UnreadableDocument(name, "no text could be extracted (a scanned image or an empty document?)")
    return RawText(text=text, format=fmt)
