"""Plain English to the words decisions use: "respite" is "short breaks", "laws" are "Acts".

People ask in their own words; the documents use the council's. An embedding model bridges some of that gap,
all-MiniLM-L6-v2 not much of it (eval/README.md). The thesaurus (``thesaurus.json``, one direction: the words
people ask in → the words documents use) adds the documents' words to the keyword and the dense query, and
lets them count as covering the question's words in ``qa.evidence``. Matching is by word stem over the
question's words, stopwords included ("a year"), with ``*`` in an entry standing for up to three words
("set * back").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.words import stem as words_stem

PATH = Path(__file__).resolve().parent / "thesaurus.json"
GAP = 3  # words a "*" may stand for
_WORD = re.compile(r"[a-z0-9£%+]+(?:['’-][a-z0-9]+)*", re.I)
_PATTERN_TOKEN = re.compile(r"\*|" + _WORD.pattern, re.I)


@dataclass(frozen=True)
class Expansion:
    phrase: str  # as written in the question
    start: int  # its span in the question
    end: int
    alternatives: tuple[str, ...]  # the documents' words for it


def stem(word: str) -> str:
    """``index.words.stem`` after a possessive ("carers’" and "children's" are "carer" and "children")."""
    w = word.lower().replace("’", "'")
    return words_stem(w[:-2] if w.endswith("'s") else w.rstrip("'"))


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(stem(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Entry:
    patterns: tuple[tuple[str, ...], ...]  # each "ask" phrase as stems; "*" is a gap
    find: tuple[str, ...]


@lru_cache(maxsize=4)
def load(path: Path = PATH) -> tuple[Entry, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = []
    for e in data["entries"]:
        patterns = tuple(tuple("*" if token == "*" else stem(token) for token in _PATTERN_TOKEN.findall(phrase))
                         for phrase in e["ask"])
        entries.append(Entry(patterns, tuple(e["find"])))
    return tuple(entries)


def _match(pattern: tuple[str, ...], words: list[tuple[str, int, int]], i: int) -> int | None:
    """The index after the last word of ``pattern`` matched from ``words[i]``, or None."""
    j = i
    for n, token in enumerate(pattern):
        if token == "*":
            continue
        if pattern[n - 1:n] == ("*",):
            k = next((k for k in range(j, min(j + GAP, len(words) - 1) + 1) if words[k][0] == token), None)
            if k is None:
                return None
            j = k + 1
        elif j < len(words) and words[j][0] == token:
            j += 1
        else:
            return None
    return j


def expansions(question: str, path: Path = PATH) -> list[Expansion]:
    """The thesaurus entries the question's words call up, with the documents' words for each (longest match)."""
    return list(_expansions(question, path))


@lru_cache(maxsize=256)  # one answer asks for the same question's expansions about eight times
def _expansions(question: str, path: Path) -> tuple[Expansion, ...]:
    words = _words(question)
    lowered = question.lower()
    out: list[Expansion] = []
    for entry in load(path):
        best: tuple[int, int] | None = None
        for pattern in entry.patterns:
            for i in range(len(words)):
                end = _match(pattern, words, i)
                if end is not None and end > i and (best is None or end - i > best[1] - best[0]):
                    best = (i, end)
        if best is None:
            continue
        start, end = words[best[0]][1], words[best[1] - 1][2]
        alternatives = tuple(f for f in entry.find if f.lower() not in lowered)
        if alternatives:
            out.append(Expansion(question[start:end], start, end, alternatives))
    return tuple(out)


def expanded(question: str, path: Path = PATH) -> str:
    """The question followed by the documents' words for its phrases: what both searches look for."""
    alternatives = [a for e in expansions(question, path) for a in e.alternatives]
    return " ".join([question, *dict.fromkeys(alternatives)])
