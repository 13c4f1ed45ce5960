"""Run a parse in a child process under a time limit and a memory limit.

PDF parsers have looped forever and exhausted memory on crafted files (pypdf CVE-2023-36464), and our own
regular expressions once took hours on a line of spaces or a heading of capitalised words
(``eval/parse_worst.py``): so the parse of a file happens in a forked child that is killed when its time is up.
Results come back as JSON over a pipe (no pickle): ``{"value": ...}`` or ``{"error": ...}``.

A child runs whatever it calls in place: the whole parse of a file (``ingest.pipeline.parse_job``) already holds
the PDF reader it calls inside its own bound, so the reader forks no second child.
"""
from __future__ import annotations

import importlib
import json
import multiprocessing as mp
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
            import os

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


def _child(conn, func_path: str, args: tuple, fault: str, timeout_s: float) -> None:  # runs in the child process
    global _bounded
    _bounded = True
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
    try:
        payload = {"value": _call(func_path, args, fault)}
    except UnreadableDocument as exc:
        payload = {"error": exc.reason}
    try:
        message = json.dumps(payload).encode("utf-8")
    except MemoryError:
        message = json.dumps({"error": "the parser ran out of memory on this file"}).encode("utf-8")
    conn.send_bytes(message)
    conn.close()


def run_bounded(func_path: str, args: tuple, name: str, timeout_s: float, fault: str = DAMAGED) -> Any:
    """``module:function(*args)`` in a child, its JSON value returned; ``UnreadableDocument`` on an error, on
    time-out, or when the child dies. ``fault`` opens the reason given for an exception the function raised that
    is not ours. In a child already (a parse that holds another), the function runs here."""
    if _bounded:
        return _call(func_path, args, fault)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, func_path, args, fault, timeout_s), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise UnreadableDocument(name, f"the parser took longer than {timeout_s:g} s, the time limit for one "
                                     "file, and was stopped")
        try:
            payload = json.loads(parent.recv_bytes().decode("utf-8"))
        except EOFError:
            raise UnreadableDocument(name, "the parser crashed on this file") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if "error" in payload:
        raise UnreadableDocument(name, payload["error"])
    return payload["value"]


def run_with_timeout(func_path: str, data: bytes, name: str, timeout_s: float) -> str:
    """Call ``module:function(data) -> str`` in a child; raise ``UnreadableDocument`` on error or time-out."""
    text = run_bounded(func_path, (data,), name, timeout_s)
    if not isinstance(text, str):
        raise UnreadableDocument(name, "the parser returned no text")
    return text
