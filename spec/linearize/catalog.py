"""The built-in models by name, and the guard put around a model of one's own."""

from __future__ import annotations

from typing import Any, Final

from spec.container import End
from spec.linearize.containers import ContainerModel, SetModel, UnorderedQueueModel
from spec.linearize.models import GuardedModel, Model, UnknownModel
from spec.linearize.registers import CASRegisterModel, KVModel, MultiRegisterModel, MutexModel, RegisterModel

__all__ = ["MODELS", "get_model", "guarded"]

_QUEUE: Final = ContainerModel(End.OLDEST)

MODELS: dict[str, Model[Any]] = {
    "queue": _QUEUE,
    "fifo-queue": _QUEUE,
    "stack": ContainerModel(End.NEWEST),
    "unordered-queue": UnorderedQueueModel(),
    "set": SetModel(),
    "register": RegisterModel(),
    "cas-register": CASRegisterModel(),
    "multi-register": MultiRegisterModel(),
    "mutex": MutexModel(),
    "kv": KVModel(),
}
"""The built-in models by name (``fifo-queue`` is ``queue``, as Knossos names it)."""

_BUILT_IN: Final = frozenset(type(model) for model in MODELS.values())


def get_model(name: str) -> Model[Any]:
    """The built-in model called ``name``; :class:`UnknownModel` if there is none."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown model {name!r} (known: {', '.join(MODELS)})") from None


def guarded(model: Model[Any]) -> Model[Any]:
    """``model`` itself if it is built in, else the model behind a :class:`~spec.linearize.models.GuardedModel`."""
    return model if type(model) in _BUILT_IN else GuardedModel(model)
