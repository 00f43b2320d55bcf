"""`criticalPath`: the steps, their days and the lead times that are missing."""

from __future__ import annotations

from tests.api._server import Server

CRITICAL = """
query ($id: ID!) {
  criticalPath(id: $id) {
    entity { id } totalDays missingInClosureCount
    steps { kind node entity { id } requirement days cumulative leadTimeKnown
            provenance { sourceUrl } }
    missingLeadTimes { kind node requirement }
  }
}
"""


def test_critical_path(server: Server) -> None:
    path = server.query(CRITICAL, id="ex-datacenter")["criticalPath"]
    assert path["totalDays"] == 210
    assert path["steps"][-1]["cumulative"] == 210
    assert sum(s["days"] for s in path["steps"]) == 210
    node_step = next(s for s in path["steps"] if s["node"] == "ex-accelerator/ex-node")
    assert (node_step["kind"], node_step["days"], node_step["entity"]) == ("requirement", 120, None)
    assert node_step["provenance"]["sourceUrl"] == "https://example.org/x1"
    assert {"kind": "stage", "node": "ex-datacenter", "requirement": None} in path[
        "missingLeadTimes"
    ]
