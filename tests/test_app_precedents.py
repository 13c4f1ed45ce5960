"""The app's precedent parts as functions (``ui.tabs.precedents``): the decision as a person reads it, similar
decisions, side by side; text only, no server paths."""
from __future__ import annotations

from tests.test_app import index_dir, services  # noqa: F401  (fixtures)
from ui.tabs import precedents as P


def test_the_decision_reads_as_a_person_reads_it(services):  # noqa: F811
    card = P.decision_card(services, "21/00081")
    assert card.splitlines()[0] == "21/00081  CARE AND SUPPORT IN THE HOME SERVICE PHASE 2 -SUPPORTED LIVING"
    assert "Kent County Council · taken · 2021-10-19 · Clair Bell" in card and "amounts: £1m" in card
    assert "data/sample" not in card and "/" not in card.split("amounts:")[0].replace("21/00081", "")
    assert P.decision_card(services, "99/99999") == "No decision 99/99999 in the index."
    assert P.cited_decision(services, {"decision": "21/00081", "document": "data/sample/x.txt"}) == card
    assert P.decision_link(services, "21/00081") == ""  # read from a local file: no page on a council's site


def test_similar_rows_carry_council_and_date(services):  # noqa: F811
    rows = P.similar_rows(services, "22/00093")
    assert rows and all(len(r) == 5 and r[1] == "Kent County Council" and r[2] for r in rows)
    assert "22/00093" not in [r[0] for r in rows]
    assert P.similar_rows(services, "22/00093", other_councils=True) == []  # one council indexed
    assert P.similar_rows(services, "nope") == [] and P.similar_rows(services, "") == []


def test_side_by_side_highlights_the_paragraphs_that_make_them_alike(services):  # noqa: F811
    left, right = P.side_by_side(services, "22/00093", "21/00081")
    assert left[0][0].startswith("22/00093  CARERS") and right[0][0].startswith("21/00081  CARE AND SUPPORT")
    assert [t for t, tag in left if tag] and [t for t, tag in right if tag]
    assert all(tag in (None, "alike") for _, tag in left + right)
    assert P.side_by_side(services, "22/00093", "22/00093") == ([], [])
    assert P.side_by_side(services, "22/00093", "nope") == ([], [])


def test_an_index_from_before_decision_vectors_says_what_to_do(tmp_path):
    import json
    import shutil

    from index import decision_vectors as dv
    from index.build import current_generation
    from tests.conftest import SAMPLE
    from index.build import build
    from index.embed import HashEmbedder
    from ui.services import Services

    build([SAMPLE], tmp_path / "ix", HashEmbedder(384), "hash:384")
    gen = current_generation(tmp_path / "ix")
    manifest = json.loads((gen / "manifest.json").read_text())
    for name in dv.FILES:
        (gen / name).unlink()
        del manifest["files"][name]
    (gen / "manifest.json").write_text(json.dumps(manifest))
    services = Services(tmp_path / "ix")
    assert "run `councilqa ingest" in P.decision_card(services, "21/00081")
    assert P.similar_rows(services, "21/00081") == [] and P.side_by_side(services, "21/00081", "22/00093") == ([], [])
    shutil.rmtree(tmp_path / "ix")
