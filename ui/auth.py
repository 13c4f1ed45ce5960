"""Who may use a served app: loopback by default; beyond it, logins from ``--auth``."""
from __future__ import annotations

import re
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


_AUTH_LINE = re.compile(r"([A-Za-z0-9._@+-]{1,64}):([^\s:]{8,128})")
MAX_AUTH_FILE = 64 * 1024


def parse_auth(value: str | None) -> list[tuple[str, str]]:
    """``--auth USER:PASSWORD``, or a credentials file the person made: one ``USER:PASSWORD`` line each and
    nothing else (blank lines aside). A password has 8 or more characters and no spaces or colons, so a file
    that merely has colon-separated lines (``/etc/passwd``, a CSV) is refused, not read as logins."""
    if not value:
        return []
    path = Path(value)
    if not path.is_file():
        match = _AUTH_LINE.fullmatch(value)
        if not match:
            raise ValueError("--auth must be USER:PASSWORD (a password of 8 or more characters, no spaces or "
                             "colons) or a credentials file of such lines")
        return [(match[1], match[2])]
    info = path.stat()
    if info.st_size > MAX_AUTH_FILE:
        raise ValueError(f"--auth {value}: {info.st_size:,} bytes is not a credentials file (one USER:PASSWORD "
                         "line each)")
    if info.st_mode & 0o022:
        raise ValueError(f"--auth {value}: others can write to it, so anyone could add a login: chmod go-w it")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise ValueError(f"--auth {value}: cannot be read as a credentials file (UTF-8 text)") from None
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        match = _AUTH_LINE.fullmatch(line.strip())
        if not match:
            raise ValueError(f"--auth {value}: line {number} is not USER:PASSWORD (a password of 8 or more "
                             "characters, no spaces or colons): it is not a credentials file")
        pairs.append((match[1], match[2]))
    if not pairs:
        raise ValueError(f"--auth {value}: no USER:PASSWORD lines in it")
    return pairs
