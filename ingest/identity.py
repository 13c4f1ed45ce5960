"""A decision's identity: the council's own reference where the page prints one, in whatever scheme
(``ingest/layouts/references.json``), else an id derived from council, date and title.

``decision_id`` is what citations carry. It is the reference itself where no other council in the index prints
the same one (so the sample keeps ``[22/00093 ...]``), the reference behind the council's short name where
two councils share it (``eastmarsh:101``), and ``council:date:title-words`` for a decision with no reference.
"""
from __future__ import annotations

import re

from ingest.layouts import reference_schemes, title_reference_pattern

_GENERIC = {"council", "county", "borough", "district", "city", "metropolitan", "london", "royal", "the", "of",
            "and", "town", "parish", "cyngor", "sir", "bwrdeistref", "dinas", "a", "isle"}
_LEAD_REF = re.compile(r"^(?P<ref>[A-Za-z]{0,5}\d[\w/().]*(?:\s\(\d{2}/\d{2}\))?)(?P<sep>\s*[-–:]\s+|\s+)"
                       r"(?P<title>\S.*)$")


def _strong() -> set[str]:
    """Schemes distinctive enough to open a title with no dash after them (``references.json``)."""
    return {s.name for s in reference_schemes()[0] if s.strong}


def title_reference(title: str) -> tuple[str, str]:
    """("24/00002", "Older Persons ...") from "24/00002 - Older Persons ..." (or "21/00002 Active Travel ...");
    a title that opens with no reference in a known scheme comes back whole with "" as its reference."""
    m = _LEAD_REF.match(title.strip())
    if m:
        scheme = scheme_of(m.group("ref"))
        if scheme and (m.group("sep").strip() or scheme in _strong()):
            return m.group("ref").strip(), m.group("title").strip()
    return "", title.strip()


def trailing_reference(title: str) -> str:
    """A council's own reference ending a title ("Bold Steps for Kent - ... - 10/01544", "... OKD15 (24/25)")."""
    schemes, _ = reference_schemes()
    for scheme in schemes:
        if scheme.strong:
            m = re.search(rf"(?:^|[\s(-])({scheme.pattern.pattern})\)?\s*$", title)
            if m:
                return m.group(1).strip()
    return ""


def named_reference(title: str) -> str:
    """A reference the title names after "ref" ("... Traffic Regulation Order ref P20 2019 ..." → "P20 2019")."""
    m = title_reference_pattern().search(title)
    return m.group(1) if m else ""


def scheme_of(reference: str) -> str:
    """The name of the reference scheme ``reference`` is written in, or ""."""
    schemes, _ = reference_schemes()
    for scheme in schemes:
        if scheme.pattern.fullmatch(reference.strip()):
            return scheme.name
    return ""


def find_reference(line: str) -> str:
    """The first reference in a known scheme on a decision's own title or label line ("" if none)."""
    schemes, list_ref = reference_schemes()
    for scheme in schemes:
        m = scheme.pattern.search(line)
        if m:
            return m.group(0).strip()
    m = list_ref.search(line)
    return m.group(1) if m else ""


def council_slug(council: str) -> str:
    """"Cherwell District Council" -> "cherwell"; "London Borough of Camden" -> "camden"."""
    words = [w for w in re.findall(r"[a-z0-9]+", council.lower().replace("&", " and ")) if w not in _GENERIC]
    return "-".join(words) or "council"


def derived_id(council: str, date: str, title: str) -> str:
    """An id for a decision that prints no reference: council, date and the first words of its title."""
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in {"the", "of", "and", "a", "an", "to",
                                                                              "for", "in", "on"}][:4]
    parts = [council_slug(council)] if council else []
    parts += [date] if date else []
    parts += ["-".join(words)] if words else []
    return ":".join(parts)


def decision_ids(keys: list[tuple[str, str, str, str]]) -> dict[tuple[str, str, str, str], str]:
    """Ids for decisions keyed by (council, reference, date, title): the bare reference where only one
    council prints it, ``slug:reference`` where several do, a derived id where there is no reference.
    Deterministic for a given index: re-ingesting the same files gives the same ids."""
    councils_of: dict[str, set[str]] = {}
    for council, ref, _, _ in keys:
        if ref:
            councils_of.setdefault(ref, set()).add(council)
    out: dict[tuple[str, str, str, str], str] = {}
    for key in sorted(set(keys)):
        council, ref, date, title = key
        if ref:
            named = councils_of[ref] - {""}  # a document that names no council joins the one council that does
            out[key] = ref if len(named) <= 1 or not council else f"{council_slug(council)}:{ref}"
        elif title:
            out[key] = derived_id(council, date, title)
        else:
            out[key] = ""
    return out
