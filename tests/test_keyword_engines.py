"""``eval.keyword_engines`` on a small corpus: every engine answers, filters hold, the reference scores itself."""
from __future__ import annotations

import importlib.util

import pytest

from eval import keyword_engines as ke

OPTIONAL = [e for e, module in (("tantivy", "tantivy"), ("tantivy-phrase", "tantivy"), ("bm25s", "bm25s"))
            if importlib.util.find_spec(module)]


def test_tokens_match_fts5_on_references_and_money():
    probes = ke.probe_tokens()
    for probe, made in probes.items():
        assert made["ours"] == made["fts5"], probe
        if "tantivy" in made:
            assert made["tantivy"] == made["fts5"], probe


def test_small_run(tmp_path):
    r = ke.run(400, 6, tmp_path, ("fts5", "fts5-all", *OPTIONAL), say=lambda m: None)
    assert set(r["engines"]) == {"fts5", "fts5-all", *OPTIONAL}
    for name, row in r["engines"].items():
        assert row["subset_exact"] and row["p95_ms"] >= row["p50_ms"] > 0, name
        assert row["literal_p@10"], name
    if "bm25s" in OPTIONAL:
        assert r["engines"]["bm25s"]["overlap"]["bm25s"]["recall@10"] == pytest.approx(1.0)
