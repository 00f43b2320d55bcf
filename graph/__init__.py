"""The engine: the store, the projection, the snapshot and the analyses (`stackgraph.graph`).

The Python surface for people (the `KnowledgeGraph` facade, the remote client, `Table`, plots)
lives one level up, in `stackgraph`, and imports this package; nothing here imports it.
"""

from __future__ import annotations

from stackgraph.graph.arguments import parse_shortages
from stackgraph.graph.errors import (
    AmbiguousEntityError,
    StackgraphError,
    StoreBusyError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
    UnknownEntityError,
)
from stackgraph.graph.store import Store, open_store

__all__ = [
    "AmbiguousEntityError",
    "StackgraphError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreSpecError",
    "StoreUnavailableError",
    "UnknownEntityError",
    "open_store",
    "parse_shortages",
]

# The folder sits at the top of the checkout but installs as stackgraph.graph (see pyproject.toml):
# imported by its bare name it would be a second copy of every module, so that name is refused.
if __name__ != "stackgraph.graph":
    raise ImportError(f"import stackgraph.graph, not {__name__}")
