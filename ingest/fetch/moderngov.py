"""ModernGov's published-decisions pages: the list URL for a date window, a list page's decision links, a
decision page's accompanying documents (../shared/moderngov/README.md describes the markup).

Parsed with the standard library's ``html.parser`` (tolerant of the unclosed and entity-heavy markup these
sites serve): the few things read are links, a title and two classes, which need no tree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from ingest.fetch.client import normalise, same_site

LIST_PAGE = "mgDelegatedDecisions.aspx"
DECISION_PAGE = "iedecisiondetails.aspx"
ISSUE_PAGE = "mgissuehistoryhome.aspx"


def site_root(site: str) -> str:
    """The folder the ModernGov pages live in, ending in ``/`` (``https://democracy.kent.gov.uk/``); a URL
    given to one of its pages (``.../mgDelegatedDecisions.aspx?...``) is cut back to its folder."""
    parts = urlsplit(site.strip())
    path = parts.path
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path[: len(path) - len(last)] if "." in last else path + "/"
    return normalise(f"{parts.scheme}://{parts.netloc}{path or '/'}")


def list_url(site: str, start: dt.date, end: dt.date) -> str:
    """The published decisions (``DS=2``) of ``start``..``end`` inclusive, by publication date."""
    span = f"{start:%d}%2f{start:%m}%2f{start:%Y}-{end:%d}%2f{end:%m}%2f{end:%Y}"
    return (f"{site_root(site)}{LIST_PAGE}?XXR=0&DR={span}&ACT=Find&RP=0&K=0&V=0&DM=0&HD=0&DS=2&Next=true"
            "&META=mgdelegateddecisions")


@dataclass(frozen=True)
class Listed:
    url: str  # the decision page, absolute
    title: str  # as the list prints it, the hidden "ref: N" removed
    published: str = ""  # the list's date cell, as printed (dd/mm/yyyy)


@dataclass
class ListPage:
    decisions: list[Listed] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why) rows that are not decisions
    table: bool = False  # the page holds a decisions table at all


@dataclass
class DecisionPage:
    title: str = ""
    documents: list[tuple[str, str]] = field(default_factory=list)  # (url, title) on the council's site
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why): links not followed
    is_decision: bool = False  # the page has ModernGov's decision-details markup


def _classes(attrs: list[tuple[str, str | None]]) -> set[str]:
    return set((dict(attrs).get("class") or "").split())


class _Collector(HTMLParser):
    """Links (with their text and the classes around them) and a few marked texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[set[str]] = []  # classes of each open element
        self.tags: list[str] = []
        self.links: list[dict] = []  # href, text, context (classes open around it)
        self.link: dict | None = None
        self.hidden = 0  # depth inside mgHide / mgFileSize spans (text left out of link titles)
        self.texts: dict[str, list[str]] = {}  # marker class -> text inside it
        self.seen: set[str] = set()  # every class met
        self.cells: list[str] = []  # the current table row's cell texts
        self.rows: list[tuple[list[str], list[dict]]] = []
        self.row_links: list[dict] = []

    _VOID = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "wbr", "source"}

    def handle_starttag(self, tag, attrs):
        if tag in self._VOID:
            return
        classes = _classes(attrs)
        self.seen |= classes
        if tag in ("p", "li", "div", "td", "tr", "table", "ul") and tag in self.tags:
            self._close_to(tag) if tag in ("td", "tr", "li", "p") else None
        self.tags.append(tag)
        self.stack.append(classes)
        if classes & {"mgHide", "mgFileSize"}:
            self.hidden += 1
        if tag == "tr":
            self.cells, self.row_links = [], []
        if tag == "td":
            self.cells.append("")
        if tag == "a":
            href = dict(attrs).get("href")
            context = set().union(*self.stack)
            self.link = {"href": href or "", "text": "", "context": context}
            self.links.append(self.link)
            if "td" in self.tags:
                self.row_links.append(self.link)

    def _close_to(self, tag: str) -> None:
        """An implicitly closed element (``<p>`` or ``<td>`` opened again without its end tag)."""
        while self.tags and self.tags[-1] != tag:
            self._pop()
        if self.tags:
            self._pop()

    def _pop(self) -> None:
        tag, classes = self.tags.pop(), self.stack.pop()
        if classes & {"mgHide", "mgFileSize"}:
            self.hidden -= 1
        if tag == "a":
            self.link = None
        if tag == "tr":
            self.rows.append((self.cells, self.row_links))

    def handle_endtag(self, tag):
        if tag in self.tags:
            self._close_to(tag)

    def handle_data(self, data):
        if self.hidden:
            return
        if self.link is not None:
            self.link["text"] += data
        if "td" in self.tags and self.cells:
            self.cells[-1] += data
        for marker in ("mgSubTitleTxt", "mgSectionTitle"):
            if any(marker in c for c in self.stack):
                self.texts.setdefault(marker, []).append(data)


def _collect(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    c.close()
    while c.tags:
        c._pop()
    return c


def _squash(text: str) -> str:
    return " ".join(text.split())


def decision_id(url: str) -> str:
    """The ``ID`` of an ``ieDecisionDetails.aspx?ID=`` URL, or ""."""
    parts = urlsplit(url)
    if parts.path.rsplit("/", 1)[-1].lower() != DECISION_PAGE:
        return ""
    query = {k.lower(): v for k, v in parse_qs(parts.query).items()}
    value = (query.get("id") or [""])[0].strip()
    return value if value.isdigit() else ""


def parse_list(html: str, page_url: str) -> ListPage:
    """The decision pages a list links to, in the list's order, each once. Rows whose link is an issue history
    (``mgIssueHistoryHome``) or anything but a decision page are skipped and reported."""
    c = _collect(html)
    page = ListPage(table="mgTabTable" in c.seen)
    seen: set[str] = set()
    for cells, links in c.rows:
        for link in links:
            if not link["href"] or "mgTabTable" not in link["context"]:
                continue
            url = normalise(urljoin(page_url, link["href"]))
            if decision_id(url):
                if url not in seen:
                    seen.add(url)
                    published = _squash(cells[1]) if len(cells) > 1 else ""
                    page.decisions.append(Listed(url, _squash(link["text"]), published))
            elif urlsplit(url).path.rsplit("/", 1)[-1].lower() == ISSUE_PAGE:
                page.skipped.append((url, "an issue history, not a decision: skipped"))
            else:
                page.skipped.append((url, "not a decision page (no ieDecisionDetails.aspx?ID=): skipped"))
    return page


def parse_decision(html: str, page_url: str, site: str) -> DecisionPage:
    """A decision page's title and its accompanying documents (links in ``ul.mgBulletList``); links off the
    council's site are reported, not followed."""
    c = _collect(html)
    page = DecisionPage(title=_squash(" ".join(c.texts.get("mgSubTitleTxt", []))),
                        is_decision="mgContent" in c.seen and ("mgSubTitleTxt" in c.seen or "mgLabel" in c.seen))
    seen: set[str] = set()
    for link in c.links:
        if "mgBulletList" not in link["context"] or not link["href"]:
            continue
        href = link["href"].strip()
        if href.lower().startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        url = normalise(urljoin(page_url, href))
        if url in seen:
            continue
        seen.add(url)
        if not same_site(url, site):
            page.skipped.append((url, "a link off the council's site: not followed"))
            continue
        page.documents.append((url, _squash(link["text"])))
    return page
