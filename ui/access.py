"""Who may call the server's routers (the API, feeds): the same rule as the app.

On loopback with no ``--auth`` the routes are open to this machine, as the app is. With logins (``--auth``, which
any other address requires) a request must carry one (HTTP Basic); a request without gets 401 with a JSON
message. Passwords are compared in constant time (``secrets.compare_digest``).
"""
from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request

REALM = "councilqa"


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: ``kind`` is "login", "key" or "anyone" (open loopback), ``name`` who."""

    kind: str
    name: str


class Access:
    def __init__(self, logins: list[tuple[str, str]] | None = None) -> None:
        self.logins = list(logins or [])

    @property
    def required(self) -> bool:
        return bool(self.logins)

    def caller(self, authorization: str | None, client: str) -> Caller:
        """The caller a request's ``Authorization`` header names, or ``Denied`` with the reason."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() == "basic" and value:
            return self._login(value.strip())
        if authorization:
            raise Denied("the Authorization header is not understood: send HTTP Basic with a login")
        if self.required:
            raise Denied("this server asks for a login (HTTP Basic)")
        return Caller("anyone", client)

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

    def dependency(self):
        """A FastAPI dependency: the ``Caller``, or 401 JSON."""
        def check(request: Request) -> Caller:
            client = request.client.host if request.client else ""
            try:
                caller = self.caller(request.headers.get("authorization"), client)
            except Denied as exc:
                raise HTTPException(401, str(exc), headers={"WWW-Authenticate": f'Basic realm="{REALM}"'}) from None
            request.state.caller = caller
            return caller

        return check


class Denied(Exception):
    """A request without a valid credential where one is required: the message says what to send."""
