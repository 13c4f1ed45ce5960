"""Where a build's parsing and embedding run: the same build (``index.build``), another executor.

A build reads files, parses them, embeds what the cache lacks and writes one generation. Writing stays with
the build, in this process: the store, the embedding cache, FAISS, the keyword index, the manifest and the
atomic switch are one writer's work. What can run elsewhere is the work per file and per batch of texts:

- ``parse``: the build's stream of parsed documents, failures, skipped and unchanged files, **in the order**
  ``ingest.pipeline.parse_all`` yields them, so passages are written, and numbered, as in one process;
- ``embedder``: an ``Embedder`` with the model's id and dimension whose ``embed`` may run anywhere.

``InProcess`` is today's path. ``Pooled`` runs both on a pool of workers: files are read here (their size bound,
the ``known`` check, links refused: ``ingest.pipeline.read_all``) and parsed by a worker (``parse_job``, the
parser's own time bound included); each ``embed`` call is dealt out to the workers, every worker a share of
the texts. Pools: ``ThreadPool`` here (threads in this process: the seam's fast check) and
``index.ray_pool.RayPool`` (a Ray cluster). A pool's worker that dies on a file reports that file as failed,
as the parser's sandbox does (``ingest.sandbox``); the rest are kept.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from index.embed import Embedder, load_embedder
from ingest.pipeline import FileJob, IngestOptions, parse_all, parse_job, read_all
from ingest.records import Failure, ParsedDocument, Skipped, Unchanged

Parsed = ParsedDocument | Failure | Skipped | Unchanged
Known = Callable[[str, str], bool] | None
MIN_SHARE = 32  # texts: an embed call is not split into shares smaller than one model batch


class Executor(Protocol):
    def parse(self, paths: Iterable[Path], known: Known, options: IngestOptions) -> Iterator[Parsed]: ...

    def embedder(self, embedder: Embedder, spec: str) -> Embedder: ...


class InProcess:
    """Parse and embed here, one file and one batch after another."""

    def parse(self, paths: Iterable[Path], known: Known, options: IngestOptions) -> Iterator[Parsed]:
        return parse_all(paths, known=known, options=options)

    def embedder(self, embedder: Embedder, spec: str) -> Embedder:
        return embedder


class Pool(Protocol):
    """Workers that parse files and embed texts. A worker that dies while parsing resolves its future to a
    ``Failure`` of that file; any other error is raised by the future."""

    parse_slots: int  # files parsed at once

    def parse(self, job: FileJob) -> Future: ...  # -> list[ParsedDocument] | Failure

    def embed_slots(self, spec: str) -> int: ...  # starts the embedding workers of ``spec`` (once) and counts them

    def embed(self, slot: int, texts: list[str]) -> Future: ...  # -> float32 array, one row a text

    def model(self) -> tuple[str, int]: ...  # the workers' model id and dimension


class Pooled:
    """Parse and embed on a ``Pool``; results come back in the order one process would make them."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def parse(self, paths: Iterable[Path], known: Known, options: IngestOptions) -> Iterator[Parsed]:
        # Files are read (and ``known`` asked) here, in walk order; at most ``2 × parse_slots`` are parsing or
        # waiting, so memory holds that many files' bytes. Results leave in walk order, each as soon as it and
        # every file before it are done.
        window: deque[tuple[Parsed | FileJob, Future | None]] = deque()
        in_flight = 0
        limit = max(1, 2 * self.pool.parse_slots)
        for item in read_all(paths, known, options):
            if isinstance(item, FileJob):
                window.append((item, self.pool.parse(item)))
                in_flight += 1
            else:
                window.append((item, None))
            while window and (in_flight >= limit or window[0][1] is None or window[0][1].done()):
                item, future = window.popleft()
                in_flight -= future is not None
                yield from _resolved(item, future)
        while window:
            yield from _resolved(*window.popleft())

    def embedder(self, embedder: Embedder, spec: str) -> Embedder:
        return PooledEmbedder(self.pool, embedder, spec)


def _resolved(item: Parsed | FileJob, future: Future | None) -> Iterator[Parsed]:
    if future is None:
        yield item  # type: ignore[misc]
        return
    result = future.result()
    if isinstance(result, Failure):
        yield result
    else:
        yield from result


class PooledEmbedder:
    """An ``Embedder`` whose ``embed`` deals the texts out to a pool's workers: worker i of k embeds texts i, i+k,
    i+2k ...; a build hands them over longest first, so every share pads to similar lengths and takes about
    as long. The workers start on the first call that needs them (an unchanged corpus starts none)."""

    def __init__(self, pool: Pool, local: Embedder, spec: str) -> None:
        self.pool, self.spec = pool, spec
        self.model_id = local.model_id
        self._dim: int | None = None

    def _slots(self) -> int:
        slots = self.pool.embed_slots(self.spec)
        if self._dim is None:
            from index.errors import ClusterError

            model_id, dim = self.pool.model()
            if model_id != self.model_id:
                raise ClusterError(f"the workers load {model_id} for {self.spec!r}, this machine {self.model_id}: "
                                   "install the same model on both")
            self._dim = dim
        return slots

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._slots()
        return self._dim  # type: ignore[return-value]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        k = min(self._slots(), max(1, len(texts) // MIN_SHARE))
        futures = [self.pool.embed(i, texts[i::k]) for i in range(k)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, future in enumerate(futures):
            out[i::k] = future.result()
        return out


class ThreadPool:
    """A pool of threads in this process: the same orchestration as a cluster's, without one. Threads share
    the interpreter, so it shows the seam rather than speed; embedders are loaded one per worker."""

    def __init__(self, workers: int = 2) -> None:
        self.parse_slots = workers
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="councilqa-pool")
        self._embedders: list[Embedder] = []

    def parse(self, job: FileJob) -> Future:
        return self._threads.submit(parse_job, job)

    def embed_slots(self, spec: str) -> int:
        if not self._embedders:
            self._embedders = [load_embedder(spec) for _ in range(self.parse_slots)]
        return len(self._embedders)

    def embed(self, slot: int, texts: list[str]) -> Future:
        return self._threads.submit(self._embedders[slot].embed, texts)

    def model(self) -> tuple[str, int]:
        return self._embedders[0].model_id, self._embedders[0].dim

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ThreadPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
