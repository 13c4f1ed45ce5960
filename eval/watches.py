"""The watch relevance measure and its pages (issue #20).

``eval/data/watches/decisions.json`` holds 26 invented decisions of three invented councils; ``watches.json`` ten
watches with the decisions each should report, labelled by hand before any watch ran. ``page`` renders a decision
as a ModernGov "Decision details" page (the markup of the recorded pages, ``tests/data/layouts``); the tests
serve and ingest the same pages.

``python -m eval.watches [--model minilm|hash:384]`` indexes all 26, scores every decision for every watch
(``qa.watches.Matcher.scores``: the best passage's evidence) and prints, per bar, the alerts that are right
(precision), the relevant decisions reported (recall) and the false alerts, and the margin: the weakest relevant
decision against the strongest one that must not be reported.
"""
from __future__ import annotations

import argparse
import html
import json
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "watches"
BARS = (0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.42, 0.44, 0.46, 0.50)


def decisions(data: Path = DATA) -> list[dict]:
    return json.loads((data / "decisions.json").read_text(encoding="utf-8"))["decisions"]


def watches(data: Path = DATA) -> list[dict]:
    return json.loads((data / "watches.json").read_text(encoding="utf-8"))["watches"]


def _uk(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}&#47;{m}&#47;{y}"


def page(d: dict, status: str | None = None, extra: str = "") -> str:
    """A decision as ModernGov prints its "Decision details" page (``status``: another printed status;
    ``extra``: a paragraph added to the decision, as when a council corrects a page)."""
    e = lambda text: html.escape(text, quote=False)  # noqa: E731
    paras = "".join(f'<p class="MsoNormal">({n})&nbsp;{e(p)}</p>\n' for n, p in enumerate(d["decision"], 1))
    if extra:
        paras += f'<p class="MsoNormal">{e(extra)}</p>\n'
    return f"""<html><head><title>Decision - {e(d['title'])}</title></head><body><div id="modgov">
<div class="mgHeader"><h1  class="mgMainTitleTxt" >Decision details</h1></div>
<div class="mgSubTitle" ><h2 class="mgSubTitleTxt">{e(d['title'])}</h2></div>
<div class="mgContent" >
<p><span  class="mgLabel" >Decision Maker: </span>{e(d['maker'])}</p>
<p><span  class="mgLabel" >Decision status: </span><span  class="mgPlanItemInForce" >{e(status or d['status'])}</span>
</p>
<p><span  class="mgLabel" >Is Key decision?: </span>Yes</p>
<p><span  class="mgLabel" >Is subject to call in?: </span>Yes</p>
<h3 class="mgSubSubTitleTxt">Purpose:</h3>
<div class="mgWordPara"><div class="WordSection1"><p class="MsoNormal">{e(d['purpose'])}</p></div></div>
<h3 class="mgSubSubTitleTxt">Decision:</h3>
<div class="mgWordPara"><div class="WordSection1">
{paras}</div></div>
<h3 class="mgSubSubTitleTxt">Reasons for the decision:</h3>
<div class="mgWordPara"><div class="WordSection1"><p class="MsoNormal">{e(d['reasons'])}</p></div></div>
<p><span  class="mgLabel" >Wards affected: </span>{e(d['wards'])}</p>
<p><span  class="mgLabel" >Publication date: </span>{_uk(d['published'])}</p>
<p><span  class="mgLabel" >Date of decision: </span>{_uk(d['decided'])}</p>
<p>{e(d['council'])}</p>
</div></div></body></html>"""


def write_pages(folder: Path, keys=None, batch: int | None = None, data: Path = DATA) -> dict[str, Path]:
    """The pages of the decisions named (or of one batch, or all) as ``KEY.html`` files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for d in decisions(data):
        if (keys is not None and d["key"] not in keys) or (batch is not None and d["batch"] != batch):
            continue
        path = folder / f"{d['key']}.html"
        path.write_text(page(d), encoding="utf-8")
        out[d["key"]] = path
    return out


def ids_by_key(index_dir: Path) -> dict[str, str]:
    """Each page's decision id in the index (``KEY.html`` -> id)."""
    import sqlite3

    from index.build import current_generation
    from index.store import DB_NAME

    conn = sqlite3.connect(f"file:{current_generation(index_dir) / DB_NAME}?mode=ro", uri=True)
    try:
        return {Path(path).stem: number for path, number in conn.execute("SELECT path, number FROM documents")}
    finally:
        conn.close()


def measure(model: str, workdir: Path, data: Path = DATA) -> dict:
    from index.build import build
    from index.embed import load_embedder
    from index.filters import Filters
    from index.search import Searcher
    from qa.watches import Matcher

    pages = workdir / "pages"
    write_pages(pages, data=data)
    embedder = load_embedder(model)
    index_dir = workdir / "index"
    build([pages], index_dir, embedder, model)
    ids = ids_by_key(index_dir)
    matcher = Matcher(Searcher(index_dir, embedder=embedder))
    rows = []
    for w in watches(data):
        filters = Filters(**{"council": w.get("filters", {}).get("council", "")})
        allowed = {k for k, n in ids.items() if not filters.council
                   or filters.council.lower() in next(d["council"] for d in decisions(data) if d["key"] == k).lower()}
        scores = matcher.scores(w["query"], [ids[k] for k in sorted(allowed)])
        by_key = {k: scores[ids[k]] for k in allowed}
        rows.append({"watch": w["name"], "query": w["query"], "scores": by_key, "relevant": w["relevant"],
                     "either": w["either"]})
    return {"model": embedder.model_id, "watches": rows, "bars": [_at(rows, bar) for bar in BARS]}


def _at(rows: list[dict], bar: float) -> dict:
    reported = right = false = relevant = found = 0
    misses, false_alerts = [], []
    for r in rows:
        for key, score in r["scores"].items():
            hit = score >= bar
            if key in r["relevant"]:
                relevant += 1
                found += hit
                if not hit:
                    misses.append(f"{r['watch']}:{key}")
            elif key not in r["either"] and hit:
                false += 1
                false_alerts.append(f"{r['watch']}:{key}")
            if hit and key not in r["either"]:
                reported += 1
                right += key in r["relevant"]
    return {"bar": bar, "precision": round(right / reported, 3) if reported else 1.0,
            "recall": round(found / relevant, 3) if relevant else 1.0, "false_alerts": false, "misses": misses,
            "false": false_alerts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="a folder of decisions.json and watches.json (default: eval/data/watches; "
                             "eval/data/watches_heldout is the set written blind)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(args.model, Path(tmp), args.data)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"model {result['model']}")
    for r in result["watches"]:
        rel = [r["scores"][k] for k in r["relevant"]]
        neg = [s for k, s in r["scores"].items() if k not in r["relevant"] and k not in r["either"]]
        worst = max((k for k in r["scores"] if k not in r["relevant"] and k not in r["either"]),
                    key=lambda k: r["scores"][k])
        print(f"{r['watch']:<24} weakest relevant {min(rel):.3f}  strongest unrelated {max(neg):.3f} ({worst})")
    print("\n| bar | precision | recall | false alerts | misses |\n|---|---|---|---|---|")
    for b in result["bars"]:
        print(f"| {b['bar']:.2f} | {b['precision']:.3f} | {b['recall']:.3f} | {b['false_alerts']} | "
              f"{', '.join(b['misses']) or '-'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
