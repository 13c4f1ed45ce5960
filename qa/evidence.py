"""How well retrieved passages, and the sentences in them, support a question.

Two signals, both in [0, 1]:
- *dense*: cosine between the question and the passage (stored FAISS vector) or sentence (stored at ingest,
  ``index.sentence_vectors``);
- *coverage*: the IDF-weighted share of the question's content terms found in the passage together with its
  context (decision number, title, section heading). A term no passage contains weighs most, so a question
  about "potholes" against a corpus with no potholes scores low however fluent the dense match.

``strength = (dense + coverage) / 2`` is the evidence the abstention threshold is calibrated on (eval/README.md).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from index.search import Hit
from index.thesaurus import expanded, expansions
from ingest.councils import distinctive
from qa.asks import known_part, main_clause
from qa.councils import named_councils
from qa.fields import is_furniture, under_asked_field
from qa.intent import FULL_DATE_IN_TEXT, PERCENT_IN_TEXT, PERSON_NAMED, Intent, satisfies
from qa.titles import states_title
from qa.weights import weights_of
from qa.text import sentences, stem, terms


def starts_a_word(term: str, lowered: str) -> bool:
    """Whether ``term`` is printed in ``lowered`` where a word or figure starts (after no letter or digit)."""
    return re.search(r"(?<![a-z0-9])" + re.escape(term), lowered) is not None


@dataclass(frozen=True)
class ScoredSentence:
    hit: Hit
    rank: int  # of its passage among the hits
    start: int  # span within hit.text
    end: int
    score: float
    fits: bool  # holds the kind of fact the question asks for
    features: dict[str, float] | None = None  # what the score weighs (``qa.weights``), kept for fitting them

    @property
    def text(self) -> str:
        return self.hit.text[self.start:self.end]


TITLE_WORD_WEIGHT = 0.25
INTENT_WORDS = {Intent.DATE: {"date", "day"}, Intent.COUNT: {"number"}, Intent.AMOUNT: {"amount"},
                Intent.DURATION: {"long"}}


def aliases(question: str) -> dict[str, list[tuple[frozenset[str], str]]]:
    """For each content term of the question inside a thesaurus phrase: the documents' words for that phrase, as
    sets of terms (or, for "%", the literal text)."""
    out: dict[str, list[tuple[frozenset[str], str]]] = {}
    for e in expansions(question):
        alts = [(frozenset(terms(a)), a.lower()) for a in e.alternatives]
        for t in terms(e.phrase):
            out.setdefault(t, []).extend(alts)
    return out


def context_of(hit: Hit) -> str:
    return f"{hit.decision} {hit.title} {hit.heading}"


_SELF_REFERENCE = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:this|the purpose of this)\s+(?:report|paper)\b", re.I)
_AUXES = frozenset("did does do was is were are will would has had have can could should must may might".split())


def which_noun(question: str) -> str:
    """The kind of thing a "which ..." question picks ("Which corporate objective did ...?": objective; "Under which
    programme ...?": programme), stemmed; "" for another question. A page names the thing it picks with its kind
    ("the Strategic School Improvement Programme", "Corporate objective: ..."): "what" asks for a value ("What years
    does the strategy cover?"), whose sentence need not name its kind."""
    m = re.search(r"(?:^|\b(?:under|in|to|from|for|by|of|with|on|into)\s+)which\s+(.*)", main_clause(question), re.I)
    if not m:
        return ""
    words = re.findall(r"[\w'’-]+", m.group(1).lower())
    if words[:1] == ["of"]:  # "Which of Kent's strategic objectives ..."
        words = words[2:]
    phrase: list[str] = []
    for word in words[:5]:
        if word in _AUXES:
            break
        phrase.append(word)
    else:
        return ""  # no verb read: the noun is not known
    found = terms(phrase[-1]) if phrase and not phrase[-1].endswith(("'s", "’s")) else []
    return found[0] if found else ""


LEAD_WORDS = 8  # a sentence this short with no figure, before another in its passage, heads it


def _leads(spans: list[tuple], texts: list[str]) -> list[str]:
    """For each sentence, the short line just before it in its passage that heads it ("Highways – Residents
    Parking Schemes."), or ""."""
    out = []
    for i, (_, h, _, _) in enumerate(spans):
        before = texts[i - 1] if i and spans[i - 1][1] is h else ""
        out.append(before if before and len(before.split()) <= LEAD_WORDS and not re.search(r"\d", before) else "")
    return out


class Evidence:
    """Scores passages and sentences for one question against one index (a Searcher)."""

    def __init__(self, searcher, question: str, frame=None) -> None:
        from qa.frame import read

        self.searcher = searcher
        self.question = question
        self.frame = frame or read(question)  # the question as read once (``qa.frame``)
        # the council a question names says where to look (the search is held to its decisions), not what to find:
        # every passage of it covers its name, as a page that never prints its own name ("Kent", "West Sussex")
        # still answers
        self.given = {t for c in named_councils(question, searcher.councils()) for t in terms(distinctive(c))}
        self.terms = terms(question)
        n = max(searcher.passage_count(), 1)
        # idf with +0.5 smoothing; an unseen term gets the largest weight
        self.weights = {t: math.log((n + 1) / (self._df(t) + 0.5)) for t in self.terms}
        self._unseen = math.log((n + 1) / 0.5)
        self.aliases = aliases(question)
        # the question with the documents' words for its plain-English phrases, as the dense search embeds it
        self._qvec = searcher.query_vectors.embed([expanded(question)])[0]
        # "Besides X, what ...?": X found the decision; the sentence that answers is the one with the rest
        known = known_part(question)
        self.known = set(terms(known)) - set(terms(question.replace(known, " "))) if known else set()
        self._svec = (searcher.query_vectors.embed([expanded(question.replace(known, " "))])[0] if known
                      else self._qvec)

    def _df(self, term: str) -> int:
        return self.searcher.document_frequency(term, prefix=True)

    def printed(self, term: str) -> bool:
        """Whether any indexed passage prints the question's term (its smoothed IDF is below an unseen term's)."""
        return self.weights.get(term, 0.0) < self._unseen - 1e-9

    def coverage(self, text: str, weights: dict[str, float] | None = None) -> float:
        weights = self.weights if weights is None else weights
        total = sum(weights.values())
        if not total:
            return 0.0
        present = {stem(t) for t in terms(text)} | self.given
        lowered = text.lower()
        # figures and numbers as written, and a word's other endings ("child" in "children"): where a word of the
        # text starts, as the question's words are counted (``document_frequency(term, prefix=True)``), never
        # inside one ("bin" is not in "Cabinet", nor "rent" in "current")
        present |= {t for t in weights if t not in present and starts_a_word(t, lowered)}
        # a plain-English word is covered by the documents' word for it ("respite" by "short breaks")
        present |= {t for t in weights if t not in present
                    and any(alt <= present or (not alt and literal in lowered)
                            for alt, literal in self.aliases.get(t, ()))}
        return sum(w for t, w in weights.items() if t in present) / total

    def dense(self, hits: list[Hit]) -> np.ndarray:
        vecs = self.searcher.vectors_of([h.passage_id for h in hits])
        return np.clip(vecs @ self._qvec, 0.0, 1.0) if len(hits) else np.zeros(0)

    def strengths(self, hits: list[Hit]) -> list[float]:
        dense = self.dense(hits)
        return [float(d + self.coverage(f"{context_of(h)} {h.text}")) / 2 for h, d in zip(hits, dense)]

    def decision_coverage(self, hits: list[Hit]) -> dict[str, float]:
        """For each decision among the hits: how much of the question its retrieved passages cover together.

        Among thousands of decisions, many repeat the same boilerplate sentence ("three different levels of
        payment ...") with only the service changed. The sentence alone cannot tell them apart; the decision whose
        other passages carry the rest of the question ("day opportunities") can."""
        texts: dict[str, list[str]] = {}
        for h in hits:
            texts.setdefault(h.decision, [f"{h.decision} {h.title}"]).append(f"{h.heading} {h.text}")
        return {d: self.coverage(" ".join(parts)) for d, parts in texts.items()}

    def sentences(self, hits: list[Hit], intent: Intent) -> list[ScoredSentence]:
        """Every sentence of the hits, best first."""
        spans = [(rank, h, s, e) for rank, h in enumerate(hits) for s, e in sentences(h.text)]
        if not spans:
            return []
        texts = [h.text[s:e] for _, h, s, e in spans]
        vecs = self.searcher.sentence_vectors(texts)  # embedded at ingest: only the question is embedded here
        dense = np.clip(vecs @ self._svec, 0.0, 1.0)
        passage = self.strengths(hits)
        # The words that say what kind of answer is wanted ("date" in "from what date ...") are answered by the
        # intent check; left in, they favour a "Date of decision" line over the "Effective from" line asked for.
        # What the asker already knows ("Besides X, ...") weighs as a title word: it says which decision, and the
        # sentence that answers may list it with the rest, but it does not say which sentence.
        weights = {t: w * (TITLE_WORD_WEIGHT if t in self.known else 1.0) for t, w in self.weights.items()
                   if t not in INTENT_WORDS.get(intent, ())} or self.weights
        out = []
        asked = self.frame.labels
        own_weights: dict[int, dict[str, float]] = {}
        sentence_weights = weights_of("sentence")
        strict = intent is not Intent.GENERAL and intent is not Intent.LIST
        leads = _leads(spans, texts)
        # "Which programme ...?": a sentence that names a programme answers it, as one under an asked label does
        head = which_noun(self.question) if intent is Intent.GENERAL else ""
        for (rank, h, s, e), text, d, lead in zip(spans, texts, dense, leads):
            if is_furniture(text, part="#" in h.document):
                continue  # "Salford City Council - Record of Decision", "Reasons for Decision": printed on every page
            # a who question about another act than the record's ("Who introduced the report?") is not answered by
            # the record's field lines: its maker, its meeting
            fits = satisfies(intent, text, fields=not self.frame.other_event)
            fits = fits or (self.frame.change and bool(PERCENT_IN_TEXT.search(text)))
            restates = bool(h.title) and states_title(text, h.title)
            # the numbers of a line that only states the title are its item's number, its reference or its name
            # ("177 24/00002 - SS14142 Older Persons ... Contract Extension"): they count nothing
            fits = fits and not (intent is Intent.COUNT and restates)
            # "This report sets out a proposed approach to ...": the report saying what it is about restates the
            # decision's subject, as its title does, and answers nothing asked of it
            titled = restates or bool(_SELF_REFERENCE.match(text))
            # Words of the decision's title say which decision, not which sentence: once in the decision, the
            # sentence that answers is the one with the *other* words of the question ("options ... rejected").
            if h.passage_id not in own_weights:
                naming = set(terms(f"{h.decision} {h.title}"))
                own_weights[h.passage_id] = {t: w * (TITLE_WORD_WEIGHT if t in naming else 1.0)
                                             for t, w in weights.items()}
            features = {
                "dense": float(d),
                # a sentence is read under its section's heading: "Decision taken by" + "Clair Bell, ..."
                # ... and under the short line that heads it: "Highways – Residents Parking Schemes." + "A capital
                # budget increase of £0.553m is requested."
                "own": self.coverage(f"{h.heading} {lead} {text}", own_weights[h.passage_id]),
                "context": self.coverage(f"{context_of(h)} {text}", weights),
                "passage": passage[rank],
                "fits": float(strict and fits),  # holds the kind of fact asked for
                "misfit": float(strict and not fits),
                # "when" asks for a day or a month: a year alone answers it least; "who" a person, not a role alone
                "year_only": float(intent is Intent.DATE and fits and not FULL_DATE_IN_TEXT.search(text)),
                "role_only": float(intent is Intent.WHO and fits and not PERSON_NAMED.search(text)),
                "rank": 1 / (1 + rank),
                # "Effective from: ..." for "effective?"; a sentence naming a programme for "which programme?"
                "asked_field": float(under_asked_field(h.heading, text, asked)
                                     or bool(head and head in {stem(t) for t in terms(text)})),
                # the decision's title (or the report saying what it is about) restates the question; it answers nothing
                "title": float(titled),
                "fragment": float(len(text.split()) < 4),  # "21/00081", "Yes": a fragment is rarely the answer
            }
            score = sum(sentence_weights[name] * value for name, value in features.items())
            if "bias" in sentence_weights:  # fitted (``eval.fit``): the probability that the sentence answers
                score = 1 / (1 + math.exp(-(score + sentence_weights["bias"])))
            out.append(ScoredSentence(h, rank, s, e, round(score, 6), fits, features))
        out.sort(key=lambda x: (-x.score, x.rank, x.start))
        return out
