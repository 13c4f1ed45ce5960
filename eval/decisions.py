"""How many of a corpus's printed decisions the index recognises, with which fields as printed.

The gold is ``decisions.jsonl`` beside a gold set (``eval/data/uk``): one line per decision a page prints,
with its file, reference, title, decision maker and decision date. A gold decision is recognised when the index
holds a decision read from the same page with the same reference, or (where none is printed, or ours differs)
the same title. Fields are compared after case and spacing are set aside; a title matches if either contains
the other (pages cut titles short, and lists append their list number).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("title", "decision_maker", "date", "reference", "council")


@dataclass(frozen=True)
class DecisionCheck:
    total: int
    recognised: int
    fields: dict[str, tuple[int, int]]  # field -> (as printed, printed at all)
    missed: list[str]
    wrong: dict[str, list[str]]

    def summary(self) -> dict:
        return {"decisions": self.total, "recognised": self.recognised,
                "recognised_share": round(self.recognised / max(1, self.total), 3),
                **{f"{name}_ok": f"{ok}/{n}" for name, (ok, n) in self.fields.items()}}


def _norm(text: str) -> str:
    return " ".join(str(text or "").replace("’", "'").replace("–", "-").lower().split()).strip(" .")


def _title_match(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a in b or b in a)


def _page(path: str) -> str:
    return "/".join(Path(path.split("#", 1)[0]).parts[-2:])


def check(gold_file: Path, decisions: list) -> DecisionCheck:
    """``decisions``: ``index.decisions.Decision`` records of an index of the corpus."""
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_page: dict[str, list] = {}
    for d in decisions:
        for page in {_page(doc.path) for doc in d.documents}:
            by_page.setdefault(page, []).append(d)
    fields = {name: [0, 0] for name in FIELDS}
    recognised, missed, wrong = 0, [], {name: [] for name in FIELDS}
    for g in gold:
        ours = by_page.get(g["file"], [])
        refs = [g.get("reference", "")] + list(g.get("other_references", []))
        match = next((d for d in ours if g.get("reference") and _norm(d.reference) in {_norm(r) for r in refs if r}),
                     None) or next((d for d in ours if _title_match(d.title, g.get("title", ""))), None)
        if match is None and len(ours) == 1 and sum(1 for x in gold if x["file"] == g["file"]) == 1:
            match = ours[0]
        label = f"{g['file']} {g.get('reference') or g.get('title', '')[:50]}"
        if match is None:
            missed.append(label)
            continue
        recognised += 1
        expected = {"title": g.get("title", ""), "decision_maker": g.get("decision_maker", ""),
                    "date": g.get("decision_date", ""), "reference": g.get("reference", ""),
                    "council": g.get("council", "")}
        got = {"title": match.title, "decision_maker": match.decision_maker,
               "date": match.date or match.dates.get("decision", ""), "reference": match.reference,
               "council": match.council}
        for name in FIELDS:
            if not expected[name]:
                continue
            fields[name][1] += 1
            ok = (_title_match(got[name], expected[name]) if name in ("title", "decision_maker")
                  else _norm(got[name]) in {_norm(r) for r in (refs if name == "reference" else [expected[name]])})
            if ok:
                fields[name][0] += 1
            else:
                wrong[name].append(f"{label}: {got[name]!r} (printed {expected[name]!r})")
    return DecisionCheck(len(gold), recognised, {k: (v[0], v[1]) for k, v in fields.items()}, missed, wrong)
