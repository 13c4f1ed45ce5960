"""Run a parse in a child process under a time limit and a memory limit.

PDF parsers have looped forever and exhausted memory on crafted files (pypdf CVE-2023-36464), and our own
regular expressions once took hours on a line of spaces or a heading of capitalised words
(``eval/parse_worst.py``): so the parse of a file happens in a forked child that is killed when its time is up.
Results come back as JSON over a pipe (no pickle): ``{"value": ...}`` or ``{"error": ...}``, read to its end.

The child is a bare ``os.fork``. Its first act is to close every file it inherited but its end of the pipe: the
index's writer lock above all (``index.lock``: an ``flock`` lasts while any copy of its descriptor is open), so a
child left running by an ingest killed mid-parse holds no lock and, reading nothing, no pipe. It holds no
collector over the parent's objects either (``gc.freeze``): it frees nothing it did not make.

A child runs whatever it calls in place: the whole parse of a file (``ingest.pipeline.parse_job``) already holds
the PDF reader it calls inside its own bound, so the reader forks no second child.
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import time
from typing import Any

from ingest.errors import UnreadableDocument

MAX_CHILD_MEMORY = 2 * 1024 ** 3  # the parse may grow the child by this much address space
CPU_GRACE_S = 5  # CPU seconds a child may use past twice its time limit before the kernel stops it
DAMAGED = "damaged or unsupported file"
_bounded = False  # True in a child: what it calls is already under its bound


def _address_space_in_use() -> int:
    """Virtual size of this process: a child forked from one with torch or Gradio loaded starts gigabytes in."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _call(func_path: str, args: tuple, fault: str) -> Any:
    """``module:function(*args)``; a failure that is not ours comes out as an ``UnreadableDocument`` reason."""
    module, func = func_path.split(":")
    try:
        return getattr(importlib.import_module(module), func)(*args)
    except UnreadableDocument:
        raise
    except MemoryError:
        raise UnreadableDocument("", "the parser ran out of memory on this file") from None
    except Exception as exc:  # a parser's own exception on damaged input, reported as a reason
        raise UnreadableDocument("", f"{fault} ({type(exc).__name__}: {str(exc)[:200]})") from None


def _limit(timeout_s: float) -> None:
    try:
        import resource

        limit = _address_space_in_use() + MAX_CHILD_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        # the parent stops the child on time; should the parent die first (killed mid-ingest), the kernel stops a
        # child still computing once it has used twice its time in CPU (twice: a library may compute on two
        # threads), so no parse outlives its ingest for long
        cpu = int(2 * timeout_s) + CPU_GRACE_S
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ImportError, ValueError, OSError):
        pass


def _child(out: int, func_path: str, args: tuple, fault: str, timeout_s: float) -> None:  # in the child process
    global _bounded
    _bounded = True
    import gc

    gc.freeze()  # the parent's objects, cycles included, are the parent's to free (and their pages stay shared)
    _limit(timeout_s)
    try:
        payload = {"value": _call(func_path, args, fault)}
    except UnreadableDocument as exc:
        payload = {"error": exc.reason}
    try:
        message = json.dumps(payload).encode("utf-8")
    except MemoryError:
        message = json.dumps({"error": "the parser ran out of memory on this file"}).encode("utf-8")
    view = memoryview(message)
    while view:
        view = view[os.write(out, view):]


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it; None if ``deadline`` comes first."""
    chunks = []
    poller = select.poll()  # not select(): a server's descriptors may number past select's 1024
    poller.register(fd, select.POLLIN)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(left * 1000):
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_bounded(func_path: str, args: tuple, name: str, timeout_s: float, fault: str = DAMAGED) -> Any:
    """``module:function(*args)`` in a child, its JSON value returned; ``UnreadableDocument`` on an error, on
    time-out, or when the child dies. ``fault`` opens the reason given for an exception the function raised that
    is not ours. In a child already (a parse that holds another), the function runs here."""
    if _bounded:
        return _call(func_path, args, fault)
    deadline = time.monotonic() + timeout_s
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.closerange(3, write_end)
            os.closerange(write_end + 1, max(write_end + 1, os.sysconf("SC_OPEN_MAX")))
            _child(write_end, func_path, args, fault, timeout_s)
        finally:
            os._exit(0)
    os.close(write_end)
    message = None
    try:
        message = _read_until(read_end, deadline)
    finally:
        os.close(read_end)
        if message is None:  # out of time (or interrupted): the child goes
            os.kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # reaped already (a host that ignores SIGCHLD)
            pass
    if message is None:
        raise UnreadableDocument(name, f"the parser took longer than {timeout_s:g} s, the time limit for one file, "
                                 "and was stopped")
    try:
        payload = json.loads(message.decode("utf-8"))
    except ValueError:  # nothing, or half a message: the child died
        raise UnreadableDocument(name, "the parser crashed on this file") from None
    if not isinstance(payload, dict) or not ("error" in payload or "value" in payload):
        raise UnreadableDocument(name, "the parser crashed on this file")
    if "error" in payload:
        raise UnreadableDocument(name, str(payload["error"]))
    return payload["value"]


def run_with_timeout(func_path: str, data: bytes, name: str, timeout_s: float) -> str:
    """Call ``module:function(data) -> str`` in a child; raise ``UnreadableDocument`` on error or time-out."""
    text = run_bounded(func_path, (data,), name, timeout_s)
    if not isinstance(text, str):
        raise UnreadableDocument(name, "the parser returned no text")
    return text
