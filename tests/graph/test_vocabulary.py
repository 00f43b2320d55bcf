"""The controlled vocabularies (layers, categories) and the check of filter values against them."""

from __future__ import annotations

import pytest

from stackgraph.graph.vocabulary import CATEGORIES, LAYERS, UnknownValueError, check
from stackgraph.schema._spec import load


def test_layers_and_categories_come_from_the_schema() -> None:
    enums = load().enums
    assert tuple(enums["Layer"].values) == LAYERS and len(LAYERS) == 8
    assert set(CATEGORIES) == {
        *enums["ProductCategory"].values,
        *enums["FacilityCategory"].values,
    }
    assert len(CATEGORIES) == len(set(CATEGORIES))
    assert {"accelerator", "fab", "datacenter"} <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("layer", ["memory"]),
        ("layer", ("memory", "compute")),
        ("layer", []),
        ("category", ["accelerator", "fab"]),
    ],
    ids=["one", "tuple", "none", "categories"],
)
def test_known_values_pass_as_a_list(kind: str, values: list[str]) -> None:
    assert check(kind, values) == list(values)
    assert check(kind, iter(values)) == list(values)


def test_no_filter_passes() -> None:
    assert check("layer", None) is None
    assert check("category", None) is None


@pytest.mark.parametrize(
    ("kind", "value", "closest"),
    [
        ("layer", "memroy", "memory"),
        ("layer", "Memory", "memory"),
        ("category", "acelerator", "accelerator"),
        ("category", "accelerators", "accelerator"),
    ],
    ids=["layer-typo", "layer-case", "category-typo", "category-plural"],
)
def test_an_unknown_value_names_the_closest(kind: str, value: str, closest: str) -> None:
    with pytest.raises(UnknownValueError) as info:
        check(kind, ["compute" if kind == "layer" else "fab", value])
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.kind, err.value) == (kind, value)
    assert str(err).startswith(f"unknown {kind} {value!r}; did you mean {closest}")


def test_no_suggestion_when_nothing_is_close() -> None:
    with pytest.raises(UnknownValueError, match=r"^unknown layer 'zzzz'$"):
        check("layer", ["zzzz"])


def test_each_kind_checks_against_its_own_vocabulary() -> None:
    assert "compute" in LAYERS and "compute" not in CATEGORIES
    with pytest.raises(UnknownValueError, match="unknown category 'compute'"):
        check("category", ["compute"])
    with pytest.raises(UnknownValueError, match="unknown layer 'fab'"):
        check("layer", ["fab"])
