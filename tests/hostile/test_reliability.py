"""The promises of shared/RELIABILITY.md that no other test makes by attack (README.md beside this file maps
every promise to its tests): no pickle, a real process killed at arbitrary moments, a folder of 100 files with
5 bad ones, arbitrary bytes to the reader, a tampered or foreign index refused in one sentence."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.build import build, current_generation
from index.search import Searcher
from tests.conftest import ROOT, SAMPLE
from tests.hostile.support import EMB, run

PACKAGES = ["ingest", "index", "qa", "ui", "eval"]



def test_nothing_is_pickled():
    """No module of ours can pickle or unpickle, and an index directory holds only open formats."""
    risky = re.compile(r"^\s*(import pickle|from pickle|import joblib|import dill)|allow_pickle\s*=\s*True|"
                       r"allow_dangerous_deserialization|torch\.load\(|load_local\(", re.M)
    offenders = [str(p) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if risky.search(p.read_text())]
    assert offenders == []


def test_an_index_is_open_formats_only(index_dir):
    gen = current_generation(index_dir)
    kinds = {p.name: p.read_bytes()[:16] for p in gen.iterdir() if p.is_file()}
    assert kinds["councilqa.sqlite"].startswith(b"SQLite format 3")
    assert kinds["vectors.faiss"][:4] in (b"IxMp", b"IxM2")  # faiss.write_index's own header (IndexIDMap)
    json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    json.loads((gen / "decision_vectors.json").read_text(encoding="utf-8"))  # index.decision_vectors' model and count
    assert [p.name for p in gen.iterdir() if p.is_dir()] == ["keywords"]
    # Tantivy's index: meta.json names the segments; every other file is one of a segment's parts, in Tantivy's
    # documented format, or one of the empty files it locks
    meta = json.loads((gen / "keywords" / "meta.json").read_text(encoding="utf-8"))
    segments = {s["segment_id"].replace("-", "") for s in meta["segments"]}
    for p in (gen / "keywords").iterdir():
        if p.name in ("meta.json", ".managed.json"):
            json.loads(p.read_text(encoding="utf-8"))
        elif p.name.startswith(".tantivy-"):
            assert p.stat().st_size == 0, p.name
        else:
            stem, _, ext = p.name.partition(".")
            assert p.name == "councilqa-format.json" or stem in segments and ext in ("fast", "fieldnorm", "idx", "pos", "store", "term", "del"), p.name
    for name in set(kinds) - {"councilqa.sqlite", "vectors.faiss", "manifest.json", "decision_vectors.json"}:
        assert name.endswith(".npy") and kinds[name].startswith(b"\x93NUMPY"), name
        import numpy as np

        np.load(gen / name, allow_pickle=False)  # plain arrays: loading refuses anything pickled


def _consistent(index_dir: Path) -> set[tuple[str, str, str]]:
    """Loads (checksums verified), vector count = passage rows, every vector id a passage; the passages."""
    s = Searcher(index_dir, embedder=EMB)
    rows = s.conn.execute("SELECT p.id, d.path, p.label, p.text FROM passages p JOIN documents d "
                          "ON d.id = p.document_id").fetchall()
    assert s.vectors.ntotal == len(rows)
    for r in rows[:: max(1, len(rows) // 50)]:
        s.vectors.reconstruct(int(r[0]))  # raises if the id has no vector
    s.close()
    return {(r[1], r[2], r[3]) for r in rows}


def _many_files(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"decision-{i:03d}.md").write_text(
            f"# Record of decision\n\nDecision no: 24/{i:05d}\n\nTitle of Decision: Grant to community group {i}\n\n"
            f"Decision: to award a grant of £{1000 + i},000 to community group {i} for the year 2024-25.\n\n"
            f"Reasons: the group {i} serves residents of ward {i % 17}, and its bid scored {i % 40} points.\n",
            encoding="utf-8")


@pytest.mark.parametrize("delay", [0.8, 1.3, 1.8, 2.6])
def test_an_ingest_killed_at_any_moment_leaves_a_usable_index(tmp_path, delay):
    """A real ``councilqa ingest`` process, SIGKILLed at an arbitrary moment into adding 100 files: the
    index it leaves loads and is consistent, and the next ingest ends equal to a clean build."""
    ix = tmp_path / "ix"
    build([SAMPLE], ix, EMB, "hash:384")
    before = _consistent(ix)
    more = tmp_path / "more"
    _many_files(more, 100)
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())",
                             "ingest", str(SAMPLE), str(more), "--index", str(ix), "--model", "hash:384", "--json"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    after = _consistent(ix)
    assert after == before or len(after) > len(before)  # the old generation, or the whole new one
    build([SAMPLE, more], ix, EMB, "hash:384")
    clean = tmp_path / "clean"
    build([SAMPLE, more], clean, EMB, "hash:384")
    assert _consistent(ix) == _consistent(clean)


def test_a_hundred_files_with_five_bad_ones(capsys, tmp_path):
    folder = tmp_path / "corpus"
    _many_files(folder, 95)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"%PDF-1.7\nnot a pdf at all")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbfDecision \xff\xfe about nothing")
    code, out, _ = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"), "--json")
    data = json.loads(out)
    assert code == 3  # partial: some failed, the rest kept
    assert data["added"] == 95
    assert sorted(Path(f["path"]).name for f in data["failed"]) == ["binary.txt", "bom.txt", "broken.docx",
                                                                    "empty.txt", "fake.pdf"]
    assert all(f["reason"] for f in data["failed"])
    code, out, _ = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"), "--json")
    assert json.loads(out)["unchanged"] == 95 and json.loads(out)["embedded"] == 0  # again: nothing changes


PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"# Title\n\n"]


@settings(max_examples=40, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400))
def test_the_reader_raises_only_its_own_error_on_arbitrary_bytes(prefix, body):
    from ingest.errors import UnreadableDocument
    from ingest.pipeline import parse_bytes

    try:
        doc = parse_bytes(prefix + body, "fuzz.bin", timeout_s=10)
    except UnreadableDocument as exc:
        assert exc.reason
        return
    assert doc.passages and all(p.text.strip() for p in doc.passages)


@pytest.mark.parametrize("name", ["vectors.faiss", "councilqa.sqlite", "manifest.json"])
def test_a_tampered_index_is_refused_in_one_sentence(capsys, tmp_path, name):
    ix = tmp_path / "ix"
    build([SAMPLE], ix, EMB, "hash:384")
    target = current_generation(ix) / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    code, out, err = run(capsys, "search", "carers", "--index", str(ix))
    assert code == 2 and "Traceback" not in err
    assert name in err or "manifest" in err


def test_an_index_of_another_model_is_refused(capsys, tmp_path):
    ix = tmp_path / "ix"
    build([SAMPLE], ix, EMB, "hash:384")
    code, _, err = run(capsys, "search", "carers", "--index", str(ix), "--model", "hash:128")
    assert code == 2 and "built with hash:384, but hash:128 is configured: re-index" in err
