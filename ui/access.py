"""Who may call the server's routers (the API, feeds), and how often.

The app's rule, with API keys for programs (``ui.apikeys``): on loopback with no ``--auth`` and no key issued,
the routes are open to this machine, as the app is. Once the server has logins (``--auth``, which any other address
requires) or keys are issued for its index, every request must carry one: a key (``Authorization: Bearer KEY`` or
``X-API-Key: KEY``) or a login (HTTP Basic); without, it gets 401 with a JSON sentence saying what to send. A key
sent is checked even where none is required (a program is told its key is wrong rather than left to wonder).
Passwords and key hashes are compared in constant time.

Each caller (a key, a login, or else the client's address) may make ``rate`` requests a minute to this process
(a moving window, ``limits``); past it, 429 with ``Retry-After``. The limit is per process: N processes behind one
address allow N times as many; ``limits`` keeps its counts in Redis or memcached when one limit must hold across
processes (a storage URI instead of ``memory://``).
"""
from __future__ import annotations

import base64
import binascii
import logging
import math
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBasic, HTTPBearer

from ui.apikeys import KeyStore

REALM = "councilqa"
RATE = 120  # requests a minute from one caller to one process: two a second, far above a person, enough for a script
_log = logging.getLogger("councilqa.access")


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: ``kind`` is "key", "login" or "address" (open loopback), ``name`` who."""

    kind: str
    name: str


class Denied(Exception):
    """A request without a valid credential where one is required: the message says what to send."""


class Access:
    def __init__(self, logins: list[tuple[str, str]] | None = None, keys: Path | None = None,
                 rate: int = RATE, storage: str = "memory://") -> None:
        from limits import RateLimitItemPerMinute, storage as limit_storage, strategies

        self.logins = list(logins or [])
        self.keys = KeyStore(keys) if keys is not None else None
        self.rate = rate
        self._item = RateLimitItemPerMinute(rate) if rate else None
        self._limiter = strategies.MovingWindowRateLimiter(limit_storage.storage_from_string(storage))

    def required(self) -> bool:
        """Whether a request must name a login or a key (read each time: a key issued while serving counts)."""
        return bool(self.logins) or (self.keys is not None and self.keys.issued())

    def caller(self, authorization: str | None, api_key: str | None, client: str) -> Caller:
        """The caller a request's headers name, or ``Denied`` with the reason."""
        scheme, _, value = (authorization or "").partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if api_key or (scheme == "bearer" and value):
            return self._key(api_key or value)
        if scheme == "basic" and value:
            return self._login(value)
        if authorization:
            raise Denied("the Authorization header is not understood: send Bearer KEY or HTTP Basic")
        if self.required():
            raise Denied("this server asks for an API key (Authorization: Bearer KEY, or X-API-Key: KEY; "
                         "`councilqa apikey add NAME` issues one) or a login (HTTP Basic)")
        return Caller("address", client)

    def _key(self, key: str) -> Caller:
        record = self.keys.check(key) if self.keys is not None else None
        if record is None:
            raise Denied("the API key is not valid on this server (removed, mistyped, or issued for another index)")
        return Caller("key", record.name)

    def _login(self, value: str) -> Caller:
        try:
            user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Denied("the Basic credentials are not base64 of USER:PASSWORD") from None
        ok = False
        for name, expected in self.logins:  # every login compared, so the time taken names none of them
            ok |= secrets.compare_digest(name.encode(), user.encode()) & secrets.compare_digest(
                expected.encode(), password.encode())
        if not (sep and ok):
            raise Denied("the login is not known to this server")
        return Caller("login", user)

    def admit(self, caller: Caller) -> None:
        """Count one request of ``caller``; ``Limited`` (with the seconds to wait) past the rate."""
        if self._item is None:
            return
        who = f"{caller.kind}:{caller.name}"
        if not self._limiter.hit(self._item, who):
            reset = self._limiter.get_window_stats(self._item, who).reset_time
            raise Limited(max(1, math.ceil(reset - time.time())), self.rate, caller)

    def dependencies(self) -> list:
        """The FastAPI dependencies that apply these rules: the caller (or 401), then the rate (or 429). They
        declare the key and Basic schemes, so the API docs offer to send them."""
        bearer = HTTPBearer(auto_error=False, description="an API key from `councilqa apikey add NAME`")
        header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the same API key, in its own header")
        basic = _BasicScheme(scheme_name="HTTPBasic", description="a login from the server's --auth")

        def check(request: Request, _bearer: HTTPAuthorizationCredentials | None = Depends(bearer),
                  api_key: str | None = Depends(header), _basic: None = Depends(basic)) -> Caller:
            client = request.client.host if request.client else ""
            try:
                caller = self.caller(request.headers.get("authorization"), api_key, client)
            except Denied as exc:
                raise HTTPException(401, str(exc), headers={"WWW-Authenticate": f'Bearer realm="{REALM}", '
                                                                               f'Basic realm="{REALM}"'}) from None
            except ValueError as exc:  # the keys file cannot be read: refuse every key, say so to the operator
                _log.error("%s", exc)
                raise HTTPException(503, "this server's API keys cannot be read; its operator has been told") from None
            try:
                self.admit(caller)
            except Limited as exc:
                raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.wait)}) from None
            request.state.caller = caller
            return caller

        return [Depends(check)]


class Limited(Exception):
    def __init__(self, wait: int, rate: int, caller: Caller) -> None:
        who = {"key": f"the key {caller.name}", "login": f"the login {caller.name}"}.get(caller.kind,
                                                                                          f"{caller.name}")
        super().__init__(f"more than {rate} requests a minute from {who}: try again in {wait} s")
        self.wait = wait


class _BasicScheme(HTTPBasic):
    """HTTP Basic as the docs describe it; ``Access`` reads the header itself (UTF-8 passwords, its own 401)."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None
