"""What a question pins down besides a period and the kind of answer it wants: a kind of thing, or a name.

A quoted sentence can have the right kind of fact and still be about something else:
- "When will Cardiff's new Welsh-medium **secondary** school open?" is not answered by the decision to consult on a
  **primary** school that opens in September 2021, when that decision never says "secondary". Sibling words
  (school phases, capital and revenue, freehold and leasehold) come from ``qa/data/particulars.json``, each with
  the nouns it qualifies, so "the primary aim" is not a primary school.
- "**Which** community centres is Newcastle-under-Lyme closing?" and "What is **the name of** the new school?" ask
  for names. A passage that names none ("To report on the review of the Council's Community Centres") does not
  answer them, however close it reads.
Both are checks on an answer already drafted and verified: they can only turn an answer into "not found".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "particulars.json"
_CAPITALISED = r"[A-Z][\w'’&-]*"
_NAME = re.compile(rf"{_CAPITALISED}(?:\s+(?:(?:of|and|&|the|upon|on|de|y|yr)\s+)?{_CAPITALISED})*")
_SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s+|\n\s*|\(\w\)\s+|\d\)\s+)$")


@dataclass(frozen=True)
class Vocabulary:
    contrasts: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (sibling words, the nouns they qualify)
    named_kinds: tuple[str, ...]
    name_before: tuple[str, ...]
    name_after: tuple[str, ...]
    naming_words: tuple[str, ...]
    generic: frozenset[str]
    which_lead: tuple[str, ...]
    record_fields: frozenset[str]
    event_words: frozenset[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    d = json.loads(DATA.read_text(encoding="utf-8"))
    return Vocabulary(
        tuple((tuple(g["words"]), tuple(g["heads"])) for g in d["contrasts"]["groups"]),
        tuple(d["named_kinds"]["words"]),
        tuple(d["name_asks"]["before_head"]),
        tuple(d["name_asks"]["after_head"]),
        tuple(d["naming_words"]),
        frozenset(d["generic_capitalised"]),
        tuple(d["which_lead"]["words"]),
        frozenset(d["record_dates"]["fields"]),
        frozenset(d["record_dates"]["event_words"]),
    )


def _plain(text: str) -> str:
    return text.replace("’", "'").lower()


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", _plain(text)))


def contrasts(question: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each (word, noun, its siblings) the question qualifies a noun with: "secondary school" → ("secondary",
    "school", ("nursery", "primary", ...))."""
    q = _plain(question)
    out = []
    for words, heads in vocabulary().contrasts:
        pattern = rf"\b({_alternation(words)})\s+(?:[\w'-]+\s+)?({_alternation(heads)})\b"
        asked = sorted({(m.group(1), m.group(2)) for m in re.finditer(pattern, q)})
        named = set(re.findall(rf"\b({_alternation(words)})\b", q))
        if asked and len(named) == 1:  # "primary and secondary school places" asks about both: nothing to tell
            word, head = asked[0]
            out.append((word, head, tuple(w for w in words if w != word)))
    return out


def contrasted(question: str, stated: str, texts: list[str]) -> tuple[str, str] | None:
    """(asked, found), e.g. ("secondary school", "primary school"), where the answer quotes a sibling of the
    question's qualifier on the same noun and the decision (``texts``: its documents) never uses the question's."""
    said = _plain(stated)
    whole = _plain(" ".join(texts))
    for word, head, siblings in contrasts(question):
        if re.search(rf"\b{re.escape(word)}\b", whole):
            continue
        m = re.search(rf"\b({_alternation(siblings)})\s+(?:[\w'-]+\s+)?{re.escape(head)}\b", said)
        if m:
            return f"{word} {head}", f"{m.group(1)} {head}"
    return None


def wanted_names(question: str) -> tuple[str, bool] | None:
    """What the question wants named, and whether it asks for that thing's own name: ("community centres",
    False) for "Which community centres ...", ("school", True) for "What is the name of the new school ...";
    None for a question that asks for no name."""
    v = vocabulary()
    q = _plain(question)
    m = re.search(rf"\b(?:{_alternation(v.name_before)})\s+(?:the|its|their|a)?\s*(?:[\w'-]+\s+){{0,3}}?"
                  rf"([a-z][\w'-]*)(?=\s+(?:in|at|of|that|which|for|to|is|was|will|being|replacing)\b|\s*[?,]|$)", q)
    if m:
        return m.group(1), True
    m = re.search(rf"\bwhat\s+(?:is|was|will)\s+(?:the\s+)?(?:new\s+)?(?:[\w'-]+\s+)?([a-z][\w'-]*)\s+"
                  rf"(?:be\s+)?(?:{_alternation(v.name_after)})\b", q)
    if m:
        return m.group(1), True
    m = re.search(rf"^\s*(?:(?:{_alternation(v.which_lead)})\s+)?(?:which|what)\s+((?:[\w'-]+\s+){{0,3}}?)"
                  rf"({_alternation(v.named_kinds)})\b", q)
    if m and not re.search(r"\bof\b", m.group(1)):  # "what share of suppliers" asks for a share, not for names
        return (m.group(1) + m.group(2)).strip(), False
    return None


def names(text: str, question: str) -> list[str]:
    """The capitalised names in ``text`` that say something the question does not: "Knutton Community Centre" to
    a question about community centres, not "the Council's Community Centres". A sentence's first word is
    capitalised by grammar, not because it names: alone, it is no name ("Following the review, ...")."""
    asked = _words(question)
    generic = vocabulary().generic
    out = []
    for m in _NAME.finditer(text):
        tokens = m.group(0).split()
        if len(tokens) == 1 and _SENTENCE_START.search(text[:m.start()]):
            continue
        new = [w for w in _words(" ".join(tokens)) if w not in generic and w not in asked and w != "s"]
        if new:
            out.append(" ".join(tokens))
    return out


def unnamed(question: str, stated: str) -> str | None:
    """What the answer (``stated``) leaves out ("do not name the community centres", "do not give the school's
    name") where the question wants a name and the answer names nothing of it; else None."""
    wanted = wanted_names(question)
    if not wanted:
        return None
    noun, own_name = wanted
    found = names(stated, question)
    if not own_name:
        return None if found else f"do not name the {noun}"
    # "the name of the new school": a name ending in the noun ("Ysgol Bae Baglan School"), or one the answer
    # introduces as a name ("to be called Ysgol Bae Baglan")
    stem = noun.rstrip("s")
    if any(_plain(n).split()[-1].rstrip("s") == stem for n in found):
        return None
    if re.search(rf"\b(?:{_alternation(vocabulary().naming_words)})\s+[\"'‘“]?{_CAPITALISED}", stated):
        return None
    return f"do not give the {noun}'s name"


def record_date_only(question: str, claims: list[str]) -> str | None:
    """The field that answers, where every quoted claim is one of the decision record's own dates ("Date of
    decision: 28/03/2018") and the question asks about another event ("When does the consultation close?"): the
    date the decision was taken is not when the consultation closes. None where a claim says more, or the
    question asks when the decision was taken, published, made effective or met on."""
    from ingest.layouts import layout

    v = vocabulary()
    lay = layout()
    fields = []
    for claim in claims:
        label = re.split(r"\s*:-?\s*", claim.strip(), maxsplit=1)[0] if ":" in claim[:80] else ""
        field = lay.field_of(label) if label else ""
        if field not in v.record_fields:
            return None
        fields.append(field)
    if not fields or _words(question) & v.event_words:
        return None
    return fields[0]
