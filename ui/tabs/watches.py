"""The "Watches" tab: saved searches (``qa.watches``): add one from a query and the filters above, run them, remove
them, and copy a watch's feed address. Running here is a run like ``councilqa watch run``: what it shows is
committed once shown (and e-mailed, where digests are set up).

This module does not postpone annotations: Gradio reads ``gr.Request`` from a callback's signature.
"""
from index.requests import text
from index.sanitise import sanitise
from index.watchstore import WatchStore, filters_dict
from ui.services import Services, _str, make_filters

ALERT_HEADERS = ["watch", "decision", "title", "change", "status", "date", "council", "citation", "quote",
                 "on the council's site"]
WATCH_HEADERS = ["name", "query", "filters", "last run", "feed"]


def base_url(request) -> str:
    """The address the person reached the app at (for feed addresses), from the request that asked."""
    if request is None:
        return "http://127.0.0.1:7860/"
    inner = getattr(request, "request", None)
    if inner is not None and getattr(inner, "base_url", None) is not None:
        return str(inner.base_url)
    host = dict(getattr(request, "headers", {}) or {}).get("host", "127.0.0.1:7860")
    return f"http://{host}/"


def feed_address(base: str, name: str) -> str:
    from ui.feeds import feed_url

    return feed_url(base, name) if name else ""


def watches_table(services: Services, base: str) -> list[list]:
    if not WatchStore.exists(services.index_dir):
        return []
    with WatchStore(services.index_dir) as store:
        watches = store.list()
    return [[w.name, w.query, ", ".join(f"{k}={v}" for k, v in filters_dict(w.filters).items()),
             f"not run: {w.problem}" if w.problem else w.last_run or "never", feed_address(base, w.name)]
            for w in watches]


def names(services: Services) -> list[str]:
    if not WatchStore.exists(services.index_dir):
        return []
    with WatchStore(services.index_dir) as store:
        return [w.name for w in store.list()]


def add_watch(services: Services, name: str, query: str, *filters) -> str:
    """Save a watch of ``query`` under the filters above; a sentence saying what happened."""
    try:
        with WatchStore(services.index_dir) as store:
            watch = store.add(sanitise(_str(name)), text(_str(query), "query"), make_filters(*filters))
    except ValueError as exc:
        return f"Not added: {exc}"
    except Exception as exc:  # noqa: BLE001 - a domain error (WatchError) shown as a sentence
        return f"Not added: {exc}"
    shown = ", ".join(f"{k}={v}" for k, v in filters_dict(watch.filters).items())
    return (f"Watch {watch.name} added: \u201c{watch.query}\u201d" + (f" ({shown})" if shown else "") +
            ". It reports decisions new or changed from now on.")


def remove_watch(services: Services, name: str) -> str:
    name = sanitise(_str(name))
    if not name:
        return "Choose a watch to remove."
    try:
        with WatchStore(services.index_dir) as store:
            store.remove(name)
    except Exception as exc:  # noqa: BLE001 - WatchNotFound, shown as a sentence
        return f"Not removed: {exc}"
    return f"Watch {name} removed."


def run_watches(services: Services, name: str = "") -> tuple[list[list], str]:
    """Run one watch (or all): the decisions it reports as table rows, and a sentence."""
    from ui.watching import watch_run

    name = sanitise(_str(name))
    try:
        searcher = services.asker().searcher
        with watch_run(services.index_dir, [name] if name else None, searcher=searcher) as run:
            rows = [[a.watch, a.decision, a.title, a.change, a.status, a.date, a.council, a.citation, a.quote,
                     a.page or a.source] for r in run.reports for a in r.alerts]
            notes = [f"{r.watch.name}: {len(r.alerts)} of {r.considered} new or changed" for r in run.reports]
            failed = [f"e-mail to {r.watch.name}'s readers not sent ({run.mail[r.watch.name]}): reported again next run"
                      for r in run.reports if run.mail.get(r.watch.name)]
    except Exception as exc:  # noqa: BLE001 - no index, another run in progress: a sentence, not a trace
        return [], f"Not run: {exc}"
    if not run.reports:
        return [], "No watches yet: add one above."
    return rows, "; ".join(notes + failed) + "."


def recent_alerts(services: Services, name: str) -> list[list]:
    """What the watch reported before (what its feed carries), newest first."""
    name = sanitise(_str(name))
    if not name or not WatchStore.exists(services.index_dir):
        return []
    try:
        with WatchStore(services.index_dir) as store:
            alerts = store.alerts(name, 50)
    except Exception:  # noqa: BLE001 - a watch removed meanwhile: nothing to show
        return []
    return [[name, a["decision"], a["title"], a["change"], a["status"], a["date"], a["council"], a["citation"],
             a["quote"], a.get("page") or a.get("source", "")] for a in alerts]


def build(services: Services, filters: list) -> None:
    import gradio as gr

    with gr.Tab("Watches") as tab:
        gr.Markdown("Save a search as a watch: it reports the decisions **new or changed** since it last ran that "
                    "match it (after each ingest and fetch, or when you run it here), under the filters above. "
                    "Subscribe to its feed in any feed reader.")
        with gr.Row():
            name = gr.Textbox(label="Name (letters, digits, . _ -)", scale=1)
            query = gr.Textbox(label="Follow", placeholder="temporary accommodation", scale=3)
            add = gr.Button("Add watch", variant="primary", scale=1)
        notice = gr.Markdown("", elem_id="watch-notice")
        table = gr.Dataframe(headers=WATCH_HEADERS, wrap=True, interactive=False, label="Watches")
        with gr.Row():
            # any name may be sent (API callers); the store checks it
            chosen = gr.Dropdown([], value=None, label="Watch", allow_custom_value=True, scale=2)
            run = gr.Button("Run", scale=1)
            run_all = gr.Button("Run all", scale=1)
            remove = gr.Button("Remove", variant="stop", scale=1)
        feed = gr.Textbox(label="Feed address (copy it into a feed reader)", interactive=False,
                          buttons=["copy"], elem_id="watch-feed")
        results = gr.Dataframe(headers=ALERT_HEADERS, wrap=True, interactive=False,
                               label="Reported now (new or changed since the watch last ran)")
        history = gr.Dataframe(headers=ALERT_HEADERS, wrap=True, interactive=False,
                               label="Reported before (what the feed carries)")

        def _refresh(request=None):
            options = names(services)
            return watches_table(services, base_url(request)), gr.Dropdown(choices=options, value=None)

        def _add(n, q, *f):
            return add_watch(services, n, q, *f)

        def _select(n, request=None):
            return feed_address(base_url(request), sanitise(_str(n))), recent_alerts(services, n)

        def _run(n):
            return run_watches(services, n)

        def _run_all():
            return run_watches(services, "")

        for fn in (_refresh, _select):
            fn.__annotations__ = {"request": gr.Request}
        add.click(_add, [name, query, *filters], notice, api_name="add_watch").then(
            _refresh, None, [table, chosen], api_visibility="private")
        tab.select(_refresh, None, [table, chosen], api_visibility="private")
        chosen.change(_select, chosen, [feed, history], api_visibility="private")
        run.click(_run, chosen, [results, notice], api_name="run_watch").then(
            _refresh, None, [table, chosen], api_visibility="private")
        run_all.click(_run_all, None, [results, notice], api_name="run_watches").then(
            _refresh, None, [table, chosen], api_visibility="private")
        remove.click(lambda n: remove_watch(services, n), chosen, notice, api_name="remove_watch").then(
            _refresh, None, [table, chosen], api_visibility="private")
