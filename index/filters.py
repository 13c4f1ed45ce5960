"""Search filters, turned into one parameterised SQL condition on ``documents d`` (never f-string values)."""
from __future__ import annotations

from dataclasses import dataclass

# The date a decision is filed under: taken on, else published, else put to committee.
DATE_SQL = (
    "coalesce(json_extract(d.dates, '$.decision'), json_extract(d.dates, '$.publication'),"
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

    def is_empty(self) -> bool:
        return self == Filters()

    def sql(self) -> tuple[str, list]:
        where, args = [], []
        if self.decision:
            where.append("d.number = ?")
            args.append(self.decision)
        if self.decision_maker:
            # the maker may be stated on another document of the same decision (the report names none)
            where.append("d.number IN (SELECT number FROM documents WHERE lower(decision_maker) LIKE ?)")
            args.append(f"%{self.decision_maker.lower()}%")
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
        return (" AND ".join(where) or "1"), args


def parse_filters(items: list[str]) -> Filters:
    """``key=value`` strings from the command line: decision, maker, status, key, type, from, to."""
    names = {"decision": "decision", "maker": "decision_maker", "decision_maker": "decision_maker",
             "status": "status", "key": "key_decision", "key_decision": "key_decision", "type": "doc_type",
             "doc_type": "doc_type", "from": "date_from", "date_from": "date_from", "to": "date_to",
             "date_to": "date_to"}
    values: dict = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name.strip() not in names:
            raise ValueError(f"bad filter {item!r}: use NAME=VALUE with NAME one of {', '.join(sorted(set(names)))}")
        field = names[name.strip()]
        if field == "key_decision":
            if value.lower() not in ("yes", "no", "true", "false"):
                raise ValueError(f"bad filter {item!r}: key takes yes or no")
            values[field] = value.lower() in ("yes", "true")
        else:
            values[field] = value.strip()
    return Filters(**values)
