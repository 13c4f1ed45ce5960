"""Atom feeds of watches: ``/feeds/NAME.atom`` carries what the watch reported (its latest alerts, newest first).

Made with feedgen (kept since 2013, used by Mastodon's and Pelican's Python tooling, writes Atom 1.0 and RSS 2.0
through lxml, so the XML is escaped and well formed by construction; ``tests/test_watch_feeds.py`` reads every feed
back with feedparser, the parser most feed readers' behaviour is checked against). A feed is read-only: asking for
it never runs the watch, so a feed reader polling every minute costs one SQLite read and reports nothing twice.

Each entry links to the decision in the app (``/?decision=ID``, rel="alternate") and to its page on the council's
site (rel="related"), where it was fetched. Ids are URNs made from the watch store's UUID (``WatchStore.identity``),
not from the address the app is served at, so they never change and a reader never shows an entry twice.

``routers(context)`` is the server's part (``ui.server``): its routes take the server's access rules, so a feed is
served to whoever may use the app and to nobody else.
"""
import re
import uuid
from pathlib import Path
from urllib.parse import quote

from index.watchstore import WatchError, WatchNotFound, WatchStore, filters_dict, watch_name

FEED_ENTRIES = 50
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_URL = re.compile(r"https?://[^\s<>\"'`]+")


def _entry_class():
    from feedgen.entry import FeedEntry

    class Entry(FeedEntry):
        """feedgen 1.0.0 writes an entry's links with their ``href`` only, dropping rel, type and title
        (lkiesow/python-feedgen#135, open): every link then reads as rel="alternate", which hides the council's page
        among the app's and breaks Atom's one-alternate rule. Put the attributes back on the element it wrote."""

        def atom_entry(self, extensions=True):
            entry = super().atom_entry(extensions)
            for element, link in zip((e for e in entry if e.tag.rsplit("}", 1)[-1] == "link"), self.link() or []):
                for key in ("rel", "type", "hreflang", "title", "length"):
                    if link.get(key):
                        element.set(key, str(link[key]))
            return entry

    return Entry


def decision_url(base_url: str, decision: str) -> str:
    """The decision's page in the app: the Decisions tab opened on it."""
    return f"{base_url.rstrip('/')}/?decision={quote(decision, safe='')}"


def feed_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/feeds/{quote(name)}.atom"


def atom(index_dir: Path, name: str, base_url: str, limit: int = FEED_ENTRIES) -> bytes:
    """The watch's Atom feed; raises ``WatchNotFound`` for a watch the index does not have."""
    from feedgen.feed import FeedGenerator

    name = watch_name(name)
    if not WatchStore.exists(index_dir):
        raise WatchNotFound(name)
    with WatchStore(index_dir, create=False) as store:
        watch = store.get(name)
        alerts = store.alerts(watch.name, limit)
        space = uuid.UUID(store.identity())
    filters = ", ".join(f"{k}={v}" for k, v in filters_dict(watch.filters).items())
    fg = FeedGenerator()
    fg.id(uuid.uuid5(space, f"watch/{watch.name}").urn)
    fg.title(f"councilqa watch: {watch.name}")
    fg.subtitle(f'Council decisions new or changed that match "{watch.query}"' + (f" ({filters})" if filters else ""))
    fg.author({"name": "councilqa"})
    fg.link(href=feed_url(base_url, watch.name), rel="self", type="application/atom+xml")
    fg.link(href=f"{base_url.rstrip('/')}/", rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.updated(_time(alerts[0]["reported"] if alerts else (watch.last_run or watch.created)))
    entry = _entry_class()
    for a in reversed(alerts):  # feedgen puts each entry added first: the newest ends on top
        fe = fg.add_entry(entry())
        fe.id(uuid.uuid5(space, f"alert/{watch.name}/{a['id']}").urn)
        fe.title(f"{a['title'] or a['decision']} ({a['change']})")
        fe.link(href=decision_url(base_url, a["decision"]), rel="alternate", type="text/html",
                title="The decision in councilqa")
        for url, title in ((a.get("page", ""), "The decision on the council's site"),
                           (a.get("source", ""), "The document quoted, on the council's site")):
            if _URL.fullmatch(url or "") and not (title.startswith("The document") and url == a.get("page")):
                fe.link(href=url, rel="related", title=title)
        fe.published(_time(a["reported"]))
        fe.updated(_time(a["reported"]))
        if a.get("status"):
            fe.category(term=a["status"], label=a["status"])
        fe.summary(summary(a), type="text")
    return fg.atom_str(pretty=True)


def summary(alert: dict) -> str:
    facts = " · ".join(x for x in (alert["change"], alert.get("status") or "status unknown",
                                   alert.get("date") or "no date", alert.get("council") or "") if x)
    ref = f" (ref {alert['reference']})" if alert.get("reference") and alert["reference"] != alert["decision"] else ""
    return f"{alert['decision']}{ref}: {facts}\n{alert['citation']} \u201c{alert['quote']}\u201d"


def _time(iso: str):
    import datetime as dt

    when = dt.datetime.fromisoformat(iso) if iso else dt.datetime(1970, 1, 1)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def routers(context):
    """The server's part: ``GET /feeds/{name}.atom`` under the server's access rules (``context.dependencies``).
    (This module does not postpone annotations: FastAPI reads ``request: Request`` from the route's own scope.)"""
    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse, Response

    router = APIRouter(dependencies=list(getattr(context, "dependencies", []) or []), tags=["feeds"])

    @router.get("/feeds/{name}.atom", summary="A watch's Atom feed", response_class=Response,
                responses={200: {"content": {"application/atom+xml": {}}}, 404: {"description": "no such watch"}})
    def feed(name: str, request: Request):
        try:
            body = atom(Path(context.services.index_dir), name, str(request.base_url))
        except WatchError as exc:  # no such watch, or a name no watch can have
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return Response(body, media_type=MEDIA_TYPE)

    return router
