"""Text from people made safe for every layer below: SQLite, FTS5, the tokenizer, a terminal."""
from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls (NUL included), lone surrogates (how Python carries undecodable command-line bytes),
# the replacement character and a stray byte-order mark.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufeff]")


def sanitise(text: str) -> str:
    """``text`` with control characters, lone surrogates and U+FFFD as spaces, in NFC, whitespace collapsed.
    Idempotent and total: any ``str`` comes back as a ``str`` that SQLite, FTS5 and the tokenizer accept."""
    text = _UNSAFE.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def printable(name: str) -> str:
    """A file name or other value as one printable line: control characters and undecodable bytes escaped
    (``a\\nb``), so an output line can never be split, or forged, by a name."""
    if not _UNSAFE.search(name) and "\\" not in name:
        return name
    return "".join(_escape(ch) for ch in name)


def _escape(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if _UNSAFE.match(ch):
        code = ord(ch)
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return ch
