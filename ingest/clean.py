"""Repair extraction damage and cut the text into typed blocks.

The output text is canonical: blocks are separated by one blank line, and every later span (paragraphs,
passages, citations) points into it. Repairs never change a word or a number; they only move whitespace,
drop markup and page furniture, and join what extraction broke apart:

- line wraps and hyphenation inside sentences, also across blank lines ("it\\n\\nwas not possible");
- a date split over lines ("31\\n\\nMarch 2022");
- spaces before punctuation, non-breaking and zero-width spaces, runs of blank lines;
- bullets on a line of their own ("•\\nOption 2");
- bare page numbers, a document link's icon and size ("pdf icon PDF 196 KB"), and Markdown markup (``**bold**``,
  ``[text](link)``, list dashes);
- and the one break repair: a report's cover table run into one long line, as a page that mirrors a PDF prints it
  ("... Portfolio: Planning Subject: River Wallington Gabion Replacement Works Report of: ..."), is broken into
  one line per label (``unrun``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.labels import (
    BULLET_CHARS,
    CONNECTIVES,
    ENUMERATOR,
    MONTH_RE,
    NUMBERED_PARA,
    label_alone,
    label_of,
)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w) +(?=[,.;:!?](?:\s|$))")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:mailto:|https?:|/)[^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")
_BULLET_LINE = re.compile(rf"^\s*[{re.escape(BULLET_CHARS)}]\s*$")
_BULLET_START = re.compile(r"^\s*[•·▪◦●○■□‣⁃]\s*")
_DATE_TAIL = re.compile(r"(?:^|\s)\d{1,2}$")
_DATE_HEAD = re.compile(rf"^(?:{MONTH_RE})\b")
_MONEY_OR_DECIMAL = re.compile(r"£|\b\d+\.\d+\b|^\s*[\d.,\s]+$")
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
# A leader starts where its run of spaces starts: a start inside the run would fail as the run's start did, and
# trying each made a line with a long run of spaces cost its square (1M spaces: hours).
_DOT_LEADER = re.compile(r"(?<!\s)\s*\.{5,}(?:\s+\.{5,})*")
_TERMINAL = ".!?"


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | list | table
    start: int
    end: int


@dataclass(frozen=True)
class CleanText:
    text: str
    blocks: tuple[Block, ...]

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


@dataclass
class _Unit:
    kind: str  # heading | para | item | row
    lines: list[str]
    blank_before: bool
    markdown_heading: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def normalise_line(line: str) -> str:
    line = line.translate(_ZERO_WIDTH).replace("\u00ad", "")
    if "\t" in line:  # keep tabs (table cells), tidy the spaces inside cells
        return "\t".join(_SPACES.sub(" ", cell).strip() for cell in line.split("\t")).strip(" ").rstrip("\t")
    line = _DOT_LEADER.sub("", line)  # form leaders ("None ..........") are furniture, not text
    line = _link_furniture().sub("", line)  # a document link's icon and size ("pdf icon PDF 196 KB")
    return _SPACE_BEFORE_PUNCT.sub("", _SPACES.sub(" ", line).strip())


def _strip_markdown(line: str) -> tuple[str, bool, bool]:
    """(text, is_heading, is_list_item) for a Markdown line."""
    heading = bool(_MD_HEADING.match(line))
    line = _MD_HEADING.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line).replace("**", "")
    item = bool(_MD_LIST.match(line))
    if item:
        line = _MD_LIST.sub("", line)
        if not NUMBERED_PARA.match(line) and not ENUMERATOR.match(line):
            line = "• " + line
    return line, heading, item and not NUMBERED_PARA.match(line)


def _ends_sentence(text: str) -> bool:
    t = text.rstrip("’'\")]”")
    return bool(t) and t[-1] in _TERMINAL


def _starts_unit(line: str, prev: str = "") -> bool:
    """A line that starts a new unit even without a blank line before it.

    A label-like line after a line that ends mid-phrase ("... granted by the" / "Proper Officer:") is the
    rest of that phrase, not a new field.
    """
    if _BULLET_START.match(line) or NUMBERED_PARA.match(line) or ENUMERATOR.match(line) or "\t" in line:
        return True
    return bool(label_of(line)) and not _ends_with_connective(prev)


def _ends_with_connective(text: str) -> bool:
    words = text.split()
    return bool(words) and (words[-1].lower() in CONNECTIVES or text.endswith(","))


def _line_width(lines: list[str]) -> int:
    """The width text was wrapped at: the 90th percentile of the lengths of non-trivial lines."""
    lengths = sorted(len(ln) for ln in lines if len(ln) > 20)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _is_fragment(text: str) -> bool:
    """A short line without a sentence end: a table cell, a heading, a value."""
    return len(text.split()) <= 12 and not _ends_sentence(text) and not text.endswith(":")


def clean(raw: str, fmt: str = "text") -> CleanText:
    """Repair ``raw`` text extracted from a document of format ``fmt`` and cut it into blocks."""
    units = _units(raw, fmt)
    units = _merge_across_blanks(units, 0 if fmt == "markdown" else _line_width(raw.splitlines()))
    return _assemble(_classify(units, fmt))


@lru_cache(maxsize=1)
def _link_furniture() -> re.Pattern:
    """What a page prints beside a link to a document (the layout's ``link_furniture``), never part of its text."""
    from ingest.layouts import layout

    found = layout().link_furniture
    return re.compile("|".join(f"(?:{p})" for p in found) if found else r"(?!)")


RUN_TOGETHER = 300  # characters: a line this long is a paragraph, not a field line
RUN_LABELS = 3  # distinct labels inside one such line: a table whose line breaks were lost, not prose


@lru_cache(maxsize=1)
def _inline_label() -> re.Pattern:
    """A label of the layout (a field's or a report cover's) printed inside a line, as it is printed: capitalised,
    after a word or a sentence's end, followed by its colon and a value."""
    from ingest.layouts import layout

    lay = layout()
    names = {label for label in (*lay.labels(), *lay.cover_labels) if label[:1].isupper() and len(label) > 3}
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<=[\w.)])\s+(?P<label>{alternation})\s?:\s+(?=[\w(£\"“'‘])")


def unrun(text: str) -> str:
    """Each line of ``text`` that holds ``RUN_LABELS`` or more of the layout's labels inside it, and is
    ``RUN_TOGETHER`` long, broken into paragraphs before each label ("Subject: ...", "Report of: ...",
    "Purpose: ..."), which the field reader then reads as any record's. Only blanks are replaced."""
    out = []
    pattern = _inline_label()
    for line in text.split("\n"):
        if len(line) >= RUN_TOGETHER:
            found = list(pattern.finditer(line))
            if len({m.group("label").lower() for m in found}) >= RUN_LABELS:
                parts, last = [], 0
                for m in found:
                    parts.append(line[last:m.start()])
                    last = m.start("label")
                line = "\n\n".join([*parts, line[last:]])
        out.append(line)
    return "\n".join(out)


def _units(raw: str, fmt: str) -> list[_Unit]:
    text = unrun(raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n"))
    lines = text.split("\n")
    markdown = fmt == "markdown"
    wrap_width = _line_width([normalise_line(ln) for ln in lines])
    units: list[_Unit] = []
    blank = True
    pending_bullet = False
    for raw_line in lines:
        line = normalise_line(raw_line)
        if not line:
            blank = True
            continue
        heading = item = False
        if markdown:
            line, heading, item = _strip_markdown(line)
            line = normalise_line(line)
            if not line:
                continue
        if _BULLET_LINE.match(line):
            pending_bullet = True
            continue
        if pending_bullet:
            line, pending_bullet, item = "• " + line, False, True
        elif _BULLET_START.match(line):
            line, item = _BULLET_START.sub("• ", line), True
        if not markdown and _PAGE_NUMBER.match(line) and blank and units:
            continue  # a bare page number between blank lines: page furniture
        prev = units[-1] if units else None
        if (
            prev is not None
            and not blank
            and not heading
            and not prev.markdown_heading
            and prev.kind != "row"
            and not _starts_unit(line, prev.lines[-1])
            and not (not markdown and _ends_paragraph(prev.lines[-1], line, wrap_width))
        ):
            prev.lines.append(line)  # a wrapped line of the same paragraph
        else:
            kind = "row" if "\t" in line else ("item" if item or ENUMERATOR.match(line) else "para")
            units.append(_Unit(kind, [line], blank, markdown_heading=heading))
        blank = False
    return units


def _ends_paragraph(prev: str, line: str, width: int) -> bool:
    """In wrapped text with no blank lines, a short line ends its paragraph."""
    short = len(prev) < 0.8 * width
    if _ends_sentence(prev) and short:
        return True
    return len(prev) < 0.7 * width and line[:1].isupper() and not _ends_with_connective(prev)


def _hyphenated(prev: str, nxt: str) -> bool:
    """A word broken by a line end: "re-" + "tender" -> "re-tender" (the hyphen kept: no word changes)."""
    return re.fullmatch(r"[A-Za-z]-", prev[-2:]) is not None and nxt[:1].islower()


def _merge_across_blanks(units: list[_Unit], width: int) -> list[_Unit]:
    """Join units that a blank line split in the middle of a sentence or a date."""
    out: list[_Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        first = unit.lines[0]
        if (
            prev is not None
            and prev.kind in ("para", "item")
            and unit.kind == "para"
            and not prev.markdown_heading
            and not unit.markdown_heading
            and not _starts_unit(first, prev.lines[-1])
            and _continues(prev.lines[-1], first, width)
        ):
            prev.lines.extend(unit.lines)
            continue
        out.append(unit)
    return out


def _continues(prev: str, nxt: str, width: int) -> bool:
    if _DATE_TAIL.search(prev) and _DATE_HEAD.match(nxt):
        return True
    if _ends_sentence(prev) or prev.endswith(":"):
        return False
    if nxt[:1].islower() or _ends_with_connective(prev):
        return True
    return width > 0 and len(prev) >= 0.9 * width and nxt[:1].isalpha()  # a full line broken by a page


def _classify(units: list[_Unit], fmt: str) -> list[_Unit]:
    """Mark headings and table rows among the units."""
    n = len(units)
    if fmt != "markdown":
        _mark_tables(units)
    for i, unit in enumerate(units):
        text = unit.text
        if unit.markdown_heading:
            unit.kind = "heading"
            continue
        if unit.kind != "para":
            continue
        nxt = units[i + 1] if i + 1 < n else None
        if fmt != "markdown" and _is_heading(unit, units[i - 1] if i else None, nxt):
            unit.kind = "heading"
    return units


def _is_heading(unit: _Unit, prev: _Unit | None, nxt: _Unit | None) -> bool:
    """A short title-like line followed by body text: "Proposed decision", "Further Information –"."""
    text = unit.text
    words = text.split()
    if not words or len(words) > 20 or _ends_sentence(text) or text.endswith((":", ",", ";")):
        return False
    if label_of(text) or re.search(r"\d{2}/\d{5}$|£|\. \S", text):
        return False
    if not (text[:1].isupper() or re.match(r"\d{2}/\d{5}\s*[-–]\s*\S", text)):
        return False
    if words[-1].lower() in CONNECTIVES or re.fullmatch(rf"\d{{1,2}} (?:{MONTH_RE}) \d{{4}}", text):
        return False
    if prev is not None and label_alone(prev.text):
        return False  # the value of a field whose label stands alone ("DECISION TAKEN BY:")
    if prev is None:
        return True  # the document's first line: its title
    if nxt is None:
        return False
    body = nxt.kind in ("para", "item") and (not _is_fragment(nxt.text) or bool(label_of(nxt.text)))
    return body or nxt.markdown_heading


def _mark_tables(units: list[_Unit]) -> None:
    """Runs of short cells that hold amounts are a table broken up by extraction: keep them as one."""
    run: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and _is_table_cell(unit):
            run.append(unit)
            continue
        money = sum(1 for u in run if _MONEY_OR_DECIMAL.search(u.text))
        if (len(run) >= 3 and money) or (len(run) == 2 and money == 2):
            for u in run:
                u.kind = "row"
        run = []


def _is_table_cell(unit: _Unit) -> bool:
    return unit.kind in ("para", "row") and (unit.kind == "row" or _is_fragment(unit.text)) and not label_of(unit.text)


def _assemble(units: list[_Unit]) -> CleanText:
    """Lay the units out as canonical text; consecutive rows form one table, consecutive items one list."""
    pieces: list[tuple[str, str]] = []  # (kind, text)
    for unit in units:
        kind = {"item": "list", "row": "table"}.get(unit.kind, unit.kind)
        text = _join_lines(unit.lines)
        if pieces and pieces[-1][0] == kind and kind in ("list", "table"):
            pieces[-1] = (kind, pieces[-1][1] + "\n" + text)
        else:
            pieces.append((kind, text))
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for kind, text in pieces:
        if parts:
            pos += 2
        blocks.append(Block(kind, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return CleanText("\n\n".join(parts), tuple(blocks))


def _join_lines(lines: list[str]) -> str:
    """The lines of a unit as one line: joined by a space, or by nothing after a broken word. Built once from its
    pieces (a paragraph wrapped over 80k lines was copied, and searched from its start, once a line)."""
    pieces = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        if not _hyphenated(prev, line):
            pieces.append(" ")
        pieces.append(line)
    return "".join(pieces)
