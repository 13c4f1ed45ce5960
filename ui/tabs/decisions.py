"""The "Decisions" tab: every decision in the index, and one decision's page (the decision as a person reads it, its
similar decisions and a side-by-side view: ``ui.tabs.precedents``; its documents, paragraphs and cross-references)."""
from __future__ import annotations

from index.sanitise import sanitise
from ui.services import Services, _str


def decisions_table(services: Services) -> list[list]:
    return [[d.number, d.council, d.title, d.decision_maker, d.status, d.date or d.dates.get("committee", ""),
             "; ".join(a["text"] for a in d.amounts[:6])] for d in services.asker().decisions()]


def decision_page(services: Services, number: str) -> dict:
    number = sanitise(_str(number))[:100]
    d = next((d for d in services.asker().decisions() if d.number == number), None)
    if d is None:
        return {}
    searcher = services.asker().searcher
    paragraphs = [
        {"document": r[0], "paragraph": r[1], "text": " ".join(r[2].split())[:300]}
        for r in searcher.decision_paragraphs(d.number)
    ]
    return {"id": d.number, "council": d.council, "reference": d.reference, "title": d.title,
            "decision_maker": d.decision_maker, "status": d.status, "date": d.date, "dates": d.dates,
            "documents": [doc.path for doc in d.documents], "mentions": d.mentions, "mentioned_by": d.mentioned_by,
            "fields": d.fields, "paragraphs": paragraphs}


# A link to a decision (feeds and digests give /?decision=ID): the Decisions tab is brought forward, its page shown.
OPEN_LINKED_DECISION = """() => { if (!new URLSearchParams(window.location.search).get('decision')) return;
  const tab = [...document.querySelectorAll('button[role="tab"]')].find(b => b.textContent.trim() === 'Decisions');
  if (tab) tab.click(); }"""


def linked_decision(services: Services, query_params: dict) -> tuple[str, dict]:
    """The decision a page's address names (``?decision=ID``), and its page."""
    number = sanitise(_str((query_params or {}).get("decision", "")))[:100]
    return number, decision_page(services, number) if number else {}


def build(services: Services, app):
    """The tab; returns its table, which adding documents refreshes."""
    import gradio as gr

    with gr.Tab("Decisions"):
        table = gr.Dataframe(headers=["id", "council", "title", "decision maker", "status", "date", "amounts"],
                             wrap=True, interactive=False)
        number = gr.Textbox(label="Decision id (e.g. 21/00081)", elem_id="decision-id")
        page = gr.JSON(label="Decision: documents, paragraphs, mentions", render=False)
        from ui.tabs.precedents import build_decision_page  # the decision as read, similar decisions, side by side

        show = build_decision_page(services, number, page)
        with gr.Accordion("The record as data: documents, paragraphs, mentions", open=True):
            page.render()
        app.load(lambda: decisions_table(services), None, table, api_name="decisions")
        number.submit(lambda n: decision_page(services, n), number, page, api_name="decision")

        def _linked(request=None):
            return linked_decision(services, dict(getattr(request, "query_params", None) or {}))

        _linked.__annotations__ = {"request": gr.Request}  # read by Gradio from the signature
        show(app.load(_linked, None, [number, page], api_visibility="private").then(
            None, None, None, js=OPEN_LINKED_DECISION, api_visibility="private"))
    return table
