"""Synthetic sources in the format of ``data/``: the generator's graph as CSV files, one per tier.

Each tier's file holds its items (products; datacenters as facilities), their requirements (with
lead times where the generator gives one) and, for each requirement, its sources as supplies to
that item (with shares where known). Every record carries a source, an as-of date and a
confidence, as the ingest requires.

Usage: ``python bench/sources.py 10000 sources/ [--lean]`` writes the files and prints their
counts (``--lean``: each item with one requirement and no supplies, about 15 triples per item).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import TIERS, Synthetic, generate

__all__ = ["COLUMNS", "write_sources"]

COLUMNS = [
    "record",
    "id",
    "name",
    "layer",
    "category",
    "item",
    "input",
    "supplier",
    "consumer",
    "share",
    "lead_time_days",
    "source",
    "as_of",
    "confidence",
]
#: (class, layer, category) of the items of each tier
_KIND = {
    "raw-material": ("Product", "foundry", "material"),
    "component": ("Product", "foundry", "die"),
    "module": ("Product", "packaging", "packaging-technology"),
    "board": ("Product", "compute", "board"),
    "system": ("Product", "systems", "system"),
    "datacenter": ("Facility", "infrastructure", "datacenter"),
}
_PROVENANCE = {"source": "https://example.org/bench", "as_of": "2025", "confidence": "medium"}


def write_sources(s: Synthetic, folder: Path, *, lean: bool = False) -> dict[str, int]:
    """Write one CSV source per tier into ``folder``; returns the records written per file.

    Args:
        s: the generator's graph.
        folder: where the files go.
        lean: each item with its first requirement only, no supplies: about 15 triples per
            item (the full graph writes about 115), the size the issue of the ingest at scale
            assumes. Its graph is thinner, not a smaller copy of the full one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    reqs_of = np.argsort(s.req_item, kind="stable")
    req_start = np.searchsorted(s.req_item[reqs_of], np.arange(len(s.ids) + 1))
    srcs_of = np.argsort(s.src_req, kind="stable")
    src_start = np.searchsorted(s.src_req[srcs_of], np.arange(len(s.req_item) + 1))
    counts: dict[str, int] = {}
    for t, (tier, plural, _) in enumerate(TIERS):
        cls, layer, category = _KIND[tier]
        path = folder / f"{plural}.csv"
        n = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.DictWriter(handle, COLUMNS)
            out.writeheader()
            lo, hi = int(s.tier_start[t]), int(s.tier_start[t + 1])
            for i in range(lo, hi):
                ident = s.ids[i]
                out.writerow(
                    {
                        "record": cls,
                        "id": ident,
                        "name": ident.replace("-", " ").title(),
                        "layer": layer,
                        "category": category,
                        **_PROVENANCE,
                    }
                )
                n += 1
            for i in range(lo, hi):
                reqs = reqs_of[req_start[i] : req_start[i + 1]].tolist()
                for r in reqs[:1] if lean else reqs:
                    lead = int(s.req_lead[r])
                    out.writerow(
                        {
                            "record": "Requirement",
                            "item": s.ids[i],
                            "input": s.ids[int(s.req_input[r])],
                            "lead_time_days": lead if lead >= 0 else "",
                            **_PROVENANCE,
                        }
                    )
                    n += 1
                    for k in [] if lean else srcs_of[src_start[r] : src_start[r + 1]].tolist():
                        share = float(s.src_share[k])
                        lead = int(s.src_lead[k])
                        out.writerow(
                            {
                                "record": "Supply",
                                "input": s.ids[int(s.req_input[r])],
                                "supplier": s.ids[int(s.src_item[k])],
                                "consumer": s.ids[i],
                                "share": "" if math.isnan(share) else f"{share:.4f}",
                                "lead_time_days": lead if lead >= 0 else "",
                                **_PROVENANCE,
                            }
                        )
                        n += 1
        counts[path.name] = n
    return counts


if __name__ == "__main__":
    lean = "--lean" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--lean"]
    size = int(args[0]) if args else 10_000
    written = write_sources(
        generate(size), Path(args[1] if len(args) > 1 else "sources"), lean=lean
    )
    print(written, sum(written.values()), "records")
