"""Work for a Ray worker in the tests (imported there by name)."""
from __future__ import annotations

import os


def parse_or_die(job):
    """Parse a file as a build's worker does, except that a file named ``kills-its-worker.txt`` ends the worker's
    process, as a parser that crashes the interpreter would."""
    if job.path.endswith("kills-its-worker.txt"):
        os._exit(1)
    from ingest.pipeline import parse_job

    return parse_job(job)
