"""Organisations in the store (``organisations`` table, written at ingest by ``ingest.orgs``): who they are, the
decisions that name them, and the ledger's amounts they are the counterparty of. Typed records for the CLI
(``councilqa orgs``), the app's organisation page and the HTTP API."""
from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from index.errors import BadRequest
from index.ledger import Award, LedgerQuery, awards


class OrganisationNotFound(BadRequest):
    def __init__(self, name: str) -> None:
        super().__init__(f"no organisation named like {name[:80]!r} in the index: `councilqa orgs` (GET /api/orgs) "
                         "lists them")


@dataclass(frozen=True)
class Organisation:
    key: str  # normalised name ("acme care limited")
    name: str  # as most often printed
    kind: str  # company, charity, nhs, council, education, public, organisation
    decisions: int
    amounts: int  # ledger rows naming it as counterparty
    roles: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # every printed form

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Mention:
    decision: str
    title: str
    council: str
    status: str
    date: str
    paragraph: str
    sentence: str
    document: str
    role: str


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    mentions: list[Mention] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.organisation.to_dict(), "mentions": [asdict(m) for m in self.mentions],
                "awards": [a.to_dict() for a in self.awards]}


def organisations(conn: sqlite3.Connection, name: str = "", limit: int | None = 1000) -> list[Organisation]:
    """Organisations named in the index (those whose normalised name holds ``name``'s; none where ``name`` normalises
    to nothing), most decisions first; ``limit`` None: every one."""
    from ingest.orgs import org_key

    args: list = []
    where = ""
    if name:
        key = org_key(name)
        if not key:  # only words every name drops ("the", "%"): it names no organisation, not every one
            return []
        where = " WHERE o.key LIKE ? ESCAPE '\\'"
        args.append("%" + re.sub(r"([%_\\])", r"\\\1", key) + "%")
    rows = conn.execute(
        "SELECT o.key, o.name, o.kind, o.role, d.number FROM organisations o JOIN documents d ON d.id = o.document_id"
        + where, args).fetchall()
    grouped: dict[str, list] = {}
    for r in rows:
        grouped.setdefault(r[0], []).append(r)
    counts = dict(conn.execute("SELECT party_key, count(*) FROM ledger WHERE party_key != '' AND repeats = 0"
                               " GROUP BY party_key").fetchall())
    out = []
    for key, rs in grouped.items():
        names = Counter(r[1] for r in rs)
        kinds = Counter(r[2] for r in rs if r[2] != "organisation") or Counter(r[2] for r in rs)
        out.append(Organisation(key, names.most_common(1)[0][0], kinds.most_common(1)[0][0],
                                len({r[4] for r in rs if r[4]}), counts.get(key, 0),
                                tuple(sorted({r[3] for r in rs if r[3]})), tuple(sorted(names))))
    out.sort(key=lambda o: (-o.decisions, -o.amounts, o.name.lower()))
    return out[:limit]


def organisation_page(conn: sqlite3.Connection, name: str) -> OrganisationPage | None:
    """One organisation (the best match for ``name``): where it is named and what it was awarded."""
    from ingest.orgs import org_key

    found = organisations(conn, name)
    if not found:
        return None
    exact = [o for o in found if o.key == org_key(name)]
    org = exact[0] if exact else found[0]
    rows = conn.execute(
        "SELECT d.number, d.title, d.council, d.status, d.dates, o.paragraph, o.sentence, d.path, o.role"
        " FROM organisations o JOIN documents d ON d.id = o.document_id WHERE o.key = ? ORDER BY d.number, d.path",
        [org.key]).fetchall()
    import json

    mentions = []
    for r in rows:
        dates = json.loads(r[4] or "{}")
        date = dates.get("decision") or dates.get("meeting") or dates.get("committee") or dates.get("published", "")
        mentions.append(Mention(r[0], r[1], r[2], r[3], date, r[5], r[6], r[7], r[8]))
    page = awards(conn, LedgerQuery(org=org.key, limit=1000, sort="date"))
    exact_awards = [a for a in page.awards if org_key(a.counterparty) == org.key]
    return OrganisationPage(org, mentions, exact_awards)
