"""Every layout councils publish decisions in (tests/data/layouts: invented pages, see its README), read into
decisions with the fields their pages print. Gaps the parser still has are listed, each a strict xfail: it
fails the suite the day it starts to pass, so the list stays true."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import parse_parts

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
EXPECTED = json.loads((LAYOUTS / "expected.json").read_text(encoding="utf-8"))
FIELDS = ("title", "decision_maker", "decision_date", "reference", "council", "status", "key_decision")
# (file, reference or title): what is not read yet, and why
GAPS: dict[tuple[str, str], str] = {}


def _norm(text) -> str:
    return " ".join(str(text or "").replace("’", "'").replace("–", "-").lower().split()).strip(" .")


def _cases():
    for name, decisions in EXPECTED.items():
        for expected in decisions:
            key = (name, expected.get("reference") or expected.get("title", ""))
            marks = [pytest.mark.xfail(strict=True, reason=GAPS[key])] if key in GAPS else []
            yield pytest.param(name, expected, id=f"{name}:{key[1][:30]}", marks=marks)


def test_every_gap_names_a_decision_of_the_fixtures():
    """A gap whose key matches no case would mark nothing and stay listed for ever."""
    keys = {(name, e.get("reference") or e.get("title", "")) for name, decisions in EXPECTED.items() for e in decisions}
    assert set(GAPS) <= keys, set(GAPS) - keys


@pytest.fixture(scope="module")
def parsed():
    return {name: parse_parts((LAYOUTS / name).read_bytes(), name) for name in EXPECTED}


def _find(docs, expected):
    ref, title = _norm(expected.get("reference")), _norm(expected.get("title"))
    return (next((d for d in docs if ref and _norm(d.meta.number) == ref), None)
            or next((d for d in docs if title and _norm(d.meta.title) == title), None)
            or next((d for d in docs if title and _norm(d.meta.title) and (title in _norm(d.meta.title)
                                                                          or _norm(d.meta.title) in title)), None))


@pytest.mark.parametrize(("name", "expected"), list(_cases()))
def test_each_decision_is_read_with_its_printed_fields(parsed, name, expected):
    docs = parsed[name]
    found = _find(docs, expected)
    if found is None and len(docs) == 1 and len(EXPECTED[name]) == 1:
        found = docs[0]
    assert found is not None, f"not recognised; read {[(d.meta.number, d.meta.title) for d in docs]}"
    meta = found.meta
    got = {"title": meta.title, "decision_maker": meta.decision_maker, "decision_date": meta.dates.get("decision", ""),
           "reference": meta.number, "council": meta.council, "status": meta.status, "key_decision": meta.key_decision}
    wrong = []
    for field in FIELDS:
        want = expected.get(field)
        if want in ("", None):
            continue
        if field in ("title", "decision_maker"):
            ok = _norm(want) in _norm(got[field]) or bool(_norm(got[field])) and _norm(got[field]) in _norm(want)
        elif field == "status":
            ok = bool(got[field]) and (_norm(got[field]) in _norm(want) or _norm(want) in _norm(got[field])
                                       or (_norm(want) == "for determination" and got[field] == "proposed"))
        else:
            ok = _norm(got[field]) == _norm(want)
        if not ok:
            wrong.append(f"{field}: read {got[field]!r}, printed {want!r}")
    assert not wrong, "; ".join(wrong)


def test_a_page_of_several_decisions_becomes_one_document_each(parsed):
    docs = parsed["04c_decisions_list_kent_style_refs.txt"]
    assert [d.meta.number for d in docs] == ["24/00017", "24/00009", "23/00112", "24/00004"]
    assert {d.source for d in docs} == {"04c_decisions_list_kent_style_refs.txt"}
    assert [d.path for d in docs] == [f"04c_decisions_list_kent_style_refs.txt#{n}" for n in range(1, 5)]
    # each part holds its own decision's text and nothing of the next
    assert "Household Support Fund" in docs[0].text and "Rural Bus" not in docs[0].text


def test_the_same_reference_at_two_councils_gets_two_ids(tmp_path):
    from index.build import build
    from index.decisions import list_decisions
    from index.embed import HashEmbedder
    from index.store import DB_NAME, Store
    from index.build import current_generation

    build([LAYOUTS / "15a_same_ref_101_eastmarsh.txt", LAYOUTS / "15b_same_ref_101_northvale.txt"], tmp_path / "ix",
          HashEmbedder(384), "hash:384")
    with Store(current_generation(tmp_path / "ix") / DB_NAME, readonly=True) as store:
        ids = {(d.council, d.reference): d.number for d in list_decisions(store)}
    assert ids[("Borough of Eastmarsh", "101")] == "eastmarsh:101"
    assert ids[("Northvale District Council", "101")] == "northvale:101"
    assert ids[("Borough of Eastmarsh", "100")] == "100"  # only one council prints it: the bare reference


@pytest.mark.parametrize(("label", "field"), [("Reason for Decisions", "reasons"), ("Reasons for Decisions", "reasons"),
                                              ("Ward affected", "wards"), ("Decision Makers", "decision_maker")])
def test_a_label_printed_in_the_plural_is_the_same_field(label, field):
    from ingest.layouts import layout

    assert layout().field_of(label) == field
