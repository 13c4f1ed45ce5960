"""Decision metadata read from a document's text. A field the text does not state stays empty."""
from __future__ import annotations

import re
from collections import Counter

from ingest.council_names import mentioned
from ingest.council_sites import addressed, by_folder, by_url
from ingest.councils import council_name, distinctive, key, same_council
from ingest.dates import DATE_RE, first_date, parse_date
from ingest.fields import read_fields, status_of, yes_no
from ingest.identity import named_reference, title_reference, trailing_reference
from ingest.labels import DECISION_NUMBER, KNOWN_LABEL, NO_COLON_LABEL, label_of
from ingest.layouts import layout
from ingest.money import amounts
from ingest.records import DocumentMeta, Paragraph

TEXT_MAKER_CHARS = 1500  # where a decision's text names its maker: its opening, never a later paragraph
TEXT_FIELDS = ("purpose", "decision", "reasons", "alternatives", "interests", "wards", "contact", "report_author",
               "lead_officer", "lead_member", "meeting")

_COUNCIL_UPPER = re.compile(r"\b((?:[A-Z]{2,}\s){1,3})(COUNTY|BOROUGH|DISTRICT|CITY|TOWN|PARISH) COUNCIL\b")
_COMMITTEE_DATE = re.compile(
    r"(?:discussed|considered|endorsed|debated) (?:at|by) the [^.]{0,120}?Committee on (?P<date>[^.;]{6,40})",
    re.IGNORECASE,
)


def field_parts(paras: list[Paragraph]) -> dict[str, list[str]]:
    """Label (lower case) -> its paragraphs: the value after "Label:" (empty for a label alone), then each
    paragraph that follows under that label."""
    parts: dict[str, list[str]] = {}
    for para in paras:
        first = para.text.split("\n\n")[0]
        label = label_of(first)
        if label and first.startswith(label):
            parts.setdefault(label.lower(), [re.sub(r"^[\s?]*(?::-|:)?\s*", "", first[len(label):]).strip()])
        elif para.heading:
            parts.setdefault(para.heading.strip().rstrip(":").strip().lower(), []).append(first)
    return parts


def field_values(paras: list[Paragraph]) -> dict[str, str]:
    """Label (lower case) -> value for each "Label: value" paragraph; a label alone takes what follows it."""
    return _joined(field_parts(paras))


def _joined(parts: dict[str, list[str]]) -> dict[str, str]:
    return {key: "\n".join(p for p in ps if p).strip() for key, ps in parts.items()}


def extract(text: str, paras: list[Paragraph], council: str = "") -> DocumentMeta:
    """``council``: the council to file the document under when its text does not name one."""
    head = text[:600]
    parts = field_parts(paras)
    values = _joined(parts)
    fields = read_fields(text)
    page_kind, page_title = _page_title(text)
    if page_kind == "agenda item" and page_title and layout().item_number is not None:
        page_title = layout().item_number.sub("", page_title, count=1).strip()  # "7. Title": the item's number
    doc_type, status = _type_and_status(head, values)
    if not doc_type and page_kind:
        doc_type = "minutes" if page_kind in ("issue meetings", "agenda item", "agenda and decisions") else "decision page"
    if not status and fields.get("status"):
        status = status_of(fields["status"])
    number, mentions = _numbers(text, values)
    ref_in_title, page_title = title_reference(page_title)
    if not ref_in_title and page_title:
        ref_in_title = trailing_reference(page_title) or named_reference(page_title)
    number = number or _reference(fields) or _labelled_reference(values) or ref_in_title
    mentions = [m for m in mentions if m != number]
    dates = _dates(text, values, doc_type, paras)
    for kind, name in (("decision", "date_decision"), ("published", "date_published"),
                       ("effective", "date_effective"), ("meeting", "date_meeting"), ("meeting", "meeting")):
        iso = first_date(fields.get(name, "").split("\n")[0])
        if iso and kind not in dates:
            dates[kind] = iso
    if "meeting" not in dates and (meeting := _phrase_date(text)):
        dates["meeting"] = meeting  # "Report to the Executive for Decision 10 July 2017": the meeting it goes to
    if doc_type == "minutes" and "decision" not in dates and "meeting" in dates:
        dates["decision"] = dates["meeting"]  # minutes record what the meeting decided, that day
    key, key_text = _key_decision(values)
    if key is None and fields.get("key_decision"):
        key, key_text = yes_no(fields["key_decision"]), " ".join(fields["key_decision"].split())
    return DocumentMeta(
        number=number,
        mentions=tuple(mentions),
        title=_title(parts, text, number) or _field_title(fields) or page_title or _record_title(text),
        decision_maker=_maker(values) or _field_maker(fields) or _phrase_maker(text) or _minute_maker(text, page_kind),
        status=status,
        doc_type=doc_type,
        key_decision=key,
        key_decision_text=key_text,
        council=page_council(text, council),
        dates=dates,
        amounts=tuple(amounts(paras)),
        call_in=yes_no(fields["call_in"]) if fields.get("call_in") else None,
        fields=_text_fields(fields, text),
    )


def _text_fields(fields: dict[str, str], text: str) -> dict[str, str]:
    out = {k: fields[k] for k in TEXT_FIELDS if fields.get(k)}
    if fields.get("decision_maker") or fields.get("status") or fields.get("meeting"):  # a decision's page: what
        # it is about, where its title line was lost
        lead = _lead(text)
        if lead:
            out["lead"] = lead
    return out


def _page_title(text: str) -> tuple[str, str]:
    """A ModernGov page's kind (by its header line: "Decision details", "Issue - decisions") and the line
    after the header, its title; ("", "") when the page opens with no known header."""
    lines = [ln.strip() for ln in text.splitlines()[:20] if ln.strip()]
    lay = layout()
    for i, line in enumerate(lines[:10]):
        kind = lay.page_kind(line)
        if kind:
            rest = [ln for ln in lines[i + 1:] if not lay.page_kind(ln)]  # "Agenda item" twice, "• Issue"
            title = rest[0] if rest else ""
            if kind in ("decision list", "agenda and decisions") or read_fields(title) or len(title) > 250:
                return kind, ""
            return kind, title
    return "", ""


def _lead(text: str) -> str:
    """The first plain sentence of a page whose title line was lost: what it is about."""
    notes = layout().reader_notes
    for line in text.splitlines()[:25]:
        line = line.strip(" \t•·")
        if len(line.split()) >= 4 and not read_fields(line) and not label_of(line) and not DATE_RE.match(line) \
                and not any(n.search(line) for n in notes):  # "Use the below search options ...": the site's, no lead
            return line
    return ""


def _minute_maker(text: str, page_kind: str) -> str:
    """Who an agenda item's minute says decided, where the page prints no maker: "Minutes:" / "The Cabinet
    considered a report ... RESOLVED" (``text_maker`` read from where the minute begins)."""
    if page_kind != "agenda item":
        return ""
    labels = "|".join(re.escape(label) for label in layout().minutes_labels)
    m = re.search(rf"(?im)^[ \t]*(?:{labels})[ \t]*:?[ \t]*$", text) if labels else None
    return text_maker(text[m.start():]) if m else ""


def _maker_phrase(text: str) -> re.Match | None:
    """The first of the layout's maker phrases printed at the head of ``text``."""
    return next((m for phrase in layout().maker_phrases if (m := phrase.search(text[:1500]))), None)


def _phrase_maker(text: str) -> str:
    """"Report to the Executive for Decision": who a report or record says decides, outside any field."""
    m = _maker_phrase(text)
    return m.group("maker").strip() if m else ""


def _phrase_date(text: str) -> str:
    """The day a maker phrase names the decision for ("Report to the Executive for Decision 10 July 2017"), ISO."""
    m = _maker_phrase(text)
    return first_date(m.group("date")) if m and "date" in m.re.groupindex and m.group("date") else ""


def text_maker(text: str) -> str:
    """Who one decision's own text says made it, where its layout prints no maker: "The Director of Place has
    approved ...", "RESOLVED that Cabinet:", a minute's "The Executive considered a report ... RESOLVED"
    (``text_makers`` in the layout). ``text`` is one decision's part of a page, its start line first. Read in the
    decision's opening only (up to the end of its first sentence), and only a name that holds a word of a body
    or post that decides ("Cabinet", "Director"): a later "The Council has approved ..." is background, and a
    name that is no such body is no maker."""
    lay = layout()
    head = text[:TEXT_MAKER_CHARS]
    body = head.find("\n") + 1  # past the start line ("19/09/2022 - Title")
    end = re.search(r"[.;!?](?=\s)", head[body:])
    opening = body + end.end() if end else len(head)
    found = sorted((m.start(), m.group("maker").strip()) for phrase in lay.text_makers
                   for m in [phrase.search(head)] if m and m.start() < opening)
    for _, maker in found:
        if any(word in lay.maker_words for word in re.findall(r"[\w-]+", maker.lower())):
            return maker
    return ""


def _date_alone(line: str) -> bool:
    """A line that is a date and nothing more ("12 September 2012", "Date: 12/09/2012" is not)."""
    m = DATE_RE.search(line)
    return bool(m) and not line[:m.start()].strip(" ,") and len(line.split()) <= 5


def _record_title(text: str) -> str:
    """A record of decision's title where no label names it: the plain heading line printed right under the
    record's own heading ("Holmcaster City Council – Record of Decision" / "CCTV Replacement – Contract Award"),
    after the record's date where that comes first ("Decision Made:" / "12 September 2012" / "The Community Right
    to Challenge"); "" when another label or the record's text comes first."""
    lay = layout()
    lines = [ln.strip().strip("•·*#").strip() for ln in text.splitlines()[:40]]
    lines = [ln for ln in lines if ln]
    start = next((i for i, ln in enumerate(lines[:8]) if any(h.match(ln) for h in lay.record_headers)), None)
    if start is None:
        return ""
    rest = [ln for ln in lines[start + 1:start + 8] if not own_council(ln)]
    # the record's date may come first, alone or under its label ("Decision Made:" / "12 September 2012")
    while rest and (_date_alone(rest[0]) or rest[0].endswith(":") and len(rest) > 1 and _date_alone(rest[1])):
        rest = rest[1:] if _date_alone(rest[0]) else rest[2:]
    line = rest[0] if rest else ""
    if (not line or label_of(line) or read_fields(line) or lay.field_of(line) or DATE_RE.search(line)
            or len(line.split()) > 20 or not line[0].isupper() or line.endswith((".", ":", ";", ","))
            or line.startswith("I,")):
        return ""
    return line


def _reference(fields: dict[str, str]) -> str:
    value = fields.get("reference", "").split("\n")[0].strip()
    return value if value and len(value) <= 40 else ""


def _labelled_reference(values: dict[str, str]) -> str:
    """A reference under a reference label printed without its colon ("Decision Number" / "45/2021"): a short
    code with a digit, no words of prose."""
    lay = layout()
    for label, value in values.items():
        first = value.split("\n")[0].strip()
        words = first.split()
        if (lay.field_of(label) == "reference" and 0 < len(words) <= 3 and len(first) <= 40
                and any(ch.isdigit() for ch in first) and not any(w.isalpha() and w.islower() for w in words)):
            return first
    return ""


def _field_title(fields: dict[str, str]) -> str:
    value = fields.get("title", "").split("\n")[0].strip()
    return value if len(value) <= 300 else ""


def _field_maker(fields: dict[str, str]) -> str:
    maker = fields.get("decision_maker", "").split("\n")[0].strip()
    if maker:
        return maker
    meeting = fields.get("meeting", "").split("\n")[0]  # "07/09/2015 - Executive": decided at a meeting of it
    m = re.match(r"\s*[\d/.\-]+\s*[-–]\s*(.+?)(?:\s*\(Item \d+\))?$", meeting)
    return m.group(1).strip() if m else ""


def _type_and_status(head: str, values: dict[str, str]) -> tuple[str, str]:
    upper = head.upper()
    if "PROPOSED RECORD OF DECISION" in upper:
        return "proposed record", "proposed"
    if "RECORD OF DECISION" in upper:
        return "record", "taken"
    if "decision status" in values or "DECISION DETAILS" in upper:
        raw = values.get("decision status", "").strip().lower()
        return "decision page", status_of(raw)  # the layout's words: "Call-in" is "called in", "Item Deferred" "deferred"
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
    for kind, key in (("decision", "date of decision"), ("published", "publication date"), ("effective", "effective from")):
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


_OWN_COUNCIL = re.compile(
    r"^\W*((?:(?:London|Royal) )?Borough of [A-Z][\w-]+(?: (?:and )?[A-Z][\w-]+){0,3}"
    r"|(?:[A-Z][\w-]+ ){1,3}(?:County |Borough |District |City |Metropolitan Borough |Town )?Council)\b", re.M)


def own_council(text: str) -> str:
    """The council a document names itself as, at its head: "KENT COUNTY COUNCIL – RECORD OF DECISION",
    "Holmcaster City Council – Record of Decision", "Hollinsbury Council publishes here ...",
    "Borough of Eastmarsh"; "" if its first lines name none. A name is taken only where it is a council's
    (``ingest.councils.council_name``): "the Council's Cabinet" names none."""
    head = text[:600]
    m = _COUNCIL_UPPER.search(head[:400])
    if m:
        name = council_name(f"{m.group(1).strip()} {m.group(2)} COUNCIL")
        if name:
            return name
    for phrase in layout().council_phrases:  # "find decisions taken by Ormsby Borough Council's Cabinet"
        for found in phrase.finditer(text[:1500]):
            name = council_name(found.group("council").strip())
            if name:
                return name
    for m in _OWN_COUNCIL.finditer("\n".join(head.splitlines()[:8])):
        name = council_name(m.group(1).strip())
        if name:
            return name
    return ""


def page_council(text: str, given: str = "", url: str = "", folder: str = "") -> str:
    """The council a document is filed under: the name it gives itself (in ``given``'s spelling where that
    names the same council); else ``given`` (``ingest --council``); else the council whose site ``url`` is
    on; else the council whose web or e-mail address it prints ("…@kent.gov.uk"); else the council its
    ``folder`` is named after (``ingest.councils.by_folder``); else the council it names most ("" where it
    names none)."""
    own = own_council(text)
    if own:
        return given if given and same_council(own, given) else own
    if given:
        return given
    for guess in (by_url(url) if url else None, addressed(text), by_folder(folder) if folder else None):
        if guess is not None:
            return guess.name
    return mentioned_council(text)


def mentioned_council(text: str) -> str:
    """The principal council a document names most, by a full name (a guess, for a page that names no
    council of its own); the first named breaks a tie."""
    names = mentioned(text, principal_only=True)
    if not names:
        return ""
    identity = [council.code if council else key(distinctive(name)) for name, council in names]
    best = Counter(identity).most_common(1)[0][0]
    return names[identity.index(best)][0]


__all__ = ["extract", "field_values", "text_maker", "KNOWN_LABEL", "NO_COLON_LABEL"]
