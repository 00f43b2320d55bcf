"""The wheel's layout: each engine folder of the checkout maps to `stackgraph/<folder>`.

Only the built wheel gets the mapping. An editable install is exact (an import hook for
`stackgraph/`, whose links lead to the folders); copies of the folders in site-packages would go
stale and, being a `stackgraph` folder there, hide that hook. See pyproject.toml.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: A folder of the checkout -> its place in the wheel.
MAPPED = {
    "graph": "stackgraph/graph",
    "api": "stackgraph/api",
    "ingest": "stackgraph/ingest",
    "schema": "stackgraph/schema",
    "data": "stackgraph/_bundled/data",
}


class MapFolders(BuildHookInterface):
    """Adds the folders to the standard wheel; the editable one gets none of them."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "standard":
            build_data["force_include"].update(MAPPED)
