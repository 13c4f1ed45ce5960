"""A parser that never returns, for the sandbox time-limit test (imported in the child by name)."""
import time


def hang(data: bytes) -> str:
    time.sleep(60)
    return ""


def crash(data: bytes) -> str:
    import os

    os._exit(1)
