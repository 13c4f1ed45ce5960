"""One fetch of a council's site: its published-decisions list walked in date windows, each decision page
and its accompanying documents mirrored.

A window whose list cannot be fetched (after the client's retries) is split in two and each half tried,
down to one day; a one-day window that still fails is reported. A decision page or document already in the
mirror is not fetched again when a HEAD request gives the same size as the bytes kept (ModernGov serves no
ETag or Last-Modified, so there is nothing better to ask); without a usable HEAD it is fetched and, when its
bytes are the same, not written again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ingest.fetch import moderngov, robots
from ingest.fetch.client import Client, FetchError
from ingest.fetch.mirror import Mirror

DEFAULT_WINDOW_DAYS = 30
# Decisions change after publication (called in, effective, withdrawn): the windows that end within this many days
# of the newest one walked are walked again by every run; older windows walked to the end are not.
DEFAULT_SETTLE_DAYS = 30
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True)
class Problem:
    url: str
    reason: str
    transient: bool = False  # a later run may fetch it (timeout, 5xx): its window is walked again


@dataclass
class FetchReport:
    windows: int = 0  # list windows fetched
    settled: int = 0  # windows walked by an earlier run and old enough not to be walked again
    pages: int = 0  # decision pages fetched and stored (new or changed)
    documents: int = 0  # accompanying documents fetched and stored (new or changed)
    bytes: int = 0  # bytes stored this run
    unchanged: int = 0  # pages and documents already in the mirror: not fetched again
    requests: int = 0  # HTTP requests sent, retries included
    skipped: list[Problem] = field(default_factory=list)  # not fetched on purpose: robots.txt, off-site, not a decision
    failed: list[Problem] = field(default_factory=list)  # could not be fetched

    def to_dict(self) -> dict:
        return asdict(self)


def windows(start: dt.date, end: dt.date, days: int = DEFAULT_WINDOW_DAYS) -> list[tuple[dt.date, dt.date]]:
    """``start``..``end`` (inclusive) in consecutive windows of at most ``days`` days, oldest first."""
    out, at = [], start
    while at <= end:
        last = min(at + dt.timedelta(days=days - 1), end)
        out.append((at, last))
        at = last + dt.timedelta(days=1)
    return out


def to_walk(wanted: list[tuple[dt.date, dt.date]], walked: list[tuple[str, str]],
            settle_days: int = DEFAULT_SETTLE_DAYS) -> list[tuple[dt.date, dt.date]]:
    """The windows a run walks: those not walked to the end before, and those ending within ``settle_days`` of
    the newest end walked (the settling window, the newest window always among them). A second run over the
    same dates walks only the latter; a run killed or failed part-way walks again what it had not finished."""
    done = {(dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)) for lo, hi in walked}
    if not done:
        return wanted
    settled_before = max(hi for _, hi in done) - dt.timedelta(days=settle_days)
    return [w for w in wanted if w not in done or w[1] >= settled_before]


def fetch_site(site: str, start: dt.date, end: dt.date, mirror: Mirror, client: Client,
               progress: Callable[[str], None] | None = None, window_days: int = DEFAULT_WINDOW_DAYS,
               settle_days: int = DEFAULT_SETTLE_DAYS) -> FetchReport:
    say = progress or (lambda _line: None)
    root = moderngov.site_root(site)
    report = FetchReport()
    rules = robots.load(client, root)
    if rules.refused:
        report.failed.append(Problem(robots.robots_url(root), rules.refused))
        report.requests = client.requests
        return report
    seen: set[str] = set()
    wanted = windows(start, end, window_days)
    walk = to_walk(wanted, mirror.walked(root), settle_days)
    report.settled = len(wanted) - len(walk)
    if report.settled:
        say(f"{report.settled} windows walked before and settled: not walked again")
    pending = list(reversed(walk))  # a stack: the oldest window first
    while pending:
        lo, hi = pending.pop()
        url = moderngov.list_url(root, lo, hi)
        if not rules.allowed(url):
            report.skipped.append(Problem(url, rules.reason(url)))
            continue
        try:
            resp = client.get(url)
        except FetchError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                report.failed.append(Problem(url, f"{exc.reason}: the site has no published-decisions list here"))
                break  # every other window would answer the same
            if hi > lo:
                mid = lo + (hi - lo) // 2
                say(f"list {lo}..{hi} failed ({exc.reason}): trying {lo}..{mid} and {mid + dt.timedelta(days=1)}..{hi}")
                pending += [(mid + dt.timedelta(days=1), hi), (lo, mid)]
            else:
                report.failed.append(Problem(url, f"decision list for {lo}: {exc.reason}"))
            continue
        report.windows += 1
        listing = moderngov.parse_list(resp.body.decode("utf-8", errors="replace"), resp.url)
        report.skipped += [Problem(u, why) for u, why in listing.skipped]
        say(f"list {lo}..{hi}: {len(listing.decisions)} decisions")
        failures = len(report.failed)
        for item in listing.decisions:
            if item.url not in seen:
                seen.add(item.url)
                _decision(item.url, root, rules, mirror, client, report, say)
        # Every decision of the window kept, or refused for good (over the size cap, off the site): a later run
        # need not walk it. A timeout, a 5xx or a page not there yet (4xx) leaves it to be walked again.
        if not any(p.transient for p in report.failed[failures:]):
            mirror.mark_walked(root, lo.isoformat(), hi.isoformat())
    report.requests = client.requests
    return report


def _decision(url: str, root: str, rules: robots.Robots, mirror: Mirror, client: Client, report: FetchReport,
              say: Callable[[str], None]) -> None:
    def check(body: bytes) -> str:
        if not moderngov.parse_decision(body.decode("utf-8", errors="replace"), url, root).is_decision:
            return "not a decision page (no ModernGov decision details on it): skipped"
        return ""

    body = _fetch(url, "decision", "", rules, mirror, client, report, check)
    if body is None:
        return
    page = moderngov.parse_decision(body.decode("utf-8", errors="replace"), url, root)
    say(f"decision {page.title[:80] or url}: {len(page.documents)} documents")
    report.skipped += [Problem(u, why) for u, why in page.skipped]
    for doc_url, _title in page.documents:
        _fetch(doc_url, "document", url, rules, mirror, client, report)


def _fetch(url: str, kind: str, page: str, rules: robots.Robots, mirror: Mirror, client: Client,
           report: FetchReport, check: Callable[[bytes], str] | None = None) -> bytes | None:
    """The bytes of a decision page or document, from the mirror when unchanged; None when not fetched.
    ``check(body)``: why a body fetched is not what was expected ("" when it is); such a body is not kept."""
    if not rules.allowed(url):
        report.skipped.append(Problem(url, rules.reason(url)))
        return None
    kept = mirror.get(url)
    try:
        if kept is not None and _same_size(url, kept.bytes, client):
            report.unchanged += 1
            return (mirror.root / kept.path).read_bytes() if kind == "decision" else b""
        resp = client.get(url)
    except FetchError as exc:
        report.failed.append(Problem(url, exc.reason, exc.transient or 400 <= exc.status < 500))
        return None
    if kind == "decision" and resp.content_type not in _PAGE_TYPES:
        report.skipped.append(Problem(url, f"not a decision page (served as {resp.content_type}): skipped"))
        return None
    why = check(resp.body) if check else ""
    if why:
        report.skipped.append(Problem(url, why))
        return None
    if kept is not None and kept.sha256 == _sha(resp.body):
        report.unchanged += 1
        return resp.body
    mirror.put(url, resp.body, resp.status, resp.content_type, kind, page)
    report.bytes += len(resp.body)
    if kind == "decision":
        report.pages += 1
    else:
        report.documents += 1
    return resp.body


def _same_size(url: str, size: int, client: Client) -> bool:
    try:
        head = client.head(url)
    except FetchError:
        return False  # some sites refuse HEAD: fetch it and compare the bytes
    declared = head.headers.get("content-length", "")
    return declared.isdigit() and int(declared) == size


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
