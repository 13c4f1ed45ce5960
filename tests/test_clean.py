"""Each repair: damaged input -> the text we expect. No repair may change a word or a number."""
from __future__ import annotations

import difflib
import re

import pytest

from ingest.clean import clean

CASES = [
    ("wrapped line", "The contract was due to expire\non 31 March 2021.", "The contract was due to expire on 31 March 2021."),
    ("wrap across blank line", "due to the pandemic, it\n\nwas not possible to start.", "due to the pandemic, it was not possible to start."),
    ("date split over lines", "discussed at the Committee on 31\n\n \n\nMarch 2022 and noted.", "discussed at the Committee on 31 March 2022 and noted."),
    ("hyphenated break keeps the hyphen", "the re-\ntendering of the contract.", "the re-tendering of the contract."),
    ("soft hyphen removed", "the retender\u00ading of it.", "the retendering of it."),
    ("space before punctuation", "the teams . Then , more ; done .", "the teams. Then, more; done."),
    ("non-breaking and zero-width spaces", "£1m\u00a0for\u200b the  service.", "£1m for the service."),
    ("runs of blank lines", "First paragraph.\n\n\n\n\nSecond paragraph.", "First paragraph.\n\nSecond paragraph."),
    ("bullet on its own line", "Options considered:\n•\nOption 2: Reprocure\n•\nOption 3: Split", "Options considered:\n\n• Option 2: Reprocure\n• Option 3: Split"),
    ("middle-dot bullets", "Outcomes are:\n\n·\u00a0\u00a0 Kent communities are resilient", "Outcomes are:\n\n• Kent communities are resilient"),
    ("page number between blank lines", "The first page ends here.\n\n 2 \n\nThe second page starts.", "The first page ends here.\n\nThe second page starts."),
    ("dot leaders", "Proper Officer: None .............. ..........", "Proper Officer: None"),
    ("CRLF line ends", "Line one of it\r\ncontinues.\r\n\r\nNext.", "Line one of it continues.\n\nNext."),
]


@pytest.mark.parametrize(("damaged", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_repair(damaged, expected):
    assert clean(damaged, "text").text == expected


def test_markdown_markup_removed():
    md = "## **2. Background**\n\n- 2.1 The **key** principles.\n  - To promote fairness\n\n[Report Author](mailto:a@b.c)"
    out = clean(md, "markdown")
    assert out.text == "2. Background\n\n2.1 The key principles.\n\n• To promote fairness\n\nReport Author"
    assert [b.kind for b in out.blocks] == ["heading", "para", "list", "para"]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+|\d+", text)


def test_sample_corpus_keeps_every_word_and_number(sample_docs):
    """Repairs move whitespace and drop markup/furniture, but every word and number survives in order."""
    from conftest import SAMPLE

    for key, doc in sample_docs.items():
        raw = next(SAMPLE.glob(f"{key}_*.txt")).read_text(encoding="utf-8")
        if doc.format == "markdown":
            raw = re.sub(r"\]\([^)]*\)", "]", raw)  # link targets are markup
        diffs = [
            (op, raw_w[i1:i2], kept_w[j1:j2])
            for raw_w, kept_w in [(_words(raw), _words(doc.text))]
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, raw_w, kept_w, autojunk=False).get_opcodes()
            if op != "equal"
        ]
        # the only word or number dropped anywhere is the bare page number "2" of the signed record
        assert diffs == ([("delete", ["2"], [])] if key == "004" else []), key
