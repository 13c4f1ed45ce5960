"""The HTTP JSON API under ``/api/``: search, ask, the decisions, similar decisions, watches, and the awards ledger
and organisations (``ui.api_ledger``), in the JSON the CLI's ``--json`` prints.

Thin, as the CLI is: each route checks its parameters with ``index.requests`` (the one validation layer, so a bad
value gets the CLI's sentence), calls the library function the CLI calls (``Searcher.search``, ``Asker.ask``,
``list_decisions`` through the app's ``Services``, loaded once per generation) and returns the same records'
``to_dict()`` (``similar`` through ``qa.similar.finder_for``; the watches read from ``index.watchstore``). Errors
are JSON, ``{"detail": "one sentence"}``: 400 for a bad parameter (an unknown one too, so a misspelt filter is not
silently ignored), 401 without a key or login where one is required, 404 for no such decision, watch, organisation
or route, 413/414 for a body or an address too large, 429 past the rate limit, 503 while busy or without
an index. Decision ids hold slashes and colons (``22/00093``, ``eastmarsh:101``): ``/api/decisions/22/00093``
takes them as they are, or percent-encoded (``22%2F00093``).

The index is reached only through ``Services`` (``asker().searcher``, ``asker().decisions()``), so another backend
behind the same search interface serves the API unchanged. Library calls run in worker threads, ``WORKERS`` at a
time (two cores); up to ``MAX_WAITING`` requests wait for one, and past that a request is told "busy" at once
(503 with ``Retry-After``), never left to hang.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.routing import APIRoute

from index import requests
from index.errors import BadRequest, IndexError_
from index.filters import Filters, key_value, parse_filters
from index.orgs import OrganisationNotFound
from index.watchstore import WatchNotFound
from qa.similar import DecisionNotFound

PREFIX = "/api"
WORKERS = 2  # library calls at once: two cores; more only queue inside torch and FAISS
MAX_WAITING = 64  # requests waiting for a worker; past this one is told "busy" at once
MAX_QUERY_BYTES = 12 * 1024  # a 2,000-character question percent-encoded, with its filters
DECISIONS_PAGE, MAX_DECISIONS_PAGE = 50, 500
_log = logging.getLogger("councilqa.api")

FILTERS = ("decision", "council", "maker", "status", "key", "type", "from", "to")
_FILTER_HELP = {
    "decision": "only this decision (its id, e.g. 22/00093)",
    "council": "a council's name, any case (Kent, Suffolk County Council: that council only); else a part of its name",
    "maker": "the decision maker contains this (any case)",
    "status": "proposed, taken, recommendations approved, deferred, withdrawn, called in",
    "key": "key decisions only (yes) or none (no)",
    "type": "document type: record, decision page, proposed record, report, minutes",
    "from": "decided on or after this date (YYYY-MM-DD or DD/MM/YYYY)",
    "to": "decided on or before this date",
}


def _int(default: int, low: int, high: int, what: str) -> Any:
    """A whole-number parameter as the docs show it; received as text and checked by ``index.requests``."""
    return Query(str(default), description=f"{what} ({low} to {high:,}; default {default})",
                 json_schema_extra={"type": "integer", "minimum": low, "maximum": high, "default": default})


def _filters(decision: str = Query("", description=_FILTER_HELP["decision"]),
             council: str = Query("", description=_FILTER_HELP["council"]),
             maker: str = Query("", description=_FILTER_HELP["maker"]),
             status: str = Query("", description=_FILTER_HELP["status"]),
             key: str = Query("", description=_FILTER_HELP["key"]),
             type_: str = Query("", alias="type", description=_FILTER_HELP["type"]),
             from_: str = Query("", alias="from", description=_FILTER_HELP["from"]),
             to: str = Query("", description=_FILTER_HELP["to"])) -> Filters:
    """The CLI's ``--filter NAME=VALUE`` as query parameters, read by the same function (``parse_filters``)."""
    values = zip(FILTERS, (decision, council, maker, status, key, type_, from_, to))
    with _as_http():
        return parse_filters([f"{name}={value}" for name, value in values if value.strip()])


def _bounded(request: Request) -> None:
    """GET routes only: no body, and an address of at most ``MAX_QUERY_BYTES``; each parameter once, and none
    the route does not take."""
    if request.headers.get("transfer-encoding") or request.headers.get("content-length", "0") not in ("", "0"):
        raise HTTPException(413, "the API takes no request body: send the parameters in the address")
    if len(request.scope.get("query_string", b"")) > MAX_QUERY_BYTES:
        raise HTTPException(414, f"the address's parameters are over {MAX_QUERY_BYTES // 1024} KB")
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and route.name != "elsewhere":  # no such route: that is what it is told
        known, repeatable = _query_names(route)
        for name in request.query_params:
            if name not in known:
                accepted = ", ".join(sorted(known)) or "none"
                raise HTTPException(400, f"unknown parameter {name[:40]!r}: {route.path} takes {accepted}")
            if len(request.query_params.getlist(name)) > 1 and name not in repeatable:
                raise HTTPException(400, f"parameter {name!r} is given more than once")


_NAMES: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _query_names(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a route declares, its dependencies' included, and those declared as lists (which may
    be given more than once: ``kind=grant&kind=loan``); worked out once a route."""
    import typing

    def params(dependant) -> list:
        return [*dependant.query_params, *(p for sub in dependant.dependencies for p in params(sub))]

    if id(route) not in _NAMES:
        found = params(route.dependant)
        lists = {p.alias for p in found if typing.get_origin(p.field_info.annotation) in (list, tuple, set)}
        _NAMES[id(route)] = frozenset(p.alias for p in found), frozenset(lists)
    return _NAMES[id(route)]


class _as_http:
    """Domain errors as HTTP ones: no such decision, watch or organisation 404, a bad request 400, an index that
    cannot be read 503, each with its sentence."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, (DecisionNotFound, WatchNotFound, OrganisationNotFound)):
            raise HTTPException(404, str(exc)) from None
        if isinstance(exc, BadRequest):
            raise HTTPException(400, str(exc)) from None
        if isinstance(exc, IndexError_):
            raise HTTPException(503, str(exc)) from None
        return False


class Api:
    """The routes over one ``Services``; ``routers(context)`` is what ``ui.server.PARTS`` names."""

    def __init__(self, services, dependencies: list | None = None) -> None:
        self.services = services
        self.workers = anyio.CapacityLimiter(WORKERS)
        self.waiting = 0
        self.router = APIRouter(prefix=PREFIX, tags=["councilqa"],
                                dependencies=[Depends(_bounded), *(dependencies or [])])
        self._routes()

    async def run(self, func, *args, **kwargs):
        """``func`` in a worker thread, at most ``WORKERS`` at once; 503 at once past ``MAX_WAITING`` waiting."""
        if self.waiting >= MAX_WAITING:
            raise HTTPException(503, f"busy: {self.waiting} requests are waiting; try again in a moment",
                                headers={"Retry-After": "1"})
        self.waiting += 1
        try:
            return await anyio.to_thread.run_sync(functools.partial(self._call, func, *args, **kwargs),
                                                  limiter=self.workers)
        finally:
            self.waiting -= 1

    @staticmethod
    def _call(func, *args, **kwargs):
        with _as_http():
            try:
                return func(*args, **kwargs)
            except (HTTPException, BadRequest, IndexError_):
                raise
            except Exception as exc:  # noqa: BLE001 - the edge: logged whole, one sentence to the caller
                _log.exception("the API failed")
                raise HTTPException(500, f"the server could not answer ({type(exc).__name__}); the error is in "
                                    "its log") from None

    # --- the library calls, as the CLI makes them -------------------------------------------------------------
    def _search(self, req: requests.SearchRequest) -> dict:
        searcher = self.services.asker().searcher
        hits = searcher.search(req.query, k=req.offset + req.k, filters=req.filters, mode=req.mode)[req.offset:]
        return {"hits": [h.to_dict() for h in hits]}

    def _ask(self, req: requests.AskRequest) -> dict:
        return self.services.asker().ask(req.question, k=req.k, filters=req.filters).to_dict()

    def _decisions(self, filters: Filters) -> list:
        from index.decisions import numbers_matching

        asker = self.services.asker()
        allowed = numbers_matching(asker.searcher.conn, filters)
        return [d for d in asker.decisions() if allowed is None or d.number in allowed]

    def _similar(self, req) -> dict:
        from qa.similar import finder_for

        return finder_for(self.services.asker().searcher).similar_to(req).to_dict()

    def _watches(self) -> dict:
        from index.watchstore import WatchStore

        index_dir = self.services.index_dir
        if not WatchStore.exists(index_dir):
            return {"watches": []}
        with WatchStore(index_dir, create=False) as store:
            return {"watches": [w.to_dict() for w in store.list()]}

    def _alerts(self, name: str, limit: int) -> dict:
        from index.watchstore import WatchStore, watch_name

        name = watch_name(name)
        if not WatchStore.exists(self.services.index_dir):
            raise WatchNotFound(name)
        with WatchStore(self.services.index_dir, create=False) as store:
            store.get(name)
            return {"watch": name, "alerts": store.alerts(name, limit)}

    def _status(self) -> dict:
        asker = self.services.asker()
        m = asker.searcher.manifest
        return {"index": {"generation": asker.searcher.generation.name, "model": m["model"], **m["counts"]},
                "routes": {"search": f"{PREFIX}/search?q=...", "ask": f"{PREFIX}/ask?q=...",
                           "decisions": f"{PREFIX}/decisions", "decision": f"{PREFIX}/decisions/ID",
                           "similar": f"{PREFIX}/similar/ID", "watches": f"{PREFIX}/watches",
                           "awards": f"{PREFIX}/awards", "orgs": f"{PREFIX}/orgs",
                           "organisation": f"{PREFIX}/orgs/NAME", "docs": f"{PREFIX}/docs"}}

    def _routes(self) -> None:
        r = self.router

        @r.get("", summary="What this server holds", response_description="the index's counts and model, and "
               "the routes")
        async def status() -> dict:
            return await self.run(self._status)

        @r.get("/search", summary="Ranked passages for a query (hybrid: dense + keyword)",
               response_description='{"hits": [...]}, each as `councilqa search --json` prints it (decision, '
               'paragraph, document, score, text, citation, title, url), and the page: offset, k, next')
        async def search(request: Request, q: str = Query("", description="what to look for (at most 2,000 "
                                                           "characters)"),
                         k: str = _int(10, 1, requests.MAX_K, "passages in this page"),
                         offset: str = _int(0, 0, requests.MAX_K - 1, "passages skipped before this page; "
                                            "offset + k is at most 100"),
                         mode: str = Query("hybrid", description="hybrid, dense or keyword",
                                           json_schema_extra={"enum": list(requests.MODES)}),
                         filters: Filters = Depends(_filters)) -> dict:
            with _as_http():
                req = requests.search_page(q, k, offset, filters, mode)
            out = await self.run(self._search, req)
            full = len(out["hits"]) == req.k and req.offset + 2 * req.k <= requests.MAX_K
            return {**out, "offset": req.offset, "k": req.k,
                    "next": _page(request, offset=req.offset + req.k) if full else None}

        @r.get("/ask", summary="An answer with verified citations, or why it is not found",
               response_description="the answer as `councilqa ask --json` prints it: question, abstained, answer "
               "(its claims, each with the citations that support it), citations, passages, notes, reason")
        async def ask(q: str = Query("", description="the question (at most 2,000 characters)"),
                      k: str = _int(8, 1, requests.MAX_K, "passages retrieved"),
                      filters: Filters = Depends(_filters)) -> dict:
            with _as_http():
                req = requests.ask_request(q, k, filters)
            return await self.run(self._ask, req)

        @r.get("/decisions", summary="The decisions in the index, a page at a time",
               response_description='{"decisions": [...]}, each as `councilqa decisions --json` prints it, and '
               "the page: total, offset, limit, next")
        async def decisions(request: Request,
                            offset: str = _int(0, 0, 10_000_000, "decisions skipped before this page"),
                            limit: str = _int(DECISIONS_PAGE, 1, MAX_DECISIONS_PAGE, "decisions in this page"),
                            filters: Filters = Depends(_filters)) -> dict:
            with _as_http():
                skip = requests.offset_value(offset, upper=10_000_000)
                size = requests.k_value(limit, "limit", upper=MAX_DECISIONS_PAGE)
            found = await self.run(self._decisions, filters)
            page = found[skip:skip + size]
            more = skip + size < len(found)
            return {"decisions": [d.to_dict() for d in page], "total": len(found), "offset": skip, "limit": size,
                    "next": _page(request, offset=skip + size) if more else None}

        @r.get("/decisions/{id:path}", summary="One decision, by its id",
               response_description="the decision as `councilqa decisions --json` prints it")
        async def decision(id: str) -> dict:  # noqa: A002 - the id the JSON calls "id"
            with _as_http():
                number = requests.text(id, "decision id")
            found = [d for d in await self.run(self._decisions, Filters()) if d.number == number]
            if not found:
                raise HTTPException(404, f"no decision {number[:60]!r} in the index (GET {PREFIX}/decisions "
                                    "lists them)")
            return found[0].to_dict()

        @r.get("/similar/{id:path}", summary="Decisions like one decision, across councils",
               response_description="as `councilqa similar --json` prints it: the decision, the same decision "
               "under other ids, and the similar decisions, each with its score and the passages that make them "
               "alike (citations verified)")
        async def similar(id: str,  # noqa: A002 - a decision's id or its reference as printed
                          k: str = _int(10, 1, requests.MAX_K, "decisions"),
                          council: str = Query("", description="only this council's decisions: "
                                               + _FILTER_HELP["council"]),
                          other_councils: str = Query("", description="yes: only other councils' decisions"),
                          from_: str = Query("", alias="from", description="decided (or filed) on or after"),
                          to: str = Query("", description="decided (or filed) on or before")) -> dict:
            with _as_http():
                try:
                    others = key_value(other_councils)
                except BadRequest:
                    raise BadRequest("other_councils takes yes or no") from None
                req = requests.similar_request(id, k, council, bool(others), from_, to)
            return await self.run(self._similar, req)

        @r.get("/watches", summary="The watches kept for this index",
               response_description="as `councilqa watch list --json` prints them; each watch's feed is "
               "/feeds/NAME.atom")
        async def watches() -> dict:
            return await self.run(self._watches)

        @r.get("/watches/{name}/alerts", summary="What a watch has reported, newest first",
               response_description="as `councilqa watch alerts NAME --json` prints it")
        async def alerts(name: str, limit: str = _int(20, 1, requests.MAX_K, "alerts")) -> dict:
            with _as_http():
                size = requests.k_value(limit, "limit")
            return await self.run(self._alerts, name, size)

        from ui.api_ledger import add_routes

        add_routes(self)  # the awards ledger and the organisations

        @r.api_route("/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                     include_in_schema=False)
        async def elsewhere(request: Request, rest: str):
            path = request.url.path
            allowed = sorted({m for route in r.routes if isinstance(route, APIRoute) and route.endpoint is not
                              elsewhere and route.path_regex.match(path) for m in route.methods})
            if allowed:
                raise HTTPException(405, f"{request.method} is not answered here: {path} takes "
                                    f"{', '.join(allowed)}", headers={"Allow": ", ".join(allowed)})
            raise HTTPException(404, f"no API route {path[:80]!r}: the routes are listed at {PREFIX}/docs")


def _page(request: Request, **changes) -> str:
    """This request's path and parameters with ``changes`` (the next page)."""
    url = request.url.include_query_params(**changes)
    return f"{url.path}?{url.query}"


def routers(context) -> list[APIRouter]:
    """For ``ui.server.PARTS``: the API over the app's ``Services``, behind the server's access rules."""
    return [Api(context.services, context.dependencies).router]
