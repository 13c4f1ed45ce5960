"""What a question pins down besides a period (``qa.specifics``): a kind of thing, a numbered part, a name it gives.

A quoted sentence can have the right kind of fact and still be about something else:
- "When will Cardiff's new Welsh-medium **secondary** school open?" is not answered by the decision to consult on a
  **primary** school that opens in September 2021, when that decision never says "secondary". Sibling words
  (school phases, capital and revenue, freehold and leasehold) come from ``qa/data/particulars.json``, each with
  the nouns it qualifies, so "the primary aim" is not a primary school.
- "... to fit out **levels three and four** of the Town Hall" is not answered by the fit out of levels five and six.
- "When did Brent adopt a **Temporary Accommodation Allocations and Commissioning Policy**?" is not answered from a
  decision that never prints the name the question gives.
Each checks an answer already drafted and verified: it can only turn it into "not found". What a question asks to
be given (a name, a number, a date) is ``qa.asked``; both read their words from the same data file.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.labels import MONTH_RE, MONTHS

DATA = Path(__file__).parent / "data" / "particulars.json"
CAPITALISED = r"[A-Z][\w'’&-]*"


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
    numbered_parts: tuple[str, ...]
    number_words: tuple[str, ...]
    title_words: frozenset[str]
    count_verbs: tuple[str, ...]
    counted_alike: tuple[tuple[str, ...], ...]


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
        tuple(d["numbered_parts"]["nouns"]),
        tuple(d["number_words"]),
        frozenset(d["title_words"]["words"]),
        tuple(d["counted"]["verbs"]),
        tuple(tuple(g) for g in d["counted"]["alike"]),
    )


def plain(text: str) -> str:
    return text.replace("’", "'").lower()


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", plain(text)))


def contrasts(question: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each (word, noun, its siblings) the question qualifies a noun with: "secondary school" → ("secondary",
    "school", ("nursery", "primary", ...))."""
    q = plain(question)
    out = []
    for words, heads in vocabulary().contrasts:
        pattern = rf"\b({alternation(words)})\s+(?:[\w'-]+\s+)?({alternation(heads)})\b"
        asked = sorted({(m.group(1), m.group(2)) for m in re.finditer(pattern, q)})
        named = set(re.findall(rf"\b({alternation(words)})\b", q))
        if asked and len(named) == 1:  # "primary and secondary school places" asks about both: nothing to tell
            word, head = asked[0]
            out.append((word, head, tuple(w for w in words if w != word)))
    return out


def contrasted(question: str, stated: str, texts: list[str]) -> tuple[str, str] | None:
    """(asked, found), e.g. ("secondary school", "primary school"), where the answer quotes a sibling of the
    question's qualifier on the same noun and the decision (``texts``: its documents) never uses the question's."""
    said = plain(stated)
    whole = plain(" ".join(texts))
    for word, head, siblings in contrasts(question):
        if re.search(rf"\b{re.escape(word)}\b", whole):
            continue
        m = re.search(rf"\b({alternation(siblings)})\s+(?:[\w'-]+\s+)?{re.escape(head)}\b", said)
        if m:
            return f"{word} {head}", f"{m.group(1)} {head}"
    return None


def number_pattern(v: Vocabulary) -> str:
    return rf"(?:\d+|{alternation(v.number_words)})"


def numbered_parts(question: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each numbered part the question asks about: "levels three and four" → ("levels", ("three", "four"))."""
    v = vocabulary()
    num = number_pattern(v)
    out = []
    for m in re.finditer(rf"\b({alternation(v.numbered_parts)})\s+({num}(?:\s*(?:,|and|&|to|-|–)\s*{num})*)\b",
                         plain(question)):
        out.append((m.group(1), tuple(re.findall(num, m.group(2)))))
    return out


def other_parts(question: str, stated: str, texts: list[str]) -> tuple[str, str] | None:
    """(asked, found), e.g. ("levels three", "levels five"), where the answer quotes the same noun with other
    numbers and the decision never numbers it as the question does."""
    v = vocabulary()
    num = number_pattern(v)
    whole, said = plain(" ".join(texts)), plain(stated)
    for noun, numbers in numbered_parts(question):
        stem = noun.rstrip("s")
        if any(re.search(rf"\b{stem}s?\s+(?:{num}\s*(?:,|and|&|to|-|–)\s*)*{re.escape(n)}\b", whole)
               for n in numbers):
            continue
        m = re.search(rf"\b({stem}s?)\s+({num}(?:\s*(?:,|and|&|to|-|–)\s*{num})*)\b", said)
        if m:
            return f"{noun} {' and '.join(numbers)}", f"{m.group(1)} {m.group(2)}"
    return None


_TITLE = re.compile(rf"{CAPITALISED}(?:\s+(?:(?:of|and|&|the|for|in|on|to)\s+)?{CAPITALISED})+")


def _stem(word: str) -> str:
    """A word's first five letters: "policy" and "policies", "allocation" and "allocations" alike."""
    return word[:5]


def titles(question: str, councils: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The names the question gives in capitals ("Temporary Accommodation Allocations and Commissioning Policy"),
    with their words that name something: not a council's, not a question word."""
    v = vocabulary()
    skip = set(v.title_words) | {w for c in councils for w in words_of(c)}
    out = []
    for m in _TITLE.finditer(question.replace("’", "'")):
        tokens = m.group(0).split()
        if not question[:m.start()].strip():  # the question's first word is capitalised by grammar ("According to")
            tokens = tokens[1:]
        while tokens and tokens[0].lower() in v.title_words:  # "Which Church in Wales": the name is what follows
            tokens = tokens[1:]
        name = " ".join(tokens)
        words = tuple(w for w in re.findall(r"[a-z0-9]+", name.lower().replace("'s", "")) if w not in skip and len(w) > 2)
        if len(words) >= 2:
            out.append((name, words))
    return out


def _near(words: list[str], tokens: list[str], length: int) -> bool:
    """Whether the words (stems) stand together in ``tokens``: within a span of the name's ``length`` in words and
    one more, as a name is printed ("Community Right to Challenge"), not scattered over a page ("community",
    "right" in one sentence, "bid" in the next)."""
    if not words:
        return True
    places = {w: [i for i, t in enumerate(tokens) if t == w] for w in set(words)}
    if any(not p for p in places.values()):
        return False
    for i in places[words[0]]:
        near = [min(places[w], key=lambda j: abs(j - i)) for w in words]
        if max(near + [i]) - min(near + [i]) <= length + 1:
            return True
    return False


_MONTH_PART = re.compile(rf"\s*(?:{MONTH_RE})(?:\s+\d{{4}})?\s*", re.I)  # "january", "march 2024"


def _printed(name: str, words: tuple[str, ...], tokens: list[list[str]]) -> bool:
    """Whether a document prints the name: each of its parts ("Contingency Budget in ... Total Performance
    Monitor FR10" has two; "Welsh and English" two) with its words together."""
    parts = re.split(r"\s+(?:in|at|and|&)\s+", plain(name).replace("'s", ""))
    own = set(words)
    for part in parts:
        if _MONTH_PART.fullmatch(part):
            continue  # "... Cabinet Committee in January": a period (the period check's), not a part of the name
        found = re.findall(r"[a-z0-9]+", part)
        stems = [_stem(w) for w in found if w in own]
        if stems and not any(_near(stems, t, len(found)) for t in tokens):
            return False
    return True


def _abbreviated(name: str, capitals: set[str]) -> tuple[str, tuple[str, ...]]:
    """The name with each run of its words that the decision prints by their initials written so ("St Mary the
    Virgin Church in Wales Primary School" -> "St Mary the Virgin CiW Primary School"), and those initials."""
    caps = {c.upper(): c for c in capitals if sum(ch.isupper() for ch in c) >= 2}
    words, out, used, i = name.split(), [], [], 0
    while i < len(words):
        for n in range(min(5, len(words) - i), 1, -1):
            run = words[i:i + n]
            initials = "".join(w[0] for w in run).upper()
            if initials in caps and run[0][0].isupper() and run[-1][0].isupper():
                out.append(caps[initials])
                used.append(caps[initials].lower())
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out), tuple(used)


def untitled(question: str, texts: list[str], councils: list[str]) -> str | None:
    """The first name the question gives that the decision (``texts``) does not print: a word of it missing
    from the decision's text (compared by its first five letters) or its words scattered rather than together,
    unless the decision prints the name's initials ("DFG" for "Disabled Facilities Grant", "CiW" for "Church in
    Wales")."""
    whole = " ".join(texts)
    tokens = [[_stem(w) for w in re.findall(r"[a-z0-9]+", plain(t).replace("'s", ""))] for t in texts]
    capitals = set(re.findall(r"\b[A-Za-z]{2,6}\b", whole))
    for name, words in titles(question, councils):
        if _printed(name, words, tokens):
            continue
        short, used = _abbreviated(name, capitals)
        if used and _printed(short, (*words, *used), tokens):
            continue
        letters = re.findall(r"[A-Za-z]+", name)
        initials = {"".join(t[0] for t in letters), "".join(t[0] for t in letters if t[0].isupper())}
        if any(i.upper() in {c.upper() for c in capitals if c[0].isupper()} for i in initials if len(i) >= 2):
            continue
        return name
    return None


_WORD_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")


def proper_words(question: str, councils: list[str]) -> list[str]:
    """The single capitalised words the question names something by ("Oracle software licences", "Chatham town
    centre"), outside the names ``titles`` reads and not its first word, a council's, a month's or a generic one."""
    v = vocabulary()
    skip = set(v.generic) | set(v.title_words) | {w for c in councils for w in words_of(c)} | \
        {m.lower() for m in MONTHS}
    q = question.replace("’", "'")
    in_names = {w for name, _ in titles(q, councils) for w in re.findall(r"[a-z0-9]+", name.lower())}
    out = []
    for m in _WORD_NAME.finditer(q):
        word = m.group(0).lower()
        if not q[:m.start()].strip() or word in skip or word in in_names:
            continue
        before, after = q[:m.start()], q[m.end():]
        if before.rstrip().endswith((".", "?", "!", ":")) or re.match(r"\s+(?:of\s+|and\s+|&\s+)?[A-Z]", after) or \
                re.search(r"[A-Z][\w'-]*\s+(?:of\s+|and\s+|&\s+)?$", before):
            continue  # a word of a longer capitalised name, or a sentence's first
        out.append(m.group(0))
    return out


def unnamed_word(question: str, texts: list[str], councils: list[str]) -> str | None:
    """The first single capitalised word the question names that the decision (``texts``) never prints: a
    decision on Microsoft licences does not answer a question about "Oracle software licences"."""
    words = proper_words(question, councils)
    if not words:
        return None
    stems = {_stem(w) for w in words_of(" ".join(texts))}
    return next((w for w in words if _stem(w.lower()) not in stems), None)
