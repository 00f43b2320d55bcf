"""How the pictures are laid out, read from the matplotlib objects: one colour per what-if
line, and the Gantt chart's legend beside the bars, never over their labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.transforms import Bbox

from stackgraph import KnowledgeGraph, plots
from stackgraph.plotting._style import LINE_COLOURS, STATUS_COLOURS

PRODUCTS = ["b200", "tpu-v7-ironwood", "mi325x", "mi355x", "h200", "tsmc", "gaudi-3"]


def test_what_if_gives_each_line_its_own_colour(bundled_kg: KnowledgeGraph) -> None:
    fig = plots.what_if(bundled_kg, "sk-hynix-hbm3e", PRODUCTS, steps=5)
    lines = fig.axes[0].get_lines()
    colours = [to_hex(line.get_color()) for line in lines]
    assert len(lines) >= 4
    assert len(set(colours)) == len(lines), colours
    alarm = {to_hex(STATUS_COLOURS[s]) for s in ("BLOCKED", "CONSTRAINED")}
    assert not set(colours) & alarm  # red and orange stay the statuses' own
    # the legend names each line in the colour of that line
    legend = fig.axes[0].get_legend()
    handles = legend.legend_handles
    assert [to_hex(h.get_color()) for h in handles] == colours


def test_what_if_lines_stay_apart_past_the_palette() -> None:
    seen = {(LINE_COLOURS[n % len(LINE_COLOURS)], n // len(LINE_COLOURS)) for n in range(25)}
    assert len(seen) == 25


def _overlaps(a: Bbox, b: Bbox) -> bool:
    return bool(a.overlaps(b))


def test_gantt_legend_covers_no_bar_label(bundled_kg: KnowledgeGraph) -> None:
    for ref in ("stargate-abilene", "gb200-nvl72", "b200"):
        fig = plots.critical_path_gantt(bundled_kg, ref)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        assert ax.get_legend() is None
        (legend,) = fig.legends
        box = legend.get_window_extent(renderer)
        labels = [t for t in ax.texts if t.get_text()]
        assert labels, ref
        for text in labels:
            assert not _overlaps(box, text.get_window_extent(renderer)), (ref, text.get_text())
        assert not _overlaps(box, ax.get_window_extent(renderer)), ref
        for bar in ax.patches:
            assert not _overlaps(box, bar.get_window_extent(renderer)), ref
