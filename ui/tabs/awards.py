"""The "Awards" tab: the awards ledger as a filterable, sortable table with a CSV download and a chart of total value
by year (and by council where there are several); a row's citation opens its paragraph highlighted in its
document; a counterparty opens its organisation's page (its decisions and amounts). Every query is
``index.ledger.awards`` / ``index.orgs``, as the CLI's and the API's. Text is shown as text (Dataframe,
HighlightedText, JSON), never as HTML."""
from __future__ import annotations

import csv

from index.sanitise import sanitise
from ui.services import Services, _str, as_text

HEADERS = ["decision", "council", "date", "status", "amount", "value (£)", "kind", "period", "counterparty", "row",
           "citation"]
KIND_CHOICES = ["", "contract_value", "annual_cost", "grant", "loan", "saving", "budget", "fee_or_rate", "income",
                "other", "threshold"]
SORT_CHOICES = ["value", "-value", "date", "-date", "council"]
PAGE = 200
CHART_KIND = "contract_value"  # the chart sums one kind at a time: amounts of different kinds never add up


def query_of(min_amount: str = "", max_amount: str = "", kind: str = "", org: str = "", sort: str = "value",
             maker: str = "", status: str = "", date_from: str = "", date_to: str = "", council: str = "",
             limit: int = PAGE, offset: int = 0):
    """The tab's boxes as a ``LedgerQuery``, checked by the validation layer the CLI and the API use
    (``index.requests.awards_request``: ``BadRequest`` names what is wrong)."""
    from index.requests import awards_request

    kinds = [_str(kind)] if _str(kind) else []
    return awards_request(_str(min_amount), _str(max_amount), _str(date_from), _str(date_to), _str(council),
                          _str(maker), kinds, _str(org), _str(status), "", _str(sort) or "value", limit, offset).query


def _row(a) -> list:
    return [a.decision, a.council, a.date, a.status or "unknown", a.text, round(a.value, 2), a.kind or "unclassified",
            a.period, a.counterparty, a.row, a.citation]


def awards_page(services: Services, *boxes) -> tuple[list[list], str, list]:
    """One page of the ledger as table rows, a notice (how many match, or why nothing was read), and the rows'
    references (for opening a citation)."""
    from index.ledger import awards

    try:
        q = query_of(*boxes)
    except ValueError as exc:  # shown in a Markdown box: the person's own text is escaped, never markup
        return [], as_text(f"Not listed: {exc}"), []
    page = awards(services.asker().searcher.conn, q)
    refs = [{"decision": a.decision, "paragraph": a.paragraph, "document": a.document, "label": a.citation,
             "sentence": a.sentence, "counterparty": a.counterparty} for a in page.awards]
    many = "more than 10,000" if page.more else f"{page.total:,}"
    shown = f"{len(page.awards)} of {many}" if page.total > len(page.awards) else many
    proposed = sum(a.proposed for a in page.awards)
    note = f" {proposed} from decisions only proposed, not yet taken." if proposed else ""
    return [_row(a) for a in page.awards], f"{shown} amounts.{note}", refs


def awards_csv(services: Services, *boxes) -> str | None:
    """Every row the filters allow (not one page) as a CSV file with each row's citation and quote."""
    from index.ledger import awards

    try:
        q = query_of(*boxes, limit=1000)
    except ValueError:
        return None
    out = services.export_path("awards")
    conn = services.asker().searcher.conn
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*HEADERS, "title", "maker", "quote", "document"])
        offset = 0
        while True:
            page = awards(conn, q.__class__(**{**q.__dict__, "offset": offset}))
            for a in page.awards:
                w.writerow([*_row(a), a.title, a.maker, " ".join(a.sentence.split()), a.document])
            offset += len(page.awards)
            if len(page.awards) < q.limit or (not page.more and offset >= page.total):
                break
    return str(out)


def awards_chart(services: Services, *boxes):
    """Total value by year (and council), of one kind: the kind chosen, else contract values."""
    import pandas as pd

    from index.ledger import totals_by_year

    try:
        q = query_of(*boxes)
    except ValueError:
        return pd.DataFrame({"year": [], "total (£m)": [], "council": []})
    kind = q.kinds[0] if q.kinds else CHART_KIND
    q = q.__class__(**{**q.__dict__, "kinds": (kind,)})
    rows = [r for r in totals_by_year(services.asker().searcher.conn, q) if r[0]]
    return pd.DataFrame({"year": [r[0] for r in rows], "total (£m)": [round(r[3] / 1e6, 3) for r in rows],
                         "council": [r[1] or "unknown" for r in rows]})


def open_award(services: Services, refs: list, index: int) -> tuple[list, dict]:
    """The chosen row's paragraph highlighted in its document, and the decision beside it (as the Ask tab's)."""
    from ui.tabs.ask import open_citation

    if not isinstance(refs, list) or not isinstance(index, int) or not 0 <= index < len(refs):
        return [], {}
    ref = refs[index]
    return open_citation(services, ref["label"], {ref["label"]: ref})


def organisation_page(services: Services, name: str) -> tuple[dict, list[list], list[list]]:
    """An organisation's page: who it is, its amounts (table rows as the ledger's), where decisions name it."""
    from index.errors import BadRequest
    from index.orgs import organisation_page as page_of
    from index.requests import organisation_name

    if not sanitise(_str(name)):
        return {}, [], []
    try:  # checked as the CLI's and the API's name is
        name = organisation_name(name)
    except BadRequest as exc:
        return {"error": str(exc)}, [], []
    page = page_of(services.asker().searcher.conn, name)
    if page is None:
        return {"error": f"no organisation named like {name!r} in the index"}, [], []
    o = page.organisation
    summary = {"name": o.name, "kind": o.kind, "also printed as": [n for n in o.names if n != o.name],
               "decisions": o.decisions, "amounts": o.amounts, "roles": list(o.roles)}
    mentions = [[m.decision, m.title, m.council, m.status, m.date, m.paragraph, " ".join(m.sentence.split())]
                for m in page.mentions]
    return summary, [_row(a) for a in page.awards], mentions


def build(services: Services, filters: list) -> None:
    """The tab. ``filters``: the app's shared boxes (maker, status, key, type, from, to, council); the ledger reads
    maker, status, from, to and council."""
    import gradio as gr

    maker, status, _key, _type, date_from, date_to, council = filters
    with gr.Tab("Awards"):
        with gr.Row():
            min_amount = gr.Textbox(label="At least (e.g. 1m, 250k)", elem_id="awards-min")
            max_amount = gr.Textbox(label="At most")
            kind = gr.Dropdown(KIND_CHOICES, value="", label="Kind")
            org = gr.Textbox(label="Counterparty (organisation)")
            sort = gr.Dropdown(SORT_CHOICES, value="value", label="Sort by")
            go = gr.Button("List awards", variant="primary", elem_id="awards-button")
        notice = gr.Markdown("", elem_id="awards-notice")
        table = gr.Dataframe(headers=HEADERS, wrap=True, interactive=False, elem_id="awards-table")
        refs = gr.State([])
        with gr.Row():
            with gr.Column():
                export_go = gr.Button("Export CSV (every row the filters allow)", elem_id="awards-export")
                export = gr.File(label="Download (CSV)")
            chart = gr.BarPlot(x="year", y="total (£m)", color="council", label="Total value by year (one kind: the "
                               "kind chosen, else contract values)", elem_id="awards-chart")
        with gr.Row():
            with gr.Column(scale=3):
                passage = gr.HighlightedText(label="Cited paragraph, in its document (click a row)",
                                             combine_adjacent=True, elem_id="award-paragraph")
            with gr.Column(scale=2):
                meta = gr.JSON(label="Decision")
        gr.Markdown("### Organisation")
        with gr.Row():
            org_name = gr.Textbox(label="Organisation (or click a counterparty)", elem_id="org-name")
            org_go = gr.Button("Open organisation", elem_id="org-button")
        org_summary = gr.JSON(label="Organisation", elem_id="org-summary")
        org_awards = gr.Dataframe(headers=HEADERS, wrap=True, interactive=False, label="Its amounts",
                                  elem_id="org-awards")
        org_mentions = gr.Dataframe(headers=["decision", "title", "council", "status", "date", "paragraph",
                                             "sentence"], wrap=True, interactive=False, label="Decisions naming it",
                                    elem_id="org-mentions")
        boxes = [min_amount, max_amount, kind, org, sort, maker, status, date_from, date_to, council]

        def _list(*values):
            rows, text, found = awards_page(services, *values)
            return rows, text, found, awards_chart(services, *values)

        gr.on([go.click, min_amount.submit, org.submit], _list, boxes, [table, notice, refs, chart],
              api_name="awards", show_progress="minimal")
        export_go.click(lambda *v: awards_csv(services, *v), boxes, export, api_name="awards_csv")

        def _select(found, evt: gr.SelectData):
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            segments, decision = open_award(services, found, index)
            party = found[index].get("counterparty", "") if isinstance(index, int) and index < len(found) else ""
            column = evt.index[1] if isinstance(evt.index, (list, tuple)) and len(evt.index) > 1 else -1
            if party and column == HEADERS.index("counterparty"):
                return (segments, decision, party, *organisation_page(services, party))
            return segments, decision, gr.update(), gr.update(), gr.update(), gr.update()

        _select.__annotations__["evt"] = gr.SelectData  # read by Gradio (this module's annotations are strings)
        table.select(_select, [refs], [passage, meta, org_name, org_summary, org_awards, org_mentions],
                     api_visibility="private")
        gr.on([org_go.click, org_name.submit], lambda n: organisation_page(services, n), [org_name],
              [org_summary, org_awards, org_mentions], api_name="organisation")
