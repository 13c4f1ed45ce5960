"""What a question is about, and whether the decision that answers it prints that.

A question's words are of three kinds: where to look (the council it names, a year), what it asks for ("when",
"who", "which company", "decided", "published", "contract") and what it is about: its subject ("parking
enforcement", "bike hire scheme", "protocol on relations between members and officers"). The first two are
printed by any decision of the council; only the subject tells the one asked about from its neighbours.

"Which company won Camden's parking enforcement contract?" is not answered by Camden's employment support
contract, however well its award sentence fits "which company won ... contract": that decision never prints
"parking" or "enforcement". A decision answers only where it prints a share of the subject's words (IDF-weighted,
with the documents' words for plain ones, as ``qa.evidence`` counts them); the share is ``subject`` in
``qa/data/weights.json``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.asks import ask_words
from qa.text import terms
from qa.weights import setting


@lru_cache(maxsize=1)
def asking_terms() -> frozenset[str]:
    """The stemmed words that say what is asked for (``qa/data/asks.json``) or which council ("Royal Borough",
    "Cabinet": ``ingest/layouts/council_forms.json``), not what about."""
    w = ask_words()
    words = [*w.decision_date, *w.decision_maker, *w.deadline_leads, *w.other_events, *w.person_words,
             *w.earlier, *w.answer_kinds]
    for _, group in (*w.date_fields, *w.people_fields, *w.reason_fields):
        words += group
    for group in w.status.values():
        words += group
    from ingest.councils import council_words

    return frozenset(t for word in [*words, *council_words()] for t in terms(word))


def subject_weights(evidence, titles: frozenset[str] = frozenset()) -> dict[str, float]:
    """The question's subject terms with their IDF weights: its terms less the council it names, figures, sums
    and years, the words of what it asks for, and words no decision prints (in its passages or, ``titles``, its
    title)."""
    from qa.councils import named_councils

    asking = asking_terms()
    named = {t for c in named_councils(evidence.question, evidence.searcher.councils()) for t in terms(c)}
    # a word no indexed decision prints is the asker's own ("trim", "nobody"): it tells no decision from another,
    # unless the thesaurus gives the documents' word for it ("householders' bills": "council tax")
    return {t: w for t, w in evidence.weights.items()
            if t not in asking and t not in evidence.given and t not in named and not any(c.isdigit() for c in t)
            and (evidence.printed(t) or t in titles or t in evidence.aliases)}


def share(searcher, evidence, subject: dict[str, float], decisions: list[str]) -> float:
    """The largest share of ``subject`` (``subject_weights``) that one of ``decisions`` prints (1.0 where the question
    names no subject: "What was decided?")."""
    if not subject or not decisions:
        return 1.0
    texts = searcher.decision_texts(decisions)
    return max(evidence.coverage(" ".join(texts[d]), subject) for d in decisions)


def subject_share(searcher, evidence, decisions: list[str], titles: frozenset[str] = frozenset()) -> float:
    """``share`` of the question's own subject."""
    return share(searcher, evidence, subject_weights(evidence, titles), decisions)


def off_subject(searcher, evidence, decisions: list[str], titles: frozenset[str] = frozenset()) -> str | None:
    """Why ``decisions`` do not answer: they print too little of what the question is about; None where one does."""
    subject = subject_weights(evidence, titles)
    if share(searcher, evidence, subject, decisions) >= setting("subject"):
        return None
    top = {t for t, _ in sorted(subject.items(), key=lambda kv: -kv[1])[:3]}
    words = list(dict.fromkeys(w for w in re.findall(r"[\w’'-]+", evidence.question) if set(terms(w)) & top))
    return ("Not found: the decisions that come closest are about another subject: they print little of "
            f"{' or '.join(chr(8220) + w + chr(8221) for w in words)}.")
