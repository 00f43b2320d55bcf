"""stackgraph's graph package: the store, the projection, the analyses and the Python API.

from stackgraph.graph import KnowledgeGraph
kg = KnowledgeGraph.open()                  # the embedded store; .connect(url) for a server
kg.impact({"cowos-l": 0.0}).to_frame()      # what a CoWoS-L outage blocks, and why
"""

from __future__ import annotations

from stackgraph.graph.arguments import parse_shortages
from stackgraph.graph.client import Client
from stackgraph.graph.errors import (
    AmbiguousEntityError,
    StackgraphError,
    StoreBusyError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
    UnknownEntityError,
)
from stackgraph.graph.knowledge import KnowledgeGraph
from stackgraph.graph.results import Table
from stackgraph.graph.store import Store, open_store

__all__ = [
    "AmbiguousEntityError",
    "Client",
    "KnowledgeGraph",
    "StackgraphError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreSpecError",
    "StoreUnavailableError",
    "Table",
    "UnknownEntityError",
    "open_store",
    "parse_shortages",
]

# The folder sits at the top of the checkout but installs as stackgraph.graph (see pyproject.toml):
# imported by its bare name it would be a second copy of every module, so that name is refused.
if __name__ != "stackgraph.graph":
    raise ImportError(f"import stackgraph.graph, not {__name__}")
