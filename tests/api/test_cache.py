"""The analysis cache: bounded, least recently used first out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio

from stackgraph.api.cache import AnalysisCache

T = TypeVar("T")


def _run(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`anyio.run` on a thread of its own (a browser test's client may hold this one's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, fn, *args).result()


def test_analysis_cache_is_bounded_and_least_recently_used() -> None:
    cache = AnalysisCache(2)
    calls: list[str] = []
    for key in ["a", "b", "a", "c", "a", "b"]:
        cache.get_or_compute(("v1", key), lambda key=key: calls.append(key) or key)
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_requests_missing_one_key_at_once_compute_it_once() -> None:
    cache = AnalysisCache(4)
    computed: list[str] = []

    async def compute() -> str:
        computed.append("x")
        await anyio.sleep(0.05)  # the others arrive while it runs
        return f"result {len(computed)}"

    async def main() -> list[str]:
        results: list[str] = []

        async def ask() -> None:
            results.append(await cache.shared(("v1", "impact"), compute))

        async with anyio.create_task_group() as tasks:
            for _ in range(8):
                tasks.start_soon(ask)
        return results

    assert _run(main) == ["result 1"] * 8
    assert computed == ["x"]
    assert _run(cache.shared, ("v1", "impact"), compute) == "result 1"  # now a hit


def test_a_failed_computation_fails_its_caller_only_and_a_waiter_computes() -> None:
    cache = AnalysisCache(0)  # nothing kept: waiters get the flight's result all the same
    calls: list[int] = []

    async def compute() -> int:
        calls.append(len(calls))
        await anyio.sleep(0.05)
        if len(calls) == 1:
            raise RuntimeError("the first caller's deadline")
        return 42

    async def main() -> tuple[list[object], list[int]]:
        outcomes: list[object] = []

        async def ask() -> None:
            try:
                outcomes.append(await cache.shared(("v1", "k"), compute))
            except RuntimeError as exc:
                outcomes.append(str(exc))

        async with anyio.create_task_group() as tasks:
            for _ in range(5):
                tasks.start_soon(ask)
        return outcomes, calls

    outcomes, calls = _run(main)
    assert sorted(map(str, outcomes)) == ["42"] * 4 + ["the first caller's deadline"]
    assert calls == [0, 1]  # once failed, once for the four that waited
