"""ASGI guards in front of `/graphql`: a loaded graph version, a request body size limit, the
shape of a JSON body, and a request time limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "MAX_JSON_DEPTH",
    "BodyLimit",
    "Deadline",
    "JsonBody",
    "Loaded",
    "json_media",
    "read_body",
    "replaying",
]

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects a JSON request body may have (variables included)."""


async def _send_error(send: Send, status: int, message: str, code: str, **extra: Any) -> None:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code, **extra}}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client went away before sending it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app `body` (already read) once, then what the client sends."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodyLimit:
    """Answers 413 to a request whose body is larger than `max_bytes`.

    The body is read (at most `max_bytes` + 1 bytes of it) before the app runs, so a client that
    lies in `Content-Length` or streams chunks is refused all the same.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return (
            f"the request body is larger than {self.max_bytes} bytes; send a shorter query "
            "(use variables and fragments) or split it"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _send_error(
                    send, 413, self._too_large(), "PAYLOAD_TOO_LARGE", limit=self.max_bytes
                )
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(
                    send, 413, self._too_large(), "PAYLOAD_TOO_LARGE", limit=self.max_bytes
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)


class Deadline:
    """Answers 504 when the app has not started its response within `seconds`.

    Resolvers enforce the same limit themselves and answer a coded TIMEOUT error; this guard
    catches what runs outside them (parsing, validation, serialisation).
    """

    def __init__(self, app: ASGIApp, seconds: float, grace: float = 1.0) -> None:
        self.app = app
        self.seconds = seconds
        self.grace = grace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        with anyio.move_on_after(self.seconds + self.grace) as scope_:
            await self.app(scope, receive, tracked)
        if scope_.cancelled_caught and not started:
            await _send_error(
                send,
                504,
                f"the request took longer than its {self.seconds:g} s limit; ask for less or "
                "retry later",
                "TIMEOUT",
                limitSeconds=self.seconds,
            )


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (iteratively: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; send a finite number")


def json_media(scope: Scope) -> bool:
    """Whether the request says its body is JSON (`application/json`, any parameters)."""
    value: bytes = dict(scope.get("headers", [])).get(b"content-type", b"")
    return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")


class JsonBody:
    """Answers 400 to a JSON POST body that is not UTF-8, not JSON (NaN and Infinity are not),
    not an object (or a batch of them), or nested deeper than `MAX_JSON_DEPTH`: the GraphQL layer never sees one, so none of
    them can end in a 500. Runs after `BodyLimit`, which bounds the body it reads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def _problem(self, body: bytes) -> str | None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the request body is not valid UTF-8 (byte {exc.start}); send UTF-8 JSON"
        try:
            parsed = json.loads(text, parse_constant=_not_json)
        except RecursionError:
            return f"the request body nests deeper than {MAX_JSON_DEPTH} levels"
        except ValueError as exc:
            return f"the request body is not valid JSON: {exc}"
        items = parsed if isinstance(parsed, list) else [parsed]
        if not items or not all(isinstance(i, dict) for i in items):
            return (
                'expected a JSON object {"query": ..., "variables": {...}} (or a list of'
                f" them), got {type(parsed).__name__ if parsed is not None else 'null'}"
            )
        if _depth(parsed) > MAX_JSON_DEPTH:
            return f"the request body nests deeper than {MAX_JSON_DEPTH} levels"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not json_media(scope):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:  # the client went away; let the app see the disconnect
            await self.app(scope, receive, send)
            return
        problem = self._problem(body)
        if problem is not None:
            await _send_error(send, 400, problem, "BAD_REQUEST")
            return
        await self.app(scope, replaying(body, receive), send)


class Loaded:
    """Answers 503 with `UNAVAILABLE` while no graph version has loaded (the first one could not
    be projected): an empty answer would read as "not found", which is not the truth."""

    def __init__(self, app: ASGIApp, error: Callable[[], str | None]) -> None:
        self.app = app
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self.error()
        if scope["type"] == "http" and error is not None:
            await _send_error(
                send, 503, f"no graph version could be loaded yet: {error}", "UNAVAILABLE"
            )
            return
        await self.app(scope, receive, send)
