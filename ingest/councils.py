"""UK councils by name and by web address: the national list (``ingest/layouts/councils.tsv``, see its
``COUNCILS.md`` for sources and licences) and the forms a council's name takes (``council_forms.json``).

A council's *name* is a name of the national list (official, short or Welsh: "Kent", "Cyngor Sir Ynys Môn") or
one written in a council's form around a proper distinctive part ("Hollinsbury Council", "Borough of
Eastmarsh"); a bare "Council", "the Council" or "Cabinet" is none. Text is searched for names in
``ingest.council_names``, sites and addresses in ``ingest.council_sites``; this module answers what one name
stands for.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "layouts"
LIST_FILE = HERE / "councils.tsv"
FORMS_FILE = HERE / "council_forms.json"

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")


@dataclass(frozen=True)
class Council:
    """One council of the national list. ``short``: its distinctive parts, the first the usual one
    ("West Sussex"; "County Durham", "Durham"); ``end``: the day it was abolished ("" while it exists)."""

    code: str
    name: str
    short: tuple[str, ...]
    name_cy: str = ""
    short_cy: str = ""
    domains: tuple[str, ...] = ()
    nation: str = ""
    kind: str = ""
    county: str = ""  # the code of the county council whose area holds a district's ("KEN" for Ashford)
    end: str = ""
    replaced_by: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        return not self.end

    @property
    def full_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.name_cy) if n)

    @property
    def short_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for n in (*self.short, self.short_cy) if n))


@dataclass(frozen=True)
class Forms:
    """The name-form vocabulary (``council_forms.json``)."""

    forms: tuple[tuple[re.Pattern, bool], ...]  # (whole-name pattern with group "name", principal?)
    after_name: tuple[str, ...]
    before_name: tuple[str, ...]
    generic: frozenset[str]  # lower case
    not_names: frozenset[str]  # lower case
    connectors: frozenset[str]
    subject_before: frozenset[str]
    suffixes: tuple[str, ...]
    hosting: tuple[str, ...]
    label_affixes: tuple[str, ...]


@cache
def forms() -> Forms:
    data = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    compiled = []
    for entry in sorted(data["forms"], key=lambda f: -len(f["form"].replace("{name}", ""))):
        before, _, after = entry["form"].partition("{name}")
        pattern = (r"^" + r"\s+".join(map(re.escape, before.split())) + (r"\s+" if before.strip() else "")
                   + r"(?P<name>.+?)" + (r"\s+" if after.strip() else "")
                   + r"\s+".join(map(re.escape, after.split())) + r"$")
        compiled.append((re.compile(pattern, re.I), entry.get("principal", True)))
    web = data["web"]
    return Forms(tuple(compiled), tuple(data["after_name"]), tuple(data["before_name"]),
                 frozenset(_clean(g).lower() for g in data["generic"]),
                 frozenset(w.lower() for w in data["not_names"]), frozenset(data["connectors"]),
                 frozenset(data["subject_before"]), tuple(sorted(web["suffixes"], key=len, reverse=True)),
                 tuple(web["hosting"]), tuple(sorted(web["label_affixes"], key=len, reverse=True)))


@cache
def council_words() -> frozenset[str]:
    """The words of the name forms and of the generic names, lower case ("borough", "royal", "county", "cabinet",
    "cyngor"): they say which council, never what about."""
    data = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    text = " ".join([*(f["form"].replace("{name}", " ") for f in data["forms"]), *data["generic"]])
    return frozenset(w.lower() for w in re.findall(r"\w+", text))


def _clean(name: str) -> str:
    """Spacing, quotes and dashes made plain; a possessive and surrounding punctuation dropped."""
    name = " ".join(name.replace("’", "'").replace("–", "-").split()).strip(" .,;:()'\"")
    return re.sub(r"'s$", "", name)


def fold(text: str) -> str:
    """Lower case without accents: "Môn" and "Mon" compare equal."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def norm(token: str) -> str:
    """One word as compared: folded, apostrophes dropped ("King's" and "Kings" alike), "&" read as "and"."""
    return "and" if token == "&" else fold(token).replace("’", "").replace("'", "")


def base(token: str) -> str:
    """A word without its possessive: "Slough's" -> "slough"."""
    word = fold(token).replace("’", "'")
    return norm(word[:-2] if word.endswith("'s") else word)


def tokens(text: str) -> list[re.Match]:
    """The words of ``text`` (hyphens, commas and full stops between them): "Newcastle-under-Lyme" is three."""
    return list(_TOKEN.finditer(text))


def key(name: str) -> str:
    """A name as compared: its words folded and joined by single spaces ("King's Lynn" -> "kings lynn")."""
    return " ".join(norm(t) for t in _TOKEN.findall(name))


def form_of(name: str) -> tuple[str, bool] | None:
    """(distinctive part, principal?) where ``name`` is written in one of the forms, else None."""
    name = _clean(name)
    for pattern, principal in forms().forms:
        m = pattern.match(name)
        if m and m.group("name").strip():
            return m.group("name").strip(" ,"), principal
    return None


def distinctive(name: str) -> str:
    """The part of a council's name that tells it apart: "West Sussex County Council" -> "West Sussex",
    "London Borough of Richmond upon Thames" -> "Richmond upon Thames", "City of Cardiff Council" -> "Cardiff";
    a name in no form is its own distinctive part; "" for a generic word ("the Council", "Cabinet")."""
    name = _clean(name)
    if not name or name.lower() in forms().generic:
        return ""
    found = form_of(name)
    part = found[0] if found else name
    return "" if part.lower() in forms().generic else part


def proper(part: str) -> bool:
    """A distinctive part that can name a council: each word capitalised but the joining ones ("upon", "and",
    Welsh "ar", "y"), its first word not one that opens a sentence or names a body ("The", "Full", "Cabinet")."""
    f = forms()
    words = part.replace(",", " ").split()
    if not words or words[0].lower() in f.not_names or words[0].lower() in f.connectors:
        return False
    return all(w[0].isupper() or w.lower() in f.connectors for w in words)


# --- the national list ---------------------------------------------------------------------------------------

@cache
def national() -> tuple[Council, ...]:
    with LIST_FILE.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")]
    split = lambda v: tuple(x for x in v.split(";") if x)  # noqa: E731
    return tuple(Council(r["code"], r["name"], split(r["short"]), r["name_cy"], r["short_cy"], split(r["domains"]),
                         r["nation"], r["kind"], r["county"], r["end"], split(r["replaced_by"])) for r in rows)


@cache
def _by_key() -> tuple[dict[str, list[Council]], dict[str, list[Council]]]:
    """Full names and short names (keys) -> councils, current ones first."""
    full: dict[str, list[Council]] = {}
    short: dict[str, list[Council]] = {}
    for c in sorted(national(), key=lambda c: not c.current):
        for n in c.full_names:
            full.setdefault(key(n), []).append(c)
        for n in c.short_names:
            short.setdefault(key(n), []).append(c)
    return full, short


def one_of(found: list[Council]) -> Council | None:
    """The council a name stands for: the one current council among several (Dorset Council, not the
    abolished Dorset County Council), or the only one; None where two current councils share it."""
    current = [c for c in found if c.current]
    if len(current) == 1 or (not current and len(found) == 1):
        return (current or found)[0]
    return None


def lookup(name: str) -> Council | None:
    """The council of the national list ``name`` names: by its full name ("Dorset County Council" is the
    abolished county), else by its distinctive part ("Windsor and Maidenhead's", "Kent County Council" written
    "Kent Council"), or None."""
    full, short = _by_key()
    k = key(_clean(name))
    if not k:
        return None
    if k in full:
        return one_of(full[k])
    part = key(distinctive(name))
    return one_of(short.get(part, [])) if part else None


def by_code(code: str) -> Council | None:
    return next((c for c in national() if c.code == code), None)


def council_name(name: str) -> str:
    """``name`` as a council's name, or "" where it names no council: a name of the national list (a short
    one comes back as the council's official name: "Kent" -> "Kent County Council"; a full one as printed, in
    the list's spelling where the page prints it in capitals), or a name in a council's form around a proper
    distinctive part ("Hollinsbury Council"). Never a generic word: "Council", "the Council", "Cabinet"."""
    name = _clean(name)
    if not distinctive(name):
        return ""
    found = lookup(name)
    if found is not None:
        full = next((n for n in found.full_names if key(n) == key(name)), "")
        if full:
            return full if name.isupper() or name.islower() else name
        return name if form_of(name) else found.name
    if name.isupper():
        name = name.title()
    return name if form_of(name) and proper(distinctive(name)) else ""


def same_council(a: str, b: str) -> bool:
    """Two names of one council: the same distinctive part, or the same council of the national list."""
    if not a or not b:
        return False
    if key(distinctive(a)) == key(distinctive(b)):
        return True
    ca, cb = lookup(a), lookup(b)
    return ca is not None and ca == cb
