"""Typed records of an answer: claims, the citations that support them, and the passages looked at."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.search import Hit, citation_label


@dataclass(frozen=True)
class Citation:
    decision: str
    paragraph: str
    document: str
    quote: str  # verbatim text of the cited passage (whitespace normalised)
    passage_id: int
    source: str = ""  # the document's address on the council's site, where it was fetched from

    @property
    def label(self) -> str:
        return citation_label(self.decision, self.paragraph)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "paragraph": self.paragraph, "document": self.document,
                "source": self.source, "quote": self.quote}


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and the citations that support it."""

    text: str
    citations: tuple[Citation, ...]
    note: str = ""  # e.g. "proposed, not yet taken"
    metadata: bool = False  # a line composed from index metadata (a list entry); its citation is still verified


@dataclass(frozen=True)
class Draft:
    """What an answerer proposes, before verification."""

    claims: tuple[Claim, ...]
    answerer: str
    preface: str = ""  # e.g. the heading of a list of decisions
    read: tuple[Any, ...] = ()  # passages read beyond the retrieved ones (the list after a lead-in), Hits


@dataclass(frozen=True)
class Answer:
    question: str
    abstained: bool
    claims: tuple[Claim, ...]
    passages: tuple[Hit, ...]  # what was retrieved (for an abstention: the closest matches)
    answerer: str
    preface: str = ""
    notes: tuple[str, ...] = ()  # e.g. "1 statement could not be verified and was removed"
    evidence: float = 0.0
    reason: str = ""  # why the answer abstained

    @property
    def citations(self) -> list[Citation]:
        seen: dict[tuple[str, str, int], Citation] = {}
        for claim in self.claims:
            for c in claim.citations:
                seen.setdefault((c.decision, c.paragraph, c.passage_id), c)
        return list(seen.values())

    @property
    def text(self) -> str:
        """The answer as people read it: each statement followed by its citations."""
        if self.abstained:
            lines = [self.reason or NOT_FOUND, *self.notes]
            if self.passages:
                lines.append("Closest matches (not an answer):")
                for h in self.passages:
                    snippet = " ".join(h.text.split())
                    lines.append(f"- {h.citation} {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
            return "\n".join(lines)
        lines = [self.preface] if self.preface else []
        for claim in self.claims:
            cites = " ".join(c.label for c in claim.citations)
            line = f"{claim.text} {cites}".strip()
            if claim.note:
                line += f" ({claim.note})"
            lines.append(("- " if self.preface else "") + line)
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "answerer": self.answerer,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [
                {"decision": h.decision, "paragraph": h.paragraph, "document": h.document, "score": h.score,
                 "text": h.text}
                for h in self.passages
            ],
            "notes": list(self.notes),
            "evidence": round(self.evidence, 4),
        }


NOT_FOUND = "Not found: the decisions indexed do not answer this question."


@dataclass(frozen=True)
class Question:
    """A question with its retrieval options, validated at the boundary."""

    text: str
    k: int = 8
    filters: Any = field(default=None)

    def __post_init__(self) -> None:
        from index.requests import k_value, text

        object.__setattr__(self, "text", text(self.text, "question"))
        object.__setattr__(self, "k", k_value(self.k))
