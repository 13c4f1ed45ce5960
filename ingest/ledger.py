"""The awards ledger's reading of a document's amounts: what each is, for how long, and who receives it.

Every amount ``ingest.money`` finds, and every figure of a table whose columns print a unit ("COST £m"), becomes
a ``LedgerEntry``: its kind (contract value, annual cost, grant, loan, saving, budget, fee or rate, income, a
threshold, other), its period (one-off, per annum, a total over a term, per unit, or not stated), the
counterparty the text names with its role, and, in a table, its row's label. What is read is decided by the words
printed around the figure (``ingest/layouts/ledger.json``), the nearest first: a word right after the figure
("£4.140m Grant", "£0.322m per annum"), then the words before it back to the previous figure, then its sentence,
then its table's column, caption and lead sentence. Where nothing is printed, nothing is claimed: the kind
stays "" and the period "unstated".
"""
from __future__ import annotations

import re
from dataclasses import replace

from ingest.ledger_cues import nearest, cues
from ingest.ledger_tables import lead, row_label, row_text, subject, table_cells, table_period
from ingest.money import MONEY_RE, SentenceEnds, money_value
from ingest.orgs import is_own, kind_of, name_at, name_before
from ingest.records import LedgerEntry, Paragraph

_WORDS_BEFORE = 5  # a threshold's comparator stands this close before the figure ("expenditure of more than £1m")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20,
                 "twenty-four": 24, "thirty-six": 36, "a": 1, "an": 1}
_TERM = re.compile(r"\b(?:for|over)\s+(?:a\s+(?:further\s+)?(?:period|term)\s+of\s+)?(?P<n>\d+(?:\.\d+)?|"
                   r"[a-z]+(?:-[a-z]+)?)\s*(?:\(\d+\)\s*)?(?P<unit>years?|months?)\b|"
                   r"\b(?P<n2>\d+|[a-z]+)[- ](?P<unit2>year|month)\b(?![- ]old)", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:[A-Z][a-z]+\s+)?(?P<y1>(?:19|20)\d\d)\s+"
                      r"(?:to|until|–|-)\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:[A-Z][a-z]+\s+)?(?P<y2>(?:19|20)\d\d)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z£(‘“])|\n")




_NOT_NOUN = frozenset("to of for from is was were are be been will would shall should can could may might has have "
                      "had in on at by and or which that this if as with within across per a an the it".split())


def _noun_run(right: str) -> int:
    """How many characters of ``right`` the nouns printed right after a figure take ("£4.140m Grant and ...": 6)."""
    end = 0
    for m in list(re.finditer(r"[A-Za-z]+", re.split(r"[.;:,()£/]", right, maxsplit=1)[0]))[:4]:
        if m.group(0).lower() in _NOT_NOUN:
            break
        end = m.end()
    return end


def _right_noun(right: str) -> str:
    """The kind the noun printed right after the figure names: the head (last word) of the run of nouns before a
    preposition, verb or stop ("£4.140m Grant", "a £0.926m budget centrally held", "£0.200m borrowing approval")."""
    run = []
    for w in re.findall(r"[A-Za-z]+", re.split(r"[.;:,()£/]", right, maxsplit=1)[0])[:4]:
        if w.lower() in _NOT_NOUN:
            break
        run.append(w.lower())
    kinds = [cues().right_nouns[w] for w in run if w in cues().right_nouns]
    return kinds[-1] if kinds else ""


def term_years(text: str) -> float | None:
    """The term a text states: "for a period of 6 months" -> 0.5, "for three years" -> 3, "a one-year contract
    extension" -> 1, "from 01 April 2022 to 31 March 2025" -> 3."""
    m = _TERM.search(text)
    if m:
        n, unit = (m.group("n"), m.group("unit")) if m.group("n") else (m.group("n2"), m.group("unit2"))
        number = float(n) if n[0].isdigit() else _NUMBER_WORDS.get(n.lower())
        if number:
            return number / 12 if unit.lower().startswith("month") else number
    m = _FROM_TO.search(text)
    if m and int(m.group("y2")) > int(m.group("y1")):
        return float(int(m.group("y2")) - int(m.group("y1")))
    return None


def _period(left: str, right: str, sentence: str, kind: str) -> str:
    c = cues()
    if kind == "threshold":
        return "unstated"
    near = re.split(r"(?<=[.;])\s|£", right, maxsplit=1)[0]
    first = nearest(c.periods, near[:40], from_end=False) if near.strip() else ""
    if first in ("per_unit", "per_annum", "total_over_term"):
        return first
    found = _nearest_either(c.periods, left, near)
    if found:
        return found
    if c.financial_year.search(sentence):
        return "per_annum"
    if kind in ("contract_value",) and term_years(sentence) is not None:
        return "total_over_term"
    return nearest(c.periods, sentence) or "unstated"


def _nearest_either(patterns, left: str, right: str) -> str:
    """The label of the phrase nearest the figure that sits between ``left`` and ``right``, on either side."""
    best, where = "", None
    for pattern, label, length in patterns:
        for m in pattern.finditer(left):
            score = (len(left) - m.end(), -length)
            if where is None or score < where:
                best, where = label, score
        for m in pattern.finditer(right):
            score = (m.start(), -length)
            if where is None or score < where:
                best, where = label, score
    return best


def _kind(left: str, right: str, sentence: str, previous: str) -> str:
    c = cues()
    tail = " ".join(left.split()[-_WORDS_BEFORE:])
    if c.threshold.search(tail):
        return "threshold"
    noun = _right_noun(right)
    if noun:
        return noun
    found = nearest(c.kinds, left) or nearest(c.weak, left)
    if found:
        return found
    if previous:  # "funded by £5.650m HRA (RCCO), £4.140m Grant and £2.258m Capital Receipts": a list goes on
        return previous
    return nearest(c.kinds, sentence) or nearest(c.weak, sentence)


def _qualifier(left: str) -> str:
    tail = " ".join(left.split()[-8:])
    best, where = "", -1
    for pattern, q in cues().qualifiers:
        for m in pattern.finditer(tail):
            if m.end() > where:
                best, where = q, m.end()
    return best


def _counterparty(sentence: str, at: int, kind: str, council: str) -> tuple[str, str]:
    """(name, role) the sentence names for the amount at offset ``at`` of it, nearest first; ("", "")."""
    if kind in ("threshold", "saving", "other", ""):
        return "", ""
    best: tuple[int, str, str] | None = None
    for pattern, role in cues().roles:
        for m in pattern.finditer(sentence):
            name = name_at(sentence, m.end())
            if not name or is_own(name, council) or not _plausible(name):
                continue
            if role in cues().weak_roles and not kind_of(name):
                continue
            distance = abs(m.end() - at)
            if best is None or distance < best[0]:
                best = (distance, name, role)
    before = name_before(sentence, at)
    if before and kind_of(before) and not is_own(before, council):
        return before, _role_of(kind, "payer")
    if best is None:
        return "", ""
    return best[1], _role_of(kind, best[2])


def _plausible(name: str) -> bool:
    """A name a cue points at that may be an organisation's: its own words say so, or it is a proper name of
    one to six words (not a post, a place in the council, or a month)."""
    if kind_of(name):
        return True
    words = name.split()
    return 1 <= len(words) <= 6 and not re.search(r"\d", name) and words[0][0].isupper()


def _role_of(kind: str, cue_role: str) -> str:
    return {"loan": "borrower", "grant": "recipient"}.get(kind, cue_role)


def _amounts(para: Paragraph, council: str) -> list[LedgerEntry]:
    text = para.text
    found = list(MONEY_RE.finditer(text))
    ends = SentenceEnds(_SENTENCE_END, text)  # found once for every figure (``money.SentenceEnds``)
    out: list[LedgerEntry] = []
    previous: dict[int, tuple[int, str]] = {}  # sentence start -> (end of the last amount in it, the kind its
    # list goes on with: the word before it, not its own noun: "funded by £5.650m HRA, £4.140m Grant and £2.258m ...")
    for n, m in enumerate(found):
        s, e = ends.left(m.start()), ends.right(m.end())
        sentence = text[s:e]
        last_end, last_kind = previous.get(s, (s, ""))
        if last_end > s:  # not the words attached to the figure before ("£9,800/month, giving ...")
            gap = re.match(r"\S*", text[last_end:m.start()])
            last_end += gap.end() if gap else 0
        following = found[n + 1].start() if n + 1 < len(found) and found[n + 1].start() < e else e  # the next figure
        left, right = text[last_end:m.start()], text[m.end():following]
        row, caption = row_label(text, m.start(), m.end())
        kind = _kind(left, right, sentence, last_kind if not re.search(r"[a-z]{4,}", left) else "")
        parent = _share_of(text, m, s, out)
        if parent is not None and not kind:  # "(ASC £2.5m/ICB £585k)" after a figure: who pays its shares
            kind = cues().share_kind
        if row and not kind:
            kind = nearest(cues().kinds, row) or nearest(cues().kinds, caption) or subject(lead(text))
        period = _period(left, right, sentence, kind)
        if parent is not None and period == "unstated":
            period = parent.period
        if row and period == "unstated":
            period = table_period(caption, lead(text), kind)
        name, role = _counterparty(sentence, m.start() - s, kind, council)
        term = term_years(left) or term_years(sentence) if period == "total_over_term" else None
        if parent is not None and parent.period == period and term is None:
            term = parent.term_years
        if period == "total_over_term" and term is None:
            term = term_years(text[:s])
        quote = row_text(text, m.start(), m.end()) if row else sentence.strip()
        out.append(LedgerEntry(money_value(m), m.group(0).strip(), quote, para.label, kind, period, term, name, role,
                               row, _qualifier(left)))
        governing = kind if not _right_noun(right) else (last_kind or nearest(cues().kinds, left))
        previous[s] = (m.end() + (_noun_run(right) if _right_noun(right) else 0), governing)
    return out


def _share_of(text: str, m: re.Match, sentence_start: int, before: list[LedgerEntry]) -> LedgerEntry | None:
    """The figure a bracketed breakdown right after it splits by who pays ("£3.087m. (ASC £2.5m/ICB £585k)"): the
    figure printed last before the bracket, where this one stands inside the bracket right after a short name."""
    opened = text.rfind("(", 0, m.start())
    if opened < 0 or text.find(")", opened) < m.end() or not before:
        return None
    inside = text[opened + 1:m.start()]
    if not re.fullmatch(r"(?:[^()]*?£[^()]*?[/,;]\s*)?[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,4}\s*", inside):
        return None
    if not MONEY_RE.search(text[max(0, opened - 200):opened]):
        return None
    return next((e for e in reversed(before) if e.sentence in text[:opened]), None)


def _awarded(para: Paragraph, council: str) -> list[tuple[int, str]]:
    """(offset, supplier) for each award a paragraph's sentences name without a figure ("... award the contract to
    the highest scoring provider, Hestia Housing and Support.")."""
    out = []
    for pattern, role in cues().roles:
        if role != "supplier":
            continue
        for m in pattern.finditer(para.text):
            name = name_at(para.text, m.end())
            if name and not is_own(name, council) and _plausible(name) and len(name.split()) >= 1:
                out.append((m.start(), name))
    return sorted(out)


def entries(paras: list[Paragraph], council: str = "") -> list[LedgerEntry]:
    """The document's amounts as the ledger reads them, in the order printed."""
    out: list[LedgerEntry] = []
    for para in paras:
        found = _amounts(para, council) + table_cells(para)
        awards = _awarded(para, council)
        if awards:  # the award named before a figure in the paragraph, where the figure's sentence names none
            text = para.text
            fixed = []
            for e in found:
                at = text.find(e.sentence)
                prior = [name for off, name in awards if 0 <= off < at]
                if not e.counterparty and prior and e.kind in cues().carry_kinds and not e.row:
                    e = replace(e, counterparty=prior[-1], role="supplier")
                fixed.append(e)
            found = fixed
        out += found
    return out


def with_ledger(meta, paras: list[Paragraph], model=None):
    """``meta`` with the document's ledger entries and the organisations it names (``ingest.orgs``; ``model``: the
    named-entity model that confirms weak names, ``ingest.orgs.entity_model()`` by default)."""
    from ingest.orgs import entity_model, mentions

    found = entries(paras, meta.council)
    parties = {e.counterparty: e.role for e in found if e.counterparty}
    model = entity_model() if model is None else model
    return replace(meta, ledger=tuple(found), organisations=tuple(mentions(paras, meta.council, parties, model)))
