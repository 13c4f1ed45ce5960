from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunk import split_paragraph
from ingest.clean import clean
from ingest.records import Paragraph
from ingest.structure import paragraphs


def labels(doc):
    return [p.label for p in doc.paragraphs]


def test_spans_are_exact(sample_docs):
    for doc in sample_docs.values():
        for p in doc.paragraphs:
            assert doc.text[p.start : p.end] == p.text
        for p in doc.passages:
            assert doc.text[p.start : p.end] == p.text and p.text.strip()


def test_labels_unique(sample_docs):
    for doc in sample_docs.values():
        assert len(labels(doc)) == len(set(labels(doc)))


def test_numbered_report_labels(sample_docs):
    report = sample_docs["001"]
    found = labels(report)
    assert found[found.index("1.1"):found.index("10.1") + 1] == [
        "1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7",
        "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "5.1", "5.2", "6.1", "6.1 (2)", "7.1", "8.1",
        "9.1", "9.2", "9.3", "10.1",
    ]
    by = {p.label: p for p in report.paragraphs}
    assert by["6.1"].text.startswith("6.1 An Equality Impact Assessment")
    assert by["6.1 (2)"].text.startswith("6.1 There should be no negative impact")  # printed number kept
    assert by["4.2"].text.startswith("4.2 The total forecast spend") and "£7,392,400" in by["4.2"].text  # table kept
    assert "To promote fairness" in by["2.2"].text  # its bullet list kept
    assert by["Summary ¶1"].text.startswith("Summary: The current Community Day Opportunities")
    assert by["Background Documents ¶1"].text == "None"


def test_record_labels_by_heading(sample_docs):
    record = {p.label: p for p in sample_docs["003"].paragraphs}
    assert record["Financial Implications ¶1"].text.startswith("Financial Implications: The Carers’ Short Breaks")
    assert record["Financial Implications ¶2"].text.startswith("The total value of the one-year contract")
    assert "a) APPROVE a Direct Award" in record["Decision ¶1"].text
    proposed = {p.label: p for p in sample_docs["000"].paragraphs}
    assert "£7,392,400" in proposed["Financial Implications ¶2"].text  # the broken table stays with its paragraph
    assert "31 March 2022" in proposed["Cabinet Committee recommendations and other consultation ¶1"].text


def test_decision_page_labels(sample_docs):
    page = labels(sample_docs["002"])
    assert page[:6] == ["Decision Maker ¶1", "Decision status ¶1", "Is Key decision? ¶1",
                        "Is subject to call in? ¶1", "Proposed decision ¶1", "Further Information ¶1"]
    assert "Options ¶1" in page and "Options ¶2" in page


def test_labels_deterministic(sample_docs):
    from ingest.pipeline import parse_file
    from conftest import sample_file

    again = parse_file(sample_file("001"))
    assert labels(again) == labels(sample_docs["001"])


def test_long_paragraph_split_keeps_label():
    text = " ".join(f"Sentence number {i} says something about the contract value." for i in range(60))
    para = Paragraph("4.2", "Financial", 10, 10 + len(text), text)
    parts = split_paragraph(para, max_chars=300)
    assert len(parts) > 5
    assert {p.label for p in parts} == {"4.2"} and [p.part for p in parts] == list(range(len(parts)))
    assert all(len(p.text) <= 300 for p in parts)


def test_short_paragraphs_not_merged():
    c = clean("Legal Implications: None.\n\nEquality Implications: None.", "text")
    assert [p.label for p in paragraphs(c)] == ["Legal Implications ¶1", "Equality Implications ¶1"]


_text = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "Cc", "S")), max_size=3000)


@settings(max_examples=150, deadline=None)
@given(text=_text, max_chars=st.integers(min_value=20, max_value=800))
def test_splitting_never_drops_or_duplicates_text(text, max_chars):
    para = Paragraph("1", "", 5, 5 + len(text), text)
    parts = split_paragraph(para, max_chars)
    rebuilt = []
    pos = 0
    for p in parts:
        offset = p.start - para.start
        assert offset >= pos  # no overlap
        assert text[pos:offset].strip() == ""  # only whitespace between parts
        assert text[offset : offset + len(p.text)] == p.text
        assert p.text.strip() and len(p.text) <= max_chars
        rebuilt.append(p.text)
        pos = offset + len(p.text)
    assert text[pos:].strip() == ""


@settings(max_examples=100, deadline=None)
@given(text=_text)
def test_cleaning_and_labelling_are_total_and_deterministic(text):
    """Any text: no exception, spans exact, labels unique and the same on a second run."""
    first = clean(text, "text")
    paras = paragraphs(first)
    for p in paras:
        assert first.text[p.start : p.end] == p.text
    assert len({p.label for p in paras}) == len(paras)
    assert [p.label for p in paragraphs(clean(text, "text"))] == [p.label for p in paras]
