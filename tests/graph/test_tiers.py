"""Source tiers: the lookup, the maintained list, and the tier on every provenance record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import stackgraph.graph
from stackgraph.graph.snapshot import Provenance
from stackgraph.graph.tiers import TIERS, parse_tier_list, tier_entries, tier_entry, tier_of
from stackgraph.ingest.readers import NOT_SOURCES
from tests.conftest import ROOT

DATA = ROOT / "data"
LIST = ROOT / "graph" / "source_tiers.yaml"


def _sources() -> dict[str, list[str]]:
    """Every source URL cited in data/, with where (file: record); files that are not sources
    (the resolution decisions, whose `source` names a dataset) are left out."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in DATA.glob("*.yaml") if p.name not in NOT_SOURCES):
        for section, records in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for record in records if isinstance(records, list) else []:
                if isinstance(record, dict) and record.get("source"):
                    found.setdefault(str(record["source"]), []).append(f"{path.name}: {section}")
    return found


@pytest.mark.parametrize(
    ("url", "tier"),
    [
        ("https://www.nvidia.com/en-us/data-center/", "primary"),
        ("https://docs.nvidia.com/networking/display/x", "primary"),
        ("https://investor.tsmc.com/english/annual-reports", "primary"),
        ("https://www.trendforce.com/news/2025/01/01/x", "press"),
        ("https://www.trtworld.com:443/article/x", "press"),
        ("https://newsletter.semianalysis.com/p/x", "press"),
        ("https://marklapedus.substack.com/p/x", "press"),
        ("https://someone.substack.com/p/x", "secondary"),
        ("https://argonne-lcf.github.io/user-guides/x", "primary"),
        ("https://atulranaa.github.io/vector-db-book/x", "secondary"),
        ("https://github.com/Portkey-AI", "primary"),
        ("https://github.com/github/docs/pull/40612.diff", "primary"),
        ("https://github.com/rajbos/x/releases", "secondary"),
        ("https://raw.githubusercontent.com/mlcommons/inference_results_v6.1/x.json", "primary"),
        ("https://raw.githubusercontent.com/someone/x/main/y.json", "secondary"),
        ("http://ingway.s3.amazonaws.com/TPCA/x.html", "secondary"),
        ("https://note.com./someone/n/x", "secondary"),
        ("HTTPS://WWW.TOMSHARDWARE.COM/x", "press"),
        ("https://unlisted.example/x", "unknown"),
        ("https://tsmc.com.evil.example/x", "unknown"),
        ("https://nottsmc.com/x", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
        ("not a url", "unknown"),
        ("http://[::1", "unknown"),
    ],
    ids=lambda v: str(v)[:60],
)
def test_tier_of(url: str | None, tier: str) -> None:
    assert tier_of(url) == tier


def test_the_most_specific_entry_wins_and_says_why() -> None:
    entry = tier_entry("https://argonne-lcf.github.io/user-guides/ai-testbed/cerebras")
    assert entry is not None and entry.key == "argonne-lcf.github.io"
    assert "national laboratory" in entry.reason
    github = tier_entry("https://github.com/github/docs")
    assert github is not None and github.key == "github.com/github"


def test_every_source_host_of_the_data_is_classified() -> None:
    missing = {url: where[0] for url, where in _sources().items() if tier_entry(url) is None}
    assert not missing, (
        "add these hosts to graph/source_tiers.yaml with a tier and a reason:\n"
        + "\n".join(f"  {url} ({where})" for url, where in sorted(missing.items()))
    )


def test_high_confidence_facts_of_the_data_cite_primary_or_press_sources() -> None:
    wrong = []
    for path in sorted(DATA.glob("*.yaml")):
        for records in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            for r in records if isinstance(records, list) else []:
                weak = isinstance(r, dict) and tier_of(r.get("source")) not in ("primary", "press")
                if weak and r.get("confidence") == "high":
                    wrong.append(f"{path.name}: {r.get('source')}")
    assert not wrong, wrong[:20]


def test_the_data_never_cites_the_example_domains() -> None:
    """example.org and friends are primary only so that the test examples may say `high`."""
    cited = [url for url in _sources() if re.search(r"//([^/]*\.)?example\.(org|com|net)\b", url)]
    assert not cited


def test_the_list_is_grouped_by_tier_and_sorted() -> None:
    keys: dict[str, list[str]] = {}
    tier = ""
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"[a-z]+:", line):
            tier = line[:-1]
        elif line.startswith("  ") and not line.lstrip().startswith("#"):
            keys.setdefault(tier, []).append(line.strip().split(":", 1)[0])
    assert list(keys) == ["primary", "press", "secondary"]
    for tier, names in keys.items():
        assert names == sorted(names), f"{tier}: keep the keys sorted"
    entries = tier_entries()
    assert sum(map(len, keys.values())) == len(entries)
    assert [e.tier for e in entries] == sorted((e.tier for e in entries), key=TIERS.index)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gossip:\n  a.example: x\n", "unknown tier 'gossip'"),
        ("unknown:\n  a.example: x\n", "unknown tier 'unknown'"),
        ("press:\n  a.example: x\n  a.example: y\n", "'a.example' is listed twice"),
        ("press:\n  a.example: x\nsecondary:\n  a.example: y\n", "both press and secondary"),
        ("press:\n  A.example: x\n", "lower-case host suffix"),
        ("press:\n  https://a.example: x\n", "without scheme or www."),
        ("press:\n  www.a.example: x\n", "without scheme or www."),
        ("press:\n  a.example/b/c/d/e: x\n", "at most 3 segments"),
        ("press:\n  a.example: ''\n", "give a short reason"),
        ("- a.example\n", "expected a mapping"),
    ],
    ids=[
        "unknown-tier",
        "unknown-is-not-listed",
        "duplicate",
        "two-tiers",
        "upper-case",
        "scheme",
        "www",
        "deep-path",
        "no-reason",
        "not-a-mapping",
    ],
)
def test_a_malformed_list_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_tier_list(text)


def test_the_list_ships_inside_the_graph_package() -> None:
    """The wheel packs `graph/` whole; the list is read from there, never from data/."""
    assert LIST.parent == Path(stackgraph.graph.__file__).resolve().parent
    assert not list(DATA.glob("*tier*"))  # `stackgraph ingest data/` reads every YAML file there


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", "primary"), ("secondary", "secondary")],
    ids=["derived-from-the-source", "as-given"],
)
def test_provenance_carries_the_tier_of_its_source(given: str, expected: str) -> None:
    p = Provenance("https://www.tsmc.com/x", "2025", "high", False, "urn:g", given)
    assert p.tier == expected
    assert p.record("urn:fact") == {
        "iri": "urn:fact",
        "source": "https://www.tsmc.com/x",
        "tier": expected,
        "as_of": "2025",
        "confidence": "high",
        "estimated": False,
        "graph": "urn:g",
        "weak": expected == "secondary",
    }


def test_provenance_without_a_source_is_unknown_and_a_bad_tier_is_refused() -> None:
    assert Provenance(None, None, None, False, "urn:g").tier == "unknown"
    with pytest.raises(ValueError, match="unknown source tier 'gossip'"):
        Provenance("https://www.tsmc.com/x", None, None, False, "urn:g", "gossip")
