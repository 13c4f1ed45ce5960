"""One file's whole parse (read, clean, split, extract) under the time and memory bound of ``ingest.sandbox``.

Every ingest parses a file through here (``ingest.pipeline.parse_job``: in this process, in a thread of
``index.executors.ThreadPool``, in a Ray task): a forked child parses it and sends its documents back as JSON
(``ingest.wire``); a child that runs past ``timeout_s`` is killed and the file reported with that reason. Forking
costs 15 to 25 ms a file (``eval/README.md``, "Every file's parse under a time bound"), provided what every
parse loads once (layout tables, compiled patterns, the council gazetteer, the named-entity model) is loaded in
this process before the first fork, so that children inherit it: ``warm`` does that by parsing a small page of its
own here.
"""
from __future__ import annotations

import threading

from ingest.errors import UnreadableDocument
from ingest.records import ParsedDocument

# A page of each kind every parse meets, in each format read here: fields, a decision list, an amount paid to an
# organisation, a council's name and address; parsed once in this process to load what every parse needs.
_WARM_PAGES = (
    ("warm.txt", "KENT COUNTY COUNCIL – RECORD OF DECISION\n\nDecision No: 22/00001\n\nTitle of Decision: Warm\n\n"
                 "Decision Maker: Cabinet Member for Highways\n\nDate of decision: 1 April 2022\n\nDecision: to award "
                 "the contract to Acme Care Ltd and the Hollinsbury Youth Group for £1.2m a year over 3 years.\n\n"
                 "Contact: a.b@kent.gov.uk"),
    ("warm.md", "# Decisions\n\n01/04/2022 - Bins ref: 1 Recommendations Approved\n\n02/04/2022 - Parks ref: 2 "
                "Recommendations Approved\n"),
    ("warm.html", "<html><body><h1>Decision details</h1><p>Decision Maker: Cabinet</p><table><tr><td>Cost</td>"
                  "<td>£5,000</td></tr></table></body></html>"),
)
_warm_lock = threading.Lock()
_warmed = False


def warm() -> None:
    """Load, in this process and once, what every parse loads (see the module's note)."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        from ingest.orgs import entity_model
        from ingest.pipeline import parse_parts

        for name, text in _WARM_PAGES:
            parse_parts(text.encode("utf-8"), name)
        entity_model().available  # spaCy, where installed: loaded here once, not in every child
        _warmed = True


def parse_in_child(job) -> list[dict]:
    """The documents of ``job`` (an ``ingest.pipeline.FileJob``) as JSON values; runs in the sandbox's child."""
    from dataclasses import replace

    from ingest.pipeline import parse_parts
    from ingest.wire import to_json

    docs = parse_parts(job.data, job.path, timeout_s=job.timeout_s, max_passages=job.max_passages,
                       council=job.council, url=job.url, folder=job.folder)
    return [to_json(replace(doc, parent=job.parent) if job.parent else doc) for doc in docs]


def parse_bounded(job) -> list[ParsedDocument]:
    """The documents of ``job``, parsed in a child under ``job.timeout_s``; ``UnreadableDocument`` with the reason
    it could not be read (the time limit included)."""
    from ingest.sandbox import run_bounded
    from ingest.wire import WireError, from_json

    warm()
    values = run_bounded("ingest.bounded:parse_in_child", (job,), job.path, job.timeout_s,
                         fault="the parse failed on this file")
    try:
        return [from_json(v) for v in values]
    except (WireError, TypeError) as exc:
        raise UnreadableDocument(job.path, f"the parser's answer could not be read ({exc})") from None
