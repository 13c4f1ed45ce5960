"""A watch run as the CLI and the app deliver it: prepare the reports, mail the digests, show them, then commit.

    with watch_run(index_dir) as run:     # holds the run lock; the reports are prepared, digests mailed
        show(run.reports, run.mail)         # printing or showing them is the last delivery
    # leaving the block without an error commits every watch whose digest did not fail

An error inside the block (a closed pipe, a kill) commits nothing: the next run reports the same decisions.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from index.watchstore import WatchStore, run_lock


@dataclass
class WatchRun:
    reports: list = field(default_factory=list)
    mail: dict[str, str] = field(default_factory=dict)  # watch -> "" (digest sent) or why it was not
    mail_configured: bool = False

    def to_dict(self) -> list[dict]:
        out = []
        for r in self.reports:
            item = r.to_dict()
            if r.watch.name in self.mail:
                item["email"] = {"sent": not self.mail[r.watch.name], "error": self.mail[r.watch.name]}
            out.append(item)
        return out


@contextmanager
def watch_run(index_dir: Path, names: list[str] | None = None, searcher=None, open_searcher=None,
              email: bool = True) -> Iterator[WatchRun]:
    """Run the watches (``names``, else all) of ``index_dir``; yields an empty run where it has none."""
    from qa.watches import prepare
    from ui import mail

    index_dir = Path(index_dir)
    if not WatchStore.exists(index_dir):
        if names:
            from index.watchstore import WatchNotFound

            raise WatchNotFound(names[0])
        yield WatchRun()
        return
    with run_lock(index_dir):
        run = WatchRun(prepare(index_dir, names, searcher=searcher, open_searcher=open_searcher))
        with WatchStore(index_dir) as store:
            settings = mail.load(store)
        run.mail_configured = settings is not None
        if settings is not None and email:
            run.mail = mail.deliver(settings, run.reports)
        yield run
        for report in run.reports:
            if not run.mail.get(report.watch.name):
                report.commit()
