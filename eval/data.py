"""The gold set, BEIR-style: ``queries.jsonl`` and ``qrels/test.tsv`` at paragraph level (``22/00034#4.2``).

The corpus is the bundled sample (``data/sample``); a paragraph id is its decision number and label.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class GoldQuestion:
    qid: str
    text: str
    kind: str  # amount, count, date, who, paraphrase, general, list, out
    facts: tuple[str, ...]  # each must appear in the answer (case-insensitive)
    relevant: frozenset[str]  # paragraph ids

    @property
    def answerable(self) -> bool:
        return self.kind != "out"

    @property
    def decisions(self) -> frozenset[str]:
        if self.kind == "list":
            return frozenset(self.facts)
        return frozenset(r.split("#", 1)[0] for r in self.relevant)


def load_gold(directory: Path = GOLD_DIR) -> list[GoldQuestion]:
    relevant: dict[str, set[str]] = {}
    with open(directory / "qrels" / "test.tsv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["score"]) > 0:
                relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
    out = []
    with open(directory / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                meta = q.get("metadata", {})
                out.append(GoldQuestion(q["_id"], q["text"], meta.get("type", "general"), tuple(meta.get("facts", [])),
                                        frozenset(relevant.get(q["_id"], ()))))
    return out
