"""API keys for programs: issued by ``councilqa apikey add``, kept only as SHA-256 hashes, checked on every request.

A key is ``cqa_<id>_<secret>``: the id (8 hex digits) names its record, the secret is 32 random bytes
(``secrets.token_urlsafe``). The key is printed once, when it is issued, and never stored: the file keeps its
id, its name, when it was made and the SHA-256 of the whole key. A plain hash is enough because the secret is
random: 256 bits cannot be guessed from a hash, fast or slow; a slow password hash (bcrypt, argon2) protects
people's short passwords and would only add its cost to every API request (GitHub and PyPI keep their tokens so).
Hashes are compared in constant time.

Where: ``INDEX/apikeys.json`` by default, beside the generations, not in one (an ingest replaces generations),
so every server process reading an index reads the same keys, and a key removed is refused by all of them at
their next request, without a restart. The index directory is never served (``ui.server``), and a copy of the
file gives no key. An index that is not a directory (a database) names a file with ``--keys`` (or
``$COUNCILQA_KEYS``). The file is written atomically, readable and writable by its owner only, and refused when
others can write to it (anyone could add a key).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

KEYS_FILE = "apikeys.json"
FORMAT = 1
PREFIX = "cqa_"
_KEY = re.compile(r"cqa_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
_NAME = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
MAX_FILE = 1024 * 1024
MAX_KEYS = 10_000


@dataclass(frozen=True)
class KeyRecord:
    id: str
    name: str
    created: str
    sha256: str

    def public(self) -> dict:
        """What ``apikey list`` shows: never the hash."""
        return {"id": self.id, "name": self.name, "created": self.created}


class KeyStore:
    """The keys file of one index (or ``--keys``). Reads it again when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._seen: tuple | None = None
        self._records: dict[str, KeyRecord] = {}

    # --- reading -------------------------------------------------------------------------------------------
    def records(self) -> list[KeyRecord]:
        self._refresh()
        return sorted(self._records.values(), key=lambda r: (r.created, r.id))

    def issued(self) -> bool:
        """Whether any key is issued: then the API asks every request for a key or a login."""
        self._refresh()
        return bool(self._records)

    def check(self, key: str) -> KeyRecord | None:
        """The record of a valid key, else None."""
        match = _KEY.fullmatch(key.strip())
        self._refresh()
        record = self._records.get(match[1]) if match else None
        digest = _digest(key.strip())
        expected = record.sha256 if record else "0" * 64  # compared either way, so timing names no id
        ok = secrets.compare_digest(digest, expected)
        return record if ok and record is not None else None

    def _refresh(self) -> None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._seen, self._records = None, {}
            return
        seen = (info.st_mtime_ns, info.st_size, info.st_ino)
        if seen != self._seen:
            self._records = {r.id: r for r in _read(self.path)}
            self._seen = seen

    # --- changing ------------------------------------------------------------------------------------------
    def add(self, name: str) -> tuple[KeyRecord, str]:
        """A new key named ``name``: its record and the key itself (shown once, stored nowhere)."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError("a key's name is 1 to 64 letters, digits or ._@+- (who or what uses it: 'newsroom-bot')")
        with _Locked(self.path):
            records = _read(self.path) if self.path.exists() else []
            if any(r.name == name for r in records):
                raise ValueError(f"a key named {name} exists: remove it first, or choose another name")
            if len(records) >= MAX_KEYS:
                raise ValueError(f"{len(records):,} keys are issued; remove some before adding more")
            ids = {r.id for r in records}
            key_id = next(i for i in iter(lambda: secrets.token_hex(4), None) if i not in ids)
            key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            record = KeyRecord(key_id, name, now, _digest(key))
            _write(self.path, [*records, record])
        return record, key

    def remove(self, which: str) -> KeyRecord:
        """Remove the key with this id or name."""
        with _Locked(self.path):
            records = _read(self.path) if self.path.exists() else []
            gone = [r for r in records if which in (r.id, r.name)]
            if not gone:
                raise ValueError(f"no key with the id or name {which!r} in {self.path}")
            _write(self.path, [r for r in records if r not in gone])
        return gone[0]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _read(path: Path) -> list[KeyRecord]:
    info = path.stat()
    if info.st_mode & 0o022:
        raise ValueError(f"the keys file {path}: others can write to it, so anyone could add a key: chmod go-w it")
    if info.st_size > MAX_FILE:
        raise ValueError(f"the keys file {path}: {info.st_size:,} bytes is not a keys file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = [KeyRecord(str(r["id"]), str(r["name"]), str(r["created"]), str(r["sha256"]))
                   for r in data["keys"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ValueError(f"the keys file {path} cannot be read as councilqa API keys (JSON of format {FORMAT}): "
                         "move it aside and issue the keys again") from None
    if data.get("format") != FORMAT:
        raise ValueError(f"the keys file {path} is of format {data.get('format')!r}; this councilqa reads {FORMAT}")
    return records


def _write(path: Path, records: list[KeyRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "note": "councilqa API keys: SHA-256 hashes only; `councilqa apikey` changes them",
            "keys": [asdict(r) for r in records]}
    fd, tmp = tempfile.mkstemp(prefix=".apikeys-", dir=path.parent)  # made 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Locked:
    """One ``apikey add`` or ``remove`` at a time (``flock`` on a file beside the keys)."""

    def __init__(self, path: Path) -> None:
        self.lock = path.with_name(path.name + ".lock")

    def __enter__(self):
        import fcntl

        self.lock.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.lock, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)  # closing releases the lock
