"""Pages that hold several decisions, cut into one part per decision.

ModernGov prints several decisions on one page in three ways, each recognised by its start lines:
- decision lists and "Issue - decisions" pages: ``DD/MM/YYYY - Title [REF] [ref: N]   Status``;
- agenda-item minutes: a line opening with a minute reference in a known scheme (``Exe/20/104 Title``);
- "Agenda and decisions" pages: numbered decisions (``282/2003 The Cabinet approved ...``) under the item's
  heading, which is their title.
Each part keeps its start line's facts (date, title, reference, status); the page's preamble (its header, the
meeting) gives what the parts share. A page with no start line is one decision, or none, as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.dates import first_date
from ingest.fields import status_of
from ingest.identity import find_reference, title_reference
from ingest.layouts import layout, reference_schemes

# ``rest`` runs to the line's end, its trailing blanks stripped by the reader (``_dated``): a lazy ``\S.*?`` before
# ``[ \t]*$`` tried every place in a run of blanks, and a line with 200k spaces inside cost their square
_DATED = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|[-*•][ \t]+)?(?P<date>\d{1,2}/\d{1,2}/\d{4})[ \t]*[-–][ \t]+(?P<rest>\S.*)$")
_TRAILING_STATUS = re.compile(r"^(?P<head>.*?\S)(?:[ \t]{2,}|\t)(?P<status>[A-Z][A-Za-z ()'-]{2,60})$")
_MEETING = re.compile(r"^(?P<body>[A-Z][^\n-]{2,80}?)\s+[-–]\s+(?:\w+day,?\s+)?(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+\w+,?\s+\d{4})")
_REPORTED = re.compile(r"^.*\b(?:meetings?|minutes|proceedings)\b.*$", re.M | re.I)
MINUTE_SCHEMES = ("executive minute", "minute number")


@dataclass(frozen=True)
class Part:
    """One decision's span of a page and what its start line says."""

    start: int  # offset in the page text
    end: int
    reference: str = ""
    title: str = ""
    date: str = ""  # ISO
    status: str = ""
    maker: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # the preamble's lines that give what the part takes from the page (its meeting's body and date): kept with the
    # part, after its own text, so the record's date and maker are printed in the decision they belong to
    context: str = ""


def split(text: str) -> tuple[str, list[Part]]:
    """The page's preamble and its decisions' parts; no parts for a page of one decision."""
    lines = text.splitlines(keepends=True)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    starts = _starts(lines)
    if not starts or (len(starts) == 1 and not (_is_multi_page(text) or starts[0][1].get("listed"))):
        return text, []
    first = starts[0][0]
    preamble = text[: offsets[first]]
    shared_maker, shared_date, shared_lines = _meeting(preamble)
    begins = []
    for n, (i, facts) in enumerate(starts):
        begin = offsets[i]
        heading = facts.get("heading_line")
        if heading is not None and (n == 0 or heading > starts[n - 1][0]):
            begin = offsets[heading]  # a numbered decision: its item's heading opens the part
        begins.append(begin)
    parts = []
    for n, (i, facts) in enumerate(starts):
        end = begins[n + 1] if n + 1 < len(begins) else len(text)
        shared = (not facts.get("date") and shared_date) or (not facts.get("maker") and shared_maker)
        parts.append(Part(begins[n], end, facts.get("reference", ""), facts.get("title", ""),
                          facts.get("date", "") or shared_date, facts.get("status", ""),
                          facts.get("maker", "") or shared_maker, context=shared_lines if shared else ""))
    return preamble, parts


def is_meeting_line(line: str) -> bool:
    """A page's meeting line ("Cabinet - Tuesday, 23 September 2003"): what its decisions share, no answer itself."""
    m = _MEETING.match(line.strip())
    return bool(m) and m.end() >= len(line.strip()) - 1 and bool(first_date(m.group("date")))


def _is_multi_page(text: str) -> bool:
    lay = layout()
    return any(lay.page_kind(ln) in ("decision list", "issue decisions", "agenda item", "agenda and decisions")
               for ln in text.splitlines()[:20] if ln.strip())


def _starts(lines: list[str]) -> list[tuple[int, dict[str, str]]]:
    out = []
    for i, line in enumerate(lines):
        facts = _dated(line) or _minute(lines, i)
        if facts:
            out.append((i, facts))
    if out and any("heading_line" in f for _, f in out):  # an "Agenda and decisions" page
        numbered_headings = {f.get("heading_line") for _, f in out}
        for i in _item_headings(lines):
            if i not in numbered_headings and not any(start == i for start, _ in out):
                out.append((i, {"title": lines[i].strip()}))  # an item decided without a number of its own
        out.sort()
    return out


def _item_headings(lines: list[str]) -> list[int]:
    """Item headings of an agenda page: a short line between blank lines, followed by a sentence that is not
    a numbered decision ("A228 Dualling - Tender Acceptance" / "The Cabinet accepted the tender ...")."""
    out = []
    lay = layout()
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or len(text.split()) > 12 or text.endswith((".", ":", ",")) or _minute_ref(text):
            continue
        if lay.page_kind(text) or _MEETING.match(text):
            continue
        if i and lines[i - 1].strip():
            continue
        following = next((lines[j].strip() for j in range(i + 1, min(len(lines), i + 6)) if lines[j].strip()), "")
        if (len(following.split()) >= 8 and not _minute_ref(following) and following[:1].isupper()
                and not _MEETING.match(following)):
            out.append(i)
    return out


def _dated(line: str) -> dict[str, str] | None:
    m = _DATED.match(line)
    if not m:
        return None
    rest = re.sub(r"<br\s*/?>", " ", m.group("rest")).strip()
    status = ""
    _, list_ref = reference_schemes()
    s = _TRAILING_STATUS.match(rest)
    statuses = layout().status
    if s and s.group("status").strip().lower() in statuses:
        rest, status = s.group("head"), status_of(s.group("status"))
    else:  # "... ref: 2841 Recommendations Approved": spacing collapsed (a page saved as HTML)
        for printed in sorted(statuses, key=len, reverse=True):
            head = rest[: len(rest) - len(printed)].rstrip()
            if rest.lower().endswith(" " + printed) and re.search(r"\bref:?\s*\d+$", head, re.I):
                rest, status = head, status_of(printed)
                break
    list_number = ""
    r = list_ref.search(rest)
    if r and rest[r.end():].strip() == "":
        list_number, rest = r.group(1), rest[: r.start()].strip()
    own, title = title_reference(rest)  # "19/00065 - Title"
    if not own:  # "Title - OKD01 (22/23)" or "Title OKD54 20/21": the council's own scheme inside the title
        own = find_reference(title) if _has_own_scheme(title) else ""
        if own:
            title = re.sub(rf"\s*[-–]?\s*{re.escape(own)}\s*$", "", title).strip() or title
    facts = {"date": first_date(m.group("date")), "title": title.rstrip(" .") if title.endswith(".") else title,
             "reference": own or list_number, "status": status}
    if list_number or status:
        facts["listed"] = "yes"  # an entry of a decision list, even where the page's header is lost
    if own and list_number:
        facts["list_ref"] = list_number
    return facts


def _has_own_scheme(title: str) -> bool:
    schemes, _ = reference_schemes()
    return any(s.pattern.search(title) for s in schemes if s.name in ("okd", "kent", "lettered number"))


def _minute(lines: list[str], i: int) -> dict[str, str] | None:
    """``Exe/20/104 Title`` or ``282/2003 The Cabinet approved ...`` at the start of a line (or of a heading:
    an agenda item's page prints its minute's reference in its title)."""
    m = re.match(r"^[ \t]*(?:#{1,6}[ \t]+)?(?P<ref>\S+)[ \t]+(?P<rest>\S.*)$", lines[i])  # a heading, in HTML
    if not m:
        return None
    schemes, _ = reference_schemes()
    scheme = next((s.name for s in schemes if s.pattern.fullmatch(m.group("ref"))), "")
    if scheme not in MINUTE_SCHEMES:
        return None
    rest = m.group("rest").strip()
    if scheme == "executive minute":
        return {"reference": m.group("ref"), "title": rest.rstrip(".")}
    heading = _heading_before(lines, i)
    title = lines[heading].strip() if heading is not None else ""
    return {"reference": m.group("ref"), "title": title, "heading_line": heading}  # type: ignore[dict-item]


def _heading_before(lines: list[str], i: int) -> int | None:
    """The item heading a numbered decision sits under: the nearest short line above it that is not itself a
    numbered decision."""
    for j in range(i - 1, max(-1, i - 12), -1):
        text = lines[j].strip()
        if not text:
            continue
        if _minute_ref(text) or len(text) > 120:
            continue
        return j
    return None


def _minute_ref(text: str) -> bool:
    first = text.split()[0] if text.split() else ""
    schemes, _ = reference_schemes()
    return any(s.pattern.fullmatch(first) for s in schemes if s.name in MINUTE_SCHEMES)


def _meeting(preamble: str) -> tuple[str, str, str]:
    """What the parts share: the meeting's body and date ("Cabinet - Tuesday, 23 September 2003", or
    "Proceedings of the Executive" ... "For the meeting held on 14 October 2020"), and the lines that say so."""
    for line in preamble.splitlines():
        m = _MEETING.match(line.strip())
        if m and first_date(m.group("date")):
            return m.group("body").strip(), first_date(m.group("date")), line.strip()
    body = re.search(r"\bProceedings of the ([A-Z][\w ]{2,40}?)\s*$", preamble, re.M)
    held = re.search(r"^.*\bmeeting held on ([^,.;]{6,40}).*$", preamble, re.M)
    # the meetings the page reports, however many ("the meeting which took place on 12 December 2018 and on 16
    # January 2019"): no one date for every part, but the period every part belongs to
    dated = held or next((m for m in _REPORTED.finditer(preamble) if first_date(m.group(0))), None)
    said = [m.group(0).strip() for m in (dated, body) if m]  # the body last: a line alone, not a heading
    return (body.group(1).strip() if body else "", first_date(held.group(1)) if held else "", "\n\n".join(said))
