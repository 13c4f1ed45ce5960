"""Search filters, turned into one parameterised SQL condition on ``documents d`` (never f-string values)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.council_filter import council_match
from index.errors import BadRequest
from index.sanitise import sanitise

# The date a decision is filed under: taken on, else published, else put to committee.
DATE_SQL = (
    "coalesce(json_extract(d.dates, '$.decision'), json_extract(d.dates, '$.published'),"
    " json_extract(d.dates, '$.committee'))"
)


@dataclass(frozen=True)
class Filters:
    decision: str = ""
    decision_maker: str = ""  # case-insensitive substring
    status: str = ""
    key_decision: bool | None = None
    doc_type: str = ""
    date_from: str = ""  # ISO dates, inclusive
    date_to: str = ""
    council: str = ""  # a council by name, or a part of a name the list lacks (``index.council_filter``)

    def __post_init__(self) -> None:
        """Checked on construction, wherever a filter comes from (CLI, app, API, code): text values are
        sanitised and bounded, dates are real calendar dates (ISO, or the UK's DD/MM/YYYY) in order."""
        for name in ("decision", "decision_maker", "status", "doc_type", "council"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise BadRequest(f"filter {FIELD_NAMES[name]} must be text")
            value = sanitise(value)
            if len(value) > MAX_VALUE:
                raise BadRequest(f"filter {FIELD_NAMES[name]} is {len(value)} characters; at most {MAX_VALUE}")
            object.__setattr__(self, name, value)
        if self.council:
            council_match(self.council)  # a part of several councils' names is refused here, naming them
        if self.key_decision not in (None, True, False):
            raise BadRequest("filter key takes yes or no")
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, iso_date(getattr(self, name), FIELD_NAMES[name]))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadRequest(f"filter from ({self.date_from}) is after to ({self.date_to}): no date is both")

    def is_empty(self) -> bool:
        return self == Filters()

    def sql(self, councils: Iterable[str] | None = None) -> tuple[str, list]:
        """The condition and its arguments. ``councils``: the index's councils as stored (``Searcher.councils``,
        ``index.council_filter.stored_councils``), which a council filter that names a council selects among."""
        where, args = [], []
        if self.decision:
            where.append("d.number = ?")
            args.append(self.decision)
        if self.decision_maker:
            # the maker may be stated on another document of the same decision (the report names none)
            where.append("d.number IN (SELECT number FROM documents WHERE lower(decision_maker) LIKE ? ESCAPE '\\')")
            args.append("%" + re.sub(r"([%_\\])", r"\\\1", self.decision_maker.lower()) + "%")
        if self.council:
            match = council_match(self.council)
            if match.exact:  # that council's names as the index stores them: never a neighbour's
                if councils is None:
                    raise ValueError("Filters.sql: a council filter that names a council needs the index's councils")
                names = match.among(councils)
                where.append(f"d.council IN ({','.join('?' * len(names))})" if names else "1 = 0")
                args += names
            else:
                where.append("lower(d.council) LIKE ? ESCAPE '\\'")
                args.append("%" + re.sub(r"([%_\\])", r"\\\1", self.council.lower()) + "%")
        if self.status:
            where.append("lower(d.status) = ?")
            args.append(self.status.lower())
        if self.key_decision is not None:
            where.append("d.number IN (SELECT number FROM documents WHERE key_decision = ?)")
            args.append(int(self.key_decision))
        if self.doc_type:
            where.append("d.doc_type = ?")
            args.append(self.doc_type)
        if self.date_from:
            where.append(f"{DATE_SQL} >= ?")
            args.append(self.date_from)
        if self.date_to:
            where.append(f"{DATE_SQL} <= ?")
            args.append(self.date_to)
        return (" AND ".join(where) or "1 = 1"), args  # "1 = 1": true in SQLite and PostgreSQL alike


MAX_VALUE = 200  # characters of a filter's text value
FIELD_NAMES = {"decision": "decision", "decision_maker": "maker", "status": "status", "doc_type": "type",
               "date_from": "from", "date_to": "to", "council": "council"}
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def iso_date(value: object, name: str = "date") -> str:
    """``YYYY-MM-DD`` (or ``DD/MM/YYYY``, as UK pages print dates) as an ISO date; "" stays "" (no bound)."""
    if not isinstance(value, str):
        raise BadRequest(f"filter {name} must be a date, YYYY-MM-DD")
    value = value.strip()
    if not value:
        return ""
    uk = _UK_DATE.fullmatch(value)
    try:
        if uk:
            return dt.date(int(uk[3]), int(uk[2]), int(uk[1])).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(f"filter {name}={value[:40]!r} is not a real date (YYYY-MM-DD, e.g. 2021-03-19)") from None
    raise BadRequest(f"filter {name}={value[:40]!r} is not a date: write YYYY-MM-DD, e.g. 2021-03-19")


def key_value(value: object) -> bool | None:
    """The key-decision filter: yes / no (true / false), or "" for either."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text not in ("", "yes", "no", "true", "false"):
        raise BadRequest("filter key takes yes or no")
    return {"yes": True, "true": True, "no": False, "false": False}.get(text)


def parse_filters(items: list[str]) -> Filters:
    """``key=value`` strings from the command line: decision, maker, status, key, type, from, to, council."""
    names = {"decision": "decision", "maker": "decision_maker", "decision_maker": "decision_maker",
             "status": "status", "key": "key_decision", "key_decision": "key_decision", "type": "doc_type",
             "doc_type": "doc_type", "from": "date_from", "date_from": "date_from", "to": "date_to",
             "date_to": "date_to", "council": "council"}
    values: dict = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name.strip() not in names:
            raise BadRequest(f"bad filter {item[:60]!r}: use NAME=VALUE with NAME one of {', '.join(sorted(set(names)))}")
        field = names[name.strip()]
        if field == "key_decision":
            if not value.strip():
                raise BadRequest(f"bad filter {item[:60]!r}: key takes yes or no")
            try:
                values[field] = key_value(value)
            except BadRequest:
                raise BadRequest(f"bad filter {item[:60]!r}: key takes yes or no") from None
        else:
            values[field] = value.strip()
    return Filters(**values)
