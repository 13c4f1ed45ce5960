"""The gold set, BEIR-style: ``queries.jsonl`` and ``qrels/test.tsv`` at paragraph level (``22/00034#4.2``).

The corpus is the bundled sample (``data/sample``); a paragraph id is its decision number and label.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "data"
# Held-out sets (eval/README.md): ``heldout`` was written and run once before the thesaurus and answer rules of
# 2026-11-23; ``heldout2`` was written at the same time and not run until those changes were done; ``heldout3``
# was written after them and committed unrun, then run once; ``heldout4`` (18 questions, three out-of-corpus) was
# written at the start of the next session and committed unrun, before that session's changes.


def gold_dir(name: str | None) -> Path:
    """``None`` → the gold set; a held-out set's name → eval/data/NAME; else a directory with queries.jsonl and
    qrels/test.tsv."""
    if not name:
        return GOLD_DIR
    path = GOLD_DIR / name if name.isidentifier() and (GOLD_DIR / name).is_dir() else Path(name)
    if not _queries(path).is_file() or not (path / "qrels" / "test.tsv").is_file():
        raise ValueError(f"{name}: not a gold set (queries.jsonl and qrels/test.tsv expected)")
    return path


@dataclass(frozen=True)
class GoldQuestion:
    qid: str
    text: str
    kind: str  # amount, count, date, who, paraphrase, general, list, out
    facts: tuple[str, ...]  # each must appear in the answer (case-insensitive)
    relevant: frozenset[str]  # paragraph ids
    at_scale: str = ""  # the question as it must be asked among thousands of decisions (see ``scaled``)
    # Gold sets over pages whose decision ids are ours to assign (``uk``) name pages, not decisions: ``files``
    # are the pages that answer, and a paragraph is ``FILE#QUOTE``, a quote from it (``eval.run`` matches it).
    files: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()  # another accepted form of each fact ("" for none): a date in ISO form

    @property
    def answerable(self) -> bool:
        return self.kind != "out"

    @property
    def decisions(self) -> frozenset[str]:
        if self.files:
            return frozenset(self.files)
        if self.kind == "list":
            return frozenset(self.facts)
        return frozenset(r.split("#", 1)[0] for r in self.relevant)


def _queries(directory: Path) -> Path:
    """A set's questions: ``queries.jsonl`` (BEIR's name), or ``questions.jsonl`` (the amounts set's)."""
    return directory / "queries.jsonl" if (directory / "queries.jsonl").is_file() else directory / "questions.jsonl"


def load_gold(directory: Path = GOLD_DIR) -> list[GoldQuestion]:
    relevant: dict[str, set[str]] = {}
    with open(directory / "qrels" / "test.tsv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["score"]) > 0:
                relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
    out = []
    with open(_queries(directory), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                meta = q.get("metadata", {})
                files = tuple(meta.get("files") or ([meta["file"]] if meta.get("file") else []))
                out.append(GoldQuestion(q["_id"], q["text"], meta.get("type", "general"), tuple(meta.get("facts", [])),
                                        frozenset(relevant.get(q["_id"], ())), meta.get("at_scale", ""), files,
                                        tuple(meta.get("facts_iso", []))))
    return out


def scaled(gold: list[GoldQuestion]) -> list[GoldQuestion]:
    """The gold set as asked of an index with thousands of other decisions (the distractor eval).

    - A question that says only "the council budget" or "young people aged 18 to 25" has an answer in every
      look-alike decision; at scale a person names the decision ("... in the external community opportunities
      decision"), so such a question is asked as its ``at_scale`` wording.
    - "Which decisions are still proposed?" has a different true answer once other decisions are indexed, so
      list questions are left out.
    """
    return [GoldQuestion(q.qid, q.at_scale or q.text, q.kind, q.facts, q.relevant, "", q.files, q.alternatives)
            for q in gold if q.kind != "list"]


SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
# Gold sets whose pages are not bundled: where their corpus is found when --corpus is not given.
CORPORA = {name: SHARED / "corpus-uk" for name in ("uk", "ukheldout", "ukheldout2", "ukheldout3", "ukheldout4", "ukheldout5",
                                                   "ukheldout6", "ukheldout7", "uknear", "ukheldout8", "uknear2", "ukheldout9",
                                                   "ukheldout10", "ukheldout11", "ukheldout12", "ukheldout13", "ukheldout14",
                                                   "ukheldout15", "ukheldout16", "ukheldout17", "ukheldout18")}
CORPORA["amounts"] = SHARED / "corpus-uk"  # issue #21's follow-the-money questions (and labelled amounts: eval.ledger)


def corpus_of(name: str | None, given: str | None) -> Path | None:
    """The folder of pages a gold set is asked over: ``--corpus``, else the set's known place, else None (the
    bundled sample). Raises with what to do when a set's pages are not on this machine."""
    if given:
        path = Path(given)
    elif name in CORPORA:
        path = CORPORA[name]
    else:
        return None
    if not path.is_dir():
        raise ValueError(f"the {name or 'given'} gold set reads its pages from {path}, which is not here: "
                         "give --corpus DIR")
    return path


def corpus_councils(folder: Path) -> dict[str, list[Path]]:
    """The corpus's pages by council, as its ``manifest.jsonl`` names them ("" for pages it does not list)."""
    councils: dict[str, str] = {}
    manifest = folder / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                councils[entry["file"]] = entry.get("council", "")
    out: dict[str, list[Path]] = {}
    for path in corpus_files(folder):
        out.setdefault(councils.get(path.relative_to(folder).as_posix(), ""), []).append(path)
    return out


def corpus_files(folder: Path) -> list[Path]:
    """The pages of a corpus folder: its documents, not its SOURCES.md or manifest.jsonl."""
    skip = {"sources.md", "manifest.jsonl", "readme.md"}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower() not in skip
                  and not p.name.startswith("."))
