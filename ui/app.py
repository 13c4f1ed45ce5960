"""The Gradio app, built by a factory. Thin: every callback calls ``qa`` or ``index`` and formats the result.

Safety: answers and documents are shown as text (Chatbot without Markdown or HTML, HighlightedText, Dataframe),
never as HTML; the app serves no file route of ours (the index directory is not in ``allowed_paths``); the queue
has a deliberate concurrency limit and size, so a crowd gets answers or "busy", never a hang.
"""
from __future__ import annotations

import atexit
import csv
import html
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from index.filters import Filters, key_value
from index.requests import ask_request, search_request
from index.sanitise import sanitise
from ui.uploads import UPLOAD_TYPES, add_documents  # noqa: F401 - add_documents is part of the app's interface

CONCURRENCY = 2  # two cores: more parallel model calls only queue inside torch
QUEUE_SIZE = 32  # beyond this, a request is told the server is busy at once
MAX_FILE_SIZE = "20mb"
STATUSES = ["", "proposed", "recommendations approved", "taken", "deferred", "withdrawn", "called in"]
DOC_TYPES = ["", "record", "decision page", "proposed record", "report", "minutes"]
MAX_UPLOAD_REQUEST = 100 * 1024 * 1024  # bytes in one upload request, whatever the number of files in it
KEEP_EXPORTS = 20  # CSV exports kept in the app's one export folder; older ones are deleted
CACHE_CLEANUP = (600, 3600)  # Gradio's own copies of files (exports, uploads): swept every 10 min, kept 1 h
SEARCH_K = 20
# After a citation opens: bring its highlighted paragraph into view (it can be far down a long document).
SCROLL_TO_HIGHLIGHT = """() => { setTimeout(() => {
  const mark = document.querySelector('#cited-paragraph .token.highlighted');
  if (mark) mark.scrollIntoView({block: 'center', behavior: 'smooth'});
}, 100); }"""


@dataclass
class Services:
    """The index, loaded once per generation; reloaded when an ingest switches generations."""

    index_dir: Path
    answerer: object | None = None
    model: str | None = None
    upload_dir: Path | None = None  # None: adding documents is switched off
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _asker: object | None = None
    _generation: Path | None = None
    _exports: Path | None = None

    def export_path(self, name: str) -> Path:
        """A new file in the app's one export folder, which keeps only the newest ``KEEP_EXPORTS`` files and is
        removed when the process exits."""
        with self._lock:
            if self._exports is None or not self._exports.is_dir():
                self._exports = Path(tempfile.mkdtemp(prefix="councilqa-exports-"))
                atexit.register(shutil.rmtree, self._exports, True)
            old = sorted(self._exports.iterdir(), key=lambda p: p.stat().st_mtime)
            for stale in old[: max(0, len(old) - KEEP_EXPORTS + 1)]:
                stale.unlink(missing_ok=True)
            fd, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".csv", dir=self._exports)
            os.close(fd)
            return Path(path)

    def asker(self):
        from index.build import current_generation

        with self._lock:
            gen = current_generation(self.index_dir)
            if self._asker is None or gen != self._generation:
                from index.search import Searcher
                from qa.ask import Asker

                searcher = Searcher(self.index_dir, model=self.model)
                self._asker, self._generation = Asker(searcher, self.answerer), gen
            return self._asker

    def warm(self) -> str:
        """Load the index and the model and embed one query, so the first question is not the slow one."""
        asker = self.asker()
        asker.searcher.embedder.embed(["warm up"])
        m = asker.searcher.manifest
        return (f"Ready: {m['counts'].get('decisions', 0)} decisions, {m['counts'].get('passages', 0)} passages, "
                f"model {m['model']}.")


def as_text(text: str) -> str:
    """Gradio's Chatbot builds HTML from a message even with Markdown off (its sanitiser keeps ``<img src=x>``,
    which fetches x): escaping makes every character of a document or answer show as itself."""
    return html.escape(text, quote=False)


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def make_filters(maker: str = "", status: str = "", key: str = "", doc_type: str = "", date_from: str = "",
                 date_to: str = "", council: str = "") -> Filters:
    """The filter boxes as ``Filters``, checked by the same rules as the CLI's (``BadRequest`` if not)."""
    return Filters(decision_maker=_str(maker), status=_str(status), key_decision=key_value(key),
                   doc_type=_str(doc_type), date_from=_str(date_from), date_to=_str(date_to), council=_str(council))


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
        for r in searcher.conn.execute(
            "SELECT d.path, p.label, p.text FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.number = ? ORDER BY d.path, p.start", [d.number])
    ]
    return {"id": d.number, "council": d.council, "reference": d.reference, "title": d.title,
            "decision_maker": d.decision_maker, "status": d.status, "date": d.date, "dates": d.dates,
            "documents": [doc.path for doc in d.documents], "mentions": d.mentions, "mentioned_by": d.mentioned_by,
            "fields": d.fields, "paragraphs": paragraphs}


def create_app(index_dir: Path, answerer=None, model: str | None = None, upload_dir: Path | None = None):
    import gradio as gr

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
            council = gr.Textbox(label="Council contains")
        filters = [maker, status, key, doc_type, date_from, date_to, council]
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
                    meta = gr.JSON(label="Decision")
            cites = gr.State({})

            def _ask(q, h, *f):
                history, labels, found = ask(services, q, h, *f)
                return history, gr.Radio(choices=labels, value=None), found, ""

            gr.on([send.click, question.submit], _ask, [question, chat, *filters], [chat, chips, cites, question],
                  api_name="ask", show_progress="full")
            chips.change(lambda label, c: open_citation(services, label, c), [chips, cites], [passage, meta],
                         api_name="open_citation").then(None, None, None, js=SCROLL_TO_HIGHLIGHT,
                                                        api_visibility="private").then(
                source_link, meta, link, api_visibility="private")
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
        with gr.Tab("Decisions"):
            table = gr.Dataframe(headers=["id", "council", "title", "decision maker", "status", "date", "amounts"],
                                 wrap=True, interactive=False)
            number = gr.Textbox(label="Decision id (e.g. 21/00081)")
            page = gr.JSON(label="Decision: documents, paragraphs, mentions")
            app.load(lambda: decisions_table(services), None, table, api_name="decisions")
            number.submit(lambda n: decision_page(services, n), number, page, api_name="decision")
        if upload_dir is not None:
            with gr.Tab("Add documents"):
                gr.Markdown("PDF, Word (.docx), HTML, Markdown or text. Each file is read, checked and indexed; "
                            "the answers use it as soon as the table below shows it added.")
                uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Documents")
                add = gr.Button("Add to the index", variant="primary")
                added = gr.Dataframe(headers=["file", "result", "detail"], wrap=True, interactive=False)

                def _add(paths, progress=gr.Progress()):
                    return add_documents(services, paths, progress), decisions_table(services), services.warm()

                add.click(_add, uploads, [added, table, ready], api_name="add_documents", concurrency_limit=1)

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
CSS = "#cited-paragraph .textfield, #search-results .textfield { word-break: normal; overflow-wrap: anywhere; }"


def launch(app, host: str = "127.0.0.1", port: int = 7860, auth=None, block: bool = True) -> None:
    """Start the server with the settings the safety promises rest on: no share link, an upload size limit,
    no extra file routes (the index directory is never served), and Gradio's upload route closed unless
    adding documents is switched on (``ui.guard``)."""
    from starlette.middleware import Middleware

    from ui.guard import UploadGuard

    services = getattr(app, "councilqa_services", None)
    allowed = services is not None and services.upload_dir is not None
    guard = Middleware(UploadGuard, allowed=allowed, max_bytes=MAX_UPLOAD_REQUEST)
    app.launch(server_name=host, server_port=port, share=False, auth=auth or None, max_file_size=MAX_FILE_SIZE,
               allowed_paths=[], show_error=False, css=CSS, prevent_thread_lock=not block,
               app_kwargs={"middleware": [guard]})


def _quietly(func) -> None:
    try:
        func()
    except Exception:  # noqa: BLE001 - the page load reports the same error to the person
        pass
