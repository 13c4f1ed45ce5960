"""RELIABILITY.md, "Ingestion": each file is parsed under a time bound, whatever its format. A file whose parse
cannot finish in time is reported by path and with the limit as its reason; the other files are indexed, the exit
code says "partial"; and a parse under the bound gives exactly what a parse here gives."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from index.executors import Pooled, ThreadPool
from ingest.errors import UnreadableDocument
from ingest.pipeline import FileJob, IngestOptions, parse_all, parse_job, parse_parts, read_all
from ingest.records import Failure, ParsedDocument
from ingest.wire import WireError, from_json, to_json
from tests.conftest import SAMPLE, make_pdf
from tests.hostile.support import run

LAYOUTS = Path(__file__).resolve().parents[1] / "data" / "layouts"
# HTML nested 100k tags deep: the HTML5 parser itself (lexbor) takes about 20 s to build its tree
NESTED = b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>"


def _good(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"decision-{i}.md").write_text(
            f"# Record of decision\n\nDecision no: 24/{i:05d}\n\nTitle of Decision: Grant to group {i}\n\n"
            f"Decision: to award a grant of £{i + 1},000 to community group {i}.\n", encoding="utf-8")


def test_an_html_file_that_cannot_be_parsed_in_time_is_reported_and_the_rest_indexed(capsys, tmp_path):
    folder = tmp_path / "corpus"
    _good(folder, 4)
    (folder / "nested.html").write_bytes(NESTED)
    start = time.monotonic()
    code, out, _ = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"), "--timeout", "1", "--json")
    assert time.monotonic() - start < 15  # stopped at its limit, not parsed to the end
    data = json.loads(out)
    assert code == 3  # partial: the rest kept
    assert data["added"] == 4 and data["index"]["documents"] == 4
    assert [(Path(f["path"]).name, f["reason"]) for f in data["failed"]] == [
        ("nested.html", "the parser took longer than 1 s, the time limit for one file, and was stopped")]


def _stall_on(marker: str, monkeypatch) -> None:
    """``clean`` spins on a text holding ``marker``: a stage of the parse that never ends (the child inherits the
    patch when it is forked)."""
    import ingest.pipeline

    real = ingest.pipeline.clean

    def clean(text, fmt="text"):
        while marker in text:
            pass
        return real(text, fmt)

    monkeypatch.setattr(ingest.pipeline, "clean", clean)


@pytest.mark.parametrize("executor", ["in process", "thread pool"])
def test_a_text_file_whose_parse_stalls_is_a_failure_naming_the_limit(monkeypatch, tmp_path, executor):
    folder = tmp_path / "corpus"
    _good(folder, 3)
    (folder / "stalls.txt").write_text("A plain note.\n\nSTALL HERE: this paragraph is never cleaned.\n",
                                       encoding="utf-8")
    _stall_on("STALL HERE", monkeypatch)
    options = IngestOptions(timeout_s=1)
    if executor == "in process":
        got = list(parse_all([folder], options=options))
    else:
        with ThreadPool(2) as pool:
            got = list(Pooled(pool).parse([folder], None, options))
    failed = [(Path(f.path).name, f.reason) for f in got if isinstance(f, Failure)]
    assert failed == [("stalls.txt", "the parser took longer than 1 s, the time limit for one file, and was stopped")]
    assert sorted(d.meta.number for d in got if isinstance(d, ParsedDocument)) == ["24/00000", "24/00001", "24/00002"]


def test_a_fault_in_the_parse_is_a_failure_with_its_reason(monkeypatch, tmp_path):
    import ingest.pipeline

    monkeypatch.setattr(ingest.pipeline, "paragraphs", lambda cleaned: 1 / 0)
    got = parse_job(FileJob("note.txt", b"A note about parking."))
    assert got == Failure("note.txt", "the parse failed on this file (ZeroDivisionError: division by zero)")


def test_the_bounded_parse_gives_what_a_parse_here_gives(tmp_path):
    """Every sample and layout fixture, and PDFs good, locked and broken: documents equal, reasons equal."""
    make_pdf(tmp_path / "good.pdf", ["DECISION NO: 23/00002", "Title of Decision: Bus Shelters", "Cost: £5,000."])
    make_pdf(tmp_path / "locked.pdf", ["DECISION NO: 23/00001"], password="pw")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    jobs = [j for j in read_all([SAMPLE, LAYOUTS, tmp_path]) if isinstance(j, FileJob)]
    assert len(jobs) > 20
    for job in jobs:
        try:
            here: list[ParsedDocument] | Failure = parse_parts(job.data, job.path, folder=job.folder)
        except UnreadableDocument as exc:
            here = Failure(job.path, exc.reason)
        assert parse_job(job) == here, job.path


def test_documents_cross_as_json_and_nothing_else_is_read():
    doc = parse_parts((SAMPLE / "000_94117ebe41b503e5.txt").read_bytes(), "sample.txt")[0]
    value = json.loads(json.dumps(to_json(doc)))
    assert from_json(value) == doc
    for bad in ({**value, "extra": 1}, {**value, "paragraphs": "not a list"},
                {**value, "meta": {**value["meta"], "key_decision": "yes"}},
                {**value, "passages": [{**value["passages"][0], "start": 1.5}]}):
        with pytest.raises((WireError, TypeError)):
            from_json(bad)


def test_a_child_is_held_to_memory_and_cpu_limits_of_its_own():
    """Should the ingest be killed while a child computes, the kernel stops the child at twice its time in CPU."""
    import resource

    from ingest.sandbox import CPU_GRACE_S, run_bounded

    assert run_bounded("resource:getrlimit", (resource.RLIMIT_CPU,), "x", timeout_s=3) == [6 + CPU_GRACE_S,
                                                                                         7 + CPU_GRACE_S]
    soft, _ = run_bounded("resource:getrlimit", (resource.RLIMIT_AS,), "x", timeout_s=3)
    assert soft != resource.RLIM_INFINITY


def open_files() -> list[str]:
    """What this process has open (run in a child by the test below)."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # listdir's own descriptor, gone
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_child_holds_none_of_its_parents_files(tmp_path):
    """An ingest holds the index's writer lock while it parses: a child left running by an ingest killed mid-parse
    must not keep it (an flock lasts while any copy of its descriptor is open)."""
    from index.lock import LOCK_NAME, writer_lock
    from ingest.sandbox import run_bounded

    with writer_lock(tmp_path):
        assert any(f.endswith(LOCK_NAME) for f in open_files())
        in_child = run_bounded("tests.hostile.test_time_bound:open_files", (), "x", timeout_s=10)
    assert not any(f.endswith(LOCK_NAME) for f in in_child)
    assert len([f for f in in_child if f.startswith("pipe:")]) == 1 and len(in_child) <= 4  # stdio and its pipe
