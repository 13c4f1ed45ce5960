"""The awards ledger against the hand-labelled amounts (``eval/data/amounts/amounts.jsonl``, issue #21).

Each labelled amount is mapped to the ledger entry read from the same file, with the same figure as printed, whose
quote holds the labelled quote (or is held by it); two printings of one figure in one sentence map in order. Then:

- found: labelled amounts that map to an entry (the ledger's recall of amounts);
- kind precision: of the mapped entries that claim a kind, the share whose kind is the label's (coverage: the
  share that claim one; an entry whose text names no kind claims none);
- period precision: of the mapped entries that state a period (not "unstated"), the share that is the label's;
  period recall: of the labelled amounts with a stated period, the share read right;
- counterparty precision: of the mapped entries that name a counterparty, the share that name the label's (names
  compared normalised, ``ingest.orgs.org_key``); recall: of the labelled amounts with a counterparty, the share
  named right.

``python -m eval.ledger [--details] [--json]``; ``councilqa eval --gold amounts`` prints the same table first.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from eval.data import GOLD_DIR, SHARED

AMOUNTS = GOLD_DIR / "amounts" / "amounts.jsonl"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@dataclass
class LedgerScore:
    labelled: int = 0
    found: int = 0
    kind_claimed: int = 0
    kind_right: int = 0
    period_claimed: int = 0
    period_right: int = 0
    period_labelled: int = 0
    period_recalled: int = 0
    party_claimed: int = 0
    party_right: int = 0
    party_labelled: int = 0
    party_recalled: int = 0
    misses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        div = lambda a, b: round(a / b, 3) if b else 0.0  # noqa: E731
        return {"labelled": self.labelled, "found": self.found,
                "kind_precision": div(self.kind_right, self.kind_claimed),
                "kind_coverage": div(self.kind_claimed, self.found),
                "period_precision": div(self.period_right, self.period_claimed),
                "period_recall": div(self.period_recalled, self.period_labelled),
                "counterparty_precision": div(self.party_right, self.party_claimed),
                "counterparty_recall": div(self.party_recalled, self.party_labelled),
                "counterparty_claimed": self.party_claimed}


def _path(file: str, corpus: Path) -> Path:
    return SAMPLE / file.split("/", 1)[1] if file.startswith("sample/") else corpus / file


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def _around(quote: str, amount: str, reach: int = 25) -> str:
    """The quote's words around the figure: a quote that is a printed line may hold the end of the sentence before
    (and the start of the one after), where the entry's quote is its own sentence."""
    at = quote.find(amount)
    if at < 0:
        return quote
    left = quote.rfind(". ", 0, at)
    start = max(at - reach, left + 2 if left >= 0 else 0)
    right = quote.find(". ", at + len(amount))
    end = min(at + len(amount) + reach, right if right >= 0 else len(quote))
    return quote[start:end]


def read_files(files: list[str], corpus: Path) -> dict[str, list]:
    """Each file's ledger entries, every part of a page together, in the order printed."""
    from ingest.pipeline import parse_parts

    out = {}
    for file in files:
        path = _path(file, corpus)
        out[file] = [e for doc in parse_parts(path.read_bytes(), str(path)) for e in doc.meta.ledger]
    return out


def score(labels: list[dict], entries: dict[str, list]) -> LedgerScore:
    from ingest.orgs import org_key

    s = LedgerScore(labelled=len(labels))
    used: set[tuple[str, int]] = set()
    for item in labels:
        quote = _norm(item["quote"])
        match = None
        for i, e in enumerate(entries[item["file"]]):
            sentence = _norm(e.sentence)
            if (item["file"], i) in used or _norm(e.text) != _norm(item["amount"]):
                continue
            if quote in sentence or sentence in quote or _around(quote, _norm(item["amount"])) in sentence:
                match = (i, e)
                break
        gold_party = item.get("counterparty") or ""
        if item["period"] != "unstated":
            s.period_labelled += 1
        if gold_party:
            s.party_labelled += 1
        if match is None:
            s.misses.append(f"{item['id']} not found: {item['amount']} in {item['file']}")
            continue
        used.add((item["file"], match[0]))
        e = match[1]
        s.found += 1
        if e.kind:
            s.kind_claimed += 1
            s.kind_right += e.kind == item["kind"]
        if e.period != "unstated":
            s.period_claimed += 1
            s.period_right += e.period == item["period"]
        s.period_recalled += item["period"] != "unstated" and e.period == item["period"]
        right_party = bool(e.counterparty) and org_key(e.counterparty) == org_key(gold_party)
        if e.counterparty:
            s.party_claimed += 1
            s.party_right += right_party
        s.party_recalled += bool(gold_party) and right_party
        wrong = [f"kind {e.kind or '-'} (label {item['kind']})" if e.kind and e.kind != item["kind"] else "",
                 f"period {e.period} (label {item['period']})" if e.period != "unstated"
                 and e.period != item["period"] else "",
                 f"counterparty {e.counterparty or '-'} (label {gold_party or '-'})"
                 if (e.counterparty or gold_party) and not right_party else "",
                 f"no kind (label {item['kind']})" if not e.kind else "",
                 f"period unstated (label {item['period']})" if e.period == "unstated" != item["period"] else ""]
        if any(wrong):
            s.misses.append(f"{item['id']} {item['amount']}: " + "; ".join(w for w in wrong if w))
    return s


def evaluate(corpus: Path | None = None, labels_path: Path = AMOUNTS) -> LedgerScore:
    corpus = corpus or SHARED / "corpus-uk"
    labels = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not corpus.is_dir() and any(not item["file"].startswith("sample/") for item in labels):
        raise ValueError(f"the amounts set reads its pages from {corpus}, which is not here: give --corpus DIR")
    return score(labels, read_files(sorted({item["file"] for item in labels}), corpus))


def format_score(s: LedgerScore) -> str:
    m = s.summary()
    return (f"ledger: {m['found']}/{m['labelled']} labelled amounts found; kind precision {m['kind_precision']:.3f} "
            f"(coverage {m['kind_coverage']:.3f}); period precision {m['period_precision']:.3f} (recall "
            f"{m['period_recall']:.3f}); counterparty precision {m['counterparty_precision']:.3f} "
            f"({m['counterparty_claimed']} named), recall {m['counterparty_recall']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.ledger", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="the folder of corpus-uk's pages (default: ../shared/corpus-uk)")
    parser.add_argument("--details", action="store_true", help="print every amount read wrong or not found")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    s = evaluate(Path(args.corpus) if args.corpus else None)
    if args.json:
        print(json.dumps({**s.summary(), **({"misses": s.misses} if args.details else {})}, indent=2))
    else:
        print(format_score(s))
        if args.details:
            print("\n".join(f"  {m}" for m in s.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
