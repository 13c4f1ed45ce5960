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


# a report's cover table whose line breaks were lost (a page that mirrors a PDF): three or more labels in one long line
_COVER = ("Report to the Cabinet for Decision 14 March 2022 Portfolio: Leisure and Culture Subject: Renewal of Play "
          "Equipment at Kestrel Meadow Report of: Head of Leisure and Open Spaces Purpose: To seek approval to replace "
          "the play equipment at Kestrel Meadow, which failed its annual safety inspection. Executive summary: The play "
          "area was installed in 2004 and three pieces of its equipment were closed in January 2022.")


def test_a_cover_table_run_into_one_line_is_broken_before_each_label():
    from ingest.clean import unrun

    lines = [ln for ln in unrun(_COVER).split("\n") if ln]
    assert lines == ["Report to the Cabinet for Decision 14 March 2022", "Portfolio: Leisure and Culture",
                     "Subject: Renewal of Play Equipment at Kestrel Meadow",
                     "Report of: Head of Leisure and Open Spaces",
                     "Purpose: To seek approval to replace the play equipment at Kestrel Meadow, which failed its "
                     "annual safety inspection.",
                     "Executive summary: The play area was installed in 2004 and three pieces of its equipment were "
                     "closed in January 2022."]
    assert unrun(_COVER).split() == _COVER.split()  # only blanks are replaced


@pytest.mark.parametrize("text", [
    # prose naming two labels inside a long paragraph is prose
    "The Cabinet noted that the Subject: of the report had changed and the Purpose: was to consult. " * 4,
    # a short line with several labels is a field line the field reader already reads
    "Portfolio: Leisure Subject: Play areas Purpose: Renewal",
])
def test_prose_and_short_lines_are_not_broken(text):
    from ingest.clean import unrun

    assert unrun(text) == text


def test_the_meeting_a_cover_sends_its_report_to_is_its_meeting_date():
    from ingest.pipeline import parse_parts

    docs = parse_parts(_COVER.encode(), "cover.txt")
    assert [(d.meta.title, d.meta.decision_maker, d.meta.dates.get("meeting")) for d in docs] == \
        [("Renewal of Play Equipment at Kestrel Meadow", "Cabinet", "2022-03-14")]


def test_a_document_links_icon_and_size_are_furniture():
    text = clean("4 Medium Term Plan to 2014 pdf icon PDF 116 KB\n\nThe plan was agreed.").text
    assert "116" not in text and "icon" not in text
    assert text.startswith("4 Medium Term Plan to 2014")
