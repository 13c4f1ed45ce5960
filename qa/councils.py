"""The councils a question names. People ask about their council and its neighbours by name ("Cherwell's
dry recycling contract", "Which decisions of Epping Forest District Council ...", "When did Slough approve
..."): a question that names one council of the index is answered inside that council's decisions, and one
that names a council the index does not hold is not answered from another council's pages.

A name is read as the council asked about where the question treats it as one: a full name ("Kent County
Council", "London Borough of Brent"), a possessive ("Windsor and Maidenhead's"), a name before "Council",
"Cabinet" or "Executive", or the subject after "did", "has", "by" ("When did Slough approve ..."). A name
inside another proper name ("Kent Music School", "North Kent") is no council's. A bare place ("in Maidstone")
is weak: it scopes the question to an indexed council only where nothing stronger is named, and it names a
council the index lacks only where the question names no indexed council and that place lies in none of
their areas (Maidstone is in Kent's; Medway is not). Councils are known from the national list
(``ingest/layouts/councils.tsv``) and from the index's own names (any council, invented or new).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.council_names import Gazetteer, Mention, form_names, national_names
from ingest.councils import Council, by_code, distinctive, form_of, forms, lookup
from ingest.identity import council_slug

_INDEX = "="  # a gazetteer target that is one of the index's councils: "=" + its name as stored


@dataclass(frozen=True)
class Reading:
    """What a question says about councils: the index's councils it names (the strongly named, else the
    weakly named) and a council it asks about that the index holds no decision of ("" if none)."""

    named: tuple[str, ...]
    stranger: str


def named_councils(question: str, councils: list[str]) -> list[str]:
    """The index's councils the question names, in the index's order."""
    return list(read(question, tuple(councils)).named)


def unknown_council(question: str, councils: list[str]) -> str:
    """A council the question asks about that the index holds no decision of, by its official name
    ("Slough Borough Council"), or as the question writes it where no list holds it ("Sussex County
    Council"); "" if none."""
    return read(question, tuple(councils)).stranger


@lru_cache(maxsize=16)
def _gazetteer(councils: tuple[str, ...]) -> Gazetteer:
    names = national_names()
    for name in councils:
        names.append((name, _INDEX + name, form_of(name) is not None))  # "Kent" given as --council is no full name
        part = distinctive(name)
        if part:
            names.append((part, _INDEX + name, False))
        council = lookup(name)
        if council is not None:  # "Oldham Metropolitan Borough Council" names the index's "Oldham Council"
            names += [(n, _INDEX + name, True) for n in council.full_names]
            names += [(n, _INDEX + name, False) for n in council.short_names]
    return Gazetteer(names)


@lru_cache(maxsize=1024)
def _acronym(council: str) -> str:
    """A council of three or more distinctive words goes by their initials: "BCP" (Bournemouth, Christchurch
    and Poole), "NPT" (Neath Port Talbot). Matched in capitals only, as a word of its own."""
    words = council_slug(council).split("-")
    return "".join(w[0].upper() for w in words) if len(words) >= 3 else ""


@lru_cache(maxsize=256)
def read(question: str, councils: tuple[str, ...]) -> Reading:
    f = forms()
    plain = not any(ch.isupper() for ch in question[1:]) or question.isupper()  # typed with no capitals
    mentions = _gazetteer(councils).mentions(question)
    mentions += _acronyms(question, councils, mentions)
    strong: list[tuple[int, frozenset[str]]] = []
    weak: list[tuple[int, frozenset[str]]] = []
    inside: list[tuple[int, frozenset[str]]] = []  # inside another name: "the Manchester Visitor Information Centre"
    for m in mentions:
        how = _strength(m, plain, f)
        if how == "strong":
            strong.append((m.start, m.targets))
        elif how == "weak" and (m.cased or any(t.startswith(_INDEX) for t in m.targets)):
            weak.append((m.start, m.targets))  # a bare place in lower case may be a word ("turned down")
        elif how == "inside":
            inside.append((m.start, m.targets))
    for start, end, name in ([] if plain else form_names(question)):  # a name's capitals tell it from words
        if not any(m.start < end and start < m.end for m in mentions):  # "Sussex County Council": on no list
            strong.append((start, frozenset({"?" + name})))
    index = lambda found: [c for c in councils if any(_INDEX + c in t for _, t in found)]  # noqa: E731
    named = index(strong) or index(weak) or index(inside)
    return Reading(tuple(named), _stranger(strong, weak, named, councils))


def _stranger(strong, weak, named: list[str], councils: tuple[str, ...]) -> str:
    """The first council asked about that is not the index's: strongly named, or (where the question names
    none of the index's) a place that lies in none of the index's councils' areas."""
    for _, targets in sorted(strong, key=lambda s: s[0]):
        if not any(t.startswith(_INDEX) for t in targets):
            return _name_of(targets)
    if named:
        return ""
    areas = {c.code for name in councils if (c := lookup(name)) is not None}
    for _, targets in sorted(weak, key=lambda s: s[0]):
        if any(t.startswith(_INDEX) for t in targets):
            continue
        council = _council_of(targets)
        if council is not None and council.code not in areas and council.county not in areas \
                and not any((o := by_code(a)) is not None and o.county == council.code for a in areas):
            return council.name
    return ""


def _council_of(targets: frozenset[str]) -> Council | None:
    found = [c for t in sorted(targets) if (c := by_code(t)) is not None]
    current = [c for c in found if c.current]
    return (current or found)[0] if len(current) <= 1 and found else None


def _name_of(targets: frozenset[str]) -> str:
    printed = next((t[1:] for t in targets if t.startswith("?")), "")
    council = _council_of(targets)
    return council.name if council is not None else printed


def _acronyms(question: str, councils: tuple[str, ...], found: list[Mention]) -> list[Mention]:
    out = []
    for council in councils:
        letters = _acronym(council)
        if not letters:
            continue
        for m in re.finditer(rf"\b{letters}(?:'s|’s)?\b", question):
            if any(o.start <= m.start() < o.end for o in found):
                continue
            before = re.search(r"([^\W_]+)(\W*)$", question[:m.start()])
            after = re.match(r"(\W*)([^\W_]+)?(\W*)([^\W_]+)?", question[m.end():])
            out.append(Mention(m.start(), m.end(), m.group(0), frozenset({_INDEX + council}), False,
                               m.group(0).endswith("s") and "'" in m.group(0).replace("’", "'"), True,
                               before.group(1) if before else "", before.group(2) if before else "",
                               "", after.group(2) or "", after.group(1), after.group(4) or ""))
    return out


def _strength(m: Mention, plain: bool, f) -> str:
    """"strong" where the question treats the name as the council asked about, "weak" for a bare place,
    "inside" where it is part of another name ("Kent Music School"), "" where it is no council's name here
    (lower case in a question written with capitals)."""
    if not (m.cased or plain):
        return ""
    after_form = _form_after(m, f)
    if m.full or m.possessive or after_form:
        return "strong"
    before = m.before
    if (m.after and m.after_gap.strip() == "" and m.after[0].isupper() and not m.after.isupper()
            and not any(ch.isdigit() for ch in m.after)):
        return "inside"  # "Kent Music School", "Medway Towns": part of another name
    if (before and m.before_gap.strip() == "" and before[0].isupper() and before.lower() not in f.not_names
            and not plain):
        return "inside"  # "North Kent", "Javelin Way Ashford": part of another name
    if before.lower() in f.subject_before and m.before_gap.strip() == "":
        if before.lower() != "of" or not m.before_before or m.before_before.islower():
            return "strong"  # "did Slough approve", "taken by Slough", "decisions of Slough", not "University of Kent"
    return "weak"


def _form_after(m: Mention, f) -> bool:
    """The name is followed by a word of a council's name or body: "Oldham Council", "Kent Cabinet"."""
    if not m.after or m.after_gap.strip():
        return False
    words = {w.split()[0].lower() for w in f.after_name}
    return m.after.lower().replace("’", "'").removesuffix("'s") in words
