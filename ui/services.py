"""What every tab of the app shares: the index and its answerer, loaded once per generation, the export folder,
and the filter boxes read as ``Filters``."""
from __future__ import annotations

import atexit
import html
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from index.filters import Filters, key_value

KEEP_EXPORTS = 20  # CSV exports kept in the app's one export folder; older ones are deleted


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
        from index.backends import live, open_searcher

        with self._lock:
            gen = live(self.index_dir)
            if self._asker is None or gen != self._generation:
                from qa.ask import Asker

                if self._asker is not None and hasattr(self._asker.searcher, "url"):
                    self._asker.searcher.close()  # a database searcher's connections; a file's are left to GC
                searcher = open_searcher(self.index_dir, model=self.model)
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
