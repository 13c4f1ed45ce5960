"""One server for everything councilqa serves over HTTP: the Gradio app at ``/`` and, beside it, the routers named in
``PARTS`` (the JSON API under ``/api/``; feeds under ``/feeds/`` once they exist), run by one uvicorn in one process
that loads the index and the model once for all of them.

**Adding a router is one line in ``PARTS``**: ``Part("feeds", "/feeds/", "ui.feeds:routers")``, where
``ui.feeds.routers(context)`` returns a FastAPI ``APIRouter`` (or a list of them) whose paths start with that prefix.
``context`` is a ``ServerContext``: the index and answerer the app uses (``context.services``), and
``context.dependencies``, the FastAPI dependencies that apply the server's access rules (logins, API keys, rate
limit): pass them to your router (``APIRouter(dependencies=context.dependencies)``) unless its routes are meant for
anyone who can reach the server. Routers are included before the app is mounted: a mount at ``/`` answers every
path it is given, so a route added after it would never be reached. The server prints each part's address at start.

The safety promises ``launch`` gave, kept here: 127.0.0.1 by default and no other address without logins
(``--auth``); no share link and nothing printed that invites one; ``max_file_size``; no file route of ours (the
index directory is never in ``allowed_paths``); Gradio's upload route closed unless adding documents is on
(``ui.guard``); the app's queue limits (``ui.app.create_app``). Added: on loopback, requests must name this machine
as their host (``Host: 127.0.0.1`` or ``localhost``), so a web page on another site cannot reach the server through
DNS rebinding; Gradio's monitoring dashboard, MCP server and server-side rendering are off.
"""
from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Part:
    """A router served beside the app: its name and prefix (printed at start) and ``module:factory``, imported only
    when the server starts."""

    name: str
    path: str
    factory: str
    docs: str = ""  # a page describing it, printed beside its address


# Everything served beside the app, in order. One line a router (see the module's docstring).
PARTS: list[Part] = [
    Part("API", "/api/", "ui.api:routers", docs="/api/docs"),
    Part("feeds", "/feeds/", "ui.feeds:routers"),  # a watch's Atom feed: /feeds/NAME.atom (issue #20)
]

DOCS, OPENAPI, DOCS_STATIC = "/api/docs", "/api/openapi.json", "/api/docs/static"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
GRACE = 3  # seconds open requests get to finish when the server stops
# seconds an idle kept-alive connection stays open (uvicorn's default is 5): a program that pages through the API or
# alternates between servers reuses its connection after a wait longer than that, and a server closing it as the
# request arrives is a reset the client sees as an error (the load test's one ReadError at 100k passages)
KEEP_ALIVE = 75


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_open_host(host: str, logins: list) -> None:
    """The rule of every server we start: beyond loopback only with logins."""
    if not is_loopback(host) and not logins:
        raise ValueError(f"refusing to listen on {host} without --auth: anyone on the network could use it")


@dataclass
class ServerContext:
    """What a part's router factory is given."""

    services: Any  # ui.services.Services: the index and answerer the app uses, loaded once per generation
    host: str
    access: Any  # ui.access.Access: logins, API keys, rate limit
    dependencies: list = field(default_factory=list)  # FastAPI dependencies applying them (401 / 429 JSON)

    @property
    def logins(self) -> list[tuple[str, str]]:
        return self.access.logins

    @classmethod
    def make(cls, services, host: str = "127.0.0.1", logins: list | None = None, keys: Path | None = None,
             rate: int | None = None) -> ServerContext:
        """``keys``: the API keys file (default ``INDEX/apikeys.json``); ``rate``: requests a minute a caller may
        make (default ``ui.access.RATE``; 0: no limit)."""
        from ui.access import RATE, Access
        from ui.apikeys import KEYS_FILE

        access = Access(logins, Path(keys) if keys else Path(services.index_dir) / KEYS_FILE,
                        RATE if rate is None else rate)
        return cls(services, host, access, access.dependencies())


def build_app(blocks, context: ServerContext, upload_allowed: bool = False, parts: list[Part] | None = None):
    """The FastAPI application: ``parts`` (default ``PARTS``) and then the Gradio ``blocks`` at ``/`` (or no app when
    ``blocks`` is None: the routers alone, as tests and API-only servers use it)."""
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from ui.app import CSS, MAX_FILE_SIZE, MAX_UPLOAD_REQUEST
    from ui.guard import UploadGuard

    server = FastAPI(title="councilqa", docs_url=None, redoc_url=None, openapi_url=OPENAPI,
                     description=_description())
    _docs(server, StaticFiles)
    for part in PARTS if parts is None else parts:
        module, _, name = part.factory.partition(":")
        made = getattr(import_module(module), name)(context)
        for router in made if isinstance(made, (list, tuple)) else [made]:
            server.include_router(router)
    server.add_middleware(UploadGuard, allowed=upload_allowed, max_bytes=MAX_UPLOAD_REQUEST)
    if is_loopback(context.host):
        server.add_middleware(TrustedHostMiddleware, allowed_hosts=["localhost", "127.0.0.1", "[::1]"])
    if blocks is not None:
        import gradio as gr

        gr.mount_gradio_app(server, blocks, path="/", auth=context.logins or None, max_file_size=MAX_FILE_SIZE,
                            allowed_paths=[], show_error=False, css=CSS, ssr_mode=False, mcp_server=False,
                            enable_monitoring=False, server_name=context.host)
    return server


def _description() -> str:
    return ("Search and question answering over local-council decision documents. The app is at `/`; every other "
            "route is listed here.")


def _docs(server, StaticFiles) -> None:
    """OpenAPI docs served from files installed with the package (fastapi-offline's Swagger UI): this server may
    have no internet, and a docs page should not tell a CDN who reads it."""
    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html

    static = Path(fastapi_offline.__file__).parent / "static"
    server.mount(DOCS_STATIC, StaticFiles(directory=static), name="docs-static")

    @server.get(DOCS, include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url=OPENAPI, title="councilqa API",
                                   swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_STATIC}/favicon.png")


class Server:
    """One uvicorn serving ``app`` on a socket bound before it starts (a port in use is a clear error, not a log
    line; port 0 picks a free one, which ``port`` then tells)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 7860) -> None:
        import uvicorn

        self.host = host
        self.socket = _bind(host, port)
        self.port = self.socket.getsockname()[1]
        # no access log (queries are in URLs) and no proxy headers (a client could name itself someone else)
        config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False,
                                server_header=False, timeout_graceful_shutdown=GRACE, lifespan="on",
                                timeout_keep_alive=KEEP_ALIVE)
        self.uvicorn = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.host if is_loopback(self.host) or self.host not in ("0.0.0.0", "::") else socket.gethostname()
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}/"

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C), in this thread."""
        try:
            self.uvicorn.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, timeout: float = 60) -> Server:
        """Serve from a background thread; return once it answers."""
        self._thread = threading.Thread(target=self.run, name=f"councilqa-server-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(GRACE + 10)

    close = stop  # as Gradio's Blocks.close() was called on a launched app


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ValueError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror} (another server may be using the port: "
                         "choose one with --port)") from None
    return sock


def serve(blocks, host: str = "127.0.0.1", port: int = 7860, logins: list | None = None, block: bool = True,
          out=None, keys: Path | None = None, rate: int | None = None) -> Server:
    """Serve ``blocks`` (a ``ui.app.create_app`` app) and ``PARTS`` on ``host:port``; say what is served. With
    ``block`` False it returns the running ``Server`` (``stop()`` ends it; so does the app's ``close()``).
    ``keys`` and ``rate``: see ``ServerContext.make``."""
    logins = list(logins or [])
    refuse_open_host(host, logins)
    services = blocks.councilqa_services
    context = ServerContext.make(services, host, logins, keys, rate)
    context.access.required()  # a keys file that cannot be read stops the start, in one sentence
    app = build_app(blocks, context, upload_allowed=services.upload_dir is not None)
    server = Server(app, host, port)
    blocks.close = server.stop  # closing the app closes its server, as with Gradio's own launch
    out = out or sys.stdout
    if block:  # said once it answers; uvicorn keeps the main thread, so Ctrl+C and SIGTERM stop it cleanly
        threading.Thread(target=_announce_when_started, args=(server, context, out), daemon=True).start()
        try:
            server.run()
        except KeyboardInterrupt:  # uvicorn has shut down and raises the Ctrl+C again for us: a normal end
            pass
        print("councilqa stopped.", file=out, flush=True)
    else:
        server.start()
        announce(server, context, out)
    return server


def _announce_when_started(server: Server, context: ServerContext, out) -> None:
    while not server.uvicorn.started:
        if server.uvicorn.should_exit:
            return
        time.sleep(0.05)
    announce(server, context, out)


def announce(server: Server, context: ServerContext, out) -> None:
    """What is served where, and to whom; nothing about share links (there are none)."""
    base = server.url.rstrip("/")
    lines = [f"councilqa is serving the index at {context.services.index_dir}", f"  app:   {base}/"]
    for part in PARTS:
        docs = f"  (docs: {base}{part.docs})" if part.docs else ""
        lines.append(f"  {part.name + ':':<6} {base}{part.path}{docs}")
    who = "this machine only" if is_loopback(server.host) else f"the network on {server.host}"
    n, keys = len(context.logins), context.access.keys
    issued = len(keys.records()) if keys is not None else 0
    ask = [f"{n} login{'s' if n != 1 else ''} (--auth)"] * bool(n) + \
        [f"{issued} API key{'s' if issued != 1 else ''} ({keys.path})"] * bool(issued)
    lines.append(f"Listening to {who}; {' or '.join(ask) + ' required' if ask else 'open to it, no login'}"
                 f"{'' if not context.access.rate else f'; at most {context.access.rate} requests a minute a caller'}"
                 ". Press Ctrl+C to stop.")
    print("\n".join(lines), file=out, flush=True)
