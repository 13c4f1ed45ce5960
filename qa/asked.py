"""What a question asks to be given, which a quoted answer must hold: a name, a number of the thing counted, a
date of the event asked about.

- "**Which** community centres is Newcastle-under-Lyme closing?" and "What is **the name of** the new school?" ask
  for names. A passage that names none ("To report on the review of the Council's Community Centres") does not
  answer them, however close it reads.
- "**How many** parking spaces ...?" is answered by a number of spaces (or of something counted alike), not by
  the size of a PDF or an agenda item's number.
- "**When** does the consultation close?" is not answered by the date the decision was taken.
Like ``qa.particulars``, these check an answer already drafted and verified: they can only turn it into "not
found". The words they use are data, in ``qa/data/particulars.json``.
"""
from __future__ import annotations

import re

from ingest.dates import DATE_RE, parse_date
from qa.intent import DATE_IN_TEXT, NOT_A_COUNT
from qa.text import terms
from qa.particulars import CAPITALISED, alternation, number_pattern, plain, vocabulary, words_of

_NAME = re.compile(rf"{CAPITALISED}(?:\s+(?:(?:of|and|&|the|upon|on|de|y|yr)\s+)?{CAPITALISED})*")
_SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s+|\n\s*|\(\w\)\s+|\d\)\s+)$")


def wanted_names(question: str) -> tuple[str, bool] | None:
    """What the question wants named, and whether it asks for that thing's own name: ("community centres",
    False) for "Which community centres ...", ("school", True) for "What is the name of the new school ...";
    None for a question that asks for no name."""
    v = vocabulary()
    q = plain(question)
    m = re.search(rf"\b(?:{alternation(v.name_before)})\s+(?:the|its|their|a)?\s*(?:[\w'-]+\s+){{0,3}}?"
                  rf"([a-z][\w'-]*)(?=\s+(?:in|at|of|that|which|for|to|is|was|will|being|replacing)\b|\s*[?,]|$)", q)
    if m:
        return m.group(1), True
    m = re.search(rf"\bwhat\s+(?:is|was|will)\s+(?:the\s+)?(?:new\s+)?(?:[\w'-]+\s+)?([a-z][\w'-]*)\s+"
                  rf"(?:be\s+)?(?:{alternation(v.name_after)})\b", q)
    if m:
        return m.group(1), True
    m = re.search(rf"^\s*(?:(?:{alternation(v.which_lead)})\s+)?(?:which|what)\s+((?:[\w'-]+\s+){{0,3}}?)"
                  rf"({alternation(v.named_kinds)})\b", q)
    if m and not re.search(r"\bof\b", m.group(1)):  # "what share of suppliers" asks for a share, not for names
        return (m.group(1) + m.group(2)).strip(), False
    return None


def names(text: str, question: str) -> list[str]:
    """The capitalised names in ``text`` that say something the question does not: "Knutton Community Centre" to
    a question about community centres, not "the Council's Community Centres". A sentence's first word is
    capitalised by grammar, not because it names: alone, it is no name ("Following the review, ...")."""
    asked = words_of(question)
    generic = vocabulary().generic
    out = []
    for m in _NAME.finditer(text):
        tokens = m.group(0).split()
        if len(tokens) == 1 and _SENTENCE_START.search(text[:m.start()]):
            continue
        new = [w for w in words_of(" ".join(tokens)) if w not in generic and w not in asked and w != "s"]
        if new:
            out.append(" ".join(tokens))
    return out


def unnamed(question: str, stated: str) -> str | None:
    """What the answer (``stated``) leaves out ("do not name the community centres", "do not give the school's
    name") where the question wants a name and the answer names nothing of it; else None."""
    wanted = wanted_names(question)
    if not wanted:
        return None
    noun, own_name = wanted
    found = names(stated, question)
    if not own_name:
        return None if found else f"do not name the {noun}"
    # "the name of the new school": a name ending in the noun ("Ysgol Bae Baglan School"), or one the answer
    # introduces as a name ("to be called Ysgol Bae Baglan")
    stem = noun.rstrip("s")
    if any(plain(n).split()[-1].rstrip("s") == stem for n in found):
        return None
    if re.search(rf"\b(?:{alternation(vocabulary().naming_words)})\s+[\"'‘“]?{CAPITALISED}", stated):
        return None
    return f"do not give the {noun}'s name"


_WHO_NAME = re.compile(rf"{CAPITALISED}(?:\s+(?:(?:of|and|&|the|for|to|upon|on)\s+)*{CAPITALISED})*")


def only_asked_who(question: str, stated: str) -> bool:
    """Whether every person, post or body the answer names is one the question already names: "18/01/2024 - Adult
    Social Care Cabinet Committee (Item 177)" to "Who introduced the report to Kent's Adult Social Care Cabinet
    Committee?". False where the answer names none (what it says is left to the sentence test) or a new one ("the
    Cabinet Member for Corporate Services")."""
    from qa.intent import PERSON_NAMED, WHO_IN_TEXT

    asked = words_of(question)
    found = [words_of(m.group(0)) for m in _WHO_NAME.finditer(stated)
             if WHO_IN_TEXT.search(m.group(0)) or PERSON_NAMED.search(m.group(0))]
    return bool(found) and all(words <= asked for words in found)


# a decisions list's entry: its date, a dash, its title (ModernGov's decisions lists of every council print so)
_LIST_ENTRY = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{4}\s+[-–]\s+")


def record_date_only(claims: list[str]) -> str | None:
    """The record field every quoted claim is, where each is one of the decision record's own dates ("Date of
    decision: 28/03/2018"); None where a claim says more. Whether the question asks about the record's own events
    is the frame's to say (``qa.frame``)."""
    from ingest.layouts import layout

    v = vocabulary()
    lay = layout()
    fields = []
    for claim in claims:
        entry = _LIST_ENTRY.match(claim)
        if entry:  # "17/02/2023 - Implementation of Controlled Parking Zones": the list's date, where no other
            if DATE_RE.search(claim[entry.end():]):
                return None
            fields.append("date_decision")
            continue
        label = re.split(r"\s*:-?\s*", claim.strip(), maxsplit=1)[0] if ":" in claim[:80] else ""
        field = lay.field_of(label) if label else ""
        if field not in v.record_fields:
            return None
        fields.append(field)
    return fields[0] if fields else None


_LEAD_IN = r"^\s*(?:(?:for|in|into|by|on|of|to|with|after|within|over|across|during)\s+)?how\s+many\s+"
# words that end the noun phrase "how many" opens: an article, a preposition, a verb's auxiliary, a relative
_PHRASE_ENDS = frozenset("a an the at in into of for on by per to from with under over across during within "
                         "that which who whose whom is are was were will would do does did has have had can could "
                         "may might must should shall".split())


def counted(question: str) -> str | None:
    """The noun "how many" counts: "parking spaces" → "spaces" in "How many parking spaces would ...?"; "flats" in
    "How many empty flats at Bernard Shaw House will ...?"; "people" in "How many people a year ...?"."""
    v = vocabulary()
    # "how many" opens the question ("For how many months ..."): "How often does Kent look at how many places ..."
    # asks how often; "in total" after the noun is not what is counted
    text = plain(question)
    m = re.search(rf"{_LEAD_IN}((?:(?!(?:{'|'.join(sorted(_PHRASE_ENDS))})\b)[\w'-]+\s+){{0,4}}?)"
                  rf"([a-z][\w'-]*)(?:\s+(?:in|of|at|for)\s+[\w'-]+)?\s+(?:{alternation(v.count_verbs)})\b", text)
    if m:
        return m.group(2)
    # else the last word of the noun phrase: up to three words, ended by a word of _PHRASE_ENDS or a past tense
    # after its first word ("How many Cabinet members voted ...")
    lead = re.search(_LEAD_IN, text)
    if not lead:
        return None
    words = re.findall(r"[\w'-]+", text[lead.end():])
    if words[:1] == ["of"]:  # "How many of Kent's electoral divisions ...", "How many of the care homes ..."
        words = words[2:] if len(words) > 1 and (words[1] == "the" or words[1].endswith("'s")) else words[1:]
    phrase: list[str] = []
    for word in words[:4]:
        if word in _PHRASE_ENDS or (phrase and word.endswith("ed")):
            return phrase[-1] if phrase else None
        phrase.append(word)
    return None  # no end read ("How many organisations provide services?"): the noun is not known


def uncounted(question: str, stated: str) -> str | None:
    """The noun counted, where the answer gives no number of it: a number up to four words before the noun or one
    counted alike ("47 organisations" for suppliers, "three virtual provider engagement events"), or the noun up
    to three words before a number ("the applications numbered 1 – 11"). None where the question counts nothing
    or the answer gives a number of it."""
    noun = counted(question)
    if not noun:
        return None
    v = vocabulary()
    stems = {noun.rstrip("s")[:5]}
    for group in v.counted_alike:
        if noun in group or noun.rstrip("s") in group or noun + "s" in group:
            stems |= {w.rstrip("s")[:5] for w in group}
    text = NOT_A_COUNT.sub(" ", DATE_IN_TEXT.sub(" ", plain(stated)).replace("-", " "))  # "09/04/2024" counts nothing
    num = number_pattern(v)
    nouns = rf"\b(?:{'|'.join(re.escape(s) for s in sorted(stems))})[a-z]*"
    if re.search(rf"\b{num}\b(?:\s+[\w'(),&-]+){{0,4}}?\s+{nouns}", text) or re.search(
            rf"{nouns}(?:\s+[\w'(),&-]+){{0,3}}?\s+{num}\b", text):
        return None
    return noun


# Words an answer may add that say nothing of its own: the page's furniture and the record's frame
_FURNITURE = frozenset(terms("pdf icon kb mb item items agenda minute minutes page pages document documents "
                             "made meeting meetings ref reference"))


def _dates(text: str) -> tuple[str, set[str]]:
    """The text without its dates, and the dates as ISO days ("07/02/2018" and "7 February 2018" are one)."""
    found = {iso for m in DATE_RE.finditer(text) if (iso := parse_date(m))}
    return DATE_RE.sub(" ", text), found


def adds_nothing(question: str, claims: list[str]) -> bool:
    """Whether what the answer states holds nothing the question does not already say: "07/02/2018 - Area Planning
    Sub-Committee East" for "Which of the applications did Epping Forest's Area Planning Sub-Committee East refuse
    on 7 February 2018?" repeats the question back; it answers nothing."""
    q_text, q_dates = _dates(question)
    said, said_dates = _dates(" ".join(claims))
    if said_dates - q_dates:
        return False
    asked = set(terms(q_text))
    return not any(t not in asked and t not in _FURNITURE for t in terms(said))
