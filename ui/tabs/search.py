"""The "Search" tab: ranked passages as a table, a CSV export of the same rows, and the passages with the query's
words marked."""
from __future__ import annotations

import csv

from index.requests import search_request
from index.sanitise import sanitise
from ui.services import Services, _str, make_filters

SEARCH_K = 20


def search(services: Services, query: str, *filters) -> tuple[list[list], str | None, list, str]:
    """Ranked passages as table rows, the same rows as a CSV file, as text with the query's words marked, and
    a notice (why nothing was searched, or how many passages matched)."""
    if not sanitise(_str(query)):
        return [], None, [], ""
    try:
        req = search_request(query, SEARCH_K, make_filters(*filters))
    except ValueError as exc:
        return [], None, [], f"Not searched: {exc}"
    searcher = services.asker().searcher
    hits = searcher.search(req.query, k=req.k, filters=req.filters)
    rows = [[h.decision, h.paragraph, round(h.score, 4), " ".join(h.text.split()), h.document] for h in hits]
    out = services.export_path("search")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["decision", "paragraph", "score", "text", "document"])
        w.writerows(rows)
    notice = f"{len(rows)} passages." if rows else "No passages match (the filters may leave none)."
    return rows, str(out), highlighted_hits(hits, req.query), notice


def highlighted_hits(hits, query: str) -> list[tuple[str, str | None]]:
    """HighlightedText segments: each hit's citation and title, then its text with the matching words marked."""
    from qa.text import match_spans

    segments: list[tuple[str, str | None]] = []
    for rank, h in enumerate(hits, 1):
        text = " ".join(h.text.split())
        segments.append((f"{rank}. {h.citation} {h.title} (score {h.score:.4f})\n", None))
        cut = 0
        for start, end in match_spans(text, query):
            segments += [(text[cut:start], None), (text[start:end], "match")]
            cut = end
        segments.append((text[cut:] + "\n\n", None))
    return [seg for seg in segments if seg[0]]


def build(services: Services, filters: list) -> None:
    import gradio as gr

    with gr.Tab("Search"):
        query = gr.Textbox(label="Search passages")
        go = gr.Button("Search")
        notice = gr.Markdown("", elem_id="search-notice")
        results = gr.Dataframe(headers=["decision", "paragraph", "score", "text", "document"], wrap=True,
                               interactive=False)
        export = gr.File(label="Export (CSV)")
        marked = gr.HighlightedText(label="Passages, query words marked", combine_adjacent=True,
                                    show_legend=False, elem_id="search-results")
        gr.on([go.click, query.submit], lambda q, *f: search(services, q, *f), [query, *filters],
              [results, export, marked, notice], api_name="search")
