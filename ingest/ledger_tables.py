"""Amounts in tables: a figure on a table's line keeps its row's label, and the unsigned figures of a table whose
column headers print a unit ("CURRENT ANNUAL COST £m") are amounts of that unit, read by their column's header."""
from __future__ import annotations

import re

from ingest.ledger_cues import nearest, cues
from ingest.money import MONEY_RE
from ingest.records import LedgerEntry, Paragraph

_NUMBER = re.compile(r"(?<![\w.£/-])\(?-?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?(?![\w/%])|(?<![\w.£/-])\(?-?\d+\.\d+\)?(?![\w/%])")


def table_period(context: str, lead: str, kind: str) -> str:
    c = cues()
    if kind == "threshold":
        return "unstated"
    found = nearest(c.periods, context)
    if found:
        return found
    if re.search(r"\b(?:19|20)\d\d\s?[-/–]\s?\d\d\b", context) or c.financial_year.search(lead):
        return "per_annum"
    return "unstated"


def subject(lead: str) -> str:
    """What a table's lead sentence is about: its first kind word ("There are associated transport costs which are
    also funded ..." is about costs)."""
    c = cues()
    return nearest(c.kinds, lead, from_end=False) or nearest(c.weak, lead, from_end=False)


def lead(text: str) -> str:
    """A paragraph's text before its first line break: the sentence that introduces its table."""
    return text.split("\n", 1)[0]


def _line(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) if text.find("\n", end) >= 0 else len(text))


def _is_row_line(line: str) -> bool:
    """A table's line, not prose: short, no sentence's end inside it."""
    return len(line) <= 160 and not re.search(r"[a-z]{2,}[.;]\s+[A-Z]", line) and not line.rstrip().endswith(".")


def row_label(text: str, start: int, end: int) -> tuple[str, str]:
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


def row_text(text: str, start: int, end: int) -> str:
    """A table cell's quote: its line as printed (a figure alone on its line: its label is kept in ``row``)."""
    ls, le = _line(text, start, end)
    return text[ls:le].strip()


def table_cells(para: Paragraph) -> list[LedgerEntry]:
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
            kind = nearest(c.kinds, header) or nearest(c.kinds, label) or subject(lead(text))
            period = table_period(header, lead(text), kind)  # a row's label ("Total Value") sums, it is no term
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
