"""Small text helpers shared by the answerers and the verifier: sentences, terms, figures."""
from __future__ import annotations

import re

from index.sentences import sentence_spans as sentences  # the split ingest embeds sentences by
from index.words import stem

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be been being before below between both but by
    can could did do does doing done down during each few for from further had has have having he her here hers
    him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
    our ours out over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who whom why will
    with would you your yours much many decision decisions council please tell me give show list find""".split()
)

_TOKEN = re.compile(r"[a-z0-9£]+(?:[.,/][0-9]+)*[a-z]*", re.I)
FIGURE = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:m|bn|k|million|billion)?\b|\b\d[\d,]*(?:\.\d+)?%?", re.I)


def collapse(text: str) -> str:
    """Whitespace collapsed, nothing else changed: the form a quote is shown in (still verbatim)."""
    return " ".join(text.split())


def normalise(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain: the form quotes are compared in."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


_ITEM = re.compile(r"^\s*([•·▪◦\-–]|\(?[a-z0-9]{1,3}[).])\s")
MAX_LIST_CHARS = 800


def is_item(sentence: str) -> bool:
    """A list item: "• Loss of current support", "a) APPROVE ...", "(2) ..."."""
    return bool(_ITEM.match(sentence))


def list_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence that opens a list ("... for the following reasons:") or is an item of one answers only with the
    whole list: the spans of the lead-in sentence and of every item after it; the sentence's own span alone where
    it is no part of a list (or an item with no lead-in)."""
    spans = sentences(text)
    i = next((n for n, (s, e) in enumerate(spans) if s <= start < e or (s, e) == (start, end)), None)
    if i is None:
        return [(start, end)]
    lead = i
    if is_item(text[spans[i][0]:spans[i][1]]):
        while lead > 0 and is_item(text[spans[lead][0]:spans[lead][1]]):
            lead -= 1
        if not text[spans[lead][0]:spans[lead][1]].rstrip().endswith(":"):
            lead = i  # items with no lead-in: keep the item alone
    elif not text[spans[i][0]:spans[i][1]].rstrip().endswith(":"):
        return [(start, end)]
    last = lead
    while last + 1 < len(spans) and is_item(text[spans[last + 1][0]:spans[last + 1][1]]):
        last += 1
    if last == lead and lead == i:
        return [(start, end)]
    return spans[lead:last + 1]


def with_its_list(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``list_spans`` as one quote, unless that grows past MAX_LIST_CHARS (then the sentence alone:
    the answerer quotes a long list item by item)."""
    spans = list_spans(text, start, end)
    s, e = spans[0][0], spans[-1][1]
    return (s, e) if e - s <= MAX_LIST_CHARS else (start, end)


_ANAPHOR = re.compile(r"^(This|These|That|Those|It|They|Such|The same)\b")


def with_its_sequel(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence whose next sentence carries it on is quoted with it: "... an additional cost of £0.322m per annum.
    The £0.322m will be funded from the centrally held budget of £0.784m." The next sentence carries it on when
    it repeats one of its figures or opens with "This", "These", "It" and the like."""
    spans = sentences(text)
    i = next((n for n, (s, e) in enumerate(spans) if (s, e) == (start, end)), None)
    if i is None or i + 1 >= len(spans):
        return start, end
    s2, e2 = spans[i + 1]
    follow = text[s2:e2]
    if is_item(follow) or e2 - start > MAX_LIST_CHARS:
        return start, end
    if figures(follow) & figures(text[start:end]) or _ANAPHOR.match(follow):
        return start, e2
    return start, end


def terms(text: str) -> list[str]:
    """Content terms, stemmed, stopwords dropped, in order of first appearance."""
    out = []
    for tok in _TOKEN.findall(text):
        t = tok.lower()
        if t in STOPWORDS or (len(t) < 2 and not t.isdigit()):
            continue
        out.append(stem(t))
    return list(dict.fromkeys(out))


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's content words occur in ``text`` (same stem), as (start, end) spans, for highlighting."""
    wanted = set(terms(query))
    if not wanted:
        return []
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)
            if m.group(0).lower() not in STOPWORDS and stem(m.group(0).lower()) in wanted]


def figures(text: str) -> set[str]:
    """The figures of a text (amounts, numbers, percentages) in a comparable form: '£3.087m', '2024'."""
    out = set()
    for m in FIGURE.finditer(text):
        f = re.sub(r"[\s,]", "", m.group(0)).lower().replace("million", "m").replace("billion", "bn")
        if f.strip("£"):
            out.add(f)
    return out


_LEADING_NUMBER = re.compile(r"^\s*\d+(\.\d+)*\.?\s+(?=\S)")


def quotable(sentence: str, heading: str = "") -> str:
    """A sentence as quoted in an answer: whitespace normalised, without the paragraph number ("4.2 ") or the
    field label ("Financial Implications: ") that opens it. Still a verbatim part of the passage."""
    text = collapse(sentence)
    text = _LEADING_NUMBER.sub("", text, count=1)
    head = collapse(heading)
    if head and text.lower().startswith(head.lower() + ":"):
        rest = text[len(head) + 1:].strip()
        if len(rest.split()) >= 4:  # "Key decision: Yes" keeps its label; "Yes" alone says nothing
            text = rest
    return text
