"""The awards ledger as its front ends hand it out: the rows one request asks for (``collect``) and each format
they are written in (``render``: JSON, CSV, OCDS). ``councilqa awards --json|--csv|--ocds`` prints what
``render`` returns and ``GET /api/awards?format=json|csv|ocds`` answers with it, so the two are the same bytes for
the same request (the OCDS package's ``publishedDate`` is the moment it was made).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from typing import Any

from index.ledger import MAX_PAGE, Award, awards
from index.requests import EXPORT_FORMATS as FORMATS
from index.requests import AwardsRequest

MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "ocds": "application/json"}
CSV_COLUMNS = ["decision", "council", "title", "maker", "status", "date", "date_kind", "amount", "value_gbp", "kind",
               "period", "term_years", "counterparty", "role", "row", "qualifier", "citation", "paragraph", "quote",
               "document", "source"]


@dataclass(frozen=True)
class AwardsExport:
    """The rows of one request, and how many the filters allow over every page: exact up to ``COUNT_CAP``, and
    beyond it exact only where every row was read (else ``total_is_floor``)."""

    awards: list[Award]
    total: int
    total_is_floor: bool
    offset: int
    limit: int | None  # None: every row from ``offset``

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "total_is_floor": self.total_is_floor, "offset": self.offset,
                "limit": self.limit, "awards": [a.to_dict() for a in self.awards]}

    @property
    def more(self) -> bool:
        """Rows past these: a next page."""
        return self.limit is not None and len(self.awards) == self.limit and \
            (self.total_is_floor or self.offset + self.limit < self.total)


def collect(conn, req: AwardsRequest) -> AwardsExport:
    """``req.limit`` rows (every row when None) after ``req.offset``, read ``MAX_PAGE`` at a time."""
    out: list[Award] = []
    start = offset = req.offset
    while True:
        size = MAX_PAGE if req.limit is None else min(MAX_PAGE, req.limit - len(out))
        page = awards(conn, replace(req.query, limit=size, offset=offset))
        out += page.awards
        offset += len(page.awards)
        ended = len(page.awards) < size  # the last row the filters allow is read
        if ended or (req.limit is not None and len(out) >= req.limit):
            break
    if not page.more:  # at most COUNT_CAP rows: the count is exact
        total, floor = page.total, False
    elif ended and offset > start:  # read to the end: the rows read and skipped are every row
        total, floor = offset, False
    else:
        total, floor = page.total, True
    return AwardsExport(out, total, floor, start, req.limit)


def as_csv(rows: list[Award]) -> str:
    """One line a row with its citation and quote; CRLF line ends, as the CSV standard (RFC 4180) has them."""
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer)
    w.writerow(CSV_COLUMNS)
    for a in rows:
        w.writerow([a.decision, a.council, a.title, a.maker, a.status, a.date, a.date_kind, a.text, f"{a.value:.2f}",
                    a.kind, a.period, "" if a.term_years is None else f"{a.term_years:g}", a.counterparty, a.role,
                    a.row, a.qualifier, a.citation, a.paragraph, " ".join(a.sentence.split()), a.document, a.source])
    return buffer.getvalue()


def as_json(value: dict[str, Any]) -> str:
    """JSON as the CLI prints it: UTF-8 text (not \\u escapes), indented, ending in a newline."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def render(export: AwardsExport, fmt: str) -> str:
    """The export in ``fmt`` (one of ``FORMATS``): what the CLI prints and the API answers."""
    if fmt == "csv":
        return as_csv(export.awards)
    if fmt == "ocds":
        from index.ocds import package

        return as_json(package(export.awards))
    if fmt == "json":
        return as_json(export.to_dict())
    raise ValueError(f"no format {fmt!r}: {', '.join(FORMATS)}")

