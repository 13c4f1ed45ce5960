"""Gradio's upload route, closed unless the app lets people add documents.

Gradio serves ``POST /gradio_api/upload`` to every visitor whether or not a page has a file input: without
this guard anyone who reaches the app can store any number of 20 MB files in its temp folder. The guard is
plain ASGI middleware, so it answers before Gradio reads a byte of the body.
"""
from __future__ import annotations

import json

SWITCHED_OFF = "adding documents is switched off on this server (councilqa serve --allow-upload switches it on)"


class UploadGuard:
    def __init__(self, app, allowed: bool, max_bytes: int) -> None:
        self.app = app
        self.allowed = allowed
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and _is_upload(scope):
            refusal = self._refusal(dict(scope.get("headers") or []))
            if refusal:
                await _answer(send, *refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        if not self.allowed:
            return 403, SWITCHED_OFF
        length = headers.get(b"content-length", b"")
        if not length.isdigit():
            return 411, "an upload must state its length (Content-Length)"
        if int(length) > self.max_bytes:
            return 413, f"an upload may hold at most {self.max_bytes // (1024 * 1024)} MB"
        return None


def _is_upload(scope) -> bool:
    path = scope.get("path", "").rstrip("/")
    return scope.get("method") == "POST" and path.rsplit("/", 1)[-1] == "upload"


async def _answer(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
