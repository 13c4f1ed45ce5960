"""Decision vectors and ``similar``: stored at ingest like every index file, ranked across councils, filtered before
the cut, near-duplicates grouped, every passage pair verified (``qa.similar``, ``index.decision_vectors``)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from index import decision_vectors as dv
from index.build import build, current_generation
from index.embed import HashEmbedder
from index.errors import BadRequest, IndexCorrupt, ModelMismatch
from index.requests import similar_request
from index.search import Searcher
from ingest.pipeline import IngestOptions
from qa.similar import DecisionNotFound, SimilarFinder
from qa.text import normalise
from tests.precedent_pages import NORTHVALE, build_index
from ui.cli import main

EMB = HashEmbedder(384)
GARDEN_EAST = "eastmarsh:2024-02-12:garden-waste-collection-charge"
GARDEN_NORTH = "northvale:2022-06-03:charging-garden-waste-collections"
GARDEN_WEST = "westshire:2023-01-20:garden-waste-subscription-fee"
PARKING_NORTH = "northvale:2024-03-04:controlled-parking-zone-extension"
CARE_EAST, CARE_WEST = "eastmarsh:2023-03-10:care-at-home-services", "westshire:2024-02-15:home-care-contract-extension"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("precedents"))


@pytest.fixture(scope="module")
def finder(index_dir):
    return SimilarFinder(Searcher(index_dir, embedder=EMB))


def ids(result) -> list[str]:
    return [r.id for r in result.results]


def test_decision_vectors_are_files_of_the_generation_checksummed(index_dir):
    gen = current_generation(index_dir)
    manifest = json.loads((gen / "manifest.json").read_text())
    assert set(dv.FILES) <= set(manifest["files"])
    meta = json.loads((gen / dv.META).read_text())
    assert meta["model"] == "hash:384" and meta["decisions"] == 10
    vectors = np.load(gen / dv.VECTORS, allow_pickle=False)
    assert vectors.shape == (10, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_decision_vector_of_another_model_is_refused(index_dir):
    with pytest.raises(ModelMismatch, match="decision vectors"):
        dv.DecisionVectors(current_generation(index_dir), "sentence-transformers/all-MiniLM-L6-v2", 384)


def test_a_tampered_decision_vector_file_is_refused(index_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(index_dir, copy)
    path = current_generation(copy) / dv.VECTORS
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="decision_vectors.npy"):
        Searcher(copy, embedder=EMB)


def test_only_a_changed_decision_is_computed_again(tmp_path):
    index_dir = build_index(tmp_path)
    page = tmp_path / "pages" / "northvale" / "library.txt"
    page.write_text(page.read_text().replace("9am to 5pm", "9am to 1pm"), encoding="utf-8")
    before = np.load(current_generation(index_dir) / dv.VECTORS)
    report = build([page], index_dir, EMB, "hash:384", options=IngestOptions(council=NORTHVALE))
    assert report.decisions_computed == 1 and report.embedded_decisions == 1  # its fields; its title is cached
    after = np.load(current_generation(index_dir) / dv.VECTORS)
    changed = np.flatnonzero(~np.all(before == after, axis=1))
    ids_ = np.load(current_generation(index_dir) / dv.IDS)
    assert [str(ids_[i]) for i in changed] == ["northvale:2023-05-11:library-opening-hours"]
    again = build([page], index_dir, EMB, "hash:384", options=IngestOptions(council=NORTHVALE))
    assert again.decisions_computed == 0 and again.embedded_decisions == 0


def test_an_index_from_before_decision_vectors_gains_them_at_its_next_ingest(tmp_path):
    index_dir = build_index(tmp_path)
    gen = current_generation(index_dir)
    manifest = json.loads((gen / "manifest.json").read_text())
    for name in dv.FILES:  # as a generation written before decision vectors were
        (gen / name).unlink()
        del manifest["files"][name]
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(Exception, match="older councilqa"):
        SimilarFinder(Searcher(index_dir, embedder=EMB))
    page = tmp_path / "pages" / "northvale" / "library.txt"
    report = build([page], index_dir, EMB, "hash:384", options=IngestOptions(council=NORTHVALE))
    assert report.generation != gen.name and report.decisions_computed == 10
    assert SimilarFinder(Searcher(index_dir, embedder=EMB)).similar(GARDEN_EAST).results


def test_decisions_on_the_same_subject_come_first_across_councils(finder):
    result = finder.similar(GARDEN_EAST, k=3)
    assert set(ids(result)[:2]) == {GARDEN_NORTH, GARDEN_WEST}
    assert ids(finder.similar(CARE_WEST, k=1)) == [CARE_EAST]
    first = result.results[0]
    assert first.card.council in ("Northvale District Council", "Westshire County Council") and first.card.date


def test_every_similar_decision_carries_a_verified_passage_pair(finder, index_dir):
    searcher = Searcher(index_dir, embedder=EMB)
    result = finder.similar(GARDEN_NORTH, k=5)
    assert result.unverified == 0 and len(result.results) == 5
    for r in result.results:
        for side, decision in ((r.pair.here, GARDEN_NORTH), (r.pair.there, r.id)):
            assert side.decision == decision
            text = " ".join(row[0] for row in searcher.conn.execute(
                "SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.number = ? AND"
                " p.label = ?", [decision, side.paragraph]))
            assert side.quote and normalise(side.quote) in normalise(text)
            assert side.label == f"[{decision} {side.paragraph}]"
    top = result.results[0].pair
    assert "garden waste" in top.here.quote.lower() and "garden waste" in top.there.quote.lower()


def test_near_duplicates_are_one_decision_not_precedents_of_each_other(finder):
    # the same parking decision published twice (its page, and a list with a reference), and two numbered
    # resolutions of one agenda item
    result = finder.similar(PARKING_NORTH, k=9)
    assert result.same_decision == ("205",) and "205" not in ids(result)
    listed = {r.id: r.same_as for r in result.results}
    assert ("301" in listed and listed["301"] == ("302",)) or ("302" in listed and listed["302"] == ("301",))
    assert result.results[0].id in ("301", "302")
    assert finder.similar("301", k=9).same_decision == ("302",)


def test_filters_apply_before_the_cut(finder):
    others = finder.similar(GARDEN_NORTH, k=9, other_councils=True)
    assert others.results and all(r.card.council != "Northvale District Council" for r in others.results)
    mine = finder.similar(GARDEN_NORTH, k=9, council="northvale")
    assert mine.results and all(r.card.council == "Northvale District Council" for r in mine.results)
    dated = finder.similar(GARDEN_NORTH, k=9, date_from="2024-01-01", date_to="2024-02-28")
    assert {r.id for r in dated.results} == {GARDEN_EAST, CARE_WEST}
    assert ids(finder.similar(GARDEN_NORTH, k=9, date_from="2030-01-01")) == []


def test_a_reference_as_printed_names_its_decision(finder):
    assert finder.similar("ref 205", k=1).query.id == "205"


@pytest.mark.parametrize("args, message", [
    (dict(decision=""), "decision id is empty"),
    (dict(decision="x" * 201), "at most 200"),
    (dict(decision="205", k=0), "k must be from 1 to 100"),
    (dict(decision="205", k=101), "k must be from 1 to 100"),
    (dict(decision="205", council="Northvale", other_councils=True), "not both"),
    (dict(decision="205", date_from="2024-02-30"), "not a real date"),
    (dict(decision="205", date_from="2024-03-01", date_to="2024-01-01"), "after to"),
    (dict(decision="205", council=3), "council must be text"),
])
def test_bad_requests_are_refused_with_what_to_do(args, message):
    with pytest.raises(BadRequest, match=message):
        similar_request(**args)


def test_an_unknown_decision_says_how_to_find_one(finder):
    with pytest.raises(DecisionNotFound, match="councilqa decisions"):
        finder.similar("99/99999")


def test_cli_json_carries_decision_ids_as_decisions_json_does(index_dir, capsys):
    assert main(["similar", GARDEN_WEST, "--index", str(index_dir), "--model", "hash:384", "--json", "--k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main(["decisions", "--index", str(index_dir), "--json"]) == 0
    known = {d["id"] for d in json.loads(capsys.readouterr().out)["decisions"]}
    assert data["decision"]["id"] == GARDEN_WEST and {s["id"] for s in data["similar"]} <= known
    first = data["similar"][0]
    assert first["council"] and first["date"] and first["alike"]["query"]["label"].startswith(f"[{GARDEN_WEST} ")
    assert first["alike"]["similar"]["decision"] == first["id"] and first["alike"]["similar"]["quote"]


def test_cli_text_and_usage_errors(index_dir, capsys):
    assert main(["similar", CARE_EAST, "--index", str(index_dir), "--model", "hash:384", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Decisions like {CARE_EAST} Care at Home Services") and "Westshire County Council" in out
    assert "alike: [" in out
    assert main(["similar", "nope", "--index", str(index_dir), "--model", "hash:384"]) == 2
    assert "no decision 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["similar", CARE_EAST, "--council", "x", "--other-councils", "--index", str(index_dir)])
    assert exc.value.code == 2
    assert main(["similar", CARE_EAST, "--index", str(index_dir), "--from", "tomorrow"]) == 2
