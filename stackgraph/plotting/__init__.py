"""Machinery behind `stackgraph.plots`: the palette, figure helpers and the layered layout.

Import plots from `stackgraph.plots`; nothing here is a stable surface.
"""

from __future__ import annotations

__all__: list[str] = []
