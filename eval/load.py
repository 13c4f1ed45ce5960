"""A bounded load test of the HTTP API: N concurrent clients against one or more servers on this machine.

    python -m eval.load --start 2 --index .councilqa/index --clients 50 --requests 20
    python -m eval.load --url http://127.0.0.1:7860 --url http://127.0.0.1:7861 --key KEY --clients 50

``--start N`` starts N ``councilqa serve`` processes on free loopback ports over one index (or one database, once
the Postgres backend lands: ``--index postgresql://...`` is passed through), issues one API key per client in a
temporary keys file (each client is a program with its own key, so each has its own rate limit), waits until every
server answers, runs the clients and stops the servers. ``--url`` drives servers already running instead (any
backend behind them); ``--key`` is then sent by every client.

Each client sends ``--requests`` requests one after another (no think time: a closed loop, the hardest case for a
given number of clients), spread over the servers round-robin, to routes drawn by ``--mix`` (weights) with queries
from the gold questions. Every response is checked: status 200 and the JSON its route promises (hits, an answer,
decisions); anything else, a timeout included, is an error and counted by kind. Prints p50/p95/max latency a route,
throughput, errors and each started server's memory (RSS). Loopback only: it refuses any other address.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROUTES = {  # route: (path, parameter of the text, what a good answer holds)
    "search": ("/api/search", "q", "hits"),
    "ask": ("/api/ask", "q", "answer"),
    "decisions": ("/api/decisions", None, "decisions"),
}
TIMEOUT = 120.0  # seconds a request may take before it counts as lost


def questions(limit: int = 200) -> list[str]:
    """Gold questions of the bundled sample and of corpus-uk (eval/data), as the texts clients send."""
    out = []
    for path in sorted((Path(__file__).parent / "data").glob("**/queries.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out[:limit] or ["carers short breaks", "direct award contract value"]


def _loopback(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"eval.load drives servers on this machine only: {url} is not a loopback address")
    return url.rstrip("/")


def _mix(text: str) -> list[tuple[str, float]]:
    out = []
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ROUTES:
            raise SystemExit(f"--mix: {name!r} is not one of {', '.join(ROUTES)}")
        out.append((name.strip(), float(weight or 1)))
    return out


def fresh(text: str, serial: int) -> str:
    """``text`` with a made-up word of its own (``zqab``): a text no server has embedded before, so the query
    vector cache (``index.querycache``) saves nothing and every request pays for its embedding."""
    letters = ""
    while True:
        serial, digit = divmod(serial, 26)
        letters += chr(ord("a") + digit)
        if not serial:
            return f"{text} zq{letters}"


async def client(number: int, urls: list[str], key: str | None, n: int, mix, texts, results: list,
                 unique: bool = False) -> None:
    import httpx

    rng = random.Random(number)
    names, weights = [m[0] for m in mix], [m[1] for m in mix]
    headers = {"X-API-Key": key} if key else {}
    async with httpx.AsyncClient(timeout=TIMEOUT, headers=headers) as http:
        for i in range(n):
            route = rng.choices(names, weights)[0]
            path, param, expect = ROUTES[route]
            text = fresh(rng.choice(texts), number * n + i) if unique else rng.choice(texts)
            params = {param: text} if param else {"limit": 20, "offset": rng.randrange(0, 40)}
            url = urls[(number + i) % len(urls)] + path
            start = time.perf_counter()
            try:
                r = await http.get(url, params=params)
                ok = r.status_code == 200 and expect in r.json()
                outcome = "ok" if ok else f"HTTP {r.status_code}"
            except (httpx.HTTPError, ValueError) as exc:
                outcome = type(exc).__name__
            results.append((route, outcome, time.perf_counter() - start))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(results: list, seconds: float) -> dict:
    out: dict = {"requests": len(results), "seconds": round(seconds, 2),
                 "throughput_per_s": round(len(results) / seconds, 2) if seconds else 0.0, "routes": {}}
    for route in sorted({r[0] for r in results}):
        rows = [r for r in results if r[0] == route]
        good = [r[2] for r in rows if r[1] == "ok"]
        errors: dict[str, int] = {}
        for r in rows:
            if r[1] != "ok":
                errors[r[1]] = errors.get(r[1], 0) + 1
        out["routes"][route] = {"requests": len(rows), "errors": sum(errors.values()), "error_kinds": errors,
                                "p50_ms": round(1000 * _pct(good, 0.50), 1),
                                "p95_ms": round(1000 * _pct(good, 0.95), 1),
                                "max_ms": round(1000 * max(good), 1) if good else None,
                                "mean_ms": round(1000 * statistics.fmean(good), 1) if good else None}
    out["errors"] = sum(v["errors"] for v in out["routes"].values())
    return out


# --- servers started for the run ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, check=True,
                          **kwargs)


def issue_keys(keys: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        out.append(json.loads(_cli("apikey", "add", f"load-{i}", "--keys", str(keys), "--json").stdout)["key"])
    return out


def start_servers(index: str, n: int, keys: Path, rate: int | None, extra: list[str]) -> list[tuple[str, object]]:
    servers = []
    for number in range(n):
        port = _free_port()
        args = [sys.executable, "-m", "ui.cli", "serve", "--index", index, "--port", str(port), "--keys", str(keys),
                *(["--rate-limit", str(rate)] if rate is not None else []), *extra]
        log = open(keys.parent / f"server-{number}.log", "w+", encoding="utf-8")  # noqa: SIM115 - kept with it
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, text=True)
        proc.log = log  # type: ignore[attr-defined]
        servers.append((f"http://127.0.0.1:{port}", proc))
    return servers


def wait_ready(servers, key: str | None, timeout: float = 180) -> None:
    """Until each server answers a search (so the model is loaded before the clock starts)."""
    import httpx

    deadline = time.monotonic() + timeout
    for url, proc in servers:
        while True:
            if proc is not None and proc.poll() is not None:
                proc.log.seek(0)
                raise SystemExit(f"the server for {url} exited: {proc.log.read()[-2000:]}")
            try:
                r = httpx.get(url + "/api/search", params={"q": "warm up"}, timeout=60,
                              headers={"X-API-Key": key} if key else {})
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {timeout:.0f} s")
            time.sleep(0.5)


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", action="append", default=[], help="a running server (loopback only); repeatable")
    p.add_argument("--key", help="the API key every client sends to --url servers")
    p.add_argument("--start", type=int, default=0, metavar="N", help="start N servers over --index for the run")
    p.add_argument("--index", help="the index the started servers serve")
    p.add_argument("--rate-limit", type=int, help="passed to the started servers (default: theirs, 120)")
    p.add_argument("--serve-arg", action="append", default=[], help="another argument for the started servers")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=20, help="requests each client sends (default 20)")
    p.add_argument("--mix", default="search=1", help="route weights, e.g. search=8,ask=1,decisions=1")
    p.add_argument("--fresh", action="store_true", help="every text sent once only (a made-up word added), so no "
                   "server answers from its query cache")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 1000 or not 1 <= args.requests <= 10_000:
        raise SystemExit("--clients is 1 to 1,000 and --requests 1 to 10,000: a bounded test")
    if bool(args.url) == bool(args.start):
        raise SystemExit("give --url (servers running) or --start N --index DIR (servers started for the run)")
    mix, texts = _mix(args.mix), questions()
    servers, tmp = [], None
    try:
        if args.start:
            if not args.index:
                raise SystemExit("--start needs --index")
            tmp = tempfile.TemporaryDirectory(prefix="councilqa-load-")
            keys_file = Path(tmp.name) / "apikeys.json"
            keys = issue_keys(keys_file, args.clients)
            servers = start_servers(args.index, args.start, keys_file, args.rate_limit, args.serve_arg)
            urls = [u for u, _ in servers]
        else:
            urls, keys = [_loopback(u) for u in args.url], [args.key] * args.clients
        wait_ready([(u, proc) for u, proc in servers] or [(u, None) for u in urls], keys[0])
        results: list = []

        async def run_all():
            await asyncio.gather(*(client(i, urls, keys[i], args.requests, mix, texts, results, args.fresh)
                                   for i in range(args.clients)))

        start = time.perf_counter()
        asyncio.run(run_all())
        summary = summarise(results, time.perf_counter() - start)
        summary |= {"clients": args.clients, "servers": len(urls), "mix": args.mix, "fresh": args.fresh,
                    "cpus": os.cpu_count()}
        if servers:
            summary["server_rss_mib"] = [rss_mib(proc.pid) for _, proc in servers]
    finally:
        for _, proc in servers:
            proc.terminate()
        for _, proc in servers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            proc.log.close()
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['clients']} clients x {args.requests} requests against {summary['servers']} server(s), "
              f"mix {args.mix}{' (fresh texts)' if args.fresh else ''}: {summary['requests']} requests in {summary['seconds']} s "
              f"({summary['throughput_per_s']}/s), errors {summary['errors']}")
        for route, v in summary["routes"].items():
            print(f"  {route:<10} n={v['requests']:<5} errors={v['errors']:<3} p50={v['p50_ms']} ms  "
                  f"p95={v['p95_ms']} ms  max={v['max_ms']} ms  {v['error_kinds'] or ''}")
        if "server_rss_mib" in summary:
            print(f"  server memory (RSS, MiB): {summary['server_rss_mib']}")
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
