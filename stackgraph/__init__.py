"""stackgraph: a knowledge graph of the AI-infrastructure supply chain.

The Python entry point::

    from stackgraph import KnowledgeGraph, plots
    kg = KnowledgeGraph.open()                  # the embedded store; .connect(url) for a server
    kg.impact({"cowos-l": 0.0}).to_frame()      # what a CoWoS-L outage blocks, and why
    plots.dependency_tree(kg, "gb200-nvl72", shortages={"cowos-l": 0})

This package is the surface for people: the `KnowledgeGraph` facade (`stackgraph.knowledge`), the
remote client (`stackgraph.remote`), `Table` (`stackgraph.results`), the plots
(`stackgraph.plots`) and the command line (`stackgraph.cli`). The engine sits below it in
`stackgraph.graph` (store, projection, analyses), with `stackgraph.ingest`, `stackgraph.api` and
`stackgraph.schema`; imports run one way, from here down. The names below load on first use, so
that `stackgraph --help` does not pay for pandas or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackgraph import plots
    from stackgraph.client import Client
    from stackgraph.graph.errors import (
        AmbiguousEntityError,
        StackgraphError,
        StoreError,
        UnknownEntityError,
    )
    from stackgraph.knowledge import KnowledgeGraph
    from stackgraph.results import Table

__all__ = [
    "AmbiguousEntityError",
    "Client",
    "KnowledgeGraph",
    "StackgraphError",
    "StoreError",
    "Table",
    "UnknownEntityError",
    "plots",
]

#: Where each public name is defined (a module itself when the name is a module).
_HOMES = {
    "AmbiguousEntityError": "stackgraph.graph.errors",
    "Client": "stackgraph.client",
    "KnowledgeGraph": "stackgraph.knowledge",
    "StackgraphError": "stackgraph.graph.errors",
    "StoreError": "stackgraph.graph.errors",
    "Table": "stackgraph.results",
    "UnknownEntityError": "stackgraph.graph.errors",
    "plots": "stackgraph.plots",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'stackgraph' has no attribute {name!r}")
    module = importlib.import_module(home)
    value = module if home == f"{__name__}.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
