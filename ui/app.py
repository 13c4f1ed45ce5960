"""The Gradio app, built by a factory from its tabs (``ui.tabs``). Thin: every callback calls ``qa`` or ``index`` and
formats the result.

Safety: answers and documents are shown as text (Chatbot without Markdown or HTML, HighlightedText, Dataframe),
never as HTML; the app serves no file route of ours (the index directory is not in ``allowed_paths``); the queue
has a deliberate concurrency limit and size, so a crowd gets answers or "busy", never a hang.
"""
from __future__ import annotations

import threading
from pathlib import Path

# the tabs' functions, re-exported: they are the app's interface (tests and other front ends call them)
from ui.services import KEEP_EXPORTS, Services, as_text, make_filters  # noqa: F401
from ui.tabs.ask import SCROLL_TO_HIGHLIGHT, ask, open_citation, source_link  # noqa: F401
from ui.tabs.decisions import decision_page, decisions_table  # noqa: F401
from ui.tabs.search import SEARCH_K, highlighted_hits, search  # noqa: F401
from ui.uploads import UPLOAD_TYPES, add_documents  # noqa: F401

CONCURRENCY = 2  # two cores: more parallel model calls only queue inside torch
QUEUE_SIZE = 32  # beyond this, a request is told the server is busy at once
MAX_FILE_SIZE = "20mb"
STATUSES = ["", "proposed", "recommendations approved", "taken", "deferred", "withdrawn", "called in"]
DOC_TYPES = ["", "record", "decision page", "proposed record", "report", "minutes"]
MAX_UPLOAD_REQUEST = 100 * 1024 * 1024  # bytes in one upload request, whatever the number of files in it
CACHE_CLEANUP = (600, 3600)  # Gradio's own copies of files (exports, uploads): swept every 10 min, kept 1 h


def create_app(index_dir: Path, answerer=None, model: str | None = None, upload_dir: Path | None = None):
    import gradio as gr

    from ui.tabs import ask as ask_tab
    from ui.tabs import awards as awards_tab
    from ui.tabs import decisions as decisions_tab
    from ui.tabs import search as search_tab
    from ui.tabs import upload as upload_tab
    from ui.tabs import watches as watches_tab

    services = Services(Path(index_dir), answerer, model, upload_dir)
    threading.Thread(target=_quietly, args=(services.warm,), daemon=True).start()  # load while the page opens
    with gr.Blocks(title="councilqa", delete_cache=CACHE_CLEANUP) as app:
        app.councilqa_services = services  # launch() reads whether uploads are on
        gr.Markdown("# councilqa\nQuestions about council decisions, answered with citations you can check.")
        ready = gr.Markdown("Loading the index and the embedding model…", elem_id="status")
        with gr.Row():
            maker = gr.Textbox(label="Decision maker contains", scale=2)
            status = gr.Dropdown(STATUSES, value="", label="Status")
            key = gr.Dropdown(["", "yes", "no"], value="", label="Key decision")
            doc_type = gr.Dropdown(DOC_TYPES, value="", label="Document type")
            date_from = gr.Textbox(label="From (YYYY-MM-DD)")
            date_to = gr.Textbox(label="To (YYYY-MM-DD)")
            council = gr.Textbox(label="Council", placeholder="Kent, Suffolk County Council ... (that council only)")
        filters = [maker, status, key, doc_type, date_from, date_to, council]
        ask_tab.build(services, filters)
        search_tab.build(services, filters)
        awards_tab.build(services, filters)
        table = decisions_tab.build(services, app)
        watches_tab.build(services, filters)
        if upload_dir is not None:
            upload_tab.build(services, table, ready)

        def _ready(progress=gr.Progress()):
            progress(0, desc="Loading the index and the embedding model (about 10 s, once)")
            try:
                return services.warm()
            except Exception as exc:  # noqa: BLE001 - shown to the person, who can act on it
                return f"Not ready: {exc}"

        app.load(_ready, None, ready, show_progress="full", api_visibility="private")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


# HighlightedText breaks lines anywhere ("th|an"); documents read better broken between words.
CSS = ("#cited-paragraph .textfield, #search-results .textfield, #compare-left .textfield, #compare-right .textfield"
       " { word-break: normal; overflow-wrap: anywhere; }")


def launch(app, host: str = "127.0.0.1", port: int = 7860, auth=None, block: bool = True, keys=None, rate=None):
    """Serve the app, and the API and the other parts beside it, on one server (``ui.server``): no share link, an
    upload size limit, no extra file routes (the index directory is never served), Gradio's upload route closed
    unless adding documents is switched on (``ui.guard``), nothing beyond loopback without logins. With ``block``
    False it returns the running server (``stop()``, or the app's ``close()``, ends it). ``keys`` (the API keys
    file) and ``rate`` (API requests a minute a caller): see ``ui.server.ServerContext.make``."""
    from ui.server import serve

    return serve(app, host, port, auth, block=block, keys=keys, rate=rate)


def _quietly(func) -> None:
    try:
        func()
    except Exception:  # noqa: BLE001 - the page load reports the same error to the person
        pass
