"""``councilqa apikey add|list|remove``: API keys for programs that call the server's API (``ui.apikeys``)."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("apikey", help="issue, list or remove the API keys programs use to call `serve`'s API")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="issue a key and print it (once: only its hash is kept)")
    a.add_argument("name", help="who or what uses it, e.g. newsroom-bot (letters, digits, ._@+-)")
    actions.add_parser("list", help="the keys issued: id, name, when (never the keys)")
    r = actions.add_parser("remove", help="remove a key: every server refuses it from its next request")
    r.add_argument("key", metavar="ID_OR_NAME")
    for q in (a, *actions.choices.values()):
        if not any(x.dest == "index" for x in q._actions):
            q.add_argument("--index", help="the index the key opens (its keys are INDEX/apikeys.json)")
            q.add_argument("--keys", metavar="FILE", help="a keys file elsewhere (default: $COUNCILQA_KEYS, else "
                           "INDEX/apikeys.json)")
            q.add_argument("--json", action="store_true", help="print JSON")


def keys_path(keys: str | None, index_dir: Path) -> Path:
    """``--keys``, else ``$COUNCILQA_KEYS``, else the index's own keys file."""
    from ui.apikeys import KEYS_FILE

    return Path(keys or os.environ.get("COUNCILQA_KEYS") or index_dir / KEYS_FILE)


def cmd_apikey(args: argparse.Namespace) -> int:
    from ui.apikeys import KeyStore
    from ui.cli import EXIT_OK, _index_dir

    store = KeyStore(keys_path(args.keys, _index_dir(args.index)))
    if args.action == "add":
        record, key = store.add(args.name)
        if args.json:
            print(json.dumps({**record.public(), "key": key, "file": str(store.path)}, indent=2))
        else:
            print(f"API key {record.id} for {record.name} (kept as a hash in {store.path}):\n\n  {key}\n\n"
                  "This is the only time it is shown. Send it as `Authorization: Bearer KEY` or `X-API-Key: KEY`.\n"
                  "While any key is issued, the API of a server over this index asks every request for one.")
    elif args.action == "list":
        records = store.records()
        if args.json:
            print(json.dumps({"keys": [r.public() for r in records], "file": str(store.path)}, indent=2))
        elif not records:
            print(f"no API keys issued ({store.path})")
        else:
            for r in records:
                print(f"{r.id}  {r.name:<24} {r.created}")
    else:
        record = store.remove(args.key)
        if args.json:
            print(json.dumps({"removed": record.public()}, indent=2))
        else:
            print(f"removed API key {record.id} ({record.name})")
    return EXIT_OK
