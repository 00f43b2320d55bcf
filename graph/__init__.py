"""stackgraph's graph package: the store, the projection, the analyses and the Python API.

from graph import KnowledgeGraph
kg = KnowledgeGraph.open()                  # the embedded store; .connect(url) for a server
kg.impact({"cowos-l": 0.0}).to_frame()      # what a CoWoS-L outage blocks, and why
"""

from __future__ import annotations

from graph.arguments import parse_shortages
from graph.client import Client
from graph.errors import (
    AmbiguousEntityError,
    StackgraphError,
    StoreBusyError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
    UnknownEntityError,
)
from graph.knowledge import KnowledgeGraph
from graph.results import Table
from graph.store import Store, open_store

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
