"""One validation layer for what people send: the CLI, the app and the HTTP API (``ui.api``) all call it.

Every request is bounded where it enters (``k``, the length of a question or query, a batch of questions,
filter values) and its text is sanitised once: NUL and other control characters, lone surrogates (how Python
carries undecodable command-line bytes) and the replacement character become spaces, so nothing unsanitised
reaches SQLite or the tokenizer. A value out of range raises ``BadRequest``, a ``ValueError`` whose message
names the field and its range; the CLI prints it and exits 2, the app shows it in place of results.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.errors import BadRequest
from index.filters import Filters
from index.sanitise import sanitise

MAX_K = 100  # passages a person can ask for; more is never read and only costs memory
MAX_TEXT = 2_000  # characters of a question or query (a long paragraph; gold questions are under 200)
MAX_BATCH = 1_000  # questions in one --batch file
MAX_BATCH_BYTES = 1_000_000
MODES = ("hybrid", "dense", "keyword")


def text(value: object, name: str = "question") -> str:
    """A question or query: sanitised, not empty, at most ``MAX_TEXT`` characters."""
    if not isinstance(value, str):
        raise BadRequest(f"the {name} must be text")
    cleaned = sanitise(value)
    if not cleaned:
        raise BadRequest(f"the {name} is empty: type some words to look for")
    if len(cleaned) > MAX_TEXT:
        raise BadRequest(f"the {name} is {len(cleaned):,} characters long; at most {MAX_TEXT:,} are read")
    return cleaned


def k_value(value: object, name: str = "k", upper: int = MAX_K) -> int:
    """A number of results, from 1 to ``upper``."""
    try:
        k = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a whole number from 1 to {upper} (got {value!r})") from None
    if isinstance(value, float) and value != k:
        raise BadRequest(f"{name} must be a whole number from 1 to {upper} (got {value!r})")
    if not 1 <= k <= upper:
        raise BadRequest(f"{name} must be from 1 to {upper} (got {k})")
    return k


def mode_value(value: object) -> str:
    if value not in MODES:
        raise BadRequest(f"mode must be one of {', '.join(MODES)} (got {value!r})")
    return str(value)


def offset_value(value: object, name: str = "offset", upper: int = 1_000_000) -> int:
    """Results skipped before a page (the HTTP API's pagination), from 0 to ``upper``."""
    try:
        offset = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a whole number from 0 to {upper:,} (got {value!r})") from None
    if not 0 <= offset <= upper:
        raise BadRequest(f"{name} must be from 0 to {upper:,} (got {offset})")
    return offset


@dataclass(frozen=True)
class SearchRequest:
    query: str
    k: int
    filters: Filters
    mode: str = "hybrid"
    offset: int = 0  # passages skipped before these k (a page of the HTTP API)


@dataclass(frozen=True)
class AskRequest:
    question: str
    k: int
    filters: Filters


def search_request(query: object, k: object = 10, filters: Filters | None = None, mode: object = "hybrid",
                   k_name: str = "k") -> SearchRequest:
    return SearchRequest(text(query, "query"), k_value(k, k_name), filters or Filters(), mode_value(mode))


def search_page(query: object, k: object = 10, offset: object = 0, filters: Filters | None = None,
                mode: object = "hybrid") -> SearchRequest:
    """A page of a search: ``k`` passages after ``offset``, never deeper than ``MAX_K`` in all."""
    k_checked, skip = k_value(k, "k"), offset_value(offset, upper=MAX_K - 1)
    if skip + k_checked > MAX_K:
        raise BadRequest(f"offset + k is {skip + k_checked}: a search reads at most {MAX_K} passages deep")
    return SearchRequest(text(query, "query"), k_checked, filters or Filters(), mode_value(mode), skip)


def ask_request(question: object, k: object = 8, filters: Filters | None = None, k_name: str = "k") -> AskRequest:
    return AskRequest(text(question, "question"), k_value(k, k_name), filters or Filters())


def batch(data: bytes, name: str = "the batch file") -> list[str]:
    """The questions of a ``--batch`` file (one a line, blank lines skipped), each checked as a question.
    Bytes that are not UTF-8 become spaces, as in a question typed on the command line."""
    if len(data) > MAX_BATCH_BYTES:
        raise BadRequest(f"{name} is {len(data):,} bytes; at most {MAX_BATCH_BYTES:,} are read")
    lines = [line for line in data.decode("utf-8", errors="replace").splitlines() if sanitise(line)]
    if not lines:
        raise BadRequest(f"{name} holds no questions (one question a line)")
    if len(lines) > MAX_BATCH:
        raise BadRequest(f"{name} holds {len(lines):,} questions; at most {MAX_BATCH:,} in one batch")
    out = []
    for number, line in enumerate(lines, 1):
        try:
            out.append(text(line, "question"))
        except BadRequest as exc:
            raise BadRequest(f"{name}, question {number}: {exc}") from None
    return out


MAX_ID = 200  # characters of a decision id or reference


@dataclass(frozen=True)
class SimilarRequest:
    """``similar``: the decisions most like ``decision``, at most ``k``, among one council's (``council``, a
    case-insensitive part of its name), or only other councils' (``other_councils``), dated within the range."""

    decision: str
    k: int = 10
    council: str = ""
    other_councils: bool = False
    date_from: str = ""
    date_to: str = ""


def similar_request(decision: object, k: object = 10, council: object = "", other_councils: object = False,
                    date_from: object = "", date_to: object = "", k_name: str = "k") -> SimilarRequest:
    from index.filters import iso_date

    number = text(decision, "decision id")
    if len(number) > MAX_ID:
        raise BadRequest(f"the decision id is {len(number):,} characters long; at most {MAX_ID} are read")
    place = sanitise(council) if isinstance(council, str) else None
    if place is None:
        raise BadRequest("council must be text")
    if len(place) > MAX_ID:
        raise BadRequest(f"council is {len(place):,} characters long; at most {MAX_ID} are read")
    if not isinstance(other_councils, bool):
        raise BadRequest("other councils takes yes or no")
    if place and other_councils:
        raise BadRequest("give a council or other councils, not both")
    start, end = iso_date(date_from, "from"), iso_date(date_to, "to")
    if start and end and start > end:
        raise BadRequest(f"from ({start}) is after to ({end}): no date is both")
    return SimilarRequest(number, k_value(k, k_name), place, other_councils, start, end)
