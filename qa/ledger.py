"""Questions about who was paid what, answered from the awards ledger (``index.ledger``): one cited line per amount,
a total only where the amounts add up (one kind, one period), never one that mixes kinds.

Three shapes of question (``asks``):

- what an organisation was given: "How much has West Sussex awarded to Computacenter UK Ltd?", "Which organisation
  did Ashford agree to lend money to?";
- which awards pass a figure or fall in a year: "Which contracts over £1m were awarded in 2022?";
- what was agreed for a subject in a year: "What did the council agree to spend on home care in 2021?" (the
  subject found by the same search answers use, its decisions' amounts listed).

Every line cites the paragraph its amount was read from, with the sentence as the quote, and is verified by
``qa.cite.verify`` like any other answer: a line whose citation fails is removed, never shown. A question of none
of these shapes, or one the ledger holds nothing for, goes on to the ordinary answer (``answer`` returns None).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.ledger import Award, LedgerQuery, awards, parse_amount
from qa.records import Answer, Citation, Claim, Draft
from qa.weights import setting

MAX_LINES = 25
_AMOUNT = r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn|million|billion)?"
_ABOVE = re.compile(rf"\b(?:over|above|more than|greater than|exceeding|in excess of|at least|worth more than|"
                    rf"of more than|upwards of)\s+(?P<amount>{_AMOUNT})", re.I)
_BELOW = re.compile(rf"\b(?:under|below|less than|up to|at most|no more than)\s+(?P<amount>{_AMOUNT})", re.I)
_YEAR = re.compile(r"(?<!Act )(?<!Regulations )\b(?:in|during|for|of|since|from|published in|taken in)\s+"
                   r"(?:the\s+(?:calendar\s+)?year\s+)?(?P<year>(?:19|20)\d\d)\b(?!\s?[/-]\d)", re.I)
_DAY = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>January|February|March|April|May|June|July|August|"
                  r"September|October|November|December)\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_MONTHS = ("january february march april may june july august september october november december").split()
# what was given to an organisation: "awarded to X", "paid to X", "X received", "lend money to"
_TO_ORG = re.compile(r"\b(?:awarded|paid|given|granted|lent|loaned|allocated|contracted)\s+(?:\w+\s+){0,2}?to\s+"
                     r"(?=[A-Z])", re.I)
_ORG_GOT = re.compile(r"\b(?:has|did|have|had)\s+(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:and\s+|&\s+|of\s+)?[A-Z][\w&'’.-]*)*)"
                      r"\s+(?:received|been paid|been awarded|got|won|get|receive)\b")
_WHICH_ORG = re.compile(r"^\s*(?:which|what)\s+(?:organisations?|organizations?|compan(?:y|ies)|firms?|suppliers?|"
                        r"providers?|contractors?|charit(?:y|ies)|bod(?:y|ies))\b.*\b(?P<verb>lend|loan|award|pay|paid|"
                        r"grant|fund|contract)", re.I)
_LIST = re.compile(r"^\s*(?:(?:which|list|show)\s+(?:[\w'’-]+\s+){0,4}?(?P<noun>contracts?|awards?|grants?|loans?|sums?|amounts?|"
                   r"payments?|spending|savings?|budgets?)|what\s+(?:\w+\s+){0,2}?(?P<plural>contracts|awards|grants|"
                   r"loans|sums|amounts|payments|savings|budgets))\b", re.I)
_LIST_ANY = re.compile(r"\b(?P<noun>contracts?|awards?|grants?|loans?|sums?|amounts?|payments?)\b", re.I)
_SPEND_ON = re.compile(r"\b(?:spend|spent|spending|pay|paid|budget(?:ed)?|allocate[d]?)\s+on\s+(?P<topic>.+?)"
                       r"(?=\s+(?:in|during|for|since)\s+(?:the\s+)?(?:year\s+)?(?:19|20)\d\d|\?|$)", re.I)
_NOUN_KINDS = {"contract": ("contract_value",), "award": ("contract_value", "grant"),
               "grant": ("grant",), "loan": ("loan",), "saving": ("saving",), "budget": ("budget",)}
_VERB_KINDS = {"lend": ("loan",), "loan": ("loan",), "grant": ("grant",), "fund": ("grant", "budget"),
               "contract": ("contract_value", "annual_cost"), "award": ("contract_value", "grant", "loan")}
SPENDING = ("contract_value", "annual_cost", "budget", "grant", "fee_or_rate", "loan")
KIND_WORDS = {"contract_value": "contract value", "annual_cost": "annual cost", "fee_or_rate": "fee or rate",
              "budget": "budget", "grant": "grant", "loan": "loan", "saving": "saving", "income": "income",
              "other": "other", "threshold": "threshold", "": "amount"}
PERIOD_WORDS = {"one_off": "one-off", "per_annum": "per annum", "total_over_term": "total over its term",
                "per_unit": "per unit", "unstated": ""}


@dataclass(frozen=True)
class LedgerAsk:
    """What a ledger question asks for."""

    shape: str  # org, list, topic
    org: str = ""
    min_value: float | None = None
    max_value: float | None = None
    kinds: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    topic: str = ""
    receiving: bool = False  # "awarded to X", "paid to X": X as supplier, recipient or borrower, not as payer


def _dates(question: str) -> tuple[str, str]:
    day = _DAY.search(question)
    if day:
        iso = f"{day['y']}-{_MONTHS.index(day['m'].lower()) + 1:02d}-{int(day['d']):02d}"
        return iso, iso
    year = _YEAR.search(question)
    return (f"{year['year']}-01-01", f"{year['year']}-12-31") if year else ("", "")


def asks(question: str) -> LedgerAsk | None:
    """The ledger question ``question`` is, or None where it is not one."""
    from ingest.orgs import name_at

    date_from, date_to = _dates(question)
    above, below = _ABOVE.search(question), _BELOW.search(question)
    money = dict(min_value=parse_amount(above["amount"]) if above else None,
                 max_value=parse_amount(below["amount"]) if below else None)
    if re.match(r"^\s*how much\b", question, re.I) and (to := _TO_ORG.search(question)):
        org = name_at(question, to.end())
        if org:
            return LedgerAsk("org", org=org, date_from=date_from, date_to=date_to, receiving=True, **money)
    if re.match(r"^\s*(?:how much|what)\b", question, re.I) and (got := _ORG_GOT.search(question)):
        return LedgerAsk("org", org=got["org"], date_from=date_from, date_to=date_to, receiving=True, **money)
    if which := _WHICH_ORG.search(question):  # the organisations of the decisions the question is about
        verb = which["verb"].lower().rstrip("ed")
        return LedgerAsk("org", kinds=_VERB_KINDS.get(verb, _VERB_KINDS.get(which["verb"].lower()[:4], ())),
                         date_from=date_from, date_to=date_to, topic=question, **money)
    if re.match(r"^\s*(?:how much|what)\b", question, re.I) and (on := _SPEND_ON.search(question)) and date_from:
        return LedgerAsk("topic", topic=on["topic"].strip(" ?"), kinds=SPENDING, date_from=date_from,
                         date_to=date_to, **money)
    listing = _LIST.search(question) or (above and re.match(r"^\s*(?:which|list|show)\b", question, re.I)
                                         and _LIST_ANY.search(question))
    if listing and (above or below or date_from):
        noun = (listing.groupdict().get("noun") or listing.groupdict().get("plural") or "").lower().rstrip("s")
        return LedgerAsk("list", kinds=_NOUN_KINDS.get(noun, ()), date_from=date_from, date_to=date_to, **money)
    return None


def answer(asker, question: str, filters=None) -> Answer | None:
    """The ledger's answer to a ledger question, verified; None where ``question`` is not one, or where the ledger
    holds no amount for it (the ordinary answer then decides, "not found" included)."""
    from index.council_filter import readable
    from qa.cite import verify
    from qa.councils import named_councils

    ask = asks(question)
    if ask is None:
        return None
    searcher = asker.searcher
    councils = named_councils(question, searcher.councils())
    council = (filters.council if filters is not None and filters.council else "") or \
        (councils[0] if len(councils) == 1 and readable(councils[0]) else "")
    query = LedgerQuery(min_value=ask.min_value, max_value=ask.max_value, date_from=ask.date_from,
                        date_to=ask.date_to, council=council, kinds=ask.kinds, org=ask.org, sort="date",
                        limit=MAX_LINES * 4)
    if filters is not None:
        query = replace(query, maker=filters.decision_maker, status=filters.status, decision=filters.decision)
    found = _rows(asker, ask, query)
    if ask.shape == "org" and not ask.org:
        found = [a for a in found if a.counterparty]
    if ask.receiving:
        found = [a for a in found if a.role != "payer"]
    found.sort(key=lambda a: (bool(a.row), a.date if ask.shape != "topic" else "", -a.value))  # prose before cells
    if not found:
        return None
    from qa.evidence import Evidence
    from qa.subject import share, subject_weights

    # the amounts of decisions about another subject than the question's are no answer to it: "Which company won
    # Camden's parking enforcement contract?" is not answered by its employment support contract's supplier
    evidence = Evidence(searcher, question)
    subject = subject_weights(evidence, asker.title_terms())
    about = {d: share(searcher, evidence, subject, [d]) >= setting("subject") for d in {a.decision for a in found}}
    found = [a for a in found if about[a.decision]]
    if not found:
        return None  # the ordinary answer decides, "not found" included
    lines = found[:MAX_LINES]
    hits = _passages(searcher, lines)
    pairs = [(_claim(a, hits[a.id]), a) for a in lines if a.id in hits]
    by_line = {(c.text, c.note): a for c, a in pairs}
    draft = Draft(tuple(c for c, _ in pairs), "ledger", read=tuple(hits.values()))
    kept, removed = verify(draft, list(hits.values()))
    if not kept:
        return None
    from qa.frame import read

    # what the question pins down (a name, a period ...) must be the cited decisions', as for any other answer:
    # the Microsoft licences contract's supplier is no answer to "who won the Oracle licences contract?"
    if unmet := asker.unmet(read(question, searcher.councils()), list(kept)):
        return Answer(question, True, (), tuple(hits.values())[:3], "ledger", evidence=1.0, reason=unmet)
    notes = [_total([by_line[(c.text, c.note)] for c in kept])]
    if len(found) > MAX_LINES:
        notes.append(f"{len(found) - MAX_LINES} more amounts match: `councilqa awards` lists them all.")
    if removed:
        notes.append(f"{removed} line{'s' * (removed > 1)} could not be verified against the passages cited and "
                     f"{'were' if removed > 1 else 'was'} removed.")
    preface = f"{len(kept)} amount{'s' * (len(kept) != 1)} in the awards ledger:"
    # evidence 1.0: every line is a verified quote read from the ledger's fields, not a ranked passage near the threshold
    return Answer(question, False, kept, tuple(hits.values())[:8], "ledger", preface, tuple(n for n in notes if n), 1.0)


def _rows(asker, ask: LedgerAsk, query: LedgerQuery) -> list[Award]:
    conn = asker.searcher.conn
    if not ask.topic:
        return awards(conn, query).awards
    named = asker.named_decisions(ask.topic)
    if len(named) == 1:  # "... contract (OKD30 21/22)": that decision's amounts, or none
        return awards(conn, replace(query, decision=named[0])).awards
    from index.filters import Filters
    from qa.evidence import Evidence

    filters = Filters(date_from=query.date_from, date_to=query.date_to, council=query.council)
    hits = asker.searcher.search(ask.topic, k=20, filters=filters)
    if not hits:
        return []
    strengths = Evidence(asker.searcher, ask.topic).strengths(hits)
    ranked = sorted(((s, h.decision) for h, s in zip(hits, strengths) if s >= asker.threshold), reverse=True)
    decisions = list(dict.fromkeys(d for _, d in ranked))
    # "which organisation ...": the organisations of the one decision the question is most about, or none (another
    # decision's supplier is no answer); "spend on ...": the amounts of the few decisions most about the subject
    out: list[Award] = []
    for number in decisions[:1 if ask.shape == "org" else 3]:
        out += awards(conn, replace(query, decision=number)).awards
    return out


def _passages(searcher, rows: list[Award]) -> dict[int, object]:
    """Each row's passage (the part of its paragraph that holds its sentence), as a ``Hit`` the verifier accepts."""
    from qa.text import collapse

    out = {}
    for a in rows:
        found = searcher.passages_at(a.document, a.paragraph)
        quote = collapse(a.sentence)
        pid = next((r[0] for r in found if quote in collapse(r[1])), found[0][0] if found else None)
        if pid is not None:
            hit = searcher.hits([(pid, 1.0)])
            if hit:
                out[a.id] = hit[0]
    return out


def _claim(a: Award, hit) -> Claim:
    """One line: the amount as printed, what it is, to whom; the decision, its status and date in the note (the
    note is the index's metadata, the line what the passage says)."""
    from qa.text import collapse

    what = KIND_WORDS.get(a.kind, "amount")
    period = PERIOD_WORDS.get(a.period, "")
    # the decision's id opens the line (the verifier counts the cited decision and paragraph as support for it)
    text = f"{a.decision}: {'up to ' if a.qualifier == 'maximum' else ''}{a.text}"
    text += " (£m)" if not a.text.startswith("£") else ""
    text += f" {what}" + (f", {period}" if period else "")
    if a.counterparty:
        text += f", {a.role or 'counterparty'}: {a.counterparty}"
    if a.row:
        text += f", row \u201c{a.row}\u201d"
    when = a.date + (f" ({a.date_kind})" if a.date_kind and a.date_kind != "decision" else "") if a.date else "no date"
    status = "proposed, not yet taken" if a.proposed else (a.status or "status unknown")
    note = f"{a.title}, {a.council}: {status}, {when}".strip(" ,")
    quote = collapse(a.sentence)
    return Claim(text, (Citation(a.decision, a.paragraph, a.document, quote, hit.passage_id),), note=note)


def _total(rows: list[Award]) -> str:
    """A total where the amounts add up (one kind, one period, more than one amount), else why there is none."""
    if len(rows) < 2:
        return ""
    groups = {(a.kind, a.period) for a in rows}
    if len(groups) == 1 and rows[0].kind and rows[0].period not in ("unstated", "per_unit"):
        kind, period = next(iter(groups))
        total = sum(a.value for a in rows)
        shown = f"£{total / 1e6:,.3f}m" if total >= 1e6 else f"£{total:,.0f}"
        return (f"Together {shown}: every amount listed is a {KIND_WORDS[kind]}, {PERIOD_WORDS[period]} (a sum made "
                f"here, not printed in the decisions).")
    kinds = sorted({f"{KIND_WORDS.get(k, k)} {PERIOD_WORDS.get(p, '') or '(period not stated)'}".strip()
                    for k, p in groups})
    return f"No total: these amounts are of different kinds or periods ({'; '.join(kinds)}), which do not add up."
