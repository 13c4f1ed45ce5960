"""Decision metadata read from a document's text. A field the text does not state stays empty."""
from __future__ import annotations

import re
from collections import Counter

from ingest.dates import DATE_RE, first_date, parse_date
from ingest.labels import DECISION_NUMBER, KNOWN_LABEL, NO_COLON_LABEL, label_of
from ingest.money import amounts
from ingest.records import DocumentMeta, Paragraph

_COUNCIL_UPPER = re.compile(r"\b((?:[A-Z]{2,}\s){1,3})(COUNTY|BOROUGH|DISTRICT|CITY|TOWN|PARISH) COUNCIL\b")
_COUNCIL = re.compile(
    r"\b((?:[A-Z][a-z]+\s){1,3})(County|Borough|District|City|Metropolitan Borough|Town|Parish) Council\b"
)
_NOT_NAMES = {"The", "This", "A", "At", "By", "Of", "Our", "Each", "Every"}
_COMMITTEE_DATE = re.compile(
    r"(?:discussed|considered|endorsed|debated) (?:at|by) the [^.]{0,120}?Committee on (?P<date>[^.;]{6,40})",
    re.IGNORECASE,
)
_STATUS_WORDS = {
    "recommendations approved": "recommendations approved",
    "approved": "taken",
    "made": "taken",
    "taken": "taken",
    "decision made": "taken",
    "for determination": "proposed",
    "proposed": "proposed",
    "pending": "proposed",
}


def field_parts(paras: list[Paragraph]) -> dict[str, list[str]]:
    """Label (lower case) -> its paragraphs: the value after "Label:" (empty for a label alone), then each
    paragraph that follows under that label."""
    parts: dict[str, list[str]] = {}
    for para in paras:
        first = para.text.split("\n\n")[0]
        label = label_of(first)
        if label and first.startswith(label):
            parts.setdefault(label.lower(), [first[len(label) :].strip().lstrip(":?").strip()])
        elif para.heading:
            parts.setdefault(para.heading.strip().rstrip(":").strip().lower(), []).append(first)
    return parts


def field_values(paras: list[Paragraph]) -> dict[str, str]:
    """Label (lower case) -> value for each "Label: value" paragraph; a label alone takes what follows it."""
    return _joined(field_parts(paras))


def _joined(parts: dict[str, list[str]]) -> dict[str, str]:
    return {key: "\n".join(p for p in ps if p).strip() for key, ps in parts.items()}


def extract(text: str, paras: list[Paragraph]) -> DocumentMeta:
    head = text[:600]
    parts = field_parts(paras)
    values = _joined(parts)
    doc_type, status = _type_and_status(head, values)
    number, mentions = _numbers(text, values)
    dates = _dates(text, values, doc_type, paras)
    key, key_text = _key_decision(values)
    return DocumentMeta(
        number=number,
        mentions=tuple(mentions),
        title=_title(parts, text, number),
        decision_maker=_maker(values),
        status=status,
        doc_type=doc_type,
        key_decision=key,
        key_decision_text=key_text,
        council=_council(text),
        dates=dates,
        amounts=tuple(amounts(paras)),
    )


def _type_and_status(head: str, values: dict[str, str]) -> tuple[str, str]:
    upper = head.upper()
    if "PROPOSED RECORD OF DECISION" in upper:
        return "proposed record", "proposed"
    if "RECORD OF DECISION" in upper:
        return "record", "taken"
    if "decision status" in values or "DECISION DETAILS" in upper:
        raw = values.get("decision status", "").strip().lower()
        return "decision page", _STATUS_WORDS.get(raw, raw)
    if "decision number" in values or ("subject" in values and "to" in values):
        return "report", ""
    return "", ""


def _numbers(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    own = ""
    for key in ("decision no", "decision number", "decision to be taken by", "decision taken by"):
        m = DECISION_NUMBER.search(values.get(key, ""))
        if m:
            own = m.group(1)
            break
    if not own:  # a decision page names its decision in its heading: "20/00102 - Title"
        m = re.search(r"(?m)^(\d{2}/\d{5})\s*[-–]\s*\S", text[:1000])
        own = m.group(1) if m else ""
    seen = [n for n in dict.fromkeys(DECISION_NUMBER.findall(text)) if n != own]
    return own, seen


def _title(parts: dict[str, list[str]], text: str, number: str) -> str:
    """A title is one paragraph: "Title of Decision: X", or the paragraph after a "Title of Decision" alone.
    What follows it under the same label (a body paragraph whose own heading was lost) is not the title."""
    for key in ("title of decision", "subject"):
        value = next((p.strip() for p in parts.get(key, []) if p.strip()), "")
        if value:
            return " ".join(value.split())
    if number:  # a decision page: "20/00102 - Community Support Services ..."
        m = re.search(rf"(?m)^{re.escape(number)}\s*[-–]\s*(.+)$", text[:1000])
        if m:
            return m.group(1).strip()
    return ""


def _maker(values: dict[str, str]) -> str:
    if values.get("decision maker"):
        return values["decision maker"].strip()
    for key in ("decision to be taken by", "decision taken by", "decision no"):
        value = DECISION_NUMBER.sub("", values.get(key, ""))
        lines = [ln.strip() for ln in value.split("\n") if ln.strip() and not label_of(ln)]
        if lines and (key != "decision no" or "," in lines[0]):  # a name and a role: "Clair Bell, Cabinet ..."
            return " ".join(lines)
    return ""


def _key_decision(values: dict[str, str]) -> tuple[bool | None, str]:
    for key in ("key decision", "is key decision?", "is key decision"):
        if key in values:
            value = " ".join(values[key].split())
            word = value.split()[0].lower().strip(".,;") if value else ""
            if word == "no":
                return False, value
            if value:
                return True, value
    return None, ""


def _dates(text: str, values: dict[str, str], doc_type: str, paras: list[Paragraph]) -> dict[str, str]:
    dates: dict[str, str] = {}
    for kind, key in (("decision", "date of decision"), ("publication", "publication date"), ("effective", "effective from")):
        iso = first_date(values.get(key, ""))
        if iso:
            dates[kind] = iso
    m = _COMMITTEE_DATE.search(text)
    if m and first_date(m.group("date")):
        dates["committee"] = first_date(m.group("date"))
    elif values.get("to") and "committee" in values["to"].lower():
        iso = first_date(values["to"])
        if iso:
            dates["committee"] = iso
    if doc_type == "record" and "decision" not in dates and paras:
        # a signed record ends with the date it was signed: the date of the decision
        tail = paras[-1].text.strip()
        m = DATE_RE.fullmatch(tail)
        if m and parse_date(m):
            dates["decision"] = parse_date(m)
    return dates


def _council(text: str) -> str:
    m = _COUNCIL_UPPER.search(text[:400])
    if m:
        return f"{m.group(1).strip().title()} {m.group(2).title()} Council"
    names: Counter[str] = Counter()
    for m in _COUNCIL.finditer(text):
        words = [w for w in m.group(1).split() if w not in _NOT_NAMES]
        if words:
            names[f"{' '.join(words)} {m.group(2)} Council"] += 1
    return names.most_common(1)[0][0] if names else ""


__all__ = ["extract", "field_values", "KNOWN_LABEL", "NO_COLON_LABEL"]
