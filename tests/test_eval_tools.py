"""The synthetic corpus and the benchmark (run small, with the hashing embedder: behaviour, not speed)."""
from __future__ import annotations

import json
import re

from eval import synthetic
from eval.bench import KEYS, run
from index.search import STAGES
from ingest.pipeline import parse_bytes
from ui.cli import main


def test_synthetic_decisions_are_deterministic_distinct_and_parse():
    first = list(synthetic.decisions(30, keep=0.3, seed=3))
    assert [d.text for d in first] == [d.text for d in synthetic.decisions(30, keep=0.3, seed=3)]
    numbers = [d.number for d in first]
    assert len(set(numbers)) == 30
    assert all(re.fullmatch(r"1\d/5\d{4}", n) for n in numbers)  # never a real (2020-2022) number
    for d in first:
        doc = parse_bytes(d.text.encode(), d.name)
        assert doc.meta.number == d.number  # the pipeline finds the synthetic number, not the template's
        assert not re.search(r"short breaks|supported living|day opportunities", d.text, re.I)
        assert "£3.087m" not in d.text and "22/00093" not in d.text


def test_synthetic_subsets_are_smaller_than_templates():
    full = [len(d.text) for d in synthetic.decisions(5, keep=1.0)]
    part = [len(d.text) for d in synthetic.decisions(5, keep=0.2)]
    assert sum(part) < 0.7 * sum(full)


def test_bench_small_run_reports_every_key_and_reembeds_nothing(tmp_path):
    messages = []
    r = run(passages=600, sample=150, model="hash:64", query_count=12, workdir=tmp_path, say=messages.append)
    out = r.summary()
    assert list(out) == KEYS
    assert r.passages >= 600 and r.reembedded == 0
    assert r.sampled > 0 and r.reused > 0  # some passages embedded for real, the rest reuse their vectors
    assert r.search_p95_ms >= r.search_p50_ms > 0 and r.rss_mb > 0 and r.ratio > 0
    assert any("reusing sample vectors" in m for m in messages)
    assert list(r.stages) == list(STAGES) and list(r.filtered_stages) == list(STAGES)  # each stage timed
    assert r.filtered_p95_ms >= r.filtered_p50_ms > 0


def test_bench_cli_json(capsys, tmp_path):
    code = main(["bench", "--passages", "200", "--sample", "80", "--queries", "5", "--model", "hash:32", "--json",
                 "--workdir", str(tmp_path)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(KEYS) <= set(out) and out["details"]["reembedded"] == 0


def test_bench_rejects_nonsense(capsys):
    assert main(["bench", "--passages", "0"]) == 2
    assert "--passages must be from 1 to 5000000 (got 0)" in capsys.readouterr().err


def test_at_scale_the_gold_questions_name_their_decision_and_lists_are_left_out():
    from eval.data import load_gold, scaled

    gold = load_gold()
    at_scale = {q.qid: q for q in scaled(gold)}
    assert not any(q.kind == "list" for q in at_scale.values())
    assert len(at_scale) == sum(q.kind != "list" for q in gold)
    assert "external community opportunities" in at_scale["q20"].text
    assert at_scale["q01"].text == next(q.text for q in gold if q.qid == "q01")  # named already: asked as written


def test_held_out_sets_load_and_their_paragraphs_are_labelled():
    from eval.data import gold_dir, load_gold

    for name in ("heldout", "heldout2", "heldout3", "heldout4"):
        questions = load_gold(gold_dir(name))
        assert questions and all(q.relevant for q in questions if q.answerable)
        assert all("#" in r for q in questions for r in q.relevant)
