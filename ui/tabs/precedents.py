"""What the app shows of precedents (``qa.similar``): a decision as a person reads it, its similar decisions, and two
decisions side by side with the paragraphs that make them alike highlighted. Shown on the Decisions tab and beside
a cited paragraph on the Ask tab. Everything is text (Textbox, Dataframe, HighlightedText), never HTML; the only
link is a plain http(s) address checked before it becomes Markdown."""
from __future__ import annotations

import re

from index.sanitise import sanitise
from ui.services import Services, _str

SIMILAR_K = 10
SIMILAR_HEADERS = ["id", "council", "date", "title", "similarity"]
_SAFE_URL = re.compile(r"https?://[^\s()<>\[\]\"'`]+")
FIELDS = (("purpose", "Purpose"), ("decision", "Decision"), ("reasons", "Reasons"), ("alternatives", "Alternatives"))


def _finder(services: Services):
    from qa.similar import finder_for

    return finder_for(services.asker().searcher)


def _guarded(fallback):
    """An index the app cannot read this from (one built before decision vectors: ``IndexOutdated``) shows
    ``fallback`` (a message for the card, nothing for a table), not an error."""
    def wrap(func):
        def inner(*args, **kwargs):
            from index.errors import IndexError_

            try:
                return func(*args, **kwargs)
            except IndexError_ as exc:
                return fallback(exc)
        inner.__name__, inner.__doc__ = func.__name__, func.__doc__
        return inner
    return wrap


def _number(value) -> str:
    return sanitise(_str(value))[:200]


@_guarded(lambda exc: f"Not shown: {exc}")
def decision_card(services: Services, number) -> str:
    """The decision as a person reads it: title, council, status, date, maker, reference, amounts (no file paths)."""
    from qa.cards import card

    number = _number(number)
    if not number:
        return ""
    found = _finder(services).records([number]).get(number)
    if found is None:
        return f"No decision {number} in the index."
    return "\n".join(line for line in card(found).lines() if not line.startswith("on the council's site:"))


@_guarded(lambda exc: "")
def decision_link(services: Services, number) -> str:
    """Markdown linking the decision's page on the council's site ("" for a decision read from a local file)."""
    from qa.cards import card

    number = _number(number)
    found = _finder(services).records([number]).get(number) if number else None
    url = card(found).link if found else ""
    return f"[Its page on the council's site]({url})" if _SAFE_URL.fullmatch(url) else ""


def cited_decision(services: Services, meta) -> str:
    """Beside a cited paragraph: the decision it belongs to, as a person reads it."""
    return decision_card(services, (meta or {}).get("decision", "")) if isinstance(meta, dict) else ""


@_guarded(lambda exc: [])
def similar_rows(services: Services, number, other_councils: bool = False) -> list[list]:
    """The "Similar decisions" table: id, council, date, title and similarity of each."""
    number = _number(number)
    if not number:
        return []
    try:
        result = _finder(services).similar(number, k=SIMILAR_K, other_councils=bool(other_councils))
    except ValueError:  # no such decision: the page says so in its card
        return []
    return [[r.id, r.card.council, r.card.when, r.card.title, f"{r.score:.2f}"] for r in result.results]


@_guarded(lambda exc: ([], []))
def side_by_side(services: Services, number, other) -> tuple[list, list]:
    """Two decisions as HighlightedText segments: each one's card, fields and amounts, then the paragraph that makes
    them alike with its quoted sentence highlighted."""
    from qa.alike import passage_pair
    from qa.cards import card

    a, b = _number(number), _number(other)
    finder = _finder(services)
    records = finder.records([a, b]) if a and b and a != b else {}
    if len(records) != 2:
        return [], []
    rows = finder.vectors.row
    pair = passage_pair(services.asker().searcher, records[a], records[b],
                        finder.vectors.vectors[rows[a]] if a in rows else None,
                        finder.vectors.vectors[rows[b]] if b in rows else None)
    searcher = services.asker().searcher
    out = []
    for decision, cite in ((records[a], pair.here if pair else None), (records[b], pair.there if pair else None)):
        c = card(decision)
        segments = [("\n".join(line for line in c.lines() if not line.startswith("on the council's site:")) + "\n",
                     None)]
        for key, label in FIELDS:
            if decision.fields.get(key):
                segments.append((f"\n{label}: {' '.join(decision.fields[key].split())}\n", None))
        if cite is not None:
            para = searcher.paragraph(cite.decision, cite.paragraph, cite.document)
            text = " ".join(para["text"][para["start"]:para["end"]].split()) if para else cite.quote
            at = text.find(cite.quote)
            segments.append((f"\nAlike {cite.label}:\n", None))
            if at >= 0:
                segments += [(text[:at], None), (cite.quote, "alike"), (text[at + len(cite.quote):], None)]
            else:
                segments.append((cite.quote, "alike"))
        out.append([s for s in segments if s[0]])
    return out[0], out[1]


def build_decision_page(services: Services, number, page):
    """The decision page's precedent parts, under the Decisions tab's id box (``number``) and record (``page``).
    Returns ``show(event)``, which fills them once ``event`` (another way of opening a decision) has set ``number``."""
    import gradio as gr

    with gr.Row():
        with gr.Column(scale=3):
            card = gr.Textbox(label="Decision", lines=6, interactive=False, elem_id="decision-card")
            link = gr.Markdown("", elem_id="decision-link")
        with gr.Column(scale=3):
            other = gr.Checkbox(label="Other councils only", value=False)
            similar = gr.Dataframe(headers=SIMILAR_HEADERS, label="Similar decisions: click one to open it",
                                   interactive=False, wrap=True, elem_id="similar-decisions")
    with gr.Accordion("Side by side", open=True):
        compare = gr.Dropdown([], label="Compare with", allow_custom_value=False, elem_id="compare-with")
        with gr.Row():
            left = gr.HighlightedText(label="This decision", combine_adjacent=True, elem_id="compare-left")
            right = gr.HighlightedText(label="The other decision", combine_adjacent=True, elem_id="compare-right")

    def _open(n, others):
        rows = similar_rows(services, n, others)
        choices = [r[0] for r in rows]
        first = choices[0] if choices else None
        l_, r_ = side_by_side(services, n, first) if first else ([], [])
        return (decision_card(services, n), decision_link(services, n), rows,
                gr.Dropdown(choices=choices, value=first), l_, r_)

    def _pick(evt):
        row = evt.row_value or []
        return row[0] if row else gr.update()

    _pick.__annotations__ = {"evt": gr.SelectData}  # how Gradio knows to pass the click (this module's annotations are strings)

    outputs = [card, link, similar, compare, left, right]
    number.submit(_open, [number, other], outputs, api_visibility="private")
    other.change(_open, [number, other], outputs, api_visibility="private")
    similar.select(_pick, None, number, api_visibility="private").then(
        lambda n: _decision(services, n), number, page, api_visibility="private").then(
        _open, [number, other], outputs, api_visibility="private")
    compare.input(lambda n, o: side_by_side(services, n, o), [number, compare], [left, right],
                  api_visibility="private")

    def show(event):
        return event.then(_open, [number, other], outputs, api_visibility="private")

    return show


def _decision(services: Services, number) -> dict:
    from ui.tabs.decisions import decision_page

    return decision_page(services, number)
