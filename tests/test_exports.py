"""The public surface is explicit: every public module declares __all__, and it is true."""

from __future__ import annotations
import __future__

import importlib
import pkgutil
from types import ModuleType

import pytest

import impl
import spec


def public_modules() -> list[ModuleType]:
    modules = [spec, impl]
    for package in (spec, impl):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                modules.append(importlib.import_module(info.name))
    return modules


@pytest.mark.parametrize("module", public_modules(), ids=lambda m: m.__name__)
def test_all_is_declared_and_every_name_exists(module: ModuleType) -> None:
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module.__name__} has no __all__"
    assert len(set(names)) == len(names)
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"


def test_spec_exports_every_public_name_it_imports() -> None:
    public = {
        name
        for name, value in vars(spec).items()
        if not name.startswith("_") and not isinstance(value, ModuleType | __future__._Feature)
    }
    assert public == set(spec.__all__)
