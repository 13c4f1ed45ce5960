"""The ``councilqa`` command. Thin: parse arguments, call the library, turn domain errors into a sentence.

Exit codes: 0 success; 2 usage error (a value out of range, a missing index); 3 some files failed and the rest
were kept; 4 every file given failed, so nothing was added. This module is the entry point: it reads the
arguments and runs the command. The parser is built in ``ui.cli_parser``; the exit codes and the index helpers
every command shares are in ``ui.cli_common`` (and importable from here); ``ingest`` is in ``ui.cli_ingest``,
``search``, ``ask`` and ``serve`` in ``ui.cli_read``; the commands that measure (``eval``, ``bench``) live in
``ui.cli_measure``, ``fetch`` in ``ui.cli_fetch``, the ``--auth`` rules in ``ui.auth``.
"""
from __future__ import annotations

import os
import re
import sys

from ui.auth import LOOPBACK, parse_auth  # noqa: F401 - parse_auth is part of this module's interface
from ui.cli_common import (  # noqa: F401 - the other ui.cli_* modules and the tests import these from here
    DEFAULT_INDEX, EXIT_ALL_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, _index_dir, _open_store,
)
from ui.cli_ingest import cmd_ingest
from ui.cli_parser import build_parser
from ui.cli_read import cmd_ask, cmd_search, cmd_serve

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


if __name__ == "__main__":
    sys.exit(main())
