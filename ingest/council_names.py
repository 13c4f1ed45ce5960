"""Councils' names found in a text, word by word, with what surrounds each: the page that mentions Kent
County Council most, the question that asks about "Slough" or "Windsor and Maidenhead's".

A ``Gazetteer`` holds names (full and distinctive parts) and what each stands for (a council of the national
list by its code, or any other target a caller chooses: the index's own council names); ``mentions`` finds
them, longest first, each with its neighbours, so that a caller can judge whether the name is a council's
("Kent's", "Kent County Council", "did Kent decide") or part of another name ("Kent Music School").
Names written in a council's form but on no list ("Sussex County Council", "Hollinsbury Council") are found by
``form_names``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ingest.councils import Council, base, council_name, form_of, forms, key, lookup, national, norm, proper, tokens


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str  # as printed, a possessive included
    targets: frozenset[str]  # what the name stands for (council codes, or a caller's own targets)
    full: bool  # a full name (its form included: "Kent County Council"), not only its distinctive part
    possessive: bool
    cased: bool  # its words capitalised as a name's are
    before: str  # the word before it, as printed ("" at the start)
    before_gap: str  # what lies between that word and the name (" ", ", ")
    before_before: str  # the word before that one
    after: str  # the word after it, as printed ("" at the end)
    after_gap: str
    after_after: str  # the word after that one


class Gazetteer:
    """Names -> targets, matched on whole words, longest first, case and accents aside."""

    def __init__(self, names: Iterable[tuple[str, str, bool]]):
        """``names``: (name, target, full) triples."""
        self.index: dict[str, dict[str, bool]] = {}
        for name, target, full in names:
            k = key(name)
            if k:
                entry = self.index.setdefault(k, {})
                entry[target] = entry.get(target, False) or full
        self.first: dict[str, int] = {}  # a name's first word -> the most words a name opening with it has
        for k in self.index:
            words = k.split()
            self.first[words[0]] = max(self.first.get(words[0], 0), len(words))

    def mentions(self, text: str) -> list[Mention]:
        words = tokens(text)
        keys = [norm(w.group(0)) for w in words]
        bases = [base(w.group(0)) for w in words]
        connectors = forms().connectors
        out: list[Mention] = []
        i = 0
        while i < len(words):
            longest = self.first.get(keys[i]) or self.first.get(bases[i], 0)
            for size in range(min(longest, len(words) - i), 0, -1):
                # a possessive ends a name ("Slough's"), unless the name holds it ("King's Lynn")
                found = (self.index.get(" ".join(keys[i:i + size]))
                         or self.index.get(" ".join(keys[i:i + size - 1] + [bases[i + size - 1]])))
                if not found or keys[i] in connectors:
                    continue
                j = i + size
                raw = [w.group(0) for w in words[i:j]]
                last = raw[-1].replace("’", "'")
                out.append(Mention(
                    start=words[i].start(), end=words[j - 1].end(), text=text[words[i].start():words[j - 1].end()],
                    targets=frozenset(found), full=any(found.values()), possessive=last.lower().endswith("'s"),
                    cased=all(w[0].isupper() or w.isdigit() or norm(w) in connectors for w in raw),
                    before=words[i - 1].group(0) if i else "",
                    before_gap=text[words[i - 1].end():words[i].start()] if i else "",
                    before_before=words[i - 2].group(0) if i > 1 else "",
                    after=words[j].group(0) if j < len(words) else "",
                    after_gap=text[words[j - 1].end():words[j].start()] if j < len(words) else "",
                    after_after=words[j + 1].group(0) if j + 1 < len(words) else ""))
                i = j - 1
                break
            i += 1
        return out


def national_names() -> list[tuple[str, str, bool]]:
    """Every council's full and short names, English and Welsh, each to its code."""
    out = []
    for c in national():
        out += [(n, c.code, True) for n in c.full_names]
        out += [(n, c.code, False) for n in c.short_names]
    return out


@cache
def national_gazetteer() -> Gazetteer:
    return Gazetteer(national_names())


_WORD = r"(?!Council\b|Councils\b|Council's)[A-Z][\w'’.-]*"  # a name's word: capitalised, never "Council"


@cache
def _form_pattern(principal_only: bool) -> re.Pattern:
    """A name written in a form: capitalised words (and the words that join them) before "Council" and the
    like, or after "London Borough of" and the like."""
    f = forms()
    joins = "|".join(sorted((re.escape(c) for c in f.connectors), key=len, reverse=True))
    name = rf"{_WORD}(?:(?:\s+|,\s*)(?:(?:{joins})\s+)*{_WORD}){{0,6}}"
    after = [a for a in f.after_name if a.endswith(("Council", "Corporation"))]
    if not principal_only:
        after += ["Town Council", "Parish Council", "Community Council"]
    tail = "|".join(re.escape(a) for a in sorted(after, key=len, reverse=True))
    head = "|".join(re.escape(b) for b in sorted(f.before_name, key=len, reverse=True))
    return re.compile(rf"\b(?:(?P<a>{name})\s+(?:{tail})|(?:{head})\s+(?P<b>{name}))\b")


def form_names(text: str, principal_only: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, name) of each name written in a council's form, its leading words that are no name's
    ("When did", "Report of the") left out; only names whose distinctive part is a proper name."""
    f = forms()
    out = []
    for m in _form_pattern(principal_only).finditer(text):
        group = "a" if m.group("a") else "b"
        start = m.start(group)
        part = m.group(group)
        while True:  # "Did Kent" -> "Kent"; "Report of the Kent" -> "Kent"
            first = part.split()[0].rstrip(",") if part.split() else ""
            if first and (first.lower() in f.not_names or first.lower() in f.connectors):
                cut = len(part) - len(part[len(first):].lstrip(" ,"))
                part, start = part[cut:], start + cut
                continue
            break
        if not part or not proper(part):
            continue
        begin = start if group == "a" else m.start()
        name = text[begin:m.end()]
        found = form_of(name)
        if council_name(name) and (found is None or found[1] or not principal_only):
            out.append((begin, m.end(), " ".join(name.split())))
    return out


def mentioned(text: str, principal_only: bool = False) -> list[tuple[str, Council | None]]:
    """The councils a text names, in order, each as (name, national council or None): full names of the
    national list or in a council's form ("Hollinsbury Council"), not bare short names ("Kent" in "Kent Music
    School")."""
    found: list[tuple[int, str, Council | None]] = []
    spans = []
    for m in national_gazetteer().mentions(text):
        if m.full and m.cased:
            council = lookup(m.text)
            found.append((m.start, council.name if council else m.text, council))
            spans.append((m.start, m.end))
    for start, end, name in form_names(text, principal_only):
        if not any(s < end and start < e for s, e in spans):
            found.append((start, council_name(name), lookup(name)))
    return [(name, council) for _, name, council in sorted(found, key=lambda f: f[0])]
