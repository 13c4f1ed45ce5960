"""Who a list question asks for, read against the decision maker each record prints.

"Which decisions of Camden were taken by a director?" asks for the decisions whose maker is a director ("Executive
Director Adults and Health", "Director of Housing"), not for passages that mention one; "... by the Cabinet as a
whole, rather than by a single Cabinet Member" for those whose maker is the Cabinet itself; "... did one of its
cabinet committees endorse" for those of a "... Cabinet Committee". A maker is known by its *role*: the last role
word ("director", "committee", "member") before its "for ..." or "of ...", and the other role words before it
("cabinet" in "Environment & Transport Cabinet Committee"). The role words are data (``asks.json``'s
"heads"/"roles").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from qa.asks import ASKS

_BY = re.compile(  # "taken by a director", "approved by the Cabinet as a whole"
    r"\b(?:taken|made|approved|agreed|decided|endorsed|signed(?: off)?|authori[sz]ed|determined|considered)\s+by\s+"
    r"(?P<who>[^,?;.]{2,80}?)(?=\s*(?:[,?;.]|\b(?:in|at|during|on|between|since|before|after|rather than|"
    r"instead of|and not|not|that|which|who)\b|$))", re.I)
_DID = re.compile(  # "did one of its cabinet committees endorse"
    r"\bdid\s+(?:one of\s+|any of\s+)?(?P<who>(?:its|the|a|an)\s+[^,?;.]{2,60}?)\s+"
    r"(?:endorse|approve|take|make|decide|agree|sign|authori[sz]e|consider|determine)\b", re.I)
_NOT_THEM = re.compile(r"[,;]?\s*\b(?:rather than|instead of|and not|but not)\b[^?]*", re.I)  # what is not asked
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*", re.I)


@lru_cache(maxsize=1)
def _roles() -> frozenset[str]:
    return frozenset(w.lower() for w in json.loads(ASKS.read_text(encoding="utf-8"))["heads"]["roles"])


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ees") or w.endswith("ers") or w.endswith("ors") or w.endswith("ets") or w.endswith("ads"):
        return w[:-1]  # committees, members, directors, cabinets, heads
    return w


@dataclass(frozen=True)
class Role:
    head: str  # "director", "committee", "cabinet"
    qualifiers: frozenset[str] = frozenset()  # the other role words it is named with ("cabinet" committee)

    def fits(self, maker: str) -> bool:
        """Whether a record's decision maker is of this role."""
        theirs = role_of(maker)
        return theirs is not None and theirs.head == self.head and self.qualifiers <= theirs.words

    @property
    def words(self) -> frozenset[str]:
        return self.qualifiers | {self.head}


def role_of(text: str) -> Role | None:
    """The role a maker's name or a question's phrase names, or None where it names none: "Cabinet Member for
    Finance" -> member (cabinet); "Environment & Transport Cabinet Committee" -> committee (cabinet); "Director of
    Housing" -> director; "Clair Bell, Cabinet Member for ..." -> member (cabinet); "a director" -> director."""
    roles = _roles()
    for segment in text.split(","):  # "Clair Bell, Cabinet Member for Adult Social Care": the name, then the role
        part = re.split(r"\b(?:for|of)\b|\(", segment, maxsplit=1)[0]
        found = [_singular(w) for w in _WORD.findall(part) if _singular(w) in roles]
        if found:
            return Role(found[-1], frozenset(found[:-1]))
    return None


@dataclass(frozen=True)
class Asked:
    role: Role | None
    span: tuple[int, int]  # where the question asks it ("taken by a director"), with what it rules out


def asked_role(question: str) -> Asked | None:
    """The maker a list question asks for, by role, and the words that ask it; None where it asks none."""
    m = _BY.search(question) or _DID.search(question)
    if not m:
        return None
    role = role_of(m.group("who"))
    if role is None:
        return None
    end = m.end()
    rest = _NOT_THEM.match(question, end)
    return Asked(role, (m.start(), rest.end() if rest else end))
