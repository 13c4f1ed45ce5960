"""The one HTTP client of ``councilqa fetch``: polite, bounded and confined to one council's site.

Every request carries a User-Agent naming the tool and a contact; requests to one host are spaced by at
least ``1 / rate`` seconds; a timeout, a connection failure, 429 or 5xx is retried with exponential backoff
(or the server's ``Retry-After``, capped); a body is streamed and abandoned as soon as it passes the byte cap;
redirects are followed by hand, and only while they stay on the site's own host.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx

TOOL = "councilqa/0.1"
DEFAULT_RATE = 1.0  # requests per second per host (LGSF: at least 1 s between requests to one host)
DEFAULT_TIMEOUT_S = 60.0  # some ModernGov sites take most of a minute to build a list
DEFAULT_RETRIES = 3  # after the first try: 4 tries in all
DEFAULT_BACKOFF_S = 5.0  # 5, 10, 20 s, as LGSF waits
DEFAULT_MAX_BYTES = 50_000_000  # a document over this is reported, not stored
MAX_REDIRECTS = 5
MAX_RETRY_AFTER_S = 120.0
_RETRIED_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL that could not be fetched, and why (after any retries)."""

    def __init__(self, url: str, reason: str, status: int = 0, transient: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.transient = transient  # a timeout, a network error or a 5xx/429 after retries: a later run may succeed


@dataclass(frozen=True)
class Response:
    url: str  # after redirects (on the same host)
    status: int
    content_type: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def normalise(url: str) -> str:
    """A URL as it is requested: spaces and other unsafe characters in the path and query percent-encoded
    (ModernGov links hold ``documents/s7942/polc2 - 23.09.2015.pdf``), the fragment dropped."""
    parts = urlsplit(url.strip())
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path or "/", query, ""))


def same_site(url: str, site: str) -> bool:
    """``url`` is on the council's own host (scheme http/https, the same host name and port)."""
    a, b = urlsplit(url), urlsplit(site)
    return a.scheme in ("http", "https") and (a.hostname or "") == (b.hostname or "") and _port(a) == _port(b)


def _port(parts) -> int:
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return -1


def user_agent(contact: str = "") -> str:
    return f"{TOOL} (+{contact})" if contact else f"{TOOL} (+https://github.com/councilqa)"


class RateLimiter:
    """At most ``rate`` requests a second to each host: a request waits for its host's next slot."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + self.interval
        if at > now:
            self.sleep(at - now)


class Client:
    """GET and HEAD within one site. ``transport``: an httpx transport (tests); ``sleep``: the wait used for
    backoff and spacing (tests pass a recorder)."""

    def __init__(self, site: str, contact: str = "", rate: float = DEFAULT_RATE, timeout_s: float = DEFAULT_TIMEOUT_S,
                 retries: int = DEFAULT_RETRIES, backoff_s: float = DEFAULT_BACKOFF_S,
                 max_bytes: int = DEFAULT_MAX_BYTES, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.site = site
        self.retries, self.backoff_s, self.max_bytes = retries, backoff_s, max_bytes
        self.sleep = sleep
        self.limiter = RateLimiter(rate, sleep=sleep)
        self.requests = 0  # requests sent, retries and redirects included
        self.http = httpx.Client(
            headers={"User-Agent": user_agent(contact), "Accept": "text/html,application/pdf,*/*;q=0.8"},
            timeout=httpx.Timeout(timeout_s), follow_redirects=False, transport=transport, trust_env=False,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, max_bytes: int | None = None) -> Response:
        """The body of ``url`` (at most ``max_bytes``); raises ``FetchError`` for anything but a 2xx answer."""
        return self._request("GET", url, self.max_bytes if max_bytes is None else max_bytes)

    def head(self, url: str) -> Response:
        return self._request("HEAD", url, 0)

    def _request(self, method: str, url: str, cap: int) -> Response:
        url = normalise(url)
        for _ in range(MAX_REDIRECTS + 1):
            if not same_site(url, self.site):
                raise FetchError(url, "outside the council's site: not fetched")
            resp = self._retrying(method, url, cap)
            if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                target = normalise(urljoin(url, resp.headers["location"]))
                if not same_site(target, self.site):
                    raise FetchError(url, f"redirected off the council's site (to {target[:200]}): not followed",
                                     resp.status)
                url = target
                continue
            if not 200 <= resp.status < 300:
                raise FetchError(url, f"HTTP {resp.status}", resp.status)
            return resp
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _retrying(self, method: str, url: str, cap: int) -> Response:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                resp = self._once(method, url, cap)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    why = "timed out" if isinstance(exc, httpx.TimeoutException) else f"network error ({exc})"
                    raise FetchError(url, f"{why} after {attempt + 1} tries", transient=True) from None
                self.sleep(self.backoff_s * 2 ** attempt)
                continue
            if resp.status in _RETRIED_STATUS:
                if last:
                    raise FetchError(url, f"HTTP {resp.status} after {attempt + 1} tries", resp.status, transient=True)
                self.sleep(self._retry_after(resp) or self.backoff_s * 2 ** attempt)
                continue
            return resp
        raise AssertionError("unreachable")

    def _retry_after(self, resp: Response) -> float:
        value = resp.headers.get("retry-after", "")
        try:
            return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
        except ValueError:
            return 0.0  # an HTTP date: use our own backoff

    def _once(self, method: str, url: str, cap: int) -> Response:
        self.limiter.wait(urlsplit(url).netloc)
        self.requests += 1
        with self.http.stream(method, url) as r:
            headers = {k.lower(): v for k, v in r.headers.items()}
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if method == "HEAD" or not 200 <= r.status_code < 300:
                return Response(str(r.url), r.status_code, ctype, b"", headers)
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(url, f"{int(declared):,} bytes, over the {cap:,}-byte limit for one document: "
                                 "not stored")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise FetchError(url, f"over the {cap:,}-byte limit for one document: not stored")
            return Response(str(r.url), r.status_code, ctype, bytes(body), headers)


def rate_value(value: object, name: str = "--rate", upper: float = 1000.0) -> float:
    """Requests per second per host: a number above 0 and at most ``upper`` (a usage error otherwise)."""
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of requests per second, above 0 and at most {upper:g} "
                         f"(got {value!r})") from None
    if not 0 < rate <= upper:  # also refuses nan
        raise ValueError(f"{name} must be above 0 and at most {upper:g} requests per second (got {value!r})")
    return rate


def site_value(value: str) -> str:
    """A council's site: an http or https URL with a host (``https://democracy.kent.gov.uk/``)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the site must be an http(s) address such as https://democracy.kent.gov.uk/ "
                         f"(got {value[:100]!r})")
    return value.strip()
