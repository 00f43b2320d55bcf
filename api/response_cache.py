"""A cache of whole responses: a POST query asked again of the same graph version is answered
from memory, without parsing, validating or executing it again.

The graph version is a hash of the content of every source, so a response stored under a version
is right for as long as the server serves that version; a new version simply makes other keys.
Only complete 200 answers without errors are kept, and only while the version did not change
during the request. Responses say `x-stackgraph-cache: hit` or `miss`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackgraph.api.guards import json_media, read_body, replaying

__all__ = ["ResponseCache"]

_HEADER = b"x-stackgraph-cache"


def _version(scope: Scope) -> str | None:
    view = getattr(scope["app"].state, "view", None)
    return None if view is None else str(view.snapshot().version)


def _clean(body: bytes) -> bool:
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, dict) and not parsed.get("errors")


class ResponseCache:
    """LRU of `max_entries` responses of at most `max_body` bytes each and `max_bytes` in all
    (requests and responses), keyed by version and request."""

    def __init__(
        self,
        app: ASGIApp,
        max_entries: int,
        max_body: int = 256 * 1024,
        max_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_bytes = max_bytes
        self.bytes = 0
        """Bytes held: every entry's request and response bodies."""
        self._entries: OrderedDict[tuple[str, bytes, bytes], tuple[Message, bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only a JSON POST is ever answered from memory: a form or text/plain POST (a simple
        # cross-site request) is refused by the GraphQL layer and must never get cached data.
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or self.max_entries <= 0
            or not json_media(scope)
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:  # the client went away; let the app see the disconnect
            await self.app(scope, receive, send)
            return
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        version = _version(scope)
        key = None if version is None else (version, accept, body)
        hit = None if key is None else self._entries.get(key)
        if hit is not None and key is not None:
            self._entries.move_to_end(key)
            start, content = hit
            await send({**start, "headers": [*start["headers"], (_HEADER, b"hit")]})
            await send({"type": "http.response.body", "body": content})
            return
        await self._miss(scope, replaying(body, receive), key, send)

    async def _miss(
        self, scope: Scope, replay: Receive, key: tuple[str, bytes, bytes] | None, send: Send
    ) -> None:
        start: Message | None = None
        parts: list[bytes] = []
        size = 0
        whole = True

        async def capture(message: Message) -> None:
            nonlocal start, size, whole
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message.get("headers", []), (_HEADER, b"miss")]}
            elif message["type"] == "http.response.body" and whole:
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    whole = False
                    parts.clear()
                else:
                    parts.append(chunk)
            await send(message)

        await self.app(scope, replay, capture)
        content = b"".join(parts)
        if (
            key is not None
            and whole
            and start is not None
            and start.get("status") == 200
            and _version(scope) == key[0]
            and _clean(content)
        ):
            before = self._entries.pop(key, None)  # two requests that missed at once
            if before is not None:
                self.bytes -= len(key[2]) + len(before[1])
            self._entries[key] = (start, content)
            self.bytes += len(key[2]) + len(content)
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                (_, _, old), (_, held) = self._entries.popitem(last=False)
                self.bytes -= len(old) + len(held)
