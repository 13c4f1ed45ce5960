"""Typed records passed between ingest, the index and the answerers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Status of a document or a decision, in order of progress: a later one supersedes an earlier one.
STATUS_ORDER = ("", "proposed", "recommendations approved", "taken")


@dataclass(frozen=True)
class MoneyAmount:
    """An amount of money stated in a document: the value in pounds, as printed, and its sentence."""

    value: float
    text: str
    sentence: str
    paragraph: str = ""


@dataclass(frozen=True)
class LedgerEntry:
    """An amount as the awards ledger reads it (``ingest.ledger``): what it is, for how long, who receives it.

    ``kind``: contract_value, annual_cost, grant, loan, saving, budget, fee_or_rate, income, threshold, other, or ""
    where the text says nothing; ``period``: one_off, per_annum, total_over_term, per_unit or unstated;
    ``row``: the label of the table row it is printed in ("" outside a table); ``sentence``: the text it was read
    from, as printed in its paragraph (a table cell's: its row)."""

    value: float
    text: str
    sentence: str
    paragraph: str
    kind: str = ""
    period: str = "unstated"
    term_years: float | None = None
    counterparty: str = ""
    role: str = ""  # supplier, recipient, borrower, payer
    row: str = ""
    qualifier: str = ""  # maximum, estimated, or ""


@dataclass(frozen=True)
class OrgMention:
    """An organisation a document names (``ingest.orgs``): as printed, normalised, its kind, where."""

    name: str
    key: str  # normalised (``ingest.orgs.org_key``): "acme care limited"
    kind: str  # company, charity, nhs, council, education, public, organisation
    paragraph: str
    sentence: str
    role: str = ""  # the role it plays in an amount of the same document (supplier, recipient, ...), if any


@dataclass(frozen=True)
class DocumentMeta:
    """What a document says about the decision it belongs to. Empty fields were not found in the text."""

    number: str = ""  # the decision's own reference as the document prints it ("22/00093", "OKD55 (20/21)", "2128")
    mentions: tuple[str, ...] = ()
    title: str = ""
    decision_maker: str = ""
    status: str = ""
    doc_type: str = ""
    key_decision: bool | None = None
    key_decision_text: str = ""
    council: str = ""
    dates: dict[str, str] = field(default_factory=dict)  # kind -> ISO date
    amounts: tuple[MoneyAmount, ...] = ()
    call_in: bool | None = None
    fields: dict[str, str] = field(default_factory=dict)  # purpose, decision, reasons, alternatives, wards, contact,
    # report_author, lead_officer, lead_member
    # where each field was printed: field name ("date_decision", "decision_maker", "reasons" ...) -> the label of the
    # paragraph that prints it ("Date of decision ¶1"), so an answer about the record cites that paragraph
    sources: dict[str, str] = field(default_factory=dict)
    ledger: tuple[LedgerEntry, ...] = ()  # the amounts as the awards ledger reads them (``ingest.ledger``)
    organisations: tuple[OrgMention, ...] = ()  # organisations named (``ingest.orgs``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a document with its human label and its span in the cleaned text."""

    label: str  # unique in its document: "4.2", "6.1 (2)", "Financial Implications ¶1"
    heading: str  # the section heading it sits under ("" if none)
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A unit of retrieval: a paragraph, or part of a long one, keeping the paragraph's label."""

    label: str
    heading: str
    part: int  # 0 for the first (or only) part
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    """One file after reading, cleaning, metadata extraction and splitting."""

    path: str
    sha256: str
    format: str
    text: str
    meta: DocumentMeta
    paragraphs: tuple[Paragraph, ...]
    passages: tuple[Passage, ...]
    source: str = ""  # the file it was read from; ``path`` is ``source#n`` for one of a page's several decisions
    parent: str = ""  # the file of the decision page this document accompanies (a report PDF it links to)
    url: str = ""  # where that file was fetched from (``councilqa fetch``); "" for a local file


@dataclass(frozen=True)
class Failure:
    """A file that could not be ingested, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A path not read on purpose (a symbolic link, a device or pipe), and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Unchanged:
    """A file already stored with the same bytes: not parsed again."""

    path: str
