"""Councils named right, measured two ways (issue #22):

1. pages: a corpus (``../shared/corpus-uk``) ingested as ONE folder without ``--council``, as a new user would:
   how many decisions have a council, and how many of those are the council the corpus's ``manifest.jsonl``
   gives their page (the same council by the national list or by its distinctive part); once with its pages
   copied into one flat folder (what the pages themselves say), once as it is (a folder a council);
2. questions: the council each gold question is read as (``qa.councils``: the index's council it names, or
   a council it asks about that the index lacks), against the council its metadata names; the sample's sets
   are all Kent County Council's. A question read as no council is not wrong (it is answered over every
   council); one read as another council is.

    python -m eval.councils [--corpus ../shared/corpus-uk] [--details]
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from eval.data import GOLD_DIR

SAMPLE_COUNCIL = "Kent County Council"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-uk"


def manifest(corpus: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return {r["file"]: r["council"] for r in rows}


def pages(corpus: Path, flat: bool = False) -> dict:
    """The corpus as one folder, no --council, embedded by the hashing embedder (councils do not depend on
    the model): decisions, those with a council, those whose council is their page's. ``flat``: every page
    copied into one folder first, so that no folder's name tells its council (what the pages say alone)."""
    import shutil

    from index.build import build, current_generation
    from index.decisions import list_decisions
    from index.embed import load_embedder
    from index.store import DB_NAME, Store
    from ingest.councils import same_council

    truth = manifest(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "ix"
        source = corpus
        if flat:
            source = Path(tmp) / "pages"
            source.mkdir()
            for name in truth:
                shutil.copy(corpus / name, source / name.replace("/", "__"))
        build([source], index_dir, load_embedder("hash:384"), "hash:384")
        with Store(current_generation(index_dir) / DB_NAME, readonly=True) as store:
            decisions = list_decisions(store)
    rows = []
    for d in decisions:
        files = {"/".join(Path(doc.path.split("#")[0]).parts[-2:]).replace("pages/", "").replace("__", "/")
                 for doc in d.documents}
        expected = {truth[f] for f in files if f in truth}
        want = sorted(expected)[0] if expected else ""
        rows.append({"decision": d.number, "council": d.council, "expected": want,
                     "right": bool(d.council) and same_council(d.council, want)})
    named = [r for r in rows if r["council"]]
    return {"decisions": len(rows), "with_council": len(named), "right": sum(r["right"] for r in rows),
            "wrong": [r for r in named if not r["right"]], "none": [r for r in rows if not r["council"]]}


def _questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def questions(corpus: Path) -> dict[str, dict]:
    """Per gold set: questions with a council, read as it, read as none, read as another (listed)."""
    from qa.councils import named_councils, unknown_council

    uk_councils = tuple(sorted(set(manifest(corpus).values())))
    sets = {"sample": GOLD_DIR / "queries.jsonl"}
    sets |= {p.parent.name: p for p in sorted(GOLD_DIR.glob("*/queries.jsonl"))}
    out = {}
    for name, path in sets.items():
        sample = name == "sample" or name.startswith("heldout")
        councils = (SAMPLE_COUNCIL,) if sample else uk_councils
        tally: Counter[str] = Counter()
        wrong, unlabelled = [], []
        for q in _questions(path):
            expected = SAMPLE_COUNCIL if sample else q.get("metadata", {}).get("council", "")
            # as ``qa.ask`` reads it: the index's councils it names, else a council it names that is not indexed
            got = named_councils(q["text"], list(councils))
            stranger = "" if got else unknown_council(q["text"], list(councils))
            got = got or ([f"not indexed: {stranger}"] if stranger else [])
            if not expected:
                unlabelled.append((q["_id"], q["text"], got))
                continue
            tally["questions"] += 1
            if not got:
                tally["none"] += 1
            elif got == [expected]:
                tally["right"] += 1
            else:
                tally["wrong"] += 1
                wrong.append((q["_id"], q["text"], got, expected))
        out[name] = {**tally, "wrong_items": wrong, "unlabelled": unlabelled}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.councils", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--details", action="store_true", help="list every decision and question not read right")
    parser.add_argument("--skip-pages", action="store_true", help="questions only (no index is built)")
    args = parser.parse_args(argv)
    for flat in ([] if args.skip_pages else [True, False]):
        p = pages(args.corpus, flat)
        how = "its pages in one flat folder" if flat else "as it is (a folder a council)"
        print(f"the corpus {how}, no --council: {p['decisions']} decisions, {p['with_council']} with a council, "
              f"{p['right']} of them right, {len(p['wrong'])} wrong, {len(p['none'])} without one")
        if args.details:
            for r in p["wrong"]:
                print(f"  wrong {r['decision']}: {r['council']!r} (page of {r['expected']})")
            for r in p["none"]:
                print(f"  none  {r['decision']} (page of {r['expected']})")
    print("| set | questions with a council | read as it | read as none | read as another |")
    print("|---|---|---|---|---|")
    totals: Counter[str] = Counter()
    results = questions(args.corpus)
    for name, r in results.items():
        print(f"| {name} | {r.get('questions', 0)} | {r.get('right', 0)} | {r.get('none', 0)} | {r.get('wrong', 0)} |")
        totals.update({k: v for k, v in r.items() if isinstance(v, int)})
    print(f"| all | {totals['questions']} | {totals['right']} | {totals['none']} | {totals['wrong']} |")
    if args.details:
        for name, r in results.items():
            for qid, text, got, expected in r["wrong_items"]:
                print(f"  {name} {qid}: {text!r} read as {got} (asked of {expected})")
            for qid, text, got in r["unlabelled"]:
                print(f"  {name} {qid} (no council in its metadata): {text!r} read as {got or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
