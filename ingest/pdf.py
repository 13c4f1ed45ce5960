"""Text from a PDF with pypdf. Called inside the sandbox child (see ``ingest.sandbox``)."""
from __future__ import annotations

import io
import re
from collections import Counter

from ingest.errors import UnreadableDocument

_DIGITS = re.compile(r"\d+")
_PAGE_OF = re.compile(r"^\s*(page\s+)?\d{1,4}(\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)


def extract_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises several types for unsupported encryption
                ok = 0
            if not ok:
                raise UnreadableDocument("", "encrypted PDF: it needs a password to open")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise UnreadableDocument("", f"damaged or truncated PDF ({exc})") from None
    if not pages:
        raise UnreadableDocument("", "damaged or truncated PDF (no pages)")
    return "\f".join(strip_page_furniture(pages))


def strip_page_furniture(pages: list[str]) -> list[str]:
    """Drop running headers/footers (the same first or last line on most pages) and bare page numbers."""
    if len(pages) < 3:
        return [_drop_page_numbers(p) for p in pages]
    edges: Counter[str] = Counter()
    for page in pages:
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        for line in {lines[0], lines[-1]} if lines else ():
            edges[_DIGITS.sub("#", line)] += 1
    furniture = {key for key, n in edges.items() if n >= max(3, len(pages) // 2)}
    cleaned = []
    for page in pages:
        lines = page.splitlines()
        kept = [ln for ln in lines if _DIGITS.sub("#", ln.strip()) not in furniture]
        cleaned.append(_drop_page_numbers("\n".join(kept)))
    return cleaned


def _drop_page_numbers(page: str) -> str:
    lines = page.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _PAGE_OF.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)
