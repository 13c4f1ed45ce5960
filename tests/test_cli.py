"""The councilqa command, run in-process (``main(argv)``) and once as a real subprocess."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import SAMPLE, make_pdf
from ui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_ingest_sample_json(capsys, corpus, tmp_path):
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(tmp_path / "ix"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["documents"] == 5 and data["failed"] == []
    assert data["passages"] > 100 and data["embedded_sentences"] > data["embedded"] > 100
    assert data["index"] == {"documents": 5, "passages": data["passages"], "decisions": 4}
    got = {d["number"]: d for d in data["decisions"]}
    assert sorted(got) == ["20/00102", "21/00081", "22/00034", "22/00093"]
    assert got["22/00093"]["title"] == "CARERS’ SHORT BREAKS SERVICE – DIRECT AWARD"
    assert got["21/00081"]["date"] == "2021-10-19" and got["21/00081"]["status"] == "taken"
    assert got["21/00081"]["mentions"] == ["20/00031"]
    assert got["20/00102"]["decision_maker"] == "Cabinet Member for Integrated Children's Services"
    assert got["22/00034"]["date"] == "" and got["22/00034"]["dates"] == {"committee": "2022-03-31"}
    # the proposed record and its committee report are one decision; the record speaks first
    assert [d["path"].rsplit("/", 1)[-1][:3] for d in got["22/00034"]["documents"]] == ["000", "001"]
    assert got["22/00034"]["id"] == "22/00034" and got["22/00034"]["reference"] == "22/00034"
    assert got["22/00034"]["council"] == "Kent County Council"
    assert got["22/00034"]["status"] == "proposed"


def test_reingest_adds_nothing_and_change_replaces(capsys, corpus, tmp_path):
    ix = str(tmp_path / "ix")
    run(capsys, "ingest", str(corpus), "--index", ix, "--json")
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", ix, "--json")
    first = json.loads(out)
    assert code == 0 and first["unchanged"] == 5 and first["added"] == 0

    from ui.cli import _open_store

    with _open_store(tmp_path / "ix") as store:
        before = store.counts()
    target = next(corpus.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8").replace("£3.087m", "£3.2m"), encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", ix, "--json")
    assert json.loads(out)["replaced"] == 1
    with _open_store(tmp_path / "ix") as store:
        assert store.counts() == before
        texts = [r["text"] for r in store.conn.execute("SELECT text FROM passages")]
        assert any("£3.2m" in t for t in texts) and not any("£3.087m" in t for t in texts)  # no stale passage
        hits = store.conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH '\"3.087m\"'").fetchone()
        assert hits[0] == 0


def test_bad_files_reported_rest_kept(capsys, corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "provenance.jsonl").write_text('{"url": "https://example.org/"}\n', encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (corpus / "bad.txt").write_bytes(b"caf\xe9 \x81\x8d")
    make_pdf(corpus / "locked.pdf", ["DECISION NO: 23/00001"], password="pw")
    make_pdf(corpus / "good.pdf", ["DECISION NO: 23/00002", "Title of Decision: Bus Shelters"])
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(tmp_path / "ix"), "--json")
    data = json.loads(out)
    assert code == 3
    reasons = {f["path"].rsplit("/", 1)[-1]: f["reason"] for f in data["failed"]}
    assert sorted(reasons) == ["bad.txt", "binary.txt", "broken.pdf", "empty.txt", "locked.pdf"]
    assert "empty" in reasons["empty.txt"] and "encrypted" in reasons["locked.pdf"]
    assert "binary" in reasons["binary.txt"] and "undecodable" in reasons["bad.txt"]
    skipped = {f["path"].rsplit("/", 1)[-1]: f["reason"] for f in data["skipped"]}
    assert skipped["provenance.jsonl"].startswith("not a document format (.jsonl)")  # inside a folder: skipped
    assert data["documents"] == 6
    assert "23/00002" in {d["number"] for d in data["decisions"]}


def test_failure_keeps_what_was_stored(capsys, corpus, tmp_path):
    ix = str(tmp_path / "ix")
    run(capsys, "ingest", str(corpus), "--index", ix)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    code, out, err = run(capsys, "ingest", str(bad), "--index", ix)
    assert code == 4  # every file given failed: nothing added in this run
    assert "empty" in out
    code, out, _ = run(capsys, "decisions", "--index", ix, "--json")
    assert len(json.loads(out)["decisions"]) == 4


def test_duplicate_content_skipped(capsys, corpus, tmp_path):
    shutil.copy(next(corpus.glob("002_*.txt")), corpus / "copy-of-002.txt")
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(tmp_path / "ix"), "--json")
    data = json.loads(out)
    assert code == 0 and data["documents"] == 5
    assert data["skipped"][0]["reason"].startswith("same content as")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["ingest"], 2, "required"),
        (["decisions", "--index", "/nonexistent/ix"], 2, "run `councilqa ingest"),
        (["ingest", "/nonexistent/file.pdf", "--index", "IX"], 2, "no such file"),
        (["bogus"], 2, "invalid choice"),
    ],
)
def test_usage_errors(capsys, tmp_path, monkeypatch, argv, code, message):
    monkeypatch.chdir(tmp_path)
    try:
        got = main(argv)
    except SystemExit as exc:  # argparse exits 2 on its own usage errors
        got = exc.code
    out, err = capsys.readouterr()
    assert got == code
    assert message in out + err


def test_second_writer_refused(tmp_path, capsys, corpus):
    from index.lock import writer_lock

    with writer_lock(tmp_path / "ix"):
        code, _, err = run(capsys, "ingest", str(corpus), "--index", str(tmp_path / "ix"))
    assert code == 2 and "another ingest is writing" in err


def test_help_is_fast_and_lazy():
    code = (
        "import sys, ui.cli\n"
        "try:\n    ui.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'sentence_transformers', 'faiss', 'gradio', 'pypdf', 'ray')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ingest" in result.stdout


def test_console_script_runs(tmp_path):
    exe = shutil.which("councilqa", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the councilqa console script is installed"
    result = subprocess.run([exe, "ingest", str(SAMPLE), "--index", str(tmp_path / "ix"), "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["decisions"]) == 4
