"""The weights answers are ranked and abstained by, as data (``qa/data/weights.json``): each feature's weight in
a sentence's score (``qa.evidence``) and a passage's (``qa.rerank``), the abstention threshold and the dominance
margin (``qa.ask``). ``python -m eval.fit`` fits them on the uk gold sets and says, leaving one council out,
whether the fit does better than what is written here."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).parent / "data" / "weights.json"
_TRIED: ContextVar[dict | None] = ContextVar("tried_weights", default=None)  # ``trying``: weights under test


@lru_cache(maxsize=1)
def _weights() -> dict:
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))


def _current() -> dict:
    return _TRIED.get() or _weights()


def weights_of(part: str) -> dict[str, float]:
    """One part's feature weights ("sentence", "rerank")."""
    return dict(_current()[part])


def setting(name: str) -> float:
    """A single setting ("threshold", "dominance")."""
    return float(_current()[name])


@contextmanager
def trying(weights: dict) -> Iterator[None]:
    """Answers in this block are ranked by ``weights`` (``eval.fit`` judging a fit on held-out councils)."""
    token = _TRIED.set(weights)
    try:
        yield
    finally:
        _TRIED.reset(token)
