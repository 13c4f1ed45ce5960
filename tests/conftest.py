from __future__ import annotations

import os
from pathlib import Path

import pytest

# Fast tests use the deterministic hashing embedder; tests marked slow load the real model explicitly.
os.environ.setdefault("COUNCILQA_MODEL", "hash:384")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
AWARDS = Path(__file__).resolve().parent / "data" / "awards"


def sample_file(prefix: str) -> Path:
    return next(SAMPLE.glob(f"{prefix}_*.txt"))


def change_sample(corpus: Path) -> tuple[Path, Path]:
    """In a copy of the sample: replace an amount in one document, remove another, add a third (23/00777, street
    lighting). Returns (changed, removed): what an incremental build must take in."""
    target = next(corpus.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8").replace("£3.087m", "£3.2m"), encoding="utf-8")
    removed = next(corpus.glob("002_*.txt"))
    removed.unlink()
    (corpus / "new.txt").write_text("DECISION NO: 23/00777\n\nTitle of Decision: Street Lighting\n\n"
                                    "Decision: replace the street lighting lamps across the county.", encoding="utf-8")
    return target, removed


@pytest.fixture(scope="session")
def sample_docs():
    """The five sample documents, parsed once: {"000": ParsedDocument, ...}."""
    from ingest.pipeline import parse_file

    return {p.name[:3]: parse_file(p) for p in sorted(SAMPLE.glob("0*.txt"))}


def make_pdf(path: Path, paragraphs: list[str], password: str | None = None) -> Path:
    """A real text PDF made with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for para in paragraphs:
        pdf.multi_cell(0, 6, para)
        pdf.ln(4)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))
    return path


def make_docx(path: Path, blocks: list[tuple[str, str]]) -> Path:
    """A minimal real .docx: blocks of (style, text); style "Heading1" makes a heading."""
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        if style else f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        for style, text in blocks
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", xml)
    return path


@pytest.fixture(scope="session")
def awards_index(tmp_path_factory) -> Path:
    """The sample and the two Eastmarsh home care decisions written for the awards tests ("Borough of Eastmarsh"),
    indexed once with the hashing embedder."""
    import shutil

    from index.build import build
    from index.embed import HashEmbedder
    from ingest.pipeline import IngestOptions

    root = tmp_path_factory.mktemp("awards-index")
    shutil.copytree(SAMPLE, root / "corpus", ignore=shutil.ignore_patterns("README.md"))
    build([root / "corpus"], root / "index", HashEmbedder(384), "hash:384")
    build([AWARDS], root / "index", HashEmbedder(384), "hash:384",
          options=IngestOptions(council="Borough of Eastmarsh"))
    return root / "index"
