"""Machinery behind `stackgraph.graph.plots`: the palette, figure helpers and the layered layout.

Import plots from `stackgraph.graph.plots`; nothing here is a stable surface.
"""

from __future__ import annotations

__all__: list[str] = []
