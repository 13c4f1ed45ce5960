"""``councilqa awards`` and ``councilqa orgs`` over real indexes: the bundled sample, fixtures written for these
tests, and corpus-uk (where the shared folder is beside the project)."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE
from ui.cli import main

OCDS = Path(__file__).resolve().parent / "data" / "ocds"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("awards")
    shutil.copytree(SAMPLE, folder / "corpus")
    assert main(["ingest", str(folder / "corpus"), "--index", str(folder / "ix"), "--json"]) == 0
    return str(folder / "ix")


def test_awards_over_1m_as_csv_lists_the_proposed_direct_award_with_its_decision_and_date(capsys, sample_index):
    code, out, _ = run(capsys, "awards", "--min", "1m", "--csv", "--index", sample_index)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    row = next(r for r in rows if r["amount"] == "£3.087m")
    assert row["decision"] == "22/00093" and row["status"] == "proposed" and row["date"] == "2022-09-28"
    assert row["kind"] == "contract_value" and row["period"] == "total_over_term" and row["term_years"] == "1"
    assert row["citation"] == "[22/00093 Financial Implications ¶2]"
    assert "The total value of the one-year contract extension will be £3.087m." in row["quote"]
    assert all(float(r["value_gbp"]) >= 1e6 for r in rows)
    assert not any(r["kind"] == "threshold" for r in rows)  # "expenditure of more than £1m" is a rule, not money
    assert len({(r["decision"], r["amount"], r["kind"]) for r in rows}) == len(rows)  # a repeat printed once


def test_every_row_cites_a_paragraph_that_holds_its_quote(capsys, sample_index):
    from index.search import Searcher

    code, out, _ = run(capsys, "awards", "--json", "--index", sample_index)
    data = json.loads(out)
    assert code == 0 and data["total"] == len(data["awards"]) > 20
    searcher = Searcher(Path(sample_index))
    for a in data["awards"]:
        para = searcher.paragraph(a["decision"], a["paragraph"], a["document"])
        assert para is not None, a
        assert " ".join(a["sentence"].split()) in " ".join(para["text"].split())


@pytest.mark.parametrize("args, check", [
    (["--kind", "saving"], lambda a: a["kind"] == "saving"),
    (["--council", "kent"], lambda a: a["council"] == "Kent County Council"),
    (["--from", "2022-01-01"], lambda a: a["date"] >= "2022-01-01"),
    (["--to", "2021-12-31"], lambda a: a["date"] <= "2021-12-31"),
    (["--maker", "clair bell", "--max", "£1m"], lambda a: "Clair Bell" in a["maker"] and a["value"] <= 1e6),
    (["--status", "taken"], lambda a: a["decision"] == "21/00081"),
    (["--kind", "threshold"], lambda a: a["kind"] == "threshold" and a["text"] == "£1m"),
])
def test_filters_hold_on_every_row(capsys, sample_index, args, check):
    code, out, _ = run(capsys, "awards", "--json", "--index", sample_index, *args)
    awards = json.loads(out)["awards"]
    assert code == 0 and awards and all(check(a) for a in awards)


@pytest.mark.parametrize("args, message", [
    (["--min", "lots"], "'lots' is not an amount"),
    (["--from", "2023-01-01", "--to", "2022-01-01"], "is after to"),
    (["--kind", "bribe"], "kind 'bribe' is not one of"),
    (["--from", "2022-02-30"], "2022-02-30"),
    (["--limit", "0"], "--limit"),
])
def test_bad_requests_are_one_sentence_and_exit_2(capsys, sample_index, args, message):
    code, out, err = run(capsys, "awards", "--index", sample_index, *args)
    assert code == 2 and message in err and not out


def test_ocds_output_validates_against_the_published_release_schema(capsys, sample_index):
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    code, out, _ = run(capsys, "awards", "--ocds", "--index", sample_index)
    assert code == 0
    package = json.loads(out)
    release_schema = json.loads((OCDS / "release-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((OCDS / "release-package-schema.json").read_text(encoding="utf-8"))
    # the package schema's $ref names the release schema's URL: it resolves to the copy kept here, offline
    registry = Registry().with_resource(release_schema["id"], DRAFT4.create_resource(release_schema))
    validator = jsonschema.Draft4Validator(package_schema, registry=registry,
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(package), key=str)
    assert not errors, errors[0]
    for rel in package["releases"]:
        jsonschema.Draft4Validator(release_schema).validate(rel)
    award = next(r for r in package["releases"] if r.get("awards") and r["awards"][0]["value"]["amount"] == 3087000)
    assert award["awards"][0]["status"] == "pending"  # 22/00093 is proposed
    assert award["awards"][0]["documents"][0]["title"].startswith("22/00093")
    assert "[22/00093 Financial Implications ¶2]" in award["awards"][0]["documents"][0]["description"]
    assert any(r["tag"] == ["planning"] for r in package["releases"])
    # a deliberately broken release is caught: the test could fail
    broken = json.loads(out)
    broken["releases"][0]["awards" if "awards" in broken["releases"][0] else "planning"] = "nonsense"
    assert list(validator.iter_errors(broken))


AWARDS = Path(__file__).resolve().parent / "data" / "awards"  # two decisions written for these tests


@pytest.fixture(scope="module")
def orgs_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("orgs")
    shutil.copytree(AWARDS, folder / "corpus")
    code = main(["ingest", str(folder / "corpus"), "--index", str(folder / "ix"), "--json",
                 "--council", "Borough of Eastmarsh"])
    assert code == 0
    return str(folder / "ix")


def test_an_organisation_printed_two_ways_is_one_with_both_decisions_and_amounts(capsys, orgs_index):
    code, out, _ = run(capsys, "orgs", "--json", "--index", orgs_index)
    orgs = json.loads(out)["organisations"]
    acme = [o for o in orgs if o["key"] == "acme care limited"]
    assert code == 0 and len(acme) == 1
    assert acme[0]["decisions"] == 2 and acme[0]["amounts"] == 2 and set(acme[0]["names"]) == {"Acme Care Ltd",
                                                                                             "ACME CARE LIMITED"}
    code, out, _ = run(capsys, "orgs", "acme care ltd", "--json", "--index", orgs_index)
    page = json.loads(out)
    assert {a["text"] for a in page["awards"]} == {"£1,650,000", "£560,000"}
    assert len(page["mentions"]) == 2 and all(m["sentence"] for m in page["mentions"])
    code, out, _ = run(capsys, "awards", "--org", "ACME CARE LIMITED", "--json", "--index", orgs_index)
    rows = json.loads(out)["awards"]
    assert {(a["text"], a["kind"], a["period"], a["role"]) for a in rows} == {
        ("£1,650,000", "contract_value", "total_over_term", "supplier"), ("£560,000", "annual_cost", "per_annum",
                                                                         "supplier")}


def test_an_organisation_not_in_the_index_is_a_clear_error(capsys, orgs_index):
    code, out, err = run(capsys, "orgs", "Nobody Holdings plc", "--index", orgs_index)
    assert code == 2 and "no organisation named like" in err


@pytest.fixture(scope="module")
def uk_index(tmp_path_factory):
    from eval.data import corpus_of
    from eval.run import sample_index

    try:
        corpus = corpus_of("uk", None)
    except ValueError as exc:
        pytest.skip(str(exc))
    return sample_index(tmp_path_factory.mktemp("uk-awards") / "ix", "hash:384", corpus)


def test_an_amount_a_question_states_about_a_corpus_uk_decision_stands_under_that_decision(capsys, uk_index):
    from eval.data import gold_dir, load_gold

    code, out, _ = run(capsys, "awards", "--json", "--index", str(uk_index), "--all-printings")
    rows = json.loads(out)["awards"]
    assert code == 0
    checked = 0
    for q in load_gold(gold_dir("amounts")):
        for fact in (f for f in q.facts if f.startswith("£")):
            if q.kind != "amount":
                continue
            found = [a for a in rows if a["text"] == fact and any(a["document"].endswith(f) or
                     a["document"].split("#")[0].endswith(f) for f in q.files)]
            assert found, (q.qid, fact)
            assert all(a["decision"] for a in found), (q.qid, fact)
            checked += 1
    assert checked >= 15


def test_removing_a_decisions_record_merges_its_other_documents_again(capsys, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    ix = str(tmp_path / "ix")
    assert main(["ingest", str(corpus), "--index", ix, "--json"]) == 0
    capsys.readouterr()
    before = json.loads(run(capsys, "awards", "--decision", "22/00034", "--json", "--index", ix)[1])["awards"]
    assert {a["status"] for a in before} == {"proposed"} and all(a["document"].endswith(".txt") for a in before)
    assert all("000_" in a["document"] for a in before)  # the record's printing first; the report's are repeats
    record = next(corpus.glob("000_*.txt"))
    record.unlink()
    assert main(["ingest", str(corpus), "--index", ix, "--remove", str(record), "--json"]) == 0
    capsys.readouterr()
    after = json.loads(run(capsys, "awards", "--decision", "22/00034", "--json", "--index", ix)[1])["awards"]
    # only the committee report is left: its figures are first printings now, and it says no status of its own
    assert after and all("001_" in a["document"] for a in after)
    assert {a["text"] for a in after} >= {"£10,065,200", "£7,392,400", "£1,000,000"}
    assert {a["status"] for a in after} == {""}
