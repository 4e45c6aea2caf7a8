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


# Every path a user may have written down: the README's, the test-case classes',
# and the imports the oracle's snippets start with.
PUBLIC_PATHS = [
    "spec:check",
    "spec:load_target",
    "spec:Report",
    "spec.queue:QueueContract",
    "spec.stack:StackContract",
    "spec.averager:AveragerContract",
    "spec.pipeline:PipelineContract",
    "spec.genstate:GenStateContract",
    "spec.scheduler:SchedulerContract",
    "spec.channel:ChannelContract",
    "spec.adapters:DequeAsQueue",
    "spec.adapters:ListAsStack",
    "spec.known_bad:catalogue",
    "spec.known_bad.queue:CATALOGUE",
    "spec.known_bad.stack:CATALOGUE",
    "spec.known_bad.averager:CATALOGUE",
    "spec.known_bad.pipeline:CATALOGUE",
    "spec.known_bad.genstate:CATALOGUE",
    "spec.known_bad.scheduler:CATALOGUE",
    "spec.known_bad.channel:CATALOGUE",
    "spec.known_bad.stress:CATALOGUE",
    "spec.linearize:check_history",
    "spec.linearize:read_history",
    "spec.stress:stress",
    "spec.stress:Driver",
    "spec.known_bad.stress_processes:MP_QUEUE",
    "spec.known_bad.stress_processes:spawned_queue",
    "spec.known_bad.stress_processes:SQLiteQueue",
    "spec.multitasking:CLAUSES",
    "spec.profiles:PROFILES",
    # snippets
    "spec.pipeline:CountingSource",
    "spec.pipeline:RecordingBuffer",
    "spec.pipeline:RecordingSink",
    "spec.pipeline:outcome",
    "spec.genstate:Thrown",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_path_imports(path: str) -> None:
    module, _, name = path.partition(":")
    assert hasattr(importlib.import_module(module), name)
