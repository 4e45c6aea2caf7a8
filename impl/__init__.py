"""Typed reference implementations of the coroutine-spec contracts.

Each module mirrors a contract in :mod:`spec`: ``impl.queue`` <-> ``spec.queue``
and so on.  Nothing here imports :mod:`spec`: the implementations stand on
their own, and the spec checks them from outside.
"""

__all__: list[str] = []  # the implementations live in the submodules: impl.queue, impl.stack, ...
