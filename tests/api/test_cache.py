"""The analysis cache: bounded, least recently used first out."""

from __future__ import annotations

import anyio

from stackgraph.api.cache import AnalysisCache, size_of
from tests.conftest import run_async


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

    assert run_async(main) == ["result 1"] * 8
    assert computed == ["x"]
    assert run_async(cache.shared, ("v1", "impact"), compute) == "result 1"  # now a hit


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

    outcomes, calls = run_async(main)
    assert sorted(map(str, outcomes)) == ["42"] * 4 + ["the first caller's deadline"]
    assert calls == [0, 1]  # once failed, once for the four that waited


class _Blob:
    """A value that says how many bytes it holds, as the array-backed results do."""

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes


def test_analysis_cache_is_bounded_in_bytes_least_recently_used_first() -> None:
    cache = AnalysisCache(100, max_bytes=1000)
    for key in ("a", "b", "c"):
        cache.put(("v1", key), _Blob(400))
    assert cache.bytes == 800 and len(cache) == 2  # "a" went to make room for "c"
    assert AnalysisCache.missing(cache.get(("v1", "a")))
    cache.get(("v1", "b"))  # now "c" is the least recently used
    cache.put(("v1", "d"), (_Blob(300), _Blob(100)))  # a tuple counts its parts
    assert AnalysisCache.missing(cache.get(("v1", "c")))
    assert cache.bytes == 800
    cache.put(("v1", "huge"), _Blob(1001))  # larger than the budget alone: not kept
    assert AnalysisCache.missing(cache.get(("v1", "huge"))) and cache.bytes == 800
    cache.put(("v2", "e"), _Blob(10))
    cache.keep_only("v2")
    assert cache.bytes == 10 and len(cache) == 1


def test_sizes_are_estimated_from_arrays_or_per_element() -> None:
    assert size_of(_Blob(123)) == 123
    assert size_of((_Blob(1), _Blob(2))) == 3
    assert size_of(list(range(1000))) >= 1000 * 512
    assert size_of("x") > 0
