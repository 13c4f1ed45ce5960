"""One file in, one ``ParsedDocument`` out; folders walked; bad files reported, never fatal."""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.chunk import passages
from ingest.clean import clean
from ingest.errors import UnreadableDocument
from ingest.ledger import with_ledger
from ingest.metadata import extract, page_council, text_maker
from ingest.provenance import locate
from ingest.read import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, read_bytes
from ingest.records import DocumentMeta, Failure, ParsedDocument, Skipped, Unchanged
from ingest.split import Part, split
from ingest.structure import paragraphs

NO_SUCH_PATH = "no such file or folder"
# Inside a folder, the files read are documents by their suffix (the format itself is judged by content). A
# corpus folder also holds other things: a fetch's provenance.jsonl, a source list, images; named on the command
# line, any file is read.
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt", ".text", ""})
_SKIP_NAMES = ("readme", "license", "licence", "changelog")
# Raised whenever parsing changes what is stored from the same bytes (a title, a label, a paragraph): an index
# built by another version reads every file again (``index.build``); its vectors come back from the cache.
# 2: a title is one paragraph (2026-11-23). 3: pages of several decisions are cut into parts; layouts, fields,
# references and councils of any ModernGov council (2026-11-30). 4: HTML read by an HTML5 parser (selectolax): a
# table with unclosed cells is no longer lost (2026-11-30). 5: makers printed outside a field (a decision's own
# "X has approved" / "RESOLVED that X", a signed record's "I, ..., do hereby approve", "Decision due: ... by X", an
# officer's post on the next label), a record's unlabelled title, a reference under a label without its colon, an
# agenda item's minute reference in an HTML heading (2026-11-30). 6: a record's unlabelled title after the date
# it opens with ("Decision Made:" / "12 September 2012" / title) (2026-11-30). 7: a reference a title names after
# "ref" ("... Traffic Regulation Order ref P20 2019 ...") (2026-11-30). 8: a decision page's status in the layout's
# words ("Call-in" is "called in", "Item Deferred" "deferred"), as every other status already was (2026-12-05).
# 9: the awards ledger's reading of amounts (kind, period, counterparty, table rows) and the organisations named
# (``ingest.ledger``, ``ingest.orgs``) (2026-12-05). 10: a council is a council's name (the national list or a
# council's name form, never "Council"/"Cabinet"), else --council, else the site's, printed address's or folder's
# council (2026-12-05).

# 11: where each field is printed (its paragraph, ``ingest.provenance``); report author, lead officer, lead member
# and contact as fields of their own; an older record's "Label :-value" lines as fields; a decision of a page of
# several keeps the meeting line that dates it; an agenda item's number is not its title, its minute's opening names
# who decided; a reference of letters, digits and slashes ("CAB24/ENV/017") ends a title (2026-12-05). 12: the site's
# guidance to its reader ("Use the below search options ...") is never what an untitled decision is about (2026-12-05).
# 13: a page reporting several meetings keeps that line with each decision (2026-12-06). 14: a report cover run into
# one line (a page that mirrors a PDF) is broken before each label; a cover's "Report to X for Decision <date>" gives
# the meeting date (2026-12-06). 15: a document link's icon and size ("pdf icon PDF 196 KB") are furniture; an item's
# number stays with its sentence ("1. Maintain business continuity"), so sentence vectors change (2026-12-06).
INGEST_VERSION = 15

# Passages one document may make. Sized from real council documents: a 500-page budget book or local plan at
# about 3,500 characters a page is 1.75M characters, about 3,500 passages of at most 1,000 characters (and
# about a minute and a half of embedding on two cores). The bundled sample's largest document makes 60.
DEFAULT_MAX_PASSAGES = 4_000


@dataclass(frozen=True)
class IngestOptions:
    """How files are found and read: the bounds every file is held to."""

    follow_symlinks: bool = False  # links inside a folder are read only if this is set, and only inside it
    max_passages: int = DEFAULT_MAX_PASSAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    council: str = ""  # the council of documents that do not name one (``ingest --council``)
    urls: Mapping[str, str] = field(default_factory=dict)  # file path -> the URL it was fetched from (``fetch``)
    parents: Mapping[str, str] = field(default_factory=dict)  # a document's file -> the decision page file it belongs to


def parse_bytes(data: bytes, path: str, max_chars: int = 1000, timeout_s: float = DEFAULT_TIMEOUT_S,
                max_passages: int = DEFAULT_MAX_PASSAGES, council: str = "") -> ParsedDocument:
    """The file as one document (a page of several decisions included: see ``parse_parts``). Parsed here, in this
    process: only PDF and DOCX extraction is bounded (``read_bytes``); an ingest parses through ``parse_job``."""
    raw = _read(data, path, max_chars, timeout_s, max_passages)
    return _document(raw.text, raw.format, path, path, hashlib.sha256(data).hexdigest(), max_chars, max_passages,
                     council)


def parse_parts(data: bytes, path: str, max_chars: int = 1000, timeout_s: float = DEFAULT_TIMEOUT_S,
                max_passages: int = DEFAULT_MAX_PASSAGES, council: str = "", url: str = "",
                folder: str = "") -> list[ParsedDocument]:
    """The file's decisions: one document, or one per decision for a page that lists several (``ingest.split``),
    each named ``PATH#n`` with the file as its ``source`` (and ``url``, where the file was fetched from).
    ``folder``: the name of the folder it was found in that names a council, if any (``metadata.page_council``)."""
    docs = _parts(data, path, max_chars, timeout_s, max_passages, council, url, folder)
    return [replace(doc, url=url) for doc in docs] if url else docs


def _parts(data: bytes, path: str, max_chars: int, timeout_s: float, max_passages: int,
           council: str, url: str = "", folder: str = "") -> list[ParsedDocument]:
    raw = _read(data, path, max_chars, timeout_s, max_passages)
    sha = hashlib.sha256(data).hexdigest()
    _, parts = split(raw.text)
    # the page's own name speaks for every decision on it; else --council; else its site's, or the council
    # whose address it prints, or the one it names most (``metadata.page_council``)
    council = page_council(raw.text, council, url, folder)
    if not parts:
        return [_document(raw.text, raw.format, path, path, sha, max_chars, max_passages, council)]
    docs = []
    for n, part in enumerate(parts, 1):
        own = raw.text[part.start:part.end]
        text = f"{own.rstrip()}\n\n{part.context}\n" if part.context else own
        try:
            doc = _document(text, raw.format, f"{path}#{n}", path, sha, max_chars, max_passages, council)
        except UnreadableDocument:
            continue  # a part with no text of its own (a heading cut off by the page's end)
        meta = _with_part(doc.meta, part, raw.text[part.start:part.end])
        docs.append(replace(doc, meta=replace(meta, sources=locate(meta, doc.paragraphs))))
    if not docs:
        raise UnreadableDocument(path, "no paragraphs of text were found in it")
    return docs


def _with_part(meta: DocumentMeta, part: Part, text: str) -> DocumentMeta:
    """A part's start line speaks for it: its reference, title, date, status and maker come first. Where
    neither its fields nor the page's meeting name a maker, its own text may ("The Director of Place has
    approved ...": ``metadata.text_maker``; ``text`` is the part as read, its lines as printed)."""
    dates = dict(meta.dates)
    if part.date:
        dates.setdefault("decision", part.date)
    return replace(meta, number=part.reference or meta.number, title=part.title or meta.title, dates=dates,
                   status=part.status or meta.status,
                   decision_maker=meta.decision_maker or part.maker or text_maker(text),
                   doc_type=meta.doc_type or "decision page",
                   mentions=tuple(m for m in meta.mentions if m != (part.reference or meta.number)))


def _read(data: bytes, path: str, max_chars: int, timeout_s: float, max_passages: int):
    raw = read_bytes(data, path, Path(path).suffix.lower(), timeout_s)
    # Every passage holds at most max_chars characters, so a text this long is over the cap before any
    # cleaning or splitting (a 25 MB text file is refused in a second, not after minutes of parsing).
    if len(raw.text) > max_passages * max_chars:
        raise UnreadableDocument(path, f"its {len(raw.text):,} characters of text make more than {max_passages:,} "
                                 f"passages, the limit for one document (raise it with --max-passages)")
    return raw


def _document(text: str, fmt: str, path: str, source: str, sha: str, max_chars: int, max_passages: int,
              council: str) -> ParsedDocument:
    cleaned = clean(text, fmt)
    paras = paragraphs(cleaned)
    if not paras:
        raise UnreadableDocument(path, "no paragraphs of text were found in it")
    parts = tuple(passages(paras, max_chars))
    if len(parts) > max_passages:
        raise UnreadableDocument(path, f"it makes {len(parts):,} passages, over the limit of {max_passages:,} for "
                                 "one document (raise it with --max-passages)")
    meta = extract(cleaned.text, paras, council)
    return ParsedDocument(
        path=path,
        sha256=sha,
        format=fmt,
        text=cleaned.text,
        meta=replace(with_ledger(meta, paras), sources=locate(meta, paras)),
        paragraphs=tuple(paras),
        passages=parts,
        source=source,
    )


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, follow: bool = True) -> bytes:
    """The bytes of a regular file. ``follow=False``: a symbolic link is refused even if it appeared after
    the folder was walked (``O_NOFOLLOW``); a pipe or device is refused without blocking on it."""
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableDocument(name, "a symbolic link: not followed") from None
        raise UnreadableDocument(name, f"cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableDocument(name, "not a regular file (a device, pipe or socket)")
        if info.st_size > max_bytes:
            raise UnreadableDocument(name, f"file is {info.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB "
                                     "limit")
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise UnreadableDocument(name, f"cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:  # it grew after fstat
        raise UnreadableDocument(name, f"file is over the {max_bytes / 1e6:.0f} MB limit")
    return data


def parse_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, timeout_s: float = DEFAULT_TIMEOUT_S) -> ParsedDocument:
    return parse_bytes(read_file(path, max_bytes), str(path), timeout_s=timeout_s)


def walk(paths: Iterable[Path], follow_symlinks: bool = False) -> Iterator[Path | Failure | Skipped]:
    """Files named, and the regular files in folders named (hidden files and README/LICENSE files skipped).

    A path named is read as named, even through a link: the person chose it. Inside a folder, a symbolic
    link (to a file or a folder) is skipped and reported, because whoever can write into a corpus folder could
    otherwise have ``/etc/passwd`` indexed and served; with ``follow_symlinks`` a link is read only when its
    target lies inside the folder given. Devices, pipes and sockets are never read."""
    for path in paths:
        if path.is_dir():
            yield from sorted(_walk_folder(path, follow_symlinks), key=lambda item: str(_path_of(item)))
        elif path.is_file():
            yield path
        elif path.exists() or path.is_symlink():
            yield Skipped(str(path), "not a regular file (a device, pipe, socket or broken link)")
        else:
            yield Failure(str(path), NO_SUCH_PATH)


def _path_of(item: Path | Skipped) -> str:
    return item.path if isinstance(item, Skipped) else str(item)


def _walk_folder(root: Path, follow: bool) -> Iterator[Path | Skipped]:
    top = root.resolve()
    seen: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow):
        here = Path(dirpath)
        real = here.resolve()
        if real in seen:  # a link back to a folder already walked
            dirnames[:] = []
            continue
        seen.add(real)
        kept = []
        for name in sorted(dirnames):
            sub = here / name
            if name.startswith("."):
                continue
            if sub.is_symlink():
                why = _link_refusal(sub, top, follow, "folder")
                if why:
                    yield Skipped(str(sub), why)
                    continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            child = here / name
            if name.startswith(".") or name.lower().startswith(_SKIP_NAMES):
                continue
            if child.is_symlink():
                why = _link_refusal(child, top, follow, "file")
                if why:
                    yield Skipped(str(child), why)
                    continue
            if not child.is_file():
                yield Skipped(str(child), "not a regular file (a device, pipe or socket)")
                continue
            if child.suffix.lower() not in DOCUMENT_SUFFIXES:
                yield Skipped(str(child), f"not a document format ({child.suffix}): name the file to read it anyway")
                continue
            yield child


def _link_refusal(link: Path, top: Path, follow: bool, kind: str) -> str:
    """Why a symbolic link inside the folder ``top`` is not read, or "" if it may be."""
    if not follow:
        return f"a symbolic link to a {kind}: not followed (--follow-symlinks reads links that stay inside the folder)"
    target = link.resolve()
    if not target.is_relative_to(top):
        return f"a symbolic link to a {kind} outside the folder given: not read"
    return ""


def _council_folder(path: Path, roots: list[Path]) -> str:
    """The nearest folder, from the file's own up to the folder named on the command line, whose name names a
    council ("ingest corpus/" reads corpus/kent-cc/page.txt as Kent County Council's where the page names
    none); "" where none does, and for a file named on its own."""
    from ingest.council_sites import by_folder

    root = next((r for r in roots if path.is_relative_to(r)), None)
    if root is None:
        return ""
    for folder in [path.parent, *path.parent.parents]:
        if by_folder(folder.name) is not None:
            return folder.name
        if folder == root or not folder.is_relative_to(root):
            break
    return ""


@dataclass(frozen=True)
class FileJob:
    """A file read within its bounds and not yet parsed: everything ``parse_job`` needs, so the parse can run
    wherever a worker is (``index.executors``) and come out as it would here."""

    path: str
    data: bytes
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_passages: int = DEFAULT_MAX_PASSAGES
    council: str = ""
    url: str = ""
    folder: str = ""  # the folder that names the file's council, if any (``_council_folder``)
    parent: str = ""  # the decision page file this document accompanies (``IngestOptions.parents``)


def read_all(
    paths: Iterable[Path],
    known: Callable[[str, str], bool] | None = None,
    options: IngestOptions = IngestOptions(),
) -> Iterator[FileJob | Failure | Skipped | Unchanged]:
    """Every file under ``paths``, read (``read_file``'s bounds) and checked against ``known``, in the order
    ``parse_all`` yields them; a file to parse comes out as a ``FileJob``."""
    paths = [Path(p) for p in paths]
    named = {str(p) for p in paths if not p.is_dir()}
    roots = [p for p in paths if p.is_dir()]
    for item in walk(paths, options.follow_symlinks):
        if isinstance(item, (Failure, Skipped)):
            yield item
            continue
        try:
            # a file found inside a folder is opened without following a link that replaced it since the walk
            data = read_file(item, options.max_bytes, follow=options.follow_symlinks or str(item) in named)
        except UnreadableDocument as exc:
            yield Failure(str(item), exc.reason)
            continue
        if known is not None and known(str(item), hashlib.sha256(data).hexdigest()):
            yield Unchanged(str(item))
            continue
        yield FileJob(str(item), data, timeout_s=options.timeout_s, max_passages=options.max_passages,
                      council=options.council, url=options.urls.get(str(item), ""),
                      folder="" if options.council else _council_folder(item, roots),
                      parent=options.parents.get(str(item), ""))


def parse_job(job: FileJob) -> list[ParsedDocument] | Failure:
    """The documents of one file read by ``read_all``, or the reason it could not be read. The whole parse, any
    format, runs in a child process under ``job.timeout_s`` and a memory bound (``ingest.bounded``): a file whose
    parse cannot finish in time is a ``Failure`` that names the limit, and the next file is parsed."""
    from ingest.bounded import parse_bounded

    try:
        return parse_bounded(job)
    except UnreadableDocument as exc:
        return Failure(job.path, exc.reason)


def parse_all(
    paths: Iterable[Path],
    known: Callable[[str, str], bool] | None = None,
    options: IngestOptions = IngestOptions(),
) -> Iterator[ParsedDocument | Failure | Skipped | Unchanged]:
    """Every file under ``paths``, parsed. ``known(path, sha256)`` says a file is already stored with these
    bytes: it is not parsed again (re-reading an unchanged corpus costs a hash per file, not a parse).
    ``read_all`` then ``parse_job`` (each file's parse in a child process under ``options.timeout_s``), one file
    after another; ``index.executors`` runs the same two elsewhere."""
    for item in read_all(paths, known, options):
        if not isinstance(item, FileJob):
            yield item
            continue
        parsed = parse_job(item)
        if isinstance(parsed, Failure):
            yield parsed
        else:
            yield from parsed
