"""What the plots draw from: a graph that answers the Python API's calls, or one of its tables.

The plots depend on these protocols, not on the client classes nor on `Table`, so the local store
and a running server are drawn alike, and the plots import neither client nor the results module
(which imports the plots for `Table.plot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard, runtime_checkable

if TYPE_CHECKING:
    import networkx as nx

    from stackgraph.graph.snapshot import EntityInfo

__all__ = ["Answer", "Graph", "is_graph", "table_of"]


class Answer(Protocol):
    """A table of answers, as `stackgraph.results.Table` holds one: what the plots read."""

    @property
    def title(self) -> str: ...

    @property
    def rows(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def summary(self) -> Mapping[str, Any]: ...

    @property
    def kind(self) -> str: ...

    def __iter__(self) -> Iterator[Mapping[str, Any]]: ...


@runtime_checkable
class Graph(Protocol):
    """A knowledge graph, local or remote: the calls the plots make."""

    def resolve(self, ref: str) -> str: ...

    def info(self, ref: str) -> EntityInfo: ...

    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph: ...

    def impact(
        self, shortages: Mapping[str, float] | Iterable[str], *, substitution: bool = False
    ) -> Answer: ...

    def critical_path(self, ref: str) -> Answer: ...

    def chokepoints(
        self, top: int = 10, *, categories: str | Sequence[str] | None = None
    ) -> Answer: ...

    def capacities(self, ref: str, *, year: int | None = None) -> Answer: ...


def is_graph(source: Any) -> TypeGuard[Graph]:
    """Whether `source` is a graph to ask (else it is a Table already answered)."""
    return isinstance(source, Graph)


def table_of(source: Graph | Answer, kind: str, ask: Callable[[Graph], Answer]) -> Answer:
    """The table to draw: what `ask` gets from a graph, or `source` itself if it is a `kind` one.

    Raises:
        ValueError: `source` is a table of another kind.
    """
    if isinstance(source, Graph):
        return ask(source)
    if source.kind != kind:
        raise ValueError(f"expected the Table of KnowledgeGraph.{kind}, got {source.title!r}")
    return source
