"""Text from a Word .docx with the standard library: paragraphs, headings as ``#``, tables as tab rows."""
from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from ingest.errors import UnreadableDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_XML_BYTES = 50 * 1024 * 1024


def extract_docx(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                info = zf.getinfo("word/document.xml")
            except KeyError:
                raise UnreadableDocument("", "a ZIP file that is not a Word document") from None
            if info.file_size > MAX_XML_BYTES:
                raise UnreadableDocument("", "Word document body is too large to read safely")
            xml = zf.read(info)
    except zipfile.BadZipFile:
        raise UnreadableDocument("", "damaged or truncated Word document") from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise UnreadableDocument("", f"damaged Word document ({exc})") from None
    body = root.find(f"{W}body")
    if body is None:
        return ""
    blocks: list[str] = []
    for el in body:
        if el.tag == f"{W}p":
            text = _para_text(el)
            if text.strip():
                blocks.append(_heading_prefix(el) + text)
        elif el.tag == f"{W}tbl":
            rows = ["\t".join(_para_text(c).strip() for c in tr.iter(f"{W}tc")) for tr in el.iter(f"{W}tr")]
            blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


def _para_text(el) -> str:
    parts = []
    for node in el.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)


def _heading_prefix(el) -> str:
    style = el.find(f"{W}pPr/{W}pStyle")
    name = (style.get(f"{W}val") or "") if style is not None else ""
    if name.lower().startswith("heading") and name[-1:].isdigit():
        return "#" * min(int(name[-1]), 6) + " "
    if name.lower() == "title":
        return "# "
    return ""
