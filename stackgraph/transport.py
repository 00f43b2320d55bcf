"""`Transport`: GraphQL over HTTP for the remote client, with our errors and complete pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from stackgraph.graph.errors import StackgraphError, StoreUnavailableError, UnknownEntityError

__all__ = ["PAGE_SIZE", "RemoteError", "Transport"]

PAGE_SIZE = 100
_RESTARTS = 5  # listings restarted when the graph changes between pages


class RemoteError(StackgraphError):
    """The server answered with an error; `code` is its `extensions.code`."""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)


class Transport:
    """Posts queries to one GraphQL endpoint; server errors become our exceptions."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        self.url = url
        self.page_size = page_size
        self._client = httpx.Client(timeout=timeout, headers=dict(headers or {}))

    def close(self) -> None:
        self._client.close()

    def query(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._client.post(
                self.url, json={"query": query, "variables": dict(variables or {})}
            )
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code >= 500:
            raise StoreUnavailableError(f"{self.url} answered {response.status_code}")
        body = response.json()
        for error in body.get("errors") or []:
            ext = error.get("extensions") or {}
            if ext.get("code") == "NOT_FOUND":
                raise UnknownEntityError(
                    str(ext.get("id") or error.get("message")), list(ext.get("suggestions") or [])
                )
            if ext.get("code") == "BAD_USER_INPUT":
                raise ValueError(error.get("message"))
            raise RemoteError(error.get("message", "error"), ext.get("code"))
        data: dict[str, Any] = body["data"]
        return data

    def pages(
        self,
        query: str,
        variables: Mapping[str, Any],
        connection: Callable[[dict[str, Any]], dict[str, Any]],
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every answer of a paged query (`$a` is the cursor) until the last page or `limit` edges.

        A cursor belongs to one graph version; when an ingest lands between two pages the
        server refuses the next cursor (`STALE_CURSOR`) and the listing starts again, so the
        pages always come from one version.
        """
        for _ in range(_RESTARTS):
            answers: list[dict[str, Any]] = []
            after, seen = None, 0
            try:
                while True:
                    data = self.query(query, {**variables, "f": self.page_size, "a": after})
                    answers.append(data)
                    page = connection(data)
                    seen += len(page["edges"])
                    done = not page["pageInfo"]["hasNextPage"] or not page["edges"]
                    if done or (limit is not None and seen >= limit):
                        return answers
                    after = page["pageInfo"]["endCursor"]
            except RemoteError as exc:
                if exc.code != "STALE_CURSOR":
                    raise
        raise RemoteError(
            f"the graph changed {_RESTARTS} times while paging; try again later", "STALE_CURSOR"
        )
