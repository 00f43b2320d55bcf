"""The fixed colours of layers and shortage statuses, shared by the plots and the explorer page."""

from __future__ import annotations

__all__ = ["LAYER_COLOURS", "NO_LAYER_COLOUR", "STATUS_COLOURS"]

# Mid-tone fills that keep black text readable; none of them is red or orange, which are
# reserved for BLOCKED and CONSTRAINED.
LAYER_COLOURS: dict[str, str] = {
    "foundry": "#9e86c8",
    "memory": "#6baed6",
    "packaging": "#74c476",
    "compute": "#f2c14e",
    "networking": "#4fc3c7",
    "systems": "#e78ac3",
    "infrastructure": "#b5926b",
    "harness": "#a9a9a9",
}
NO_LAYER_COLOUR = "#f2f2f2"
STATUS_COLOURS: dict[str, str] = {
    "BLOCKED": "#d62728",
    "CONSTRAINED": "#ff7f0e",
    "POSSIBLY_CONSTRAINED": "#bcbd22",
    "OK": "#2ca02c",
}
