"""The fixed palette and small figure helpers shared by every plot."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from stackgraph.graph.palette import LAYER_COLOURS, NO_LAYER_COLOUR, STATUS_COLOURS
from stackgraph.graph.vocabulary import LAYERS

__all__ = [
    "LAYERS",
    "LAYER_COLOURS",
    "LINE_COLOURS",
    "NO_LAYER_COLOUR",
    "STATUS_COLOURS",
    "layer_colour",
    "layer_handles",
    "message_figure",
    "new_figure",
    "note",
    "positive",
    "shorten",
]

AFFECTED = ("BLOCKED", "CONSTRAINED", "POSSIBLY_CONSTRAINED")
"""The statuses the pictures mark: solid, dashed and dotted outlines."""


def percent_range(low: float, high: float) -> str:
    """An availability range as people read it: "40%", or "0–50%" when the shares are unknown.

    >>> percent_range(0.4, 0.4), percent_range(0.0, 0.5)
    ('40%', '0–50%')
    """
    return f"{low:.0%}" if abs(high - low) < 5e-3 else f"{low * 100:.0f}–{high:.0%}"


def layer_colour(layer: str | None) -> str:
    """The fill colour of a layer (a pale grey for items without one)."""
    return LAYER_COLOURS.get(layer or "", NO_LAYER_COLOUR)


def layer_handles(layers: Sequence[str | None]) -> list[Patch]:
    """Legend patches for the layers present, in stack order."""
    present = set(layers)
    handles = [
        Patch(facecolor=LAYER_COLOURS[name], edgecolor="#444444", label=name)
        for name in LAYERS
        if name in present
    ]
    if None in present or any(layer not in LAYER_COLOURS for layer in present if layer):
        handles.append(Patch(facecolor=NO_LAYER_COLOUR, edgecolor="#444444", label="no layer"))
    return handles


def new_figure(width: float, height: float) -> Figure:
    """A figure not registered with pyplot: nothing global to close, no GUI backend needed."""
    return Figure(figsize=(width, height), layout="constrained")


def message_figure(title: str, message: str) -> Figure:
    """An empty figure that says why there is nothing to draw."""
    fig = new_figure(6.4, 2.4)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11, color="#555555")
    return fig


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def note(fig: Figure, text: str) -> None:
    """A note under the picture (a supxlabel, which the constrained layout makes room for)."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=9, style="italic", color="#444444")


def positive(name: str, value: int) -> None:
    """Refuse a count below 1."""
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")


# One colour per line where lines stand for different things (products in a what-if): dark and
# saturated enough to read on white, none of them the red or orange of BLOCKED and CONSTRAINED.
LINE_COLOURS = (
    "#1f77b4",
    "#9467bd",
    "#2ca02c",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#bcbd22",
)

# Markers and line styles that tell lines of one colour apart (holders, products).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
