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

_SENTINEL: Any = object()
# class -> (every field in order with its default or _SENTINEL, factories, required fields)
_Spec = tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]], list[str]]
_SPECS: dict[type[BaseModel], _Spec] = {}


def _spec(cls: type[BaseModel]) -> _Spec:
    template: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    required: list[str] = []
    for name, info in cls.model_fields.items():
        factory = info.default_factory
        template[name] = _SENTINEL
        if (
            isinstance(factory, type)
            and issubclass(factory, BaseModel)
            and factory.model_config.get("frozen")
        ):
            # A frozen default (e.g. `Recovery()`) can be shared by every instance.
            template[name] = factory()
        elif factory is not None:
            plain: Callable[[], Any] = factory  # type: ignore[assignment]
            factories.append((name, plain))
        elif info.is_required():
            required.append(name)
        else:
            template[name] = info.default
    _SPECS[cls] = (template, factories, required)
    return _SPECS[cls]


def construct(cls: type[M], **values: Any) -> M:
    """Like `cls.model_construct(**values)` (no validation, defaults filled in), but fast."""
    template, factories, required = _SPECS.get(cls) or _spec(cls)
    data = template.copy()
    data.update(values)
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    for name in required:
        if data[name] is _SENTINEL:
            del data[name]  # as model_construct: a missing required field stays missing
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", data)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


_FREEZE_AFTER = 200_000
_freeze_allowed = True


def allow_gc_freeze(allowed: bool) -> None:
    """Let `gc_paused` freeze what it built (default) or not (a long-running server).

    Freezing also freezes any reference cycle that is garbage at that moment, so it is never
    collected; a command-line run ends soon after, a server runs for months and loads catalogs
    again and again, so `create_app` turns freezing off and pays one ordinary collection instead.
    """
    global _freeze_allowed
    _freeze_allowed = allowed


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic objects.

    Each generation-0 collection walks the young objects, so building a million models with the
    collector on costs several times the building itself; nothing built here forms a cycle.
    After a large pause all tracked objects are frozen (`gc.freeze`): the cyclic collector then
    ignores them for good (reference counting still frees them), at the cost of never
    collecting a reference cycle that was already garbage at that moment (see
    `allow_gc_freeze`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # The first collection after a pause would walk every object built during it;
            # when that is a lot, move them to the permanent generation instead.
            if _freeze_allowed and gc.get_count()[0] > _FREEZE_AFTER:
                gc.freeze()
            gc.enable()
