"""The one registry of contracts: name -> the module that defines it.

Contract modules are imported on first use, so that listing one contract does
not import the others.  Each module exposes its record as ``CONTRACT``.
"""

from __future__ import annotations

import difflib
import importlib

from spec._core.contract import Contract
from spec._core.errors import UnknownContract

__all__ = ["contract_names", "get_contract"]

_MODULES: dict[str, str] = {
    "queue": "spec.queue",
    "stack": "spec.stack",
    "averager": "spec.averager",
    "pipeline": "spec.pipeline",
    "genstate": "spec.genstate",
    "scheduler": "spec.scheduler",
    "channel": "spec.channel",
}


def contract_names() -> tuple[str, ...]:
    """Every registered contract name, in the order ``python -m spec`` runs them."""
    return tuple(_MODULES)


def get_contract(name: str) -> Contract:
    """The contract registered as ``name``; :class:`~spec.UnknownContract` if none is."""
    try:
        module_name = _MODULES[name]
    except KeyError:
        close = difflib.get_close_matches(name, _MODULES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownContract(f"unknown contract {name!r}{hint} (known: {', '.join(_MODULES)})") from None
    contract = importlib.import_module(module_name).CONTRACT
    assert isinstance(contract, Contract), module_name
    return contract
