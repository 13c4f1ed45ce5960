"""The words that say what an amount is (``ingest/layouts/ledger.json``), compiled once, and the one way they are
matched: the phrase nearest the figure wins, and of two at one place the longer."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "layouts"


@dataclass(frozen=True)
class Cues:
    kinds: tuple[tuple[re.Pattern, str, int], ...]  # (phrase, kind, length)
    weak: tuple[tuple[re.Pattern, str, int], ...]  # phrases that name a kind only where no other does
    right_nouns: dict[str, str]
    threshold: re.Pattern
    periods: tuple[tuple[re.Pattern, str, int], ...]
    financial_year: re.Pattern
    qualifiers: tuple[tuple[re.Pattern, str], ...]
    roles: tuple[tuple[re.Pattern, str], ...]  # counterparty cue -> role, longest first
    weak_roles: frozenset[str]  # a name after these roles' cues must show an organisation by its own words
    share_kind: str
    carry_kinds: frozenset[str]
    units: tuple[tuple[str, float], ...]  # printed unit -> pounds, longest first
    continues: frozenset[str]


def _phrase(p: str) -> re.Pattern:
    left = r"(?<![\w])" if p[:1].isalnum() else ""
    right = r"(?![\w])" if p[-1:].isalnum() or p[-1:] == "." else ""
    return re.compile(left + re.escape(p).replace(r"\ ", r"\s+") + right, re.IGNORECASE)


@cache
def cues() -> Cues:
    data = json.loads((HERE / "ledger.json").read_text(encoding="utf-8"))
    weak_words = set(data.get("weak_kinds", []))
    kinds = tuple((_phrase(p), k, len(p)) for k, ps in data["kinds"].items() for p in ps if p not in weak_words)
    weak = tuple((_phrase(p), k, len(p)) for k, ps in data["kinds"].items() for p in ps if p in weak_words)
    periods = tuple((_phrase(p), k, len(p)) for k, ps in data["periods"].items() for p in ps)
    fillers = "|".join(re.escape(w) for w in data.get("threshold_fillers", []))
    threshold = re.compile(r"(?:^|\W)(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+")
                                                     for p in data["threshold_before"]) + r")"
                           + (rf"(?:\s+(?:{fillers})){{0,4}}" if fillers else "") + r"\W*$", re.IGNORECASE)
    roles = sorted(((p, r) for r, ps in data["counterparty"]["after"].items() for p in ps), key=lambda x: -len(x[0]))
    table = data["table"]
    return Cues(kinds, weak, {w: k for k, ws in data["right_nouns"].items() for w in ws}, threshold, periods,
                re.compile(data["financial_year"], re.IGNORECASE),
                tuple((_phrase(p), q) for q, ps in data["qualifiers"].items() for p in ps),
                tuple((_phrase(p), r) for p, r in roles), frozenset(data["counterparty"].get("weak_roles", [])),
                data.get("share_kind", "budget"), frozenset(data["counterparty"]["carry_kinds"]),
                tuple(sorted(table["units"].items(), key=lambda u: -len(u[0]))), frozenset(table["continues"]))


def nearest(patterns, text: str, from_end: bool = True) -> str:
    """The label of the phrase nearest the end (or the start) of ``text``; the longer of two at one place."""
    best, where = "", None
    for pattern, label, length in patterns:
        for m in pattern.finditer(text):
            score = (m.end(), length) if from_end else (-m.start(), length)
            if where is None or score > where:
                best, where = label, score
    return best
