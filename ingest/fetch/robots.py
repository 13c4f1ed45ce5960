"""robots.txt, read once per site (``urllib.robotparser``) and asked before every request.

As RFC 9309 says: a robots.txt that is absent (4xx) allows everything; one that cannot be read (5xx, a
timeout, a network error after retries) disallows everything, and the run says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from ingest.fetch.client import TOOL, Client, FetchError

AGENT = TOOL.split("/")[0]  # "councilqa": the name robots.txt groups are matched on


@dataclass
class Robots:
    parser: RobotFileParser | None  # None: every URL allowed
    refused: str = ""  # why every URL is refused ("" when robots.txt was read or is absent)

    def allowed(self, url: str) -> bool:
        if self.refused:
            return False
        return self.parser is None or self.parser.can_fetch(AGENT, url)

    def reason(self, url: str) -> str:
        return self.refused or "disallowed by the site's robots.txt: not fetched"

    def crawl_delay(self) -> float | None:
        if self.parser is None or self.refused:
            return None
        delay = self.parser.crawl_delay(AGENT)
        return float(delay) if delay is not None else None


def robots_url(site: str) -> str:
    parts = urlsplit(site)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def load(client: Client, site: str) -> Robots:
    """The site's robots.txt, fetched through ``client`` (so politely, and counted)."""
    url = robots_url(site)
    try:
        resp = client.get(url, max_bytes=500_000)
    except FetchError as exc:
        if 400 <= exc.status < 500:
            return Robots(None)
        return Robots(None, f"the site's robots.txt could not be read ({exc.reason}): nothing fetched")
    parser = RobotFileParser(url)
    parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
    return Robots(parser)
