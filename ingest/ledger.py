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

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ingest.money import MONEY_RE, money_value
from ingest.orgs import is_own, kind_of, name_at, name_before
from ingest.records import LedgerEntry, Paragraph

HERE = Path(__file__).resolve().parent / "layouts"
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
_NUMBER = re.compile(r"(?<![\w.£/-])\(?-?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?(?![\w/%])|(?<![\w.£/-])\(?-?\d+\.\d+\)?(?![\w/%])")


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


def _nearest(patterns, text: str, from_end: bool = True) -> str:
    """The label of the phrase nearest the end (or the start) of ``text``; the longer of two at one place."""
    best, where = "", None
    for pattern, label, length in patterns:
        for m in pattern.finditer(text):
            score = (m.end(), length) if from_end else (-m.start(), length)
            if where is None or score > where:
                best, where = label, score
    return best


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    m = _SENTENCE_END.search(text, end)
    return left, (m.start() if m else len(text))


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
    first = _nearest(c.periods, near[:40], from_end=False) if near.strip() else ""
    if first in ("per_unit", "per_annum", "total_over_term"):
        return first
    found = _nearest_either(c.periods, left, near)
    if found:
        return found
    if c.financial_year.search(sentence):
        return "per_annum"
    if kind in ("contract_value",) and term_years(sentence) is not None:
        return "total_over_term"
    return _nearest(c.periods, sentence) or "unstated"


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
    found = _nearest(c.kinds, left) or _nearest(c.weak, left)
    if found:
        return found
    if previous:  # "funded by £5.650m HRA (RCCO), £4.140m Grant and £2.258m Capital Receipts": a list goes on
        return previous
    return _nearest(c.kinds, sentence) or _nearest(c.weak, sentence)


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
    out: list[LedgerEntry] = []
    previous: dict[int, tuple[int, str]] = {}  # sentence start -> (end of the last amount in it, the kind its
    # list goes on with: the word before it, not its own noun: "funded by £5.650m HRA, £4.140m Grant and £2.258m ...")
    for m in found:
        s, e = _sentence_span(text, m.start(), m.end())
        sentence = text[s:e]
        last_end, last_kind = previous.get(s, (s, ""))
        if last_end > s:  # not the words attached to the figure before ("£9,800/month, giving ...")
            gap = re.match(r"\S*", text[last_end:m.start()])
            last_end += gap.end() if gap else 0
        following = [f.start() for f in found if s <= f.start() and f.start() > m.start() and f.start() < e]
        left, right = text[last_end:m.start()], text[m.end():(following[0] if following else e)]
        row, caption = _row_label(text, m.start(), m.end())
        kind = _kind(left, right, sentence, last_kind if not re.search(r"[a-z]{4,}", left) else "")
        if row and not kind:
            kind = _nearest(cues().kinds, row) or _nearest(cues().kinds, caption) or _subject(_lead(text))
        period = _period(left, right, sentence, kind)
        if row and period == "unstated":
            period = _table_period(caption, _lead(text), kind)
        name, role = _counterparty(sentence, m.start() - s, kind, council)
        term = term_years(left) or term_years(sentence) if period == "total_over_term" else None
        if period == "total_over_term" and term is None:
            term = term_years(text[:s])
        quote = _row_text(text, m.start(), m.end()) if row else sentence.strip()
        out.append(LedgerEntry(money_value(m), m.group(0).strip(), quote, para.label, kind, period, term, name, role,
                               row, _qualifier(left)))
        governing = kind if not _right_noun(right) else (last_kind or _nearest(cues().kinds, left))
        previous[s] = (m.end() + (_noun_run(right) if _right_noun(right) else 0), governing)
    return out


def _table_period(context: str, lead: str, kind: str) -> str:
    c = cues()
    if kind == "threshold":
        return "unstated"
    found = _nearest(c.periods, context)
    if found:
        return found
    if re.search(r"\b(?:19|20)\d\d\s?[-/–]\s?\d\d\b", context) or c.financial_year.search(lead):
        return "per_annum"
    return "unstated"


def _subject(lead: str) -> str:
    """What a table's lead sentence is about: its first kind word ("There are associated transport costs which are
    also funded ..." is about costs)."""
    c = cues()
    return _nearest(c.kinds, lead, from_end=False) or _nearest(c.weak, lead, from_end=False)


def _lead(text: str) -> str:
    """A paragraph's text before its first line break: the sentence that introduces its table."""
    return text.split("\n", 1)[0]


def _line(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) if text.find("\n", end) >= 0 else len(text))


def _is_row_line(line: str) -> bool:
    """A table's line, not prose: short, no sentence's end inside it."""
    return len(line) <= 160 and not re.search(r"[a-z]{2,}[.;]\s+[A-Z]", line) and not line.rstrip().endswith(".")


def _row_label(text: str, start: int, end: int) -> tuple[str, str]:
    """(row label, caption) of a figure printed as a table's cell ("Young People (18 – 25)\t£2,672,800", or a label
    on the lines above a figure alone on its line); ("", "") for a figure inside prose."""
    ls, le = _line(text, start, end)
    line = text[ls:le]
    if ls == 0 or not _is_row_line(line) or text[end:le].strip(" \t\u00a0"):
        return "", ""
    label = text[ls:start].strip(" \t\u00a0-–:|")
    lines = text[:ls].rstrip("\n").split("\n")
    if not label:
        taken = []
        while lines and lines[-1].strip() and _is_row_line(lines[-1]) and not MONEY_RE.search(lines[-1]):
            taken.insert(0, lines.pop().strip())
            if not lines or lines[-1].strip().split()[-1:] and lines[-1].strip().split()[-1].lower() not in \
                    cues().continues:
                break
        label = " ".join(taken)
    caption = lines[-1].strip() if lines and _is_row_line(lines[-1]) and not MONEY_RE.search(lines[-1]) else ""
    return label, caption


def _row_text(text: str, start: int, end: int) -> str:
    ls, le = _line(text, start, end)
    line = text[ls:le].strip()
    if text[ls:start].strip():
        return line
    return line  # a figure alone on its line: the line is what is quoted (its label is kept in ``row``)


def _table_cells(para: Paragraph) -> list[LedgerEntry]:
    """Unsigned figures of a table whose column headers print a unit ("CURRENT ANNUAL COST £m")."""
    text = para.text
    c = cues()
    units = [(m.start(), m.end(), scale) for unit, scale in c.units
             for m in re.finditer(re.escape(unit) + r"(?![\w£])", text)]
    units.sort()
    kept: list[tuple[int, int, float]] = []
    for u in units:  # "£ m" inside "£ million" once
        if not kept or u[0] >= kept[-1][1]:
            kept.append(u)
    if not kept:
        return []
    header_start = max(text.rfind(":", 0, kept[0][0]), text.rfind(". ", 0, kept[0][0]), text.rfind("\n\n", 0, kept[0][0]))
    columns, cut = [], header_start + 1
    for s, e, scale in kept:
        columns.append((" ".join(text[cut:s].split()), scale))
        cut = e
    out, pending, pos = [], [], cut
    for raw in text[cut:].split("\n"):
        line_start = text.index(raw, pos) if raw else pos
        pos = line_start + len(raw)
        line = raw.strip()
        if not line:
            continue
        if len(line.split()) > 14 and re.search(r"[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}", line):
            break  # prose again: the table is over
        numbers = _trailing_numbers(raw)
        label = raw[:numbers[0].start()].strip() if numbers else ""
        if not numbers:
            pending.append(line)
            continue
        label = label or " ".join(pending)
        quote_from = text.index(pending[0], line_start - sum(len(p) + 2 for p in pending) - 8) \
            if pending and not raw[:numbers[0].start()].strip() else line_start
        quote = text[quote_from:pos].strip() if quote_from < line_start else line
        for (header, scale), n in zip(columns, numbers):
            printed = n.group(0)
            value = float(printed.strip("()").replace(",", "")) * scale * (-1 if printed.startswith("(") else 1)
            kind = _nearest(c.kinds, header) or _nearest(c.kinds, label) or _subject(_lead(text))
            period = _table_period(header, _lead(text), kind)  # a row's label ("Total Value") sums, it is no term
            out.append(LedgerEntry(value, printed, quote, para.label, kind, period, None, "", "", label, ""))
        pending = []
    return out


def _trailing_numbers(line: str) -> list[re.Match]:
    """The figures a table row ends with ("Pathway Clients (18-25) 13.313 13.384 0.071" -> the last three)."""
    found = list(re.finditer(r"\S+", line))
    out: list[re.Match] = []
    for m in reversed(found):
        if not _NUMBER.fullmatch(m.group(0)):
            break
        out.insert(0, m)
    return out


def carry_counterparties(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """A supplier named by an award in one sentence is the counterparty of the contract's figures printed after
    it in the same paragraph, where they name none."""
    out, named = [], {}
    kinds = cues().carry_kinds
    for e in entries:
        if e.counterparty and e.role == "supplier":
            named[e.paragraph] = e.counterparty
        elif not e.counterparty and e.kind in kinds and e.paragraph in named and not e.row:
            e = replace(e, counterparty=named[e.paragraph], role="supplier")
        out.append(e)
    return out


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
        found = _amounts(para, council) + _table_cells(para)
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
