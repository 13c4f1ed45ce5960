"""ModernGov's published-decisions pages: the list URL for a date window, a list page's decision links, a
decision page's accompanying documents (../shared/moderngov/README.md describes the markup).

Parsed with selectolax (the lexbor HTML5 parser, so the unclosed and entity-heavy markup these sites serve is
read as a browser reads it) and CSS selectors for the few things read: the list table's links and date cells, a
decision page's title and its accompanying documents. Chosen by measurement over the shared fixtures: 0.019 ms a
page against 1.0 ms for BeautifulSoup with lxml and 0.30 ms for the hand-written ``html.parser`` collector it
replaces, and one 7.7 MB wheel against 12.9 MB for bs4 + lxml.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


_HIDDEN = "span.mgHide, span.mgFileSize"  # "ref: 2280", "PDF 196 KB": not part of a title


def _tree(html: str):
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_HIDDEN):
        node.decompose()
    return tree


def _text(node) -> str:
    return _squash(node.text(deep=True)) if node is not None else ""


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
    tree = _tree(html)
    page = ListPage(table=tree.css_first("table.mgTabTable") is not None)
    seen: set[str] = set()
    for row in tree.css("table.mgTabTable tr"):
        cells = row.css("td")
        for link in row.css("td a"):
            href = (link.attributes.get("href") or "").strip()
            if not href:
                continue
            url = normalise(urljoin(page_url, href))
            if decision_id(url):
                if url not in seen:
                    seen.add(url)
                    page.decisions.append(Listed(url, _text(link), _text(cells[1]) if len(cells) > 1 else ""))
            elif urlsplit(url).path.rsplit("/", 1)[-1].lower() == ISSUE_PAGE:
                page.skipped.append((url, "an issue history, not a decision: skipped"))
            else:
                page.skipped.append((url, "not a decision page (no ieDecisionDetails.aspx?ID=): skipped"))
    return page


def parse_decision(html: str, page_url: str, site: str) -> DecisionPage:
    """A decision page's title and its accompanying documents (links in ``ul.mgBulletList``); links off the
    council's site are reported, not followed."""
    tree = _tree(html)
    page = DecisionPage(title=" ".join(_text(n) for n in tree.css(".mgSubTitleTxt")).strip(),
                        is_decision=tree.css_first(".mgContent") is not None
                        and tree.css_first(".mgSubTitleTxt, .mgLabel") is not None)
    seen: set[str] = set()
    for link in tree.css(".mgBulletList a"):
        href = (link.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        url = normalise(urljoin(page_url, href))
        if url in seen:
            continue
        seen.add(url)
        if not same_site(url, site):
            page.skipped.append((url, "a link off the council's site: not followed"))
            continue
        page.documents.append((url, _text(link)))
    return page
