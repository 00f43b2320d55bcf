"""Incremental construction of a :class:`~stackgraph.graph.analysis.model.DependencyGraph`."""

from __future__ import annotations

import math

import numpy as np

from stackgraph.graph.analysis._layout import NO_LEAD, NO_STRING
from stackgraph.graph.analysis.model import DependencyGraph

__all__ = ["DependencyGraphBuilder"]


def _lead(value: int | None, what: str) -> int:
    if value is None:
        return NO_LEAD
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(
            f"lead_time_days of {what} must be a whole number >= 0 or None, got {value!r}"
        )
    return int(value)


class DependencyGraphBuilder:
    """Collects items, requirements and sources, then builds an immutable graph.

    Indices returned by the builder are positions in the builder; the built graph renumbers
    items topologically and is queried by id.

    Examples:
        >>> b = DependencyGraphBuilder()
        >>> b.add_item("b200", name="NVIDIA B200", layer="compute", category="accelerator")
        0
        >>> r = b.add_requirement("b200", "cowos-l", quantity=1.0)
        >>> b.add_source(r, "tsmc")
        0
        >>> b.build()
        DependencyGraph(3 items, 1 requirements, 1 sources, 2 levels)
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._strings: list[str] = []
        self._string_index: dict[str, int] = {}
        # name, layer, category, fact, quoted lead, stage, stage fact
        self._item_attrs: list[list[int]] = []
        self._req_item: list[int] = []
        self._req_input: list[int] = []
        self._req_quantity: list[float] = []
        self._req_lead: list[int] = []
        self._req_fact: list[int] = []
        self._req_names: dict[int, str] = {}
        self._src_req: list[int] = []
        self._src_item: list[int] = []
        self._src_share: list[float] = []
        self._src_lead: list[int] = []
        self._src_fact: list[int] = []

    def _s(self, value: str | None) -> int:
        if value is None:
            return NO_STRING
        k = self._string_index.get(value)
        if k is None:
            k = self._string_index[value] = len(self._strings)
            self._strings.append(str(value))
        return k

    def _item(self, item: str) -> int:
        k = self._index.get(item)
        if k is None:
            if not isinstance(item, str) or not item:
                raise ValueError(f"item id must be a non-empty string, got {item!r}")
            k = self._index[item] = len(self._ids)
            self._ids.append(item)
            self._item_attrs.append(
                [NO_STRING, NO_STRING, NO_STRING, NO_STRING, NO_LEAD, NO_LEAD, NO_STRING]
            )
        return k

    def add_item(
        self,
        item: str,
        *,
        name: str | None = None,
        layer: str | None = None,
        category: str | None = None,
        lead_time_days: int | None = None,
        fact: str | None = None,
        label: str | None = None,
        stage_time_days: int | None = None,
        stage_fact: str | None = None,
    ) -> int:
        """Add ``item`` or update the attributes given (not None) of an existing one.

        Args:
            item: The item's id.
            name: Its display name.
            layer: Its layer of the stack.
            category: Its category.
            lead_time_days: Its quoted lead time: order to delivery, its inputs included.
            fact: IRI of the record it (and its quoted lead time) comes from.
            label: Deprecated: use ``name``.
            stage_time_days: Its stage time: its own step alone, once its inputs are there.
            stage_fact: IRI of the record the stage time comes from.

        Returns:
            The item's builder index.

        Raises:
            ValueError: Empty id or negative lead time.
            TypeError: Both ``name`` and ``label`` are given.
        """
        if label is not None:
            if name is not None:
                raise TypeError(f"item {item!r}: give name={name!r} only (label is deprecated)")
            name = label
        k = self._item(item)
        attrs = self._item_attrs[k]
        for pos, value in enumerate((name, layer, category, fact)):
            if value is not None:
                attrs[pos] = self._s(value)
        if lead_time_days is not None:
            attrs[4] = _lead(lead_time_days, f"item {item!r}")
        if stage_time_days is not None:
            attrs[5] = _lead(stage_time_days, f"item {item!r} (stage)")
        if stage_fact is not None:
            attrs[6] = self._s(stage_fact)
        return k

    def add_requirement(
        self,
        item: str,
        input: str,
        *,
        quantity: float | None = None,
        lead_time_days: int | None = None,
        fact: str | None = None,
        id: str | None = None,
    ) -> int:
        """Record that ``item`` requires ``input``; unknown items are created bare.

        Args:
            item: The item that has the requirement.
            input: The item required.
            quantity: Units of input per unit of item.
            lead_time_days: Lead time of the requirement itself.
            fact: IRI of the record this requirement comes from.
            id: Requirement id; default ``"<item>/<input>"``.

        Returns:
            The requirement's builder index, for :meth:`add_source`.

        Raises:
            ValueError: Bad id, quantity or lead time.
        """
        q = math.nan if quantity is None else float(quantity)
        if not math.isnan(q) and (q < 0 or math.isinf(q)):
            raise ValueError(f"quantity of {item!r} -> {input!r} must be finite and >= 0, got {q}")
        lead = _lead(lead_time_days, f"requirement {item!r} -> {input!r}")
        r = len(self._req_item)
        self._req_item.append(self._item(item))
        self._req_input.append(self._item(input))
        self._req_quantity.append(q)
        self._req_lead.append(lead)
        self._req_fact.append(self._s(fact))
        if id is not None:
            self._req_names[r] = id
        return r

    def add_source(
        self,
        requirement: int,
        supplier: str,
        *,
        share: float | None = None,
        lead_time_days: int | None = None,
        fact: str | None = None,
    ) -> int:
        """Add ``supplier`` as a source of ``requirement``; unknown items are created bare.

        Returns:
            The source edge's builder index.

        Raises:
            IndexError: ``requirement`` was not returned by :meth:`add_requirement`.
            ValueError: Share outside [0, 1] or negative lead time.
        """
        if not 0 <= requirement < len(self._req_item):
            raise IndexError(f"no requirement number {requirement} in this builder")
        s = math.nan if share is None else float(share)
        if not math.isnan(s) and not 0.0 <= s <= 1.0:
            raise ValueError(f"share of {supplier!r} must be in [0, 1] or None, got {share!r}")
        lead = _lead(lead_time_days, f"source {supplier!r}")
        k = len(self._src_req)
        self._src_req.append(requirement)
        self._src_item.append(self._item(supplier))
        self._src_share.append(s)
        self._src_lead.append(lead)
        self._src_fact.append(self._s(fact))
        return k

    def build(self) -> DependencyGraph:
        """The immutable graph of everything added so far (the builder stays usable).

        Notes:
            O((I + R + S) log(I + R + S)) for I items, R requirements and S sources: strongly
            connected components, topological levels and a renumbering by level.
        """
        attrs = np.array(self._item_attrs, dtype=np.int32).reshape(-1, 7)
        return DependencyGraph.from_arrays(
            self._ids,
            self._req_item,
            self._req_input,
            self._src_req,
            self._src_item,
            src_share=np.array(self._src_share, dtype=np.float32),
            item_lead=attrs[:, 4],
            item_stage=attrs[:, 5],
            item_stage_fact=attrs[:, 6],
            req_lead=self._req_lead,
            src_lead=self._src_lead,
            req_quantity=np.array(self._req_quantity, dtype=np.float32),
            strings=self._strings,
            item_name=attrs[:, 0],
            item_layer=attrs[:, 1],
            item_category=attrs[:, 2],
            item_fact=attrs[:, 3],
            req_fact=self._req_fact,
            src_fact=self._src_fact,
            req_names=self._req_names,
        )
