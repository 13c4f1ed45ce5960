"""Layout knowledge as data: the labels a publishing system prints (per language) and councils' reference
schemes. One parser (``ingest.fields``, ``ingest.split``, ``ingest.identity``) reads every layout through these
tables; a new council's wording is a table entry and a fixture, not a branch in the code."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per layout, cached by ``layout()``
class Layout:
    page_headers: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[str, ...]]  # field -> labels
    status: dict[str, str]  # printed status (lower case) -> normalised
    yes: frozenset[str]
    no: frozenset[str]
    council_phrases: tuple[re.Pattern, ...] = ()  # how the system's pages name their council
    maker_phrases: tuple[re.Pattern, ...] = ()  # how reports and records name who decides, outside a field
    # how one decision's own text names who made it, where its layout prints no maker ("The Director of Place
    # has approved ...", "RESOLVED that Cabinet:"); a name found so must hold one of ``maker_words``
    text_makers: tuple[re.Pattern, ...] = ()
    maker_words: frozenset[str] = frozenset()  # words the name of a body or post that decides holds (lower case)
    record_headers: tuple[re.Pattern, ...] = ()  # a record of decision's heading line; its title follows
    reader_notes: tuple[re.Pattern, ...] = ()  # the site's guidance to its reader ("Use the search options below")
    item_number: re.Pattern | None = None  # an agenda item's number before its heading ("7.", "Item 7:")
    minutes_labels: tuple[str, ...] = ()  # where an agenda item's minute begins ("Minutes:")
    link_furniture: tuple[str, ...] = ()  # printed beside a document's link ("pdf icon PDF 196 KB"): regexes
    cover_labels: tuple[str, ...] = ()  # a report cover's labels beside the fields ("Portfolio", "Executive summary")
    joined_fields: dict[str, str] = field(default_factory=dict)  # field -> the field it qualifies when printed
    # on the next line ("Post: ..." after "Officer taking the decision: ..."): joined to it with ", "

    def field_of(self, label: str) -> str:
        """The field a printed label names ("Effeithiol O" -> "date_effective"), or ""."""
        return _label_index(self).get(_key(label), "")

    def page_kind(self, line: str) -> str:
        """The kind of page a header line opens ("Decision details" -> "decision page"), bullets, Markdown
        heading marks and a closing colon aside; "" for any other line."""
        return _header_index(self).get(line.strip(" \t•·*#-").lower().rstrip(":"), "")

    def labels(self) -> list[str]:
        return sorted({label for labels in self.fields.values() for label in labels}, key=len, reverse=True)


def _key(label: str) -> str:
    """A label as compared: case, spacing and a closing mark aside, and each word singular ("Reason for Decisions"
    is "Reason for Decision": one page prints the plural of another's label)."""
    words = " ".join(label.lower().replace("’", "'").split()).rstrip(":?- ").strip().split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "'s")) else w for w in words)


@cache
def _label_index(layout: Layout) -> dict[str, str]:
    return {_key(label): name for name, labels in layout.fields.items() for label in labels}


@cache
def _header_index(layout: Layout) -> dict[str, str]:
    return {h.lower(): kind for kind, headers in layout.page_headers.items() for h in headers}


@cache
def layout(name: str = "moderngov") -> Layout:
    data = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    return Layout(
        page_headers={k: tuple(v) for k, v in data["page_headers"].items()},
        fields={k: tuple(v) for k, v in data["fields"].items()},
        status=dict(data["status"]),
        yes=frozenset(data["yes"]),
        no=frozenset(data["no"]),
        council_phrases=tuple(re.compile(p, re.M) for p in data.get("council_phrases", [])),
        maker_phrases=tuple(re.compile(p, re.M) for p in data.get("maker_phrases", [])),
        text_makers=tuple(re.compile(p, re.M) for p in data.get("text_makers", [])),
        maker_words=frozenset(w.lower() for w in data.get("maker_words", [])),
        record_headers=tuple(re.compile(p, re.M | re.I) for p in data.get("record_headers", [])),
        reader_notes=tuple(re.compile(p, re.I) for p in data.get("reader_notes", [])),
        joined_fields=dict(data.get("joined_fields", {})),
        item_number=re.compile(data["item_number"], re.I) if data.get("item_number") else None,
        minutes_labels=tuple(data.get("minutes_labels", ())),
        cover_labels=tuple(data.get("cover_labels", ())),
        link_furniture=tuple(data.get("link_furniture", ())),
    )


@dataclass(frozen=True)
class Scheme:
    name: str
    pattern: re.Pattern
    strong: bool = False  # read where it opens a title without a dash, or ends one


@cache
def reference_schemes() -> tuple[tuple[Scheme, ...], re.Pattern]:
    data = json.loads((HERE / "references.json").read_text(encoding="utf-8"))
    schemes = tuple(Scheme(s["name"], re.compile(s["pattern"]), bool(s.get("strong"))) for s in data["schemes"])
    return schemes, re.compile(data["list_ref"], re.IGNORECASE)


@cache
def title_reference_pattern() -> re.Pattern:
    """A reference a decision's own title names after "ref" (``references.json``'s ``title_ref``)."""
    data = json.loads((HERE / "references.json").read_text(encoding="utf-8"))
    return re.compile(data["title_ref"])
