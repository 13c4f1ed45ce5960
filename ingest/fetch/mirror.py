"""The raw bytes fetched, kept as served, with where and when they came from.

``MIRROR/<host>/<safe path>`` holds each file (written to a temporary name, fsynced, renamed);
``MIRROR/provenance.jsonl`` holds one JSON line per file stored: url, path (relative to the mirror), kind
(decision | document), page (the decision page a document hangs from), fetched_at (UTC), status,
content_type, sha256 and bytes. The last line for a URL is its current state. A line is appended only after
its file is in place, so a killed run leaves at worst a file without a line, fetched again next time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROVENANCE = "provenance.jsonl"
_SUFFIXES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
             "text/plain": ".txt"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Entry:
    url: str
    path: str  # relative to the mirror's root
    kind: str  # decision | document
    fetched_at: str
    status: int
    content_type: str
    sha256: str
    bytes: int
    page: str = ""  # for a document: the decision page that links to it


def _safe(segment: str, limit: int = 80) -> str:
    cleaned = _UNSAFE.sub("_", unquote(segment)).strip("._") or "_"
    return cleaned[:limit]


def relative_path(url: str, content_type: str = "") -> str:
    """``<host>/<safe path>`` for a URL: every segment reduced to letters, digits, ``._-``; a query or any
    change made to the name adds a short hash of the URL, so two URLs never share a file; the suffix follows
    the content type where the name lacks it (``ieDecisionDetails.aspx?ID=1`` → ``...ID_1-<hash>.html``)."""
    parts = urlsplit(url)
    host = _safe(parts.netloc.replace(":", "_"), 100)
    segments = [s for s in parts.path.split("/") if s and s not in (".", "..")] or ["index"]
    folders = [_safe(s) for s in segments[:-1]]
    name = segments[-1] + (f"?{parts.query}" if parts.query else "")
    safe = _safe(name, 100)
    if safe != unquote(segments[-1]) or parts.query:
        safe += "-" + hashlib.sha256(url.encode()).hexdigest()[:10]
    suffix = _SUFFIXES.get(content_type, "")
    if suffix and not safe.lower().endswith((suffix, ".htm") if suffix == ".html" else (suffix,)):
        safe += suffix
    return "/".join([host, *folders, safe])


WINDOWS = "windows.json"  # per site: the list windows walked to the end


class Mirror:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.log = root / PROVENANCE
        self._entries: dict[str, Entry] | None = None

    def entries(self) -> dict[str, Entry]:
        """URL -> its latest entry (a damaged line, from a run killed mid-write, is passed over)."""
        if self._entries is None:
            self._entries = {}
            if self.log.is_file():
                for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
                    try:
                        entry = Entry(**json.loads(line))
                    except (ValueError, TypeError):
                        continue
                    self._entries[entry.url] = entry
        return self._entries

    def get(self, url: str) -> Entry | None:
        """The entry for ``url`` whose file is still on disk with the bytes recorded, or None."""
        entry = self.entries().get(url)
        if entry is None:
            return None
        path = self.root / entry.path
        try:
            if path.stat().st_size != entry.bytes or _sha(path.read_bytes()) != entry.sha256:
                return None
        except OSError:
            return None
        return entry

    def put(self, url: str, body: bytes, status: int, content_type: str, kind: str, page: str = "") -> Entry:
        rel = relative_path(url, content_type)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        entry = Entry(url=url, path=rel, kind=kind, fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                      status=status, content_type=content_type, sha256=_sha(body), bytes=len(body), page=page)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.entries()[url] = entry
        return entry

    def walked(self, site: str) -> list[tuple[str, str]]:
        """The list windows (ISO from, to) of ``site`` walked to the end by earlier runs."""
        try:
            data = json.loads((self.root / WINDOWS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [tuple(w) for w in data.get(site, []) if isinstance(w, list) and len(w) == 2]

    def mark_walked(self, site: str, lo: str, hi: str) -> None:
        """Record a window as walked (its list and every decision in it fetched): a killed run resumes after it.
        Written whole and renamed into place, so a kill leaves the old record or the new one."""
        path = self.root / WINDOWS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        done = {tuple(w) for w in data.get(site, [])} | {(lo, hi)}
        data[site] = sorted([list(w) for w in done])
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def parents(self) -> dict[Path, Path]:
        """Each mirrored document -> the mirrored decision page that links to it: one decision, two files."""
        files = {url: self.root / e.path for url, e in self.entries().items() if self.get(url) is not None}
        return {files[url]: files[e.page] for url, e in self.entries().items()
                if e.page and url in files and e.page in files}

    def files(self) -> dict[Path, str]:
        """Every file mirrored and still intact -> the URL it came from: what ``fetch`` ingests."""
        out = {}
        for url in self.entries():
            entry = self.get(url)
            if entry is not None:
                out[self.root / entry.path] = url
        return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
