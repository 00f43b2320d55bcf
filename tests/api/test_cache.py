"""The analysis cache: bounded, least recently used first out."""

from __future__ import annotations

from stackgraph.api.cache import AnalysisCache


def test_analysis_cache_is_bounded_and_least_recently_used() -> None:
    cache = AnalysisCache(2)
    calls: list[str] = []
    for key in ["a", "b", "a", "c", "a", "b"]:
        cache.get_or_compute(("v1", key), lambda key=key: calls.append(key) or key)
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2
