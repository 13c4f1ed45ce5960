"""The ledger as Open Contracting Data Standard (OCDS 1.1) releases, the format procurement journalists and
researchers load (https://standard.open-contracting.org/1.1/en/schema/release/), packaged by ``ocdskit``.

One release per amount: a contract's value is an award (``tag: award``; status ``pending`` while the decision is
only proposed, ``active`` once taken) to its supplier where the decision names one; a budget, grant, loan or other
figure is planning (``tag: planning``, ``planning.budget``). Every release links back to its decision and source:
its document (``documents[].url`` the council's page where it was fetched from) and its citation (decision,
paragraph, sentence) in the document's title and description. The ocid prefix ``ocds-cqa000`` is not a registered
OCDS prefix: these are a reading of the council's published decisions, not the council's own OCDS publication.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from index.ledger import Award

PREFIX = "ocds-cqa000"
AWARD_KINDS = ("contract_value", "annual_cost", "fee_or_rate")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def _datetime(date: str, fallback: str) -> str:
    return f"{date}T00:00:00Z" if date else fallback


def release(a: Award, published: str) -> dict[str, Any]:
    buyer = {"id": f"GB-COUNCIL-{_slug(a.council)}", "name": a.council or "unknown council"}
    parties = [{**buyer, "roles": ["buyer"]}]
    document = {"id": "decision", "documentType": "other", "title": f"{a.decision} {a.title}".strip(),
                "description": f"{a.citation} {a.sentence}".strip(), "language": "en"}
    if re.match(r"https?://", a.source or ""):
        document["url"] = a.source
    value = {"amount": round(a.value, 2), "currency": "GBP"}
    out: dict[str, Any] = {
        "ocid": f"{PREFIX}-{_slug(a.council)}-{_slug(a.decision)}",
        "id": f"{_slug(a.decision)}-{a.id}",
        "date": _datetime(a.date, published),
        "language": "en",
        "initiationType": "tender",
        "buyer": buyer,
    }
    if a.kind in AWARD_KINDS:
        award: dict[str, Any] = {"id": f"{_slug(a.decision)}-{a.id}", "title": a.title or None,
                                 "description": a.sentence, "status": "pending" if a.proposed else "active",
                                 "value": value, "documents": [document]}
        if a.date and a.date_kind == "decision":
            award["date"] = _datetime(a.date, published)
        if a.counterparty:
            supplier = {"id": f"GB-ORG-{_slug(a.counterparty)}", "name": a.counterparty}
            parties.append({**supplier, "roles": ["supplier"]})
            award["suppliers"] = [supplier]
        if a.term_years:
            award["contractPeriod"] = {"durationInDays": int(round(a.term_years * 365))}
        out["tag"] = ["award"]
        out["awards"] = [award]
    else:
        out["tag"] = ["planning"]
        out["planning"] = {"rationale": a.sentence, "documents": [document],
                           "budget": {"id": f"{_slug(a.decision)}-{a.id}", "description": f"{a.kind or 'amount'}"
                                      f" ({a.period.replace('_', ' ')})", "amount": value}}
    out["parties"] = parties
    return out


def package(awards: list[Award], uri: str = "", published: str | None = None) -> dict[str, Any]:
    """A release package of the awards (``ocdskit.combine.package_releases``)."""
    from ocdskit.combine import package_releases

    published = published or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    releases = [release(a, published) for a in awards]
    return package_releases(releases, uri=uri or "urn:councilqa:awards",
                            publisher={"name": "councilqa (a reading of councils' published decisions)"},
                            published_date=published)
