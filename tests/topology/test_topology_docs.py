"""docs/catalog.md stays in step with the models and its example stays valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from outagelens.topology import catalog_from_dict, models
from outagelens.topology.backstage import TYPE_KINDS

DOC = Path("docs/catalog.md").read_text(encoding="utf-8")
MODELS = [
    obj
    for obj in vars(models).values()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == models.__name__
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    for name in model.model_fields:
        assert re.search(rf"`(\w+\.)?{name}`", DOC), f"{model.__name__}.{name} not in docs"


def test_every_kind_and_type_mapping_is_documented() -> None:
    for kind in models.ComponentKind:
        assert f"`{kind.value}`" in DOC
    for backstage_type in TYPE_KINDS:
        assert f"`{backstage_type}`" in DOC


def test_the_small_example_is_a_valid_catalog() -> None:
    block = DOC.split("```yaml\n", 1)[1].split("```", 1)[0]
    catalog = catalog_from_dict(yaml.safe_load(block), source="docs/catalog.md")
    prop = catalog.propagate(["fra1-grid", "fra1-gen-1"])
    assert prop.partial_subscriptions == ("shopwave/vm-hosting",)
