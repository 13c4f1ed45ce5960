"""Labelled fields of a decision page, read through the layout tables (``ingest.layouts``).

A field is a line that opens with a known label and ':' or ':-' ("Decision Maker: Cabinet",
"Reference Number :-2128"), its value the rest of the line or, for a label alone on its line, the lines that
follow up to the next label. The first occurrence of a field wins: a page states its own metadata before any
quoted or appended text.
"""
from __future__ import annotations

import re
from functools import cache

from ingest.layouts import Layout, layout

MAX_VALUE_LINES = 40


@cache
def _label_line(lay: Layout) -> re.Pattern:
    alt = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in lay.labels())
    # "Label: value", "Label :-value", "Label?: value", or "Label" alone on its line (then the value follows)
    # the blanks after the label are taken whole (``*+``): given back one by one to ``\s*$``, a label followed by
    # 200k tabs and a value (a table's empty cells) cost their square
    return re.compile(rf"^[ \t]*(?P<label>{alt})[ \t]*+(?:\?[ \t]*+)?(?::-?|\s*$)[ \t]*(?P<value>.*)$",
                      re.IGNORECASE)


def read_fields(text: str, lay: Layout | None = None) -> dict[str, str]:
    """Field name -> value (whitespace collapsed, multi-line values joined by newlines). A field that qualifies
    another (``Layout.joined_fields``), printed on the line after it, is also joined to it: "Officer taking the
    decision: Sarah Whitcombe" / "Post: Head of Housing" make the maker "Sarah Whitcombe, Head of Housing"."""
    lay = lay or layout()
    pattern = _label_line(lay)
    lines = text.splitlines()
    found: dict[str, str] = {}
    last = ("", 0)  # the field just read, if its value was stored, and the line after that value
    i = 0
    while i < len(lines):
        m = pattern.match(lines[i])
        if not m:
            i += 1
            continue
        name = lay.field_of(m.group("label"))
        value = m.group("value").strip()
        j = i + 1
        if not value:  # a label alone: the value is what follows, up to the next label
            taken = []
            while j < len(lines) and len(taken) < MAX_VALUE_LINES and not pattern.match(lines[j]):
                if lines[j].strip():
                    taken.append(" ".join(lines[j].split()))
                j += 1
            value = "\n".join(taken)
        qualified = lay.joined_fields.get(name, "")
        if (qualified and value and last[0] == qualified and "\n" not in found[qualified]
                and not any(line.strip() for line in lines[last[1]:i])):
            post = value.split("\n")[0]
            if post.lower() not in found[qualified].lower():
                found[qualified] = f"{found[qualified]}, {post}"
        stored = bool(name and value and name not in found)
        if stored:
            found[name] = value
        i = j if not m.group("value").strip() else i + 1
        last = (name if stored else "", i)
    return found


def yes_no(value: str, lay: Layout | None = None) -> bool | None:
    lay = lay or layout()
    word = value.strip().split()[0].lower().strip(".,;:()") if value.strip() else ""
    if word in lay.no or value.lower().startswith("non-key"):
        return False
    if word in lay.yes:
        return True
    return None


def status_of(value: str, lay: Layout | None = None) -> str:
    """A printed status in the project's vocabulary ("Recommendations Approved" -> "recommendations approved")."""
    lay = lay or layout()
    key = " ".join(value.lower().split()).strip(" .")
    return lay.status.get(key, key)
