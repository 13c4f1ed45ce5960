"""``councilqa ingest PATH ... --ray [ADDRESS]``: parse and embed on a Ray cluster (``index.ray_pool``).

The option only chooses the build's executor; the build, its progress lines, its report and its exit codes are
``ingest``'s own. Ray is imported only when the option is given, so ``councilqa --help`` stays instant.
"""
from __future__ import annotations

import argparse
import re
import sys
from contextlib import contextmanager, nullcontext

LOCAL = "local"
# HOST:PORT of a cluster's head (a name, an IPv4 address or a bracketed IPv6 address), ray://HOST:PORT (Ray
# Client), or auto (the cluster this machine belongs to, as `ray start` left it)
_ADDRESS = re.compile(r"(?:ray://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}")


def address(value: str) -> str:
    """``--ray``'s value: ``local``, ``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``."""
    if value in (LOCAL, "auto") or _ADDRESS.fullmatch(value):
        return value
    raise argparse.ArgumentTypeError(
        f"{value!r} is not a Ray cluster's address (HOST:PORT, ray://HOST:PORT or auto); for a local cluster write "
        "--ray after the paths, or --ray=local")


def add_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ray", nargs="?", const=LOCAL, type=address, metavar="ADDRESS",
                   help="parse and embed on a Ray cluster: a new local one without ADDRESS (write --ray after the "
                   "paths), else the cluster at ADDRESS (HOST:PORT of its head, ray://HOST:PORT, or auto), on its "
                   "GPUs where it has them; the index is written here, as without --ray. Needs "
                   "pip install 'councilqa[ray]'")


def executor_for(args: argparse.Namespace, say):
    """The build's executor for these arguments, as a context: None (this process) without ``--ray``."""
    if getattr(args, "ray", None) is None:
        return nullcontext(None)
    return _on_ray(None if args.ray == LOCAL else args.ray, say)


@contextmanager
def _on_ray(address: str | None, say):
    from contextlib import redirect_stdout

    from index.ray_pool import ray_executor

    # Ray's driver prints its cluster's notices (a worker that died) on standard output, which is the command's
    # result (``--json``): while Ray runs, they go to standard error with the progress lines
    with redirect_stdout(sys.stderr), ray_executor(address, say) as executor:
        yield executor
