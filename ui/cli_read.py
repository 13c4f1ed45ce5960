"""``councilqa search``, ``ask`` and ``serve``: the commands that read the index. Thin, as ``ui.cli``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ui.auth import LOOPBACK, parse_auth
from ui.cli_common import EXIT_OK, _index_dir, _open_store


def _answerer(spec: str | None):
    """The generated answerer for ``--llm`` / ``$COUNCILQA_LLM``; None means the offline extractive one."""
    spec = spec or os.environ.get("COUNCILQA_LLM")
    if not spec:
        return None
    from qa.generated import GeneratedAnswerer
    from qa.llm import load_chat_model

    return GeneratedAnswerer(load_chat_model(spec))


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
