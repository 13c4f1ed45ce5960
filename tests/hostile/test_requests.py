"""Hostile requests to the CLI (cases 1, 3, 6, 7, 8 of issue 14): each gets exit 2 and one sentence naming the
option and its range, or a sane answer, never a traceback, and the index stays byte-identical."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.hostile.support import fingerprint, run

HUGE = str(10**9)



@pytest.mark.parametrize(("argv", "message"), [
    (["search", "carers", "--k", HUGE], f"--k must be from 1 to 100 (got {HUGE})"),
    (["search", "carers", "--k", "0"], "--k must be from 1 to 100 (got 0)"),
    (["search", "carers", "--k", "-1"], "--k must be from 1 to 100 (got -1)"),
    (["ask", "carers", "--k", HUGE], "--k must be from 1 to 100"),
    (["ask", "carers", "--k", "0"], "--k must be from 1 to 100 (got 0)"),
    (["search", "carers", "--filter", "from=notadate"], "filter from='notadate' is not a date"),
    (["search", "carers", "--filter", "to=notadate"], "filter to='notadate' is not a date"),
    (["search", "carers", "--filter", "from=2022-13-45"], "filter from='2022-13-45' is not a real date"),
    (["ask", "Which decisions were taken?", "--filter", "from=2022-02-30"], "is not a real date"),
    (["search", "carers", "--filter", "from=2023-01-01", "--filter", "to=2022-01-01"], "is after to"),
    (["search", "carers", "--filter", "key=maybe"], "key takes yes or no"),
    (["search", "carers", "--filter", "maker=" + "x" * 500], "filter maker is 500 characters; at most 200"),
    (["search", ""], "the query is empty"),
    (["search", "   \t "], "the query is empty"),
    (["search", "\x00\x01"], "the query is empty"),
    (["ask", ""], "the question is empty"),
    (["ask", "  "], "the question is empty"),
    (["ask", "carers " * 400], "the question is 2,799 characters long; at most 2,000 are read"),
    (["search", "x" * 2001], "at most 2,000 are read"),
    (["ask"], "give a question or --batch FILE, not both"),
    (["search", "carers", "--mode", "fuzzy"], "invalid choice"),
])
def test_out_of_range_requests_are_usage_errors(capsys, index_dir, argv, message):
    before = fingerprint(index_dir)
    code, out, err = run(capsys, *argv, "--index", str(index_dir))
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""
    assert fingerprint(index_dir) == before


@pytest.mark.parametrize("question", [
    "carers\x00 short breaks award",  # NUL: once a traceback from FTS5 ("unterminated string")
    "carers \udcff award",  # an undecodable command-line byte, as Python hands it over
    "carers \ud800 short breaks",  # a lone surrogate
    "carers\x1b[31m short breaks\x07",  # terminal escapes
    'carers" OR "short* NEAR(breaks) award',  # FTS5 syntax
    "\u202ecarers short breaks \U0001f600",  # right-to-left override and an emoji
])
def test_hostile_text_gets_an_answer(capsys, index_dir, question):
    before = fingerprint(index_dir)
    for command in ("search", "ask"):
        code, out, err = run(capsys, command, "--index", str(index_dir), "--json", "--", question)
        assert code == 0, err
        assert "Traceback" not in err
        data = json.loads(out)
        assert "\x00" not in out and "\\u0000" not in out
        if command == "ask":
            assert "\x00" not in data["question"] and "\udcff" not in data["question"]
    assert fingerprint(index_dir) == before


def test_batch_with_nul_bytes_invalid_utf8_and_blank_lines(capsys, index_dir, tmp_path):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(b"How much is the carers\x00 short breaks award worth?\n\n\n"
                      b"Who took decision 21/00081?\xff\xfe\n   \n")
    code, out, err = run(capsys, "ask", "--batch", str(batch), "--index", str(index_dir))
    assert code == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == 2
    assert "£3.087m" in answers[0]["answer"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no questions"),
    (b"\n \x00 \n", "holds no questions"),
    (b"carers?\n" * 1001, "holds 1,001 questions; at most 1,000 in one batch"),
    (b"carers " * 200_000, "bytes; at most 1,000,000 are read"),
    (b"fine question\n" + b"x" * 2500 + b"\n", "question 2: the question is 2,500 characters long"),
])
def test_bad_batch_files(capsys, index_dir, tmp_path, content, message):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(content)
    code, out, err = run(capsys, "ask", "--batch", str(batch), "--index", str(index_dir))
    assert code == 2 and message in err and out == ""


def test_missing_batch_file(capsys, index_dir, tmp_path):
    code, _, err = run(capsys, "ask", "--batch", str(tmp_path / "nope.txt"), "--index", str(index_dir))
    assert code == 2 and "cannot be read (No such file or directory)" in err


def test_stdin_batch_and_undecodable_argv_in_a_real_process(index_dir):
    """The console entry point as a shell runs it: a NUL on standard input, a \\xff byte in argv."""
    script = "import sys; from ui.cli import main; sys.exit(main())"
    env_args = [sys.executable, "-c", script]
    piped = subprocess.run([*env_args, "ask", "--batch", "-", "--index", str(index_dir)],
                           input=b"carers\x00 short breaks award?\n", capture_output=True, timeout=120)
    assert piped.returncode == 0, piped.stderr.decode()
    assert json.loads(piped.stdout.decode().splitlines()[0])["question"] == "carers short breaks award?"
    raw = subprocess.run([*env_args, "ask", b"carers \xff award", "--index", str(index_dir)],
                         capture_output=True, timeout=120)
    assert raw.returncode == 0 and b"Traceback" not in raw.stderr, raw.stderr.decode()


def test_library_search_bounds_k_by_the_index(index_dir):
    """Code that calls the library directly cannot make a search allocate for a billion results either."""
    from index.search import Searcher
    from tests.hostile.support import EMB

    searcher = Searcher(index_dir, embedder=EMB)
    hits = searcher.search("carers", k=10**9)
    assert 0 < len(hits) <= searcher.passage_count()
    with pytest.raises(ValueError, match="k must be 1 or more"):
        searcher.search("carers", k=0)
    assert searcher.search("\x00 \udcff", k=5) == []
