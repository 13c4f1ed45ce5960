"""Weights as data (qa/data/weights.json) and the tool that fits them (eval.fit): its models recover what
separates the candidates that answer, and a fit can be tried without writing it."""
from __future__ import annotations

import numpy as np

from eval.fit import Item, conditional_logit, leave_one_council_out, logistic, rr, top1
from qa.weights import setting, trying, weights_of


def _items(n: int = 30, seed: int = 3) -> list[Item]:
    """Questions whose answering candidate has a high "signal"; "noise" says nothing."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        feats = [{"signal": float(rng.random() * 0.5), "noise": float(rng.random())} for _ in range(6)]
        answer = int(rng.integers(6))
        feats[answer]["signal"] += 0.6
        items.append(Item(f"q{i}", f"council{i % 5}", "amount", feats, [int(j == answer) for j in range(6)]))
    return items


def test_the_conditional_logit_weighs_what_tells_the_answer_apart():
    w = conditional_logit(_items(), ["signal", "noise"])
    assert w[0] > 2.0 and abs(w[1]) < w[0] / 3


def test_the_pooled_logistic_model_does_too():
    items = _items()
    x = np.array([[f["signal"], f["noise"]] for it in items for f in it.features])
    y = np.array([label for it in items for label in it.labels], dtype=float)
    w = logistic(x, y)
    assert w[0] > 2.0 and abs(w[1]) < w[0] / 3


def test_each_council_is_judged_by_weights_fitted_without_it():
    items = _items()
    fitted, held, folds = leave_one_council_out(items, ["signal", "noise"], top1)
    assert set(folds) == {f"council{i}" for i in range(5)}
    assert sum(held) / len(held) > 0.8  # held-out councils' answers found first
    assert rr(items[0], ["signal", "noise"], fitted) > 0


def test_a_fit_is_tried_without_being_written():
    written = weights_of("sentence")
    tried = {"sentence": {**written, "dense": 9.0}, "rerank": weights_of("rerank"), "threshold": 0.5,
             "dominance": 0.2}
    with trying(tried):
        assert weights_of("sentence")["dense"] == 9.0 and setting("threshold") == 0.5
    assert weights_of("sentence") == written and setting("threshold") != 0.5
