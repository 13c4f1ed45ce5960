"""The "Ask" tab: a chat whose answers carry citation chips; a chip opens its paragraph highlighted in its document,
with the decision beside it as a person reads it (``ui.tabs.precedents.cited_decision``) and a link to its page on
the council's site."""
from __future__ import annotations

import json
import re

from index.requests import ask_request
from index.sanitise import sanitise
from ui.services import Services, _str, as_text, make_filters
from ui.tabs.precedents import cited_decision

# After a citation opens: bring its highlighted paragraph into view (it can be far down a long document).
SCROLL_TO_HIGHLIGHT = """() => { setTimeout(() => {
  const mark = document.querySelector('#cited-paragraph .token.highlighted');
  if (mark) mark.scrollIntoView({block: 'center', behavior: 'smooth'});
}, 100); }"""


def ask(services: Services, question: str, history: list, *filters) -> tuple[list, list[str], dict]:
    """Chat turn: the answer as text, and the citation labels (the chips) of this answer."""
    history = list(history or []) if isinstance(history, list) else []
    if not sanitise(_str(question)):
        return history, [], {}
    try:
        req = ask_request(question, filters=make_filters(*filters))
        answer = services.asker().ask(req.question, k=req.k, filters=req.filters)
    except ValueError as exc:  # a bad request or a domain error becomes a sentence in the chat
        history += [{"role": "user", "content": as_text(sanitise(_str(question))[:300])},
                    {"role": "assistant", "content": as_text(f"Error: {exc}")}]
        return history, [], {}
    text = answer.text + f"\n\n(answered by: {answer.answerer})"
    history += [{"role": "user", "content": as_text(req.question)}, {"role": "assistant", "content": as_text(text)}]
    cites = {c.label: {"decision": c.decision, "paragraph": c.paragraph, "document": c.document} for c in answer.citations}
    return history, list(cites), cites


def open_citation(services: Services, label: str, cites: dict) -> tuple[list, dict]:
    """The cited paragraph highlighted in its document, and the decision's metadata beside it."""
    ref = (cites or {}).get(label)
    if not ref:
        return [], {}
    para = services.asker().searcher.paragraph(ref["decision"], ref["paragraph"], ref["document"])
    if para is None:
        return [], {"error": f"{label} is no longer in the index"}
    text, s, e = para["text"], para["start"], para["end"]
    segments = [(text[:s], None), (text[s:e], label), (text[e:], None)]
    meta = {k: para[k] for k in ("decision", "paragraph", "document", "title", "decision_maker", "status", "doc_type",
                                 "source")}
    meta["dates"] = json.loads(para["dates"] or "{}")
    return [seg for seg in segments if seg[0]], meta


_SAFE_URL = re.compile(r"https?://[^\s()<>\[\]\"'`]+")


def source_link(meta: dict) -> str:
    """Markdown for the cited document's page on the council's site ("" for a local file): only a plain
    http(s) address is linked, so a stored value can never become markup."""
    url = (meta or {}).get("source") or ""
    if not _SAFE_URL.fullmatch(url):
        return ""
    return f"[Read it on the council's site]({url})"


def build(services: Services, filters: list) -> None:
    import gradio as gr

    with gr.Tab("Ask"):
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Answers", render_markdown=False, sanitize_html=True, height=420)
                question = gr.Textbox(label="Question", placeholder="How much is the carers' short breaks "
                                      "direct award worth?")
                send = gr.Button("Ask", variant="primary", elem_id="ask-button")
                chips = gr.Radio([], label="Citations: click one to read it in its document")
            with gr.Column(scale=2):
                passage = gr.HighlightedText(label="Cited paragraph, in its document", combine_adjacent=True,
                                             elem_id="cited-paragraph")
                link = gr.Markdown("", elem_id="source-link")
                card = gr.Textbox(label="Decision", lines=6, interactive=False, elem_id="cited-decision")
                meta = gr.JSON(label="Decision", visible=False)  # what open_citation returns; shown as ``card``
        cites = gr.State({})

        def _ask(q, h, *f):
            history, labels, found = ask(services, q, h, *f)
            return history, gr.Radio(choices=labels, value=None), found, ""

        gr.on([send.click, question.submit], _ask, [question, chat, *filters], [chat, chips, cites, question],
              api_name="ask", show_progress="full")
        chips.change(lambda label, c: open_citation(services, label, c), [chips, cites], [passage, meta],
                     api_name="open_citation").then(None, None, None, js=SCROLL_TO_HIGHLIGHT,
                                                    api_visibility="private").then(
            source_link, meta, link, api_visibility="private").then(
            lambda m: cited_decision(services, m), meta, card, api_visibility="private")
