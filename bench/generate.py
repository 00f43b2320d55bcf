"""Seeded synthetic AND/OR supply graphs, from raw materials up to datacenters.

Items sit in tiers (raw material, component, module, board, system, datacenter). Every item
above the raw tier has 2-8 requirements, mostly on the tier just below; inputs and suppliers are
drawn with a heavy-tailed popularity, so a few components feed very many items. Each requirement
has 1-3 alternative sources (suppliers of the same tier as the input) with shares (some
unknown), and items, requirements and sources carry lead times (some unknown). Requirements
carry quantities (1-8 units of the input), and the two lowest tiers capacities (some unknown),
for the deployable benchmark.

Usage: ``python bench/generate.py 100000`` prints the size of the generated graph.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stackgraph.graph.analysis import DependencyGraph

TIERS = (
    ("raw-material", "materials", 0.15),
    ("component", "components", 0.30),
    ("module", "packaging", 0.25),
    ("board", "compute", 0.15),
    ("system", "systems", 0.10),
    ("datacenter", "datacenters", 0.05),
)

IntArray = npt.NDArray[np.int64]


def _dedupe(key: IntArray) -> IntArray:
    k = np.sort(key)
    return k[np.r_[True, k[1:] != k[:-1]]]


@dataclass(frozen=True)
class Synthetic:
    """Arrays of a generated graph, in the layout of ``DependencyGraph.from_arrays``."""

    ids: list[str]
    tier: IntArray
    tier_start: IntArray
    req_item: IntArray
    req_input: IntArray
    src_req: IntArray
    src_item: IntArray
    src_share: npt.NDArray[np.float32]
    item_lead: IntArray
    req_lead: IntArray
    src_lead: IntArray
    req_quantity: npt.NDArray[np.float32]
    capacity: npt.NDArray[np.float64]
    """Output per period at most, per item (NaN: none): raw materials and components."""

    def graph(self) -> DependencyGraph:
        """Build the compact projection."""
        names = [t[0] for t in TIERS] + [t[1] for t in TIERS]
        return DependencyGraph.from_arrays(
            self.ids,
            self.req_item,
            self.req_input,
            self.src_req,
            self.src_item,
            src_share=self.src_share,
            item_lead=self.item_lead,
            req_lead=self.req_lead,
            src_lead=self.src_lead,
            req_quantity=self.req_quantity,
            strings=names,
            item_category=self.tier,
            item_layer=self.tier + len(TIERS),
        )


def _popular(rng: np.random.Generator, start: IntArray, size: IntArray) -> IntArray:
    """Heavy-tailed pick inside [start, start + size): low offsets are far more popular."""
    u = rng.random(len(start))
    return start + np.minimum((size * u**4).astype(np.int64), size - 1)


def generate(n_items: int, seed: int = 0) -> Synthetic:
    """A synthetic supply graph of about ``n_items`` items (a DAG)."""
    rng = np.random.default_rng(seed)
    sizes = np.array([max(2, int(n_items * f)) for _, _, f in TIERS], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n = int(starts[-1])
    tier = np.repeat(np.arange(len(TIERS)), sizes)
    ids = [
        f"{TIERS[t][0]}-{i - int(starts[t])}"
        for t in range(len(TIERS))
        for i in range(int(starts[t]), int(starts[t + 1]))
    ]

    makers = np.arange(int(starts[1]), n)
    k = rng.integers(2, 9, size=len(makers))
    req_item = np.repeat(makers, k)
    own_tier = tier[req_item]
    below = np.where(
        rng.random(len(req_item)) < 0.7,
        own_tier - 1,
        (rng.random(len(req_item)) * own_tier).astype(np.int64),
    )
    req_input = _popular(rng, starts[below], sizes[below])
    # Drop repeated (item, input) pairs: one requirement per input.
    key = _dedupe(req_item * n + req_input)
    req_item, req_input = key // n, key % n
    n_req = len(req_item)

    n_src = rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2], size=n_req)
    src_req = np.repeat(np.arange(n_req), n_src)
    src_tier = tier[req_input[src_req]]
    src_item = _popular(rng, starts[src_tier], sizes[src_tier])
    key = _dedupe(src_req * n + src_item)
    src_req, src_item = key // n, key % n
    share = rng.random(len(src_req)).astype(np.float32)
    total = np.bincount(src_req, weights=share, minlength=n_req)
    share = (share / total[src_req]).astype(np.float32)
    share[rng.random(len(share)) < 0.15] = np.nan

    def leads(count: int, scale: float, missing: float) -> IntArray:
        v = rng.lognormal(np.log(scale), 0.6, size=count).astype(np.int64)
        v[rng.random(count) < missing] = -1
        return v

    # Units of the input per unit of the item (1 to 8), and capacities on the two lowest tiers
    # (a fifth of their items without a figure), heavy-tailed as supply is.
    quantity = rng.integers(1, 9, size=n_req).astype(np.float32)
    capacity = np.full(n, np.nan)
    low = int(starts[2])
    capacity[:low] = rng.lognormal(np.log(1e6), 1.0, size=low)
    capacity[:low][rng.random(low) < 0.2] = np.nan

    return Synthetic(
        ids=ids,
        tier=tier,
        tier_start=starts,
        req_item=req_item,
        req_input=req_input,
        src_req=src_req,
        src_item=src_item,
        src_share=share,
        item_lead=leads(n, 30, 0.05),
        req_lead=leads(n_req, 7, 0.10),
        src_lead=leads(len(src_req), 14, 0.05),
        req_quantity=quantity,
        capacity=capacity,
    )


if __name__ == "__main__":
    s = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(s.graph())
