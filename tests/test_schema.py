"""The schema is the single source: generated artefacts are current and agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from stackgraph.schema import models
from stackgraph.schema.generate import HERE, artefacts

GENERATED = artefacts()


@pytest.mark.parametrize("name", sorted(GENERATED), ids=str)
def test_generated_file_is_current(name: str) -> None:
    path: Path = HERE / name
    committed = path.read_text(encoding="utf-8")
    if name.endswith(".ttl"):
        assert isomorphic(
            Graph().parse(data=committed, format="turtle"),
            Graph().parse(data=GENERATED[name], format="turtle"),
        ), f"schema/{name} is stale: run python -m stackgraph.schema.generate"
    else:
        assert committed == GENERATED[name], (
            f"schema/{name} is stale: run python -m stackgraph.schema.generate"
        )


def test_every_class_has_a_shape_and_a_model() -> None:
    shapes = Graph().parse(data=GENERATED["shapes.ttl"], format="turtle")
    targets = {
        str(o).rsplit("#", 1)[-1] for o in shapes.objects(None, None) if "stackgraph/ns#" in str(o)
    }
    for name in models.RECORD_MODELS:
        assert name in targets


def test_records_carry_provenance() -> None:
    for name, model in models.RECORD_MODELS.items():
        fields = model.model_fields
        assert {"source", "as_of", "confidence", "estimated"} <= set(fields), name
        assert fields["source"].is_required() and fields["confidence"].is_required(), name
