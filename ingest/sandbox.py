"""Run a document parser in a child process under a time limit.

PDF parsers have looped forever and exhausted memory on crafted files (pypdf CVE-2023-36464), so the parse
of a binary format happens in a forked child that is killed when its time is up. Results come back as JSON
over a pipe (no pickle): ``{"text": ...}`` or ``{"error": ...}``.
"""
from __future__ import annotations

import importlib
import json
import multiprocessing as mp

from ingest.errors import UnreadableDocument

MAX_CHILD_MEMORY = 2 * 1024 ** 3  # the parse may grow the child by this much address space


def _address_space_in_use() -> int:
    """Virtual size of this process: a child forked from one with torch or Gradio loaded starts gigabytes in."""
    try:
        with open("/proc/self/statm") as f:
            import os

            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, func_path: str, data: bytes, name: str) -> None:  # runs in the child process
    try:
        import resource

        limit = _address_space_in_use() + MAX_CHILD_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        module, func = func_path.split(":")
        text = getattr(importlib.import_module(module), func)(data)
        payload = {"text": text}
    except UnreadableDocument as exc:
        payload = {"error": exc.reason}
    except MemoryError:
        payload = {"error": "the parser ran out of memory on this file"}
    except Exception as exc:  # a parser's own exception on damaged input, reported as a reason
        payload = {"error": f"damaged or unsupported file ({type(exc).__name__}: {str(exc)[:200]})"}
    conn.send_bytes(json.dumps(payload).encode("utf-8"))
    conn.close()


def run_with_timeout(func_path: str, data: bytes, name: str, timeout_s: float) -> str:
    """Call ``module:function(data) -> str`` in a child; raise ``UnreadableDocument`` on error or time-out."""
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, func_path, data, name), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise UnreadableDocument(name, f"the parser took longer than {timeout_s:g} s and was stopped")
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
    return payload["text"]
