"""The pictures of `stackgraph.plots`: what each figure holds, saving, overlays and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from stackgraph import KnowledgeGraph, Table, plots
from stackgraph.graph import UnknownEntityError
from stackgraph.graph.rows import PathStep
from tests.conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    """The bundled data, ingested once for the module."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('plots') / 'store'}"
    result = run_cli("ingest", str(ROOT / "data"), "--store", spec)
    assert result.code == 0, result.stderr
    with KnowledgeGraph.open(spec) as graph:
        yield graph


@pytest.fixture(autouse=True)
def no_pyplot_figures() -> Iterator[None]:
    """Plots must not leave figures in pyplot's global registry."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before
    plt.close("all")


def texts(fig: Figure) -> list[Text]:
    return [t for ax in fig.axes for t in ax.texts]


def box_of(fig: Figure, start: str) -> Text:
    found = [t for t in texts(fig) if t.get_text().lstrip("▼ ").startswith(start)]
    assert found, f"no box labelled {start!r}"
    return found[0]


def saves_png(fig: Figure, path: Path) -> None:
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)


def test_palette_has_one_colour_per_layer_and_none_is_a_status_colour() -> None:
    assert plots.LAYERS == (
        "foundry",
        "memory",
        "packaging",
        "compute",
        "networking",
        "systems",
        "infrastructure",
        "harness",
    )
    colours = [plots.LAYER_COLOURS[layer] for layer in plots.LAYERS]
    assert len(set(colours)) == 8
    assert not set(colours) & set(plots.STATUS_COLOURS.values())


def test_public_surface() -> None:
    assert set(plots.__all__) == {
        "LAYERS",
        "LAYER_COLOURS",
        "STATUS_COLOURS",
        "capacity_by_year",
        "deployable_chart",
        "chokepoint_bars",
        "critical_path_gantt",
        "dependency_tree",
        "impact_by_layer",
        "plot",
        "what_if",
    }


# ---------------------------------------------------------------- dependency_tree


def test_dependency_tree_draws_layers_in_stack_order(kg: KnowledgeGraph, tmp_path: Path) -> None:
    fig = plots.dependency_tree(kg, "b200")
    labels = [t.get_text() for t in texts(fig)]
    headers = [name for name in labels if name in plots.LAYERS]
    assert headers == sorted(headers, key=plots.LAYERS.index)
    assert {"foundry", "memory", "packaging", "compute"} <= set(headers)
    root = box_of(fig, "NVIDIA B200")
    assert root.get_fontweight() == "bold"
    patch = root.get_bbox_patch()
    assert patch is not None
    assert patch.get_facecolor() == to_rgba(plots.LAYER_COLOURS["compute"])
    assert "CoWoS-L" in labels
    assert "NVIDIA B200" in fig.axes[0].get_title()
    saves_png(fig, tmp_path / "tree.png")


def test_dependency_tree_outlines_blocked_and_constrained(kg: KnowledgeGraph) -> None:
    fig = plots.dependency_tree(kg, "gb200-nvl72", shortages={"cowos-l": 0.0})
    blocked = box_of(fig, "NVIDIA B200").get_bbox_patch()
    assert blocked is not None
    assert blocked.get_edgecolor() == to_rgba(plots.STATUS_COLOURS["BLOCKED"])
    assert box_of(fig, "NVIDIA B200").get_text().endswith("0%")
    shortage = box_of(fig, "CoWoS-L")
    assert shortage.get_text().startswith("▼")
    unaffected = box_of(fig, "HBM3E").get_bbox_patch()
    assert unaffected is not None
    assert unaffected.get_edgecolor() != to_rgba(plots.STATUS_COLOURS["BLOCKED"])
    assert "BLOCKED" in fig.axes[0].get_title()
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert {"BLOCKED", "CONSTRAINED"} <= {t.get_text() for t in legend.get_texts()}
    plt.close(fig)


def test_dependency_tree_marks_constrained_with_a_dashed_outline(kg: KnowledgeGraph) -> None:
    fig = plots.dependency_tree(kg, "b200", shortages=["hbm3e=0.5"])
    patch = box_of(fig, "NVIDIA B200").get_bbox_patch()
    assert patch is not None
    assert patch.get_edgecolor() == to_rgba(plots.STATUS_COLOURS["CONSTRAINED"])
    assert patch.get_linestyle() == "--"
    assert "50%" in box_of(fig, "NVIDIA B200").get_text()
    plt.close(fig)


def test_dependency_tree_says_when_it_leaves_items_out(kg: KnowledgeGraph) -> None:
    fig = plots.dependency_tree(kg, "stargate-abilene", max_nodes=8, shortages={"cowos-l": 0})
    boxes = [t for t in texts(fig) if t.get_bbox_patch() is not None]
    assert len(boxes) == 8
    note = fig.get_supxlabel()
    assert note.startswith("Showing 8 of ") and "max_nodes=" in note
    # Affected items are kept first, so the chain down to the shortage stays in view.
    assert any(t.get_text().startswith("▼ CoWoS-L") for t in boxes)
    plt.close(fig)


def test_dependency_tree_depth_and_suppliers_bound_the_view(kg: KnowledgeGraph) -> None:
    def count(fig: Figure) -> int:
        n = sum(1 for t in texts(fig) if t.get_bbox_patch() is not None)
        plt.close(fig)
        return n

    everything = count(plots.dependency_tree(kg, "b200", max_nodes=500))
    near = count(plots.dependency_tree(kg, "b200", depth=1, max_nodes=500))
    inputs_only = count(plots.dependency_tree(kg, "b200", suppliers=False, max_nodes=500))
    assert near < everything
    assert inputs_only < everything


def test_dependency_tree_of_an_item_without_dependencies(kg: KnowledgeGraph) -> None:
    fig = plots.dependency_tree(kg, "tsmc")
    assert "No dependencies" in fig.get_supxlabel()
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"ref": "no-such-system"}, UnknownEntityError),
        ({"ref": "b200", "shortages": {"no-such-input": 0}}, UnknownEntityError),
        ({"ref": "b200", "max_nodes": 0}, ValueError),
        ({"ref": "b200", "depth": -1}, ValueError),
    ],
    ids=["unknown-system", "unknown-shortage", "no-nodes", "negative-depth"],
)
def test_dependency_tree_rejects_bad_input(
    kg: KnowledgeGraph, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        plots.dependency_tree(kg, **kwargs)  # type: ignore[arg-type]


def test_unknown_id_error_suggests_close_matches(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError, match="did you mean"):
        plots.dependency_tree(kg, "gb200-nvl7")


# ---------------------------------------------------------------- critical_path_gantt


def test_gantt_has_a_row_per_step_and_a_bar_per_known_lead_time(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    table = kg.critical_path("stargate-abilene")
    fig = plots.critical_path_gantt(kg, "stargate-abilene")
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == len(table)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    known = [r for r in table if r["lead_time_known"] and r["days"]]
    assert len(bars) == len(known)
    assert sum(b.get_width() for b in bars) == table.summary["total_days"]
    assert f"{table.summary['total_days']:,} days" in ax.get_title()
    unknown = [r for r in table if not r["lead_time_known"]]
    assert sum(1 for t in ax.texts if t.get_text() == "?") == len(unknown)
    assert "Stargate Abilene" in [t.get_text() for t in ax.get_yticklabels()]
    saves_png(fig, tmp_path / "gantt.png")


def synthetic_path(known: bool) -> Table:
    """A three-step critical path: a rack waits 40 days for a chip, which takes 20 itself."""
    steps = [
        PathStep("rack", "Rack", "stage", None, 0, 0, False, None),
        PathStep(
            "rack/chip",
            "rack/chip",
            "requirement",
            "rack/chip",
            40 if known else 0,
            40,
            known,
            None,
        ),
        PathStep("chip", "Chip", "quoted", None, 20 if known else 0, 60, known, None),
    ]
    total = 60 if known else 0
    return Table(
        f"critical path of rack: {total} days",
        steps,
        summary={"total_days": total},
        kind="critical_path",
    )


def test_gantt_from_a_table_places_steps_in_time_order() -> None:
    fig = plots.critical_path_gantt(synthetic_path(known=True))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Chip", "Chip → Rack", "Rack"]
    bars = sorted(
        ((b.get_x(), b.get_width()) for b in ax.patches if isinstance(b, Rectangle)),
    )
    assert bars == [(0, 20), (20, 40)]
    assert "60 days" in ax.get_title() and "lower bound" in ax.get_title()
    plt.close(fig)


def test_gantt_without_any_known_lead_time_says_so() -> None:
    fig = plots.critical_path_gantt(synthetic_path(known=False))
    ax = fig.axes[0]
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(1 for t in ax.texts if t.get_text() == "?") == 3
    assert any("No lead time is known" in t.get_text() for t in ax.texts)
    plt.close(fig)


def test_gantt_rejects_bad_input(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError):
        plots.critical_path_gantt(kg, "no-such-item")
    with pytest.raises(ValueError, match="needs the id"):
        plots.critical_path_gantt(kg)
    with pytest.raises(ValueError, match="critical_path"):
        plots.critical_path_gantt(kg.chokepoints(3))


# ---------------------------------------------------------------- chokepoint_bars


def test_chokepoint_bars_one_bar_per_row_coloured_by_layer(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    table = kg.chokepoints(12)
    fig = plots.chokepoint_bars(kg, top=12)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(table) == 12
    assert [b.get_width() for b in bars] == [r["end_products_blocked"] for r in table]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r["name"] for r in table]
    assert bars[0].get_facecolor() == to_rgba(plots.LAYER_COLOURS[table[0]["layer"]])
    saves_png(fig, tmp_path / "chokepoints.png")


def test_chokepoint_bars_from_a_table_and_when_empty(kg: KnowledgeGraph) -> None:
    fig = plots.chokepoint_bars(kg.chokepoints(4))
    assert len([p for p in fig.axes[0].patches if isinstance(p, Rectangle)]) == 4
    plt.close(fig)
    empty = plots.chokepoint_bars(kg, categories=["substation"])  # no end product is one
    assert any("No chokepoints" in t.get_text() for t in texts(empty))
    plt.close(empty)
    with pytest.raises(ValueError, match="unknown category"):
        plots.chokepoint_bars(kg, categories=["no-such-category"])
    with pytest.raises(ValueError, match="top"):
        plots.chokepoint_bars(kg, top=0)
    with pytest.raises(ValueError, match="chokepoints"):
        plots.chokepoint_bars(kg.critical_path("b200"))


# ---------------------------------------------------------------- what_if


def test_what_if_follows_each_product_from_full_supply_to_none(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    products = ["b200", "tpu-v7-ironwood", "mi325x", "tsmc"]
    fig = plots.what_if(kg, "sk-hynix-hbm3e", products, steps=6)
    ax = fig.axes[0]
    levels = [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]
    expected: dict[tuple[float, ...], list[str]] = {}
    for p in products:
        curve = []
        for level in levels:
            rows = {r["id"]: r["low"] for r in kg.impact({"sk-hynix-hbm3e": level})}
            curve.append(round(100 * rows.get(p, 1.0), 4))
        expected.setdefault(tuple(curve), []).append(kg.info(p).name)
    lines = ax.get_lines()
    assert len(lines) == len(expected)
    for line in lines:
        assert list(np.asarray(line.get_xdata())) == pytest.approx([100, 80, 60, 40, 20, 0])
        names = expected[tuple(round(float(y), 4) for y in np.asarray(line.get_ydata()))]
        assert str(line.get_label()).replace("\n", " ").startswith(", ".join(names))
    assert any(str(line.get_label()).endswith("(unaffected)") for line in lines)  # TSMC
    assert ax.get_xlim()[0] > ax.get_xlim()[1]  # the shortage deepens left to right
    saves_png(fig, tmp_path / "what-if.png")


def test_what_if_merges_products_with_the_same_curve(kg: KnowledgeGraph) -> None:
    fig = plots.what_if(kg, "cowos-l", ["b200", "gb200-nvl72"])
    lines = fig.axes[0].get_lines()
    assert len(lines) == 1
    assert isinstance(lines[0], Line2D)
    assert "NVIDIA B200" in str(lines[0].get_label())
    assert "GB200" in str(lines[0].get_label())
    assert np.asarray(lines[0].get_ydata())[-1] == pytest.approx(0)
    plt.close(fig)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("no-such-input", ["b200"]), UnknownEntityError),
        (("hbm3e", ["no-such-product"]), UnknownEntityError),
        (("hbm3e", []), ValueError),
    ],
    ids=["unknown-shortage", "unknown-product", "no-products"],
)
def test_what_if_rejects_bad_input(
    kg: KnowledgeGraph, args: tuple[str, list[str]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        plots.what_if(kg, *args)


def test_what_if_needs_two_steps(kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="steps"):
        plots.what_if(kg, "hbm3e", ["b200"], steps=1)


# ---------------------------------------------------------------- impact_by_layer and plot


def test_impact_by_layer_counts_match_the_summary(kg: KnowledgeGraph, tmp_path: Path) -> None:
    table = kg.impact({"cowos-l": 0.0})
    fig = plots.impact_by_layer(table)
    ax = fig.axes[0]
    layers = [t.get_text() for t in ax.get_yticklabels()]
    assert layers == [name for name in plots.LAYERS if name in table.summary["counts_by_layer"]]
    red = [p for p in ax.patches if p.get_facecolor() == to_rgba(plots.STATUS_COLOURS["BLOCKED"])]
    assert (
        sum(p.get_width() for p in red if isinstance(p, Rectangle))
        == (table.summary["counts"]["BLOCKED"])
    )
    saves_png(fig, tmp_path / "impact.png")


def test_impact_by_layer_when_nothing_is_affected(kg: KnowledgeGraph) -> None:
    fig = plots.impact_by_layer(kg.impact({"cowos-l": 1.0}))
    assert any("Nothing is blocked" in t.get_text() for t in texts(fig))
    plt.close(fig)


def test_capacity_by_year_a_point_per_source_and_a_bar_per_range(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    table = kg.capacities("CoWoS", kind="capacity")  # in canonical units: wafers a month
    wanted = [r for r in table if r["canonical_unit"] == "wafer" and r["year"]]
    fig = plots.capacity_by_year(kg, "CoWoS", unit="wafers", period="month")
    ax = fig.axes[0]
    points = [
        line for line in ax.get_lines() if line.get_linestyle() == "None" and len(line.get_xdata())
    ]
    assert sorted((float(p.get_xdata()[0]), float(p.get_ydata()[0])) for p in points) == sorted(
        (float(r["year"]), r["canonical_amount"]) for r in wanted
    )
    hollow = [p for p in points if p.get_markerfacecolor() == "white"]
    assert len(hollow) == sum(r["estimated"] for r in wanted)
    ranges = sum(len(c.get_segments()) for c in ax.collections)
    assert ranges == sum(r["amount_max"] is not None for r in wanted)
    assert ax.get_ylabel() == "wafer per month"
    saves_png(fig, tmp_path / "capacity.png")


def test_capacity_by_year_from_a_table_and_when_nothing_fits(kg: KnowledgeGraph) -> None:
    fig = plots.plot(kg.capacities("CoWoS"))
    assert fig.axes[0].get_title().startswith("Capacity of")
    plt.close(fig)
    none = plots.capacity_by_year(kg, "CoWoS", unit="parsecs", period="month")
    assert any("'parsecs' is not a unit we know" in t.get_text() for t in texts(none))
    plt.close(none)
    # CoWoS is counted in wafers: asked in chips, the chart says so instead of converting
    chips = plots.capacity_by_year(kg, "CoWoS", unit="chips", period="year")
    assert any("No capacity figure with a year in chips" in t.get_text() for t in texts(chips))
    plt.close(chips)
    yearly = plots.capacity_by_year(kg, "CoWoS", unit="wafers", period="year")
    assert yearly.axes[0].get_ylabel() == "wafer per year"
    plt.close(yearly)
    holder = plots.capacity_by_year(kg, "tsmc", unit="wafers", period="month")
    labels = [t.get_text() for t in holder.axes[0].get_legend().get_texts()]
    made = {r["of_name"] for r in kg.capacities("tsmc", kind="capacity") if r["year"]}
    assert len(labels) >= len(made) > 1 and all("(" in label for label in labels)
    plt.close(holder)
    with pytest.raises(ValueError, match="needs `ref`"):
        plots.capacity_by_year(kg)
    with pytest.raises(ValueError, match="capacities"):
        plots.capacity_by_year(kg.critical_path("b200"))


def test_plot_picks_the_picture_of_each_analysis(kg: KnowledgeGraph) -> None:
    for table, ylabels in [
        (kg.critical_path("stargate-abilene"), "Stargate Abilene"),
        (kg.chokepoints(5), kg.chokepoints(5)[0]["name"]),
        (kg.impact({"cowos-l": 0}), "compute"),
    ]:
        fig = plots.plot(table)
        assert ylabels in [t.get_text() for t in fig.axes[0].get_yticklabels()]
        plt.close(fig)
    with pytest.raises(ValueError, match="no standard picture"):
        plots.plot(kg.search("hbm"))


def test_old_argument_names_still_work_for_a_release(kg: KnowledgeGraph) -> None:
    with pytest.warns(DeprecationWarning, match="use ref="):
        fig = plots.dependency_tree(kg, system="b200")
    assert isinstance(fig, Figure)
