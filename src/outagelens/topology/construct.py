"""Fast unvalidated construction of catalog models, for generators of trusted data.

Pydantic's `model_construct` inspects the signature of every default factory on every call,
which makes it slower than full validation for our small models; this does the same job with the
defaults resolved once per class.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_Spec = list[tuple[str, Any, Callable[[], Any] | None, bool]]
_SPECS: dict[type[BaseModel], _Spec] = {}


def _spec(cls: type[BaseModel]) -> _Spec:
    spec: _Spec = []
    for name, info in cls.model_fields.items():
        factory = info.default_factory
        if (
            isinstance(factory, type)
            and issubclass(factory, BaseModel)
            and factory.model_config.get("frozen")
        ):
            # A frozen default (e.g. `Recovery()`) can be shared by every instance.
            spec.append((name, factory(), None, False))
            continue
        plain: Callable[[], Any] | None = factory  # type: ignore[assignment]
        spec.append((name, info.default, plain, info.is_required()))
    _SPECS[cls] = spec
    return spec


def construct(cls: type[M], **values: Any) -> M:
    """Like `cls.model_construct(**values)` (no validation, defaults filled in), but fast."""
    spec = _SPECS.get(cls) or _spec(cls)
    data: dict[str, Any] = {}
    for name, default, factory, required in spec:
        if name in values:
            data[name] = values[name]
        elif factory is not None:
            data[name] = factory()
        elif not required:
            data[name] = default
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", data)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic objects.

    Each generation-0 collection walks the young objects, so building a million models with the
    collector on costs several times the building itself; nothing built here forms a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
