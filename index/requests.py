"""One validation layer for what people send: the CLI, the app and the HTTP API (``ui.api``) all call it.

Every request is bounded where it enters (``k``, the length of a question or query, a batch of questions,
filter values) and its text is sanitised once: NUL and other control characters, lone surrogates (how Python
carries undecodable command-line bytes) and the replacement character become spaces, so nothing unsanitised
reaches SQLite or the tokenizer. A value out of range raises ``BadRequest``, a ``ValueError`` whose message
names the field and its range; the CLI prints it and exits 2, the app shows it in place of results.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.council_filter import check as check_council
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
    """``similar``: the decisions most like ``decision``, at most ``k``, among one council's (``council``, as a
    council filter reads it: ``index.council_filter``), or only other councils' (``other_councils``), dated
    within the range."""

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
    check_council(place)
    start, end = iso_date(date_from, "from"), iso_date(date_to, "to")
    if start and end and start > end:
        raise BadRequest(f"from ({start}) is after to ({end}): no date is both")
    return SimilarRequest(number, k_value(k, k_name), place, other_councils, start, end)


MAX_EXPORT = 1_000_000  # ledger rows one CLI export writes (``awards --limit``); the API reads a page at a time


@dataclass(frozen=True)
class AwardsRequest:
    """Rows of the awards ledger: ``query`` (its filters, its sort and ``query.offset``, the rows skipped first) and
    ``limit``, the rows wanted from there (None: every row). ``index.ledger_export.collect`` reads them a page of
    ``query.limit`` at a time."""

    query: object  # index.ledger.LedgerQuery
    limit: int | None = 100

    @property
    def offset(self) -> int:
        return self.query.offset  # type: ignore[attr-defined]


def _words(value: object, name: str) -> str:
    """An optional text value (None or "" when not given), sanitised; its length is checked by the record."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be text")
    return sanitise(value)


def amount(value: object, name: str = "min") -> float | None:
    """An amount as people type it ("1m", "250k", "£1.5m", "1,000,000"); None when not given."""
    from index.ledger import parse_amount

    text = _words(value, name)
    if not text:
        return None
    try:
        return parse_amount(text)
    except BadRequest as exc:
        raise BadRequest(f"{name}: {exc}") from None


def awards_request(min_value: object = None, max_value: object = None, date_from: object = None,
                   date_to: object = None, council: object = None, maker: object = None, kinds: object = (),
                   org: object = None, status: object = None, decision: object = None, sort: object = "value",
                   limit: object = 100, offset: object = 0, all_printings: bool = False, *,
                   names: dict[str, str] | None = None, max_limit: int | None = None) -> AwardsRequest:
    """``councilqa awards``, ``GET /api/awards`` and the app's Awards tab: the filters as typed, checked here and by
    ``LedgerQuery``. ``limit`` None (the CLI's exports) is every row; else 1 to ``max_limit`` (default: a page,
    ``ledger.MAX_PAGE``). ``names``: how this front end spells a field in its messages (``{"limit": "--limit"}``).
    A status is read as the documents' words are ("Approved" is "taken", "Call-in" "called in")."""
    from index.ledger import MAX_PAGE, SORTS, LedgerQuery
    from ingest.fields import status_of

    said = {"min": "min", "max": "max", "limit": "limit", "offset": "offset", "kind": "kind", "sort": "sort",
            **(names or {})}
    if isinstance(kinds, str) or not isinstance(kinds, (list, tuple)):
        raise BadRequest(f"{said['kind']} must be a list of kinds")
    wanted = None if limit is None else k_value(limit, said["limit"], upper=max_limit or MAX_PAGE)
    state = _words(status, "status")
    wanted_kinds = tuple(w for w in (_words(k, said["kind"]).lower() for k in kinds) if w)
    order = _words(sort, said["sort"]) or "value"
    if order not in SORTS:
        raise BadRequest(f"{said['sort']} {order[:40]!r} is not one of: {', '.join(SORTS)}")
    query = LedgerQuery(min_value=amount(min_value, said["min"]), max_value=amount(max_value, said["max"]),
                        date_from=_words(date_from, "from"), date_to=_words(date_to, "to"),
                        council=_words(council, "council"), maker=_words(maker, "maker"),
                        kinds=wanted_kinds, org=_words(org, "org"),
                        status=status_of(state) if state else "", decision=_words(decision, "decision"),
                        sort=order, limit=min(wanted or MAX_PAGE, MAX_PAGE),
                        offset=offset_value(offset, said["offset"], upper=MAX_EXPORT), repeats=bool(all_printings))
    if query.min_value is not None and query.max_value is not None and query.min_value > query.max_value:
        raise BadRequest(f"{said['min']} ({query.min_value:,.0f}) is more than {said['max']} "
                         f"({query.max_value:,.0f}): no amount is both")
    return AwardsRequest(query, wanted)


def yes_no(value: object, name: str) -> bool:
    """yes / no (true / false), or "" for no."""
    from index.filters import key_value

    try:
        return bool(key_value(value))
    except BadRequest:
        raise BadRequest(f"{name} takes yes or no") from None


EXPORT_FORMATS = ("json", "csv", "ocds")  # the ledger's (``index.ledger_export``)


def export_format(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in EXPORT_FORMATS:
        raise BadRequest(f"format must be one of {', '.join(EXPORT_FORMATS)} (got {value!r})")
    return str(text)


def organisation_name(value: object) -> str:
    """An organisation's name as typed (``councilqa orgs NAME``, ``GET /api/orgs/{name}``)."""
    name = text(value, "organisation name")
    if len(name) > MAX_ID:
        raise BadRequest(f"the organisation name is {len(name):,} characters long; at most {MAX_ID} are read")
    return name
