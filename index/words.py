"""The light English stemmer that keyword expansion (``index.thesaurus``) and evidence scoring (``qa``) share."""
from __future__ import annotations

from functools import lru_cache

_IRREGULAR = {"took": "take", "taken": "take", "made": "make", "spent": "spend", "paid": "pay", "began": "begin",
              "begun": "begin", "won": "win", "cost": "cost", "costs": "cost", "agreed": "agree", "agree": "agree"}


@lru_cache(maxsize=200_000)  # a pure function of a word, called for every word of every passage an answer reads
def stem(word: str) -> str:
    """Enough to match 'contracts' with 'contract' and 'funded' with 'funding'."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix in ("ings", "ing", "ies", "ied", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return w
