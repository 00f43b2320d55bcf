"""The typed rows of the tables: records that read as mappings, equal however they were built."""

from __future__ import annotations

import pytest

from stackgraph.graph import rows


def test_a_row_is_a_record_and_a_mapping() -> None:
    row = rows.Chokepoint("ex-cowos", "Example CoWoS-L", "packaging", None, 2, ["a", "b"])
    assert row.name == row["name"] == "Example CoWoS-L"
    assert (
        list(row)
        == list(rows.Chokepoint.fields())
        == [
            "id",
            "name",
            "layer",
            "category",
            "end_products_blocked",
            "end_products",
        ]
    )
    assert dict(row)["end_products_blocked"] == 2 and len(row) == 6
    with pytest.raises(KeyError):
        row["label"]


def _affected(**chain: object) -> rows.Affected:
    return rows.Affected(
        id="gpu",
        name="GPU",
        layer="compute",
        category="accelerator",
        status="CONSTRAINED",
        low=0.5,
        high=0.5,
        binding_requirement="gpu/hbm",
        **chain,  # type: ignore[arg-type]
    )


def test_an_affected_item_explains_itself_once_and_only_when_read() -> None:
    calls = []

    def explain() -> tuple[str | None, list[str], list[dict[str, object]]]:
        calls.append(1)
        return "hbm", ["gpu", "hbm"], [{"item": "gpu"}, {"item": "hbm"}]

    lazy = _affected(explain=explain)
    assert lazy.status == "CONSTRAINED" and calls == []
    assert lazy.chain == ["gpu", "hbm"] and lazy["root_cause"] == "hbm"
    assert calls == [1]
    eager = _affected(root_cause="hbm", chain=["gpu", "hbm"], explanation=explain()[2])
    assert lazy == eager
    assert list(lazy) == list(rows.Affected.fields())
    assert lazy != _affected(root_cause=None, chain=["gpu"], explanation=[])


def test_an_affected_item_needs_its_chain_or_a_way_to_explain_it() -> None:
    with pytest.raises(ValueError, match="explain"):
        _affected(chain=["gpu"])
