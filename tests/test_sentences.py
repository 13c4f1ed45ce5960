"""Sentence vectors: embedded once at ingest, stored with the generation, looked up when answering."""
from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pytest

from conftest import SAMPLE
from eval.data import load_gold
from index import sentence_vectors as sv
from index.build import build, current_generation
from index.embed import HashEmbedder
from index.errors import IndexCorrupt
from index.manifest import MANIFEST
from index.search import Searcher
from index.sentences import sentence_spans, sentence_texts
from index.store import DB_NAME
from index.thesaurus import expanded
from qa.ask import Asker
from qa.text import sentences

HASH_THRESHOLD = 0.30  # as in test_qa: the hashing embedder's dense scores run lower than the real model's
QUESTION = "How much is the carers' short breaks direct award worth?"


class CountingEmbedder(HashEmbedder):
    """The hashing embedder, keeping every text it is given."""

    def __init__(self) -> None:
        super().__init__(384)
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed(texts)


@pytest.fixture()
def built(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    ix = tmp_path / "ix"
    build([corpus], ix, HashEmbedder(384), "hash:384")
    return ix


def _passages(ix) -> list[str]:
    conn = sqlite3.connect(current_generation(ix) / DB_NAME)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM passages")]
    finally:
        conn.close()


def _as_before_sentence_vectors(ix) -> None:
    """Make the live generation look like one built before sentence vectors: no files, not in the manifest."""
    gen = current_generation(ix)
    manifest = json.loads((gen / MANIFEST).read_text())
    for name in sv.FILES:
        (gen / name).unlink()
        del manifest["files"][name]
    (gen / MANIFEST).write_text(json.dumps(manifest))


def test_one_split_for_ingest_and_answers():
    assert sentences is sentence_spans
    text = "The total is £3.087m. (ASC £2.5m)\n• Loss of support. “Quoted.” Next"
    assert sentence_texts(text) == [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # an item keeps its number: "1." alone is no sentence, and the item is read as an item of the list
    ("The extension is taken in order to:\n\n1. Keep the service running and;\n2. Align the end dates.",
     ["The extension is taken in order to:", "1. Keep the service running and;", "2. Align the end dates."]),
    ("Approved.\nb. The second point follows.", ["Approved.", "b. The second point follows."]),
    # a sentence that ends with a number is still a sentence
    ("See paragraph 3. The report follows.", ["See paragraph 3.", "The report follows."]),
])
def test_an_item_keeps_its_number(text, expected):
    assert sentence_texts(text) == expected


def test_a_lead_in_is_quoted_with_the_numbered_items_it_introduces():
    from qa.text import list_spans

    text = "It is proposed to extend the contract in order to:\n\n1. Keep the service running and;\n2. Align the dates."
    first = sentences(text)[0]
    assert [text[s:e] for s, e in list_spans(text, *first)] == [
        "It is proposed to extend the contract in order to:", "1. Keep the service running and;", "2. Align the dates."]


def test_sentence_vectors_written_at_build_and_checksummed(built):
    gen = current_generation(built)
    manifest = json.loads((gen / MANIFEST).read_text())
    assert set(sv.FILES) <= set(manifest["files"])
    distinct = {t for p in _passages(built) for t in sentence_texts(p)}
    stored = sv.SentenceVectors(gen, 384)
    assert len(stored.keys) == len(distinct) and list(stored.keys) == sorted(stored.keys)
    texts = sorted(distinct)[:50] + ["a sentence no passage holds"]
    vecs, found = stored.lookup(texts)
    assert found[:-1].all() and not found[-1] and not vecs[-1].any()
    assert np.array_equal(vecs[:-1], HashEmbedder(384).embed(texts[:-1]))


def test_reingest_embeds_no_sentence_again(built, tmp_path):
    again = CountingEmbedder()
    report = build([tmp_path / "corpus"], built, again, "hash:384")
    assert again.seen == [] and report.embedded == report.embedded_sentences == 0
    # a generation without sentence vectors gains them on the next ingest, every vector from the cache
    _as_before_sentence_vectors(built)
    report = build([tmp_path / "corpus"], built, again, "hash:384")
    assert again.seen == [] and sv.present(current_generation(built))
    # a new file embeds only its own sentences: none already stored is embedded again
    before = {t for p in _passages(built) for t in sentence_texts(p)}
    (tmp_path / "corpus" / "extra.txt").write_text(
        "Decision number: 23/00777\nTitle: Pothole repairs\n\n1. Background\n\n1.1 The council fills potholes. "
        "It spent £4.2m on repairs in 2023.\n", encoding="utf-8")
    report = build([tmp_path / "corpus"], built, again, "hash:384")
    assert report.embedded_sentences > 0 and "It spent £4.2m on repairs in 2023." in again.seen
    assert not before & set(again.seen)


def test_answer_embeds_only_the_question(built):
    embedder = CountingEmbedder()
    answer = Asker(Searcher(built, embedder=embedder), threshold=HASH_THRESHOLD).ask(QUESTION)
    assert not answer.abstained and answer.citations
    assert set(embedder.seen) == {expanded(QUESTION)}


def test_index_without_sentence_vectors_answers_the_same(built, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(built, old)
    _as_before_sentence_vectors(old)
    new_asker = Asker(Searcher(built, embedder=HashEmbedder(384)), threshold=HASH_THRESHOLD)
    embedder = CountingEmbedder()
    old_asker = Asker(Searcher(old, embedder=embedder), threshold=HASH_THRESHOLD)
    questions = [q.text for q in load_gold()][:12]
    assert [new_asker.ask(q) for q in questions] == [old_asker.ask(q) for q in questions]
    assert len(set(embedder.seen)) > len(questions) * 2  # the old index embeds sentences when answering


@pytest.mark.parametrize("name", sv.FILES)
def test_tampered_sentence_file_refused(built, name):
    path = current_generation(built) / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="checksum"):
        Searcher(built, embedder=HashEmbedder(384))


def test_a_sentence_is_read_under_the_short_line_that_heads_it():
    from qa.evidence import _leads

    class Hit:  # the passage a sentence is of
        pass

    a, b = Hit(), Hit()
    spans = [(0, a, 0, 1), (0, a, 1, 2), (0, a, 2, 3), (1, b, 0, 1)]
    texts = ["Footways – Village Cycle Stands.", "A further £0.210m is sought for the stands.",
             "It is met from the Transport Reserve.", "A new passage."]
    assert _leads(spans, texts) == ["", "Footways – Village Cycle Stands.", "", ""]
