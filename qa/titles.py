"""Which decision a question names by its title: "... in the external community opportunities decision".

Among thousands of decisions a sentence such as "The Council budget was approved on 10 February 2022" is in
hundreds of them; a person narrows the question by naming the decision, often by its title rather than its
number. The title words shared with the question are weighed by how rare they are among titles, so "external
community opportunities" names 22/00034 while "community" alone names nothing.
"""
from __future__ import annotations

import math
import re
from collections import Counter

from qa.text import normalise, terms

MIN_WORDS = 2  # title words the question must share
SHARE = 0.3  # of the title's weight (IDF over titles) the shared words must carry
MARGIN = 1.5  # the best title must outweigh the next by this factor


class TitleIndex:
    def __init__(self, decisions) -> None:
        self.titles = {d.number: frozenset(terms(d.title)) for d in decisions if d.title}
        self.by_term: dict[str, list[str]] = {}
        for number, words in self.titles.items():
            for t in words:
                self.by_term.setdefault(t, []).append(number)
        n = len(self.titles)
        self.idf = {t: math.log((n + 1) / (len(numbers) + 0.5)) for t, numbers in self.by_term.items()}

    def named(self, question: str) -> str | None:
        """The decision whose title the question plainly names, if exactly one does."""
        asked = set(terms(question)) & self.by_term.keys()
        sharing = Counter(number for t in asked for number in self.by_term[t])
        scored = []
        for number, count in sharing.items():
            if count < MIN_WORDS:
                continue
            words = self.titles[number]
            shared = asked & words
            weight = sum(self.idf[t] for t in shared)
            if weight >= SHARE * sum(self.idf[t] for t in words):
                scored.append((weight, number))
        scored.sort(reverse=True)
        if scored and (len(scored) == 1 or scored[0][0] >= MARGIN * scored[1][0]):
            return scored[0][1]
        return None


_FURNITURE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\bref:?\s*\d+\b|[-–:.,;()]", re.I)


def states_title(text: str, title: str) -> bool:
    """``text`` only states the decision's title: "Title", "Title of Decision: Title", or a list's start line
    "15/09/2022 - Title ref: 2190 Recommendations Approved". It names the subject and answers nothing."""
    if not title:
        return False
    said, named = normalise(text).lower(), normalise(title).lower()
    if said.endswith(named):
        return True
    if named not in said:
        return False
    rest = _FURNITURE.sub(" ", said.replace(named, " ", 1)).split()
    return len(rest) <= 3  # a status ("recommendations approved", "for determination") at most
