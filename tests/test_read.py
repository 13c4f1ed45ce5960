from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_docx, make_pdf
from ingest.errors import UnreadableDocument
from ingest.pipeline import parse_file
from ingest.pipeline import read_file
from ingest.read import read_bytes, sniff_format
from ingest.sandbox import run_with_timeout

RECORD = [
    "KENT COUNTY COUNCIL - PROPOSED RECORD OF DECISION",
    "DECISION NO: 23/00111",
    "Title of Decision: Highways Winter Gritting Contract",
    "Financial Implications: The total value of the contract will be £1.25m over two years.",
]


def test_pdf_reader_extracts_text_and_metadata(tmp_path):
    doc = parse_file(make_pdf(tmp_path / "record.pdf", RECORD))
    assert doc.format == "pdf"
    assert doc.meta.number == "23/00111"
    assert doc.meta.title == "Highways Winter Gritting Contract"
    assert doc.meta.status == "proposed"
    assert [a.value for a in doc.meta.amounts] == [1_250_000.0]
    assert any(p.label == "Financial Implications ¶1" for p in doc.paragraphs)


def test_pdf_detected_by_content_not_extension(tmp_path):
    pdf = make_pdf(tmp_path / "x.pdf", RECORD)
    renamed = tmp_path / "record.txt"
    pdf.rename(renamed)
    assert parse_file(renamed).format == "pdf"


def test_html_decision_page(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>x</title><script>alert('no')</script></head><body><nav>Home | Menu</nav>"
        "<h1>Decision details</h1><h2>21/00042 - Library Opening Hours</h2>"
        "<p>Decision Maker: Cabinet Member for Communities</p><p>Decision status: Recommendations Approved</p>"
        "<p>Is Key decision?: No</p><h3>Reasons for the decision</h3><p>Libraries will open on Sundays.</p>"
        "<ul><li>First point</li><li>Second point</li></ul>"
        "<p>Date of decision: 02/07/2021</p></body></html>",
        encoding="utf-8",
    )
    doc = parse_file(page)
    assert doc.format == "markdown"
    assert "alert" not in doc.text and "Home | Menu" not in doc.text
    assert doc.meta.number == "21/00042"
    assert doc.meta.title == "Library Opening Hours"
    assert doc.meta.decision_maker == "Cabinet Member for Communities"
    assert doc.meta.status == "recommendations approved"
    assert doc.meta.key_decision is False
    assert doc.meta.dates == {"decision": "2021-07-02"}
    labels = [p.label for p in doc.paragraphs]
    assert "Reasons for the decision ¶1" in labels


def test_docx_reader(tmp_path):
    path = make_docx(tmp_path / "report.docx", [
        ("", "Decision Number: 22/00200"),
        ("Heading1", "1. Introduction"),
        ("", "1.1 The contract for school transport ends in 2023."),
        ("", "1.2 A new contract worth £4,500,000 is proposed."),
    ])
    doc = parse_file(path)
    assert doc.meta.number == "22/00200"
    assert [p.label for p in doc.paragraphs][-2:] == ["1.1", "1.2"]
    assert doc.meta.amounts[0].value == 4_500_000


def test_markdown_reader_strips_markup(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("# Report\n\n**Decision Number** **22/00300**\n\n## 2. Background\n\n- 2.1 **Bold** [link](https://x.org) text.\n")
    doc = parse_file(path)
    assert doc.meta.number == "22/00300"
    p = next(p for p in doc.paragraphs if p.label == "2.1")
    assert p.text == "2.1 Bold link text."


@pytest.mark.parametrize(
    "data",
    [
        "Decision: approve the café budget of £5m.\n".encode("utf-8"),
        b"\xef\xbb\xbf" + "Decision: approve the café budget of £5m.\n".encode("utf-8"),
        "Decision: approve the café budget of £5m.\n".encode("utf-16"),
        "Decision: approve the café budget of £5m.\n".encode("cp1252"),
        "Decision: approve the café\x00 budget of £5m.\n".encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252", "nul-bytes"],
)
def test_text_encodings(data):
    raw = read_bytes(data, "x.txt", ".txt")
    assert raw.text.strip() == "Decision: approve the café budget of £5m."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\n \x00", "file is empty"),
        ("binary.bin", bytes(range(256)) * 20, "binary file"),
        ("bad.txt", b"caf\xe9 \x81\x8d", "undecodable bytes"),
        ("trunc.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "PDF"),
        ("fake.pdf", b"this is not a pdf at all", "PDF"),
        ("broken.docx", b"PK\x03\x04garbage", "Word document"),
    ],
)
def test_bad_inputs_raise_with_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableDocument) as info:
        parse_file(path)
    assert reason in info.value.reason
    assert info.value.path == str(path)


def test_encrypted_pdf_is_reported(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", RECORD, password="secret")
    with pytest.raises(UnreadableDocument, match="encrypted PDF"):
        parse_file(path)


def test_truncated_real_pdf_is_reported_not_crashing(tmp_path):
    data = make_pdf(tmp_path / "full.pdf", RECORD).read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(UnreadableDocument):
        parse_file(path)


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Decision text. " * 1000)
    with pytest.raises(UnreadableDocument, match="over the"):
        read_file(path, max_bytes=1000)


def test_hanging_parser_is_stopped():
    with pytest.raises(UnreadableDocument, match="longer than 1 s"):
        run_with_timeout("hang_parser:hang", b"x", "slow.pdf", timeout_s=1)


def test_crashing_parser_is_reported():
    with pytest.raises(UnreadableDocument, match="crashed"):
        run_with_timeout("hang_parser:crash", b"x", "boom.pdf", timeout_s=10)


@pytest.mark.parametrize(
    ("head", "suffix", "fmt"),
    [(b"%PDF-1.7", ".txt", "pdf"), (b"<!DOCTYPE html><html>", ".txt", "html"), (b"# A\n\n## B\n", ".txt", "markdown"),
     (b"plain words", ".md", "markdown"), (b"plain words", "", "text")],
)
def test_sniff_format(head, suffix, fmt):
    assert sniff_format(head, suffix) == fmt


def test_html_with_unclosed_cells_keeps_its_table():
    """An HTML5 parser reads unclosed cells and rows as a browser does; the old converter lost the whole table."""
    from ingest.html import html_to_markdown

    text = html_to_markdown("<table><tr><td>Grant<td>£12,000<tr><td>Loan<td>£1.4m</table><p>After</p>")
    assert text == "Grant\t£12,000\n\nLoan\t£1.4m\n\nAfter"
