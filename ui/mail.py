"""E-mail digests of watch runs, through the SMTP server the person configures (``councilqa watch mail``).

The settings live in the index directory's watch store: host, port, security (``starttls``, ``ssl`` or ``none``),
user, sender, recipients, and *where* the password is: the name of an environment variable or the path of a file
that only its owner can read. The password itself is never stored, never taken on the command line (where ``ps``
and shell history show it), and read only when a digest is sent.

One message per watch run and recipient list: every watch with alerts that mails the same people goes in one
digest. A digest that cannot be sent is reported, and its watches are not committed: their decisions come again
at the next run.
"""
from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from index.watchstore import WatchError, WatchStore, recipients

SETTING = "mail"
SECURITY = ("starttls", "ssl", "none")
TIMEOUT_S = 30


@dataclass(frozen=True)
class MailSettings:
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password_env: str = ""  # the name of an environment variable holding the password
    password_file: str = ""  # a file holding it (its first line), readable by its owner only
    timeout: float = TIMEOUT_S
    app_url: str = ""  # where the app is served, for the digest's links to decisions and feeds ("" for none)

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host) or len(self.host) > 253:
            raise WatchError(f"--host must be an SMTP server's name or address (got {self.host[:60]!r})")
        if not 1 <= int(self.port) <= 65_535:
            raise WatchError(f"--port must be from 1 to 65535 (got {self.port})")
        if self.security not in SECURITY:
            raise WatchError(f"--security must be one of {', '.join(SECURITY)}")
        recipients([self.sender])
        object.__setattr__(self, "to", recipients(self.to))
        if self.password_env and self.password_file:
            raise WatchError("give the password's environment variable or its file, not both")
        if self.app_url and not re.fullmatch(r"https?://[^\s<>\"']+", self.app_url):
            raise WatchError(f"--app-url must be an http(s) address (got {self.app_url[:60]!r})")
        if self.user and not (self.password_env or self.password_file):
            raise WatchError("a --user needs its password from --password-env VAR or --password-file FILE "
                             "(never on the command line)")

    def password(self) -> str:
        if self.password_env:
            value = os.environ.get(self.password_env)
            if not value:
                raise WatchError(f"the environment variable {self.password_env} (the SMTP password) is not set")
            return value
        if self.password_file:
            path = Path(self.password_file)
            try:
                info = path.stat()
                if info.st_mode & 0o077:
                    raise WatchError(f"{path}: others can read or write the SMTP password file: chmod 600 it")
                return path.read_text(encoding="utf-8").splitlines()[0].strip()
            except (OSError, IndexError, UnicodeDecodeError):
                raise WatchError(f"{path}: the SMTP password file cannot be read") from None
        return ""

    def to_dict(self) -> dict:
        return {**asdict(self), "to": list(self.to)}


def load(store: WatchStore) -> MailSettings | None:
    data = store.setting(SETTING)
    return MailSettings(**{**data, "to": tuple(data.get("to", ()))}) if data else None


def save(store: WatchStore, settings: MailSettings | None) -> None:
    store.set_setting(SETTING, settings.to_dict() if settings else None)


def digest(reports, sender: str, to: tuple[str, ...], app_url: str = "") -> EmailMessage:
    """One plain-text message for these watch reports (each with alerts)."""
    count = sum(len(r.alerts) for r in reports)
    names = ", ".join(r.watch.name for r in reports)
    msg = EmailMessage()
    msg["Subject"] = f"councilqa: {count} decision{'s' if count != 1 else ''} for {names}"[:200]
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    import datetime as dt

    msg["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg.set_content(body(reports, app_url))
    return msg


def body(reports, app_url: str = "") -> str:
    from urllib.parse import quote

    lines = []
    for r in reports:
        lines += [f"Watch {r.watch.name}: \"{r.watch.query}\" ({len(r.alerts)} decision"
                  f"{'s' if len(r.alerts) != 1 else ''} new or changed)", ""]
        for a in r.alerts:
            lines += [f"{a.title or a.decision}",
                      f"  {a.change} · {a.status or 'status unknown'} · {a.date or 'no date'} · "
                      f"{a.council or 'council unknown'}"
                      + (f" · ref {a.reference}" if a.reference and a.reference != a.decision else ""),
                      f"  {a.citation} \"{a.quote}\""]
            if a.page or a.source:
                lines.append(f"  On the council's site: {a.page or a.source}")
            if app_url:
                lines.append(f"  In councilqa: {app_url.rstrip('/')}/?decision={quote(a.decision, safe='')}")
            lines.append("")
        if app_url:
            lines += [f"Feed: {app_url.rstrip('/')}/feeds/{r.watch.name}.atom", ""]
    lines.append("Sent by councilqa (`councilqa watch mail --off` stops these messages).")
    return "\n".join(lines)


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message; raises ``WatchError`` with the reason when the server cannot be reached or refuses."""
    password = settings.password() if settings.user else ""
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise WatchError(f"the digest could not be sent through {settings.host}:{settings.port}: "
                         f"{type(exc).__name__}: {str(exc)[:200]}") from None


def deliver(settings: MailSettings, reports) -> dict[str, str]:
    """Send the digests of these reports (those with alerts), grouped by recipients. Returns, per watch mailed,
    "" when its digest was sent or the reason it was not."""
    groups: dict[tuple[str, ...], list] = {}
    for r in reports:
        if r.alerts:
            to = tuple(r.watch.email) or settings.to
            if to:
                groups.setdefault(to, []).append(r)
    outcome: dict[str, str] = {}
    for to, group in groups.items():
        try:
            send(settings, digest(group, settings.sender, to, settings.app_url))
            why = ""
        except WatchError as exc:
            why = str(exc)
        outcome.update({r.watch.name: why for r in group})
    return outcome
