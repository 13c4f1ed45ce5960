"""Hostile files (cases 2, 5, 10 and 11 of issue 14): links out of the corpus, a text file of 25.7 MB, a
run where every file fails, names that would split an output line."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from index.build import build
from index.search import Searcher
from tests.conftest import SAMPLE
from tests.hostile.support import EMB, fingerprint, run

SECRET = "root:x:0:0:hostile-test-secret:/root:/bin/bash\n"



@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("README*"))
    return folder


@pytest.fixture()
def outside(tmp_path):
    """A file and a folder outside the corpus that must never be read through a link."""
    (tmp_path / "private").mkdir()
    secret = tmp_path / "private" / "passwd.txt"
    secret.write_text(SECRET * 3, encoding="utf-8")
    return secret


def _texts(index_dir):
    s = Searcher(index_dir, embedder=EMB)
    return [r[0] for r in s.conn.execute("SELECT text FROM passages")], [r[0] for r in s.conn.execute(
        "SELECT path FROM documents")]


def test_symlinks_in_the_corpus_are_skipped_and_reported(capsys, corpus, outside, tmp_path):
    (corpus / "passwd.txt").symlink_to(outside)
    (corpus / "private").symlink_to(outside.parent, target_is_directory=True)
    ix = tmp_path / "ix"
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(ix), "--json")
    assert code == 0
    skipped = {os.path.basename(s["path"]): s["reason"] for s in json.loads(out)["skipped"]}
    assert skipped["passwd.txt"].startswith("a symbolic link to a file: not followed")
    assert skipped["private"].startswith("a symbolic link to a folder: not followed")
    texts, paths = _texts(ix)
    assert not any("hostile-test-secret" in t for t in texts) and len(paths) == 5
    code, out, _ = run(capsys, "search", "root:x:0:0", "--mode", "keyword", "--index", str(ix), "--json")
    assert code == 0 and not any("hostile-test-secret" in h["text"] for h in json.loads(out)["hits"])


def test_follow_symlinks_reads_links_inside_the_folder_only(capsys, corpus, outside, tmp_path):
    (corpus / "passwd.txt").symlink_to(outside)
    (corpus / "private").symlink_to(outside.parent, target_is_directory=True)
    (corpus / "sub").mkdir()
    (corpus / "sub" / "loop").symlink_to(corpus, target_is_directory=True)  # a cycle back to the top
    inside = corpus / "note.md"
    inside.write_text("# Parking note\n\nThe parking permit scheme for Elm Road costs £12,500.\n", encoding="utf-8")
    (corpus / "sub" / "alias.md").symlink_to(inside)
    ix = tmp_path / "ix"
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(ix), "--json", "--follow-symlinks")
    data = json.loads(out)
    assert code == 0
    reasons = {os.path.basename(s["path"]): s["reason"] for s in data["skipped"]}
    assert "outside the folder given" in reasons["passwd.txt"] and "outside the folder given" in reasons["private"]
    texts, _ = _texts(ix)
    assert not any("hostile-test-secret" in t for t in texts)
    assert any("Elm Road" in t for t in texts)  # the link inside the folder was read (once: the alias is a duplicate)


def test_a_named_device_or_pipe_is_not_read(capsys, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever
    code, out, _ = run(capsys, "ingest", str(fifo), "--index", str(tmp_path / "ix"), "--json")
    data = json.loads(out)
    assert data["skipped"][0]["reason"].startswith("not a regular file")
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    code, out, _ = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"), "--json")
    assert json.loads(out)["skipped"][0]["reason"].startswith("not a regular file")


def test_a_link_swapped_in_after_the_walk_is_not_followed(tmp_path, outside):
    from ingest.errors import UnreadableDocument
    from ingest.pipeline import read_file

    link = tmp_path / "swapped.txt"
    link.symlink_to(outside)
    with pytest.raises(UnreadableDocument, match="a symbolic link: not followed"):
        read_file(link, follow=False)


def test_a_huge_text_file_is_refused_at_once_and_the_rest_kept(capsys, corpus, tmp_path):
    """25.7 MB of text (under the 26 MB file limit) once made 49,485 passages and held both cores for 40
    minutes; the passage cap refuses it from its length, before any cleaning or splitting."""
    line = b"The council agreed the parking charges for the coming year after consultation. "
    (corpus / "huge.txt").write_bytes(line * (25_700_000 // len(line)))
    ix = tmp_path / "ix"
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", str(ix), "--json")
    data = json.loads(out)
    assert code == 3  # some failed, the rest kept
    assert [os.path.basename(f["path"]) for f in data["failed"]] == ["huge.txt"]
    assert "the limit for one document (raise it with --max-passages)" in data["failed"][0]["reason"]
    assert data["added"] == 5


def test_max_passages_counts_passages_and_can_be_raised(capsys, tmp_path):
    doc = next(SAMPLE.glob("001_*.txt"))
    code, out, _ = run(capsys, "ingest", str(doc), "--index", str(tmp_path / "ix"), "--json", "--max-passages", "5")
    data = json.loads(out)
    assert code == 4 and "make more than 5 passages, the limit for one document" in data["failed"][0]["reason"]
    code, out, _ = run(capsys, "ingest", str(doc), "--index", str(tmp_path / "ix"), "--json", "--max-passages", "20")
    data = json.loads(out)  # short enough to be split, then counted
    assert code == 4 and "passages, over the limit of 20 for one document" in data["failed"][0]["reason"]
    code, out, _ = run(capsys, "ingest", str(doc), "--index", str(tmp_path / "ix"), "--json", "--max-passages", "500")
    assert code == 0 and json.loads(out)["added"] == 1
    code, _, err = run(capsys, "ingest", str(doc), "--index", str(tmp_path / "ix"), "--max-passages", "0")
    assert code == 2 and "--max-passages must be from 1 to" in err


def test_a_batch_budget_keeps_what_fits_and_reports_the_rest(tmp_path):
    docs = sorted(SAMPLE.glob("0*.txt"))[:3]
    report = build(docs, tmp_path / "ix", EMB, "hash:384", budget=40)
    assert report.added and report.failed
    assert all("over its budget of 40 passages" in f.reason for f in report.failed)
    assert report.passages <= 40


def test_exit_codes_as_documented(capsys, corpus, tmp_path):
    ix = str(tmp_path / "ix")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 not really")
    assert run(capsys, "ingest", str(bad), "--index", ix)[0] == 4  # every file failed
    assert run(capsys, "ingest", str(corpus), str(bad), "--index", ix)[0] == 3  # some failed, the rest kept
    assert run(capsys, "ingest", str(tmp_path / "missing"), "--index", ix)[0] == 2  # a mistyped path
    assert run(capsys, "ingest", str(corpus), "--index", ix)[0] == 0
    readme = " ".join((SAMPLE.parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert "2 usage error" in readme and "3 some files failed" in readme and "4 every file given failed" in readme


def test_file_names_cannot_split_output_lines(capsys, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "bad\nFAILED forged.txt").write_bytes(b"")
    (folder / "ok.md").write_text("# Note\n\nThe fee is £10.\n", encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"))
    assert code == 3
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "bad\\nFAILED forged.txt: file is empty" in failed[0]
    summary = out.splitlines()[0]
    assert "1 documents read" in summary and "holds 1 documents" in summary  # this run's and the index's, named


def test_summary_names_this_run_and_the_index_apart(capsys, corpus, tmp_path):
    ix = str(tmp_path / "ix")
    run(capsys, "ingest", str(corpus), "--index", ix)
    extra = tmp_path / "extra.md"
    extra.write_text("# Note\n\nThe fee is £10.\n", encoding="utf-8")
    _, out, _ = run(capsys, "ingest", str(extra), "--index", ix)
    first = out.splitlines()[0]
    assert first.startswith("1 documents read (1 new, 0 changed, 0 unchanged), 1 passages;")
    assert "holds 6 documents" in first and "4 decisions" in first


@pytest.mark.parametrize(("content", "message"), [
    (SECRET + "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", "line 1 is not USER:PASSWORD"),
    ("# logins\nalice:correct-horse\n", "line 1 is not USER:PASSWORD"),
    ("alice:short\n", "line 1 is not USER:PASSWORD (a password of 8 or more characters"),
    ("\n\n", "no USER:PASSWORD lines"),
])
def test_auth_file_must_be_a_credentials_file(capsys, index_dir, tmp_path, content, message):
    f = tmp_path / "auth.txt"
    f.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "serve", "--index", str(index_dir), "--host", "0.0.0.0", "--auth", str(f))
    assert code == 2 and message in err


def test_auth_refuses_etc_passwd_and_writable_files(capsys, index_dir, tmp_path):
    from ui.cli import parse_auth

    if os.path.isfile("/etc/passwd"):
        with pytest.raises(ValueError, match="is not USER:PASSWORD"):
            parse_auth("/etc/passwd")
    f = tmp_path / "auth.txt"
    f.write_text("alice:correct-horse\nbob:battery-staple\n", encoding="utf-8")
    f.chmod(0o600)
    assert parse_auth(str(f)) == [("alice", "correct-horse"), ("bob", "battery-staple")]
    f.chmod(0o666)
    with pytest.raises(ValueError, match="others can write to it"):
        parse_auth(str(f))
    assert parse_auth("carol:long-enough") == [("carol", "long-enough")]


def test_refused_ingest_leaves_the_index_byte_identical(capsys, index_dir, tmp_path):
    before = fingerprint(index_dir)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 not really")
    assert run(capsys, "ingest", str(bad), "--index", str(index_dir))[0] == 4
    assert fingerprint(index_dir) == before
