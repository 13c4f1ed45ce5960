"""The awards ledger and the organisations in the HTTP API (``ui.api``): ``GET /api/awards``, ``GET /api/orgs`` and
``GET /api/orgs/{name}``, answered as ``councilqa awards`` and ``councilqa orgs`` print them.

Thin, as ``ui.cli_awards`` is: the parameters are checked by ``index.requests.awards_request`` (the CLI's and the
Awards tab's check), the rows read by ``index.ledger_export.collect`` and written by its ``render`` (JSON, CSV or
OCDS: the CLI's ``--json``, ``--csv`` and ``--ocds`` print the same), the organisations by ``index.orgs``. The
index is reached through the app's ``Services`` (``asker().searcher.conn``), so a database index serves them as a
directory does. The routes sit on the API's router: its access rules, limits and JSON errors hold for them.
"""
from __future__ import annotations

from fastapi import Query, Request, Response

from index import requests
from index.ledger import KINDS, MAX_PAGE, SORTS

AWARDS_PAGE = 100  # the CLI's text page
ORGS_PAGE = 100
MAX_ORGS_PAGE = 1000  # ``councilqa orgs`` lists at most this many


def add_routes(api) -> None:
    """The ledger's routes on ``api.router`` (a ``ui.api.Api``), before its catch-all."""
    from ui.api import _as_http, _int, _page

    r = api.router

    def collect(req: requests.AwardsRequest, fmt: str):
        from index.ledger_export import collect, render

        export = collect(api.services.asker().searcher.conn, req)
        return export, None if fmt == "json" else render(export, fmt)

    def organisations(name: str) -> list:
        from index.orgs import organisations

        return organisations(api.services.asker().searcher.conn, name, limit=None)

    def organisation(name: str) -> dict:
        from index.orgs import OrganisationNotFound, organisation_page

        page = organisation_page(api.services.asker().searcher.conn, name)
        if page is None:
            raise OrganisationNotFound(name)
        return page.to_dict()

    @r.get("/awards", summary="The awards ledger: every amount with its decision, filtered and sorted, a page at a "
           "time (JSON, CSV or OCDS)",
           response_description='as `councilqa awards --json` prints it: {"total", "total_is_floor", "offset", '
           '"limit", "awards": [...]} (each amount with its decision, council, status, date, kind, period, '
           'counterparty, table row and citation), and "next", the next page; format=csv or format=ocds: the bytes '
           "`--csv` or `--ocds` prints for the same page, the count in X-Total-Count (X-Total-Is-Floor: true where "
           "it is a floor) and the next page in a Link header")
    async def awards(request: Request,
                     min_: str = Query("", alias="min", description="at least this much: 1m, 250k, £1.5m, 1000000"),
                     max_: str = Query("", alias="max", description="at most this much"),
                     from_: str = Query("", alias="from", description="decided (or put to its meeting) on or after "
                                        "this date (YYYY-MM-DD or DD/MM/YYYY)"),
                     to: str = Query("", description="on or before this date"),
                     council: str = Query("", description="a council's name, any case (Kent, Suffolk County Council: "
                                         "that council only); else a part of its name"),
                     maker: str = Query("", description="the decision maker contains this (any case)"),
                     kind: list[str] = Query([], description="what the amount is (repeat for several: kind=grant&"
                                             "kind=loan); default every kind but threshold",
                                             json_schema_extra={"items": {"type": "string", "enum": list(KINDS)}}),
                     org: str = Query("", description="the counterparty's name (normalised: 'Acme Care Ltd' = 'ACME "
                                      "CARE LIMITED')"),
                     status: str = Query("", description="the decision's: proposed, recommendations approved, taken"),
                     decision: str = Query("", description="one decision's amounts (its id, e.g. 22/00093)"),
                     sort: str = Query("value", description="value (largest first), -value, date (newest first), "
                                       "-date, council", json_schema_extra={"enum": list(SORTS)}),
                     all_printings: str = Query("", description="yes: also each time a decision prints a figure "
                                                "again (its report as its record)"),
                     limit: str = _int(AWARDS_PAGE, 1, MAX_PAGE, "amounts in this page"),
                     offset: str = _int(0, 0, requests.MAX_EXPORT, "amounts skipped before this page"),
                     format: str = Query("json", description="json, csv or ocds (OCDS 1.1 release package)",  # noqa: A002
                                         json_schema_extra={"enum": list(requests.EXPORT_FORMATS)})):
        with _as_http():
            fmt = requests.export_format(format)
            req = requests.awards_request(min_, max_, from_, to, council, maker, kind, org, status, decision, sort,
                                          limit, offset, requests.yes_no(all_printings, "all_printings"))
        export, body = await api.run(collect, req, fmt)
        following = _page(request, offset=export.offset + len(export.awards)) if export.more else None
        if body is None:
            return {**export.to_dict(), "next": following}
        from index.ledger_export import MEDIA_TYPES

        headers = {"X-Total-Count": str(export.total)}
        if export.total_is_floor:  # more rows than are counted: the count is a floor
            headers["X-Total-Is-Floor"] = "true"
        if following:
            headers["Link"] = f'<{following}>; rel="next"'
        if fmt == "csv":
            headers["Content-Disposition"] = 'attachment; filename="awards.csv"'
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)

    @r.get("/orgs", summary="The organisations named in decisions, most decisions first, a page at a time",
           response_description='{"organisations": [...]}, each as `councilqa orgs --json` prints it (its '
           "normalised key, name, kind, decisions, amounts, roles, every printed name), and the page: total, offset, "
           "limit, next (`councilqa orgs --json` lists the first 1,000)")
    async def orgs(request: Request,
                   name: str = Query("", description="only those whose name holds this, normalised ('acme care ltd' "
                                     "finds 'ACME CARE LIMITED')"),
                   offset: str = _int(0, 0, 10_000_000, "organisations skipped before this page"),
                   limit: str = _int(ORGS_PAGE, 1, MAX_ORGS_PAGE, "organisations in this page")) -> dict:
        with _as_http():
            wanted = requests.organisation_name(name) if name.strip() else ""
            skip = requests.offset_value(offset, upper=10_000_000)
            size = requests.k_value(limit, "limit", upper=MAX_ORGS_PAGE)
        found = await api.run(organisations, wanted)
        more = skip + size < len(found)
        return {"organisations": [o.to_dict() for o in found[skip:skip + size]], "total": len(found), "offset": skip,
                "limit": size, "next": _page(request, offset=skip + size) if more else None}

    @r.get("/orgs/{name:path}", summary="One organisation: the decisions that name it and the amounts it is the "
           "counterparty of",
           response_description="as `councilqa orgs NAME --json` prints it; the best match for the name, normalised "
           "('Acme Care Ltd' = 'ACME CARE LIMITED'); 404 where no organisation's name holds it")
    async def organisation_route(name: str) -> dict:
        with _as_http():
            wanted = requests.organisation_name(name)
        return await api.run(organisation, wanted)
