"""Which of the index's councils a council filter selects: ``--filter council=...``, ``awards --council``,
``similar --council``, a watch's filters, the API's and the app's council. One rule for all of them.

UK councils' names nest ("Suffolk" is in "East Suffolk Council" and "Mid Suffolk District Council", "Norfolk" in
"North Norfolk District Council"), so a part of a name would mix a council's decisions with its neighbours'.
What is typed is read by the national list (``ingest.councils``), first that applies:

1. a name the list knows, any case (``lookup``: the full name, a short or Welsh one: "Kent", "kent county
   council", "Suffolk", which the list gives to Suffolk County Council): that council's decisions only, under
   whichever of its names they are stored (``same_council``);
2. a name in a council's form that the list lacks ("Hollinsmere Borough Council"): the councils of that
   distinctive part ("Hollinsmere", "Hollinsmere Borough Council"), never "East Hollinsmere Council";
3. a part of several of the list's councils' names that names none ("Sussex", "North East"): refused with the
   councils it could mean (``AmbiguousCouncil``, a ``BadRequest``: a sentence in the CLI, a 400 in the API);
4. anything else (a council the list lacks, typed in part: "hollinsmere"): a case-insensitive part of the
   stored name, as before.

The reading depends on the list alone, never on what the index holds, so a saved watch means the same thing
after its council's neighbours are indexed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from index.errors import BadRequest
from ingest.councils import Council, distinctive, form_of, key, lookup, national, same_council

SHOWN = 8  # councils named in the message before "and N more"


class AmbiguousCouncil(BadRequest):
    """A council filter that is part of several councils' names and names none of them."""

    def __init__(self, text: str, candidates: list[Council]) -> None:
        self.candidates = candidates
        names = [c.name + ("" if c.current else f" (abolished {c.end[:4]})") for c in candidates[:SHOWN]]
        more = f" and {len(candidates) - SHOWN} more" if len(candidates) > SHOWN else ""
        super().__init__(f'council "{text}" could mean: {", ".join(names)}{more}; give one')


@dataclass(frozen=True)
class CouncilMatch:
    """A council filter as read: ``council``, the list's council it names (rule 1); ``form``, a name in a
    council's form the list lacks (rule 2); neither: a part of the stored name (rule 4)."""

    text: str
    council: Council | None = None
    form: bool = False

    @property
    def exact(self) -> bool:
        """Selects whole councils (rules 1 and 2): SQL needs the index's names to select among."""
        return self.council is not None or self.form

    def selects(self, stored: str) -> bool:
        """Whether a council stored under this name passes the filter."""
        return _selects(self.text, stored)

    def among(self, names: Iterable[str]) -> list[str]:
        """The names (as stored) that pass, in their order."""
        return [n for n in names if n and self.selects(n)]


@lru_cache(maxsize=1024)
def council_match(text: str) -> CouncilMatch:
    """``text`` (sanitised, not empty) read as a council filter; ``AmbiguousCouncil`` for rule 3."""
    council = lookup(text)
    if council is not None:
        return CouncilMatch(text, council)
    if form_of(text) is not None and distinctive(text):
        return CouncilMatch(text, form=True)
    part = key(text)
    candidates = [c for c, keys in _keys() if part and any(part in k for k in keys)]
    if len(candidates) > 1:
        raise AmbiguousCouncil(text, sorted(candidates, key=lambda c: (not c.current, c.name)))
    return CouncilMatch(text)


def check(text: str) -> str:
    """``text`` as given, once it is known not to be ambiguous ("" passes)."""
    if text:
        council_match(text)
    return text


def readable(text: str) -> bool:
    """Whether ``text`` can be a council filter: an index's own council name can not where it is a bare part of
    several councils' names ("Sussex" given as ``ingest --council``); a question is then not scoped by it."""
    try:
        council_match(text)
    except AmbiguousCouncil:
        return False
    return True


@lru_cache(maxsize=65536)
def _selects(text: str, stored: str) -> bool:
    match = council_match(text)
    if match.council is not None:
        return same_council(stored, match.council.name)
    if match.form:
        return same_council(stored, text)
    return text.lower() in stored.lower()


@cache
def _keys() -> tuple[tuple[Council, tuple[str, ...]], ...]:
    """Each council of the list with its names as compared (``key``): full, short and Welsh."""
    return tuple((c, tuple({key(n) for n in (*c.full_names, *c.short_names)})) for c in national())


def stored_councils(conn) -> list[str]:
    """The councils a store holds documents of, as stored (SQLite and PostgreSQL alike)."""
    return [r[0] for r in conn.execute("SELECT DISTINCT council FROM documents WHERE council != '' ORDER BY council")]
