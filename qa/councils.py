"""The councils a question names. People ask about their council and its neighbours by name ("Cherwell's
dry recycling contract", "Which decisions of Epping Forest District Council ..."): a question that names one
council of the index is answered inside that council's decisions, and one that names a council the index
does not hold is not answered from another council's pages."""
from __future__ import annotations

import re
from functools import lru_cache

from ingest.identity import council_slug

# A council named in full: "Brighton and Hove City Council", "London Borough of Camden", "Royal Borough of ...".
_FULL_NAME = re.compile(
    r"\b(?:(?:London|Royal) Borough of [A-Z][\w'-]+(?: (?:and )?[A-Z][\w'-]+){0,3}"
    r"|(?:[A-Z][\w'-]+ (?:and )?){1,4}(?:City|County|Borough|District|Metropolitan Borough|Town) Council)\b")


@lru_cache(maxsize=1024)
def _pattern(council: str) -> re.Pattern | None:
    """The council's distinctive words as the question may write them: "Windsor and Maidenhead",
    "Newcastle-under-Lyme", "West Sussex's"."""
    words = council_slug(council).split("-")
    if not words or words == ["council"]:
        return None
    return re.compile(r"\b" + r"[\s,-]+(?:and\s+|&\s+)?".join(map(re.escape, words)) + r"(?:'s|’s)?\b", re.I)


@lru_cache(maxsize=1024)
def _acronym(council: str) -> re.Pattern | None:
    """A council of three or more distinctive words goes by their initials: "BCP" (Bournemouth, Christchurch
    and Poole), "NPT" (Neath Port Talbot). Matched in capitals only, as a word of its own."""
    words = council_slug(council).split("-")
    if len(words) < 3:
        return None
    return re.compile(r"\b" + "".join(w[0].upper() for w in words) + r"(?:'s|’s)?\b")


def named_councils(question: str, councils: list[str]) -> list[str]:
    """The index's councils the question names, in the index's order."""
    return [c for c in councils if ((p := _pattern(c)) is not None and p.search(question))
            or ((a := _acronym(c)) is not None and a.search(question))]


def unknown_council(question: str, councils: list[str]) -> str:
    """A council the question names in full that the index holds no decision of ("" if none)."""
    known = {council_slug(c) for c in councils}
    for m in _FULL_NAME.finditer(question):
        slug = council_slug(m.group(0))
        if slug not in known and not any(slug in k or k in slug for k in known):
            return m.group(0)
    return ""
