"""The package's layers, read off its import statements (see :mod:`spec`'s docstring).

* ``spec._core`` imports nothing else of ``spec`` (and nothing of ``impl``);
* the package root imports only the core;
* an area imports the core, its own modules, and other areas only by their
  public module (``spec.linearize``, never ``spec.linearize.ops``);
* nothing below the command line (``spec._cli``) imports it;
* ``impl`` imports nothing of ``spec`` and no Hypothesis, statically and when
  imported in a fresh interpreter.

Every ``import`` and ``from ... import`` counts, also those inside functions
and under ``TYPE_CHECKING``: a deferred import is still an arrow.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests._support import ROOT


@dataclass(frozen=True)
class Module:
    name: str  # spec.averager.forms
    path: Path

    @property
    def package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def layer(self) -> str:
        """``core``, ``cli``, ``root``, ``main``, ``impl``, or the area's name."""
        parts = self.name.split(".")
        if parts[0] == "impl":
            return "impl"
        if len(parts) == 1:
            return "root"
        return {"_core": "core", "_cli": "cli", "__main__": "main"}.get(parts[1], parts[1])


def modules(package: str) -> list[Module]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path))
    return found


ALL = {m.name: m for m in modules("spec") + modules("impl")}


def imports(module: Module) -> Iterator[tuple[int, str]]:
    """(line, module name) for every import in ``module``, submodules resolved."""
    tree = ast.parse(module.path.read_text(), str(module.path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module.name}:{node.lineno}: relative import"
            base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                if f"{base}.{alias.name}" in ALL:  # `from spec.linearize import histories`
                    yield node.lineno, f"{base}.{alias.name}"


def layer_of(name: str) -> str | None:
    """The layer of the first-party module ``name``, or ``None`` for a third-party one."""
    module = ALL.get(name)
    return None if module is None else module.layer


def area_root(name: str) -> str:
    """``spec.X`` for any module of area X."""
    return ".".join(name.split(".")[:2])


def violations(module: Module) -> Iterator[str]:
    here = module.layer
    for line, name in imports(module):
        there = layer_of(name)
        where = f"{module.name}:{line} imports {name}"
        if here == "impl":
            if name.split(".")[0] in ("spec", "hypothesis"):
                yield f"{where}: impl stands on its own (no spec, no Hypothesis)"
            continue
        if there is None or there == here:
            continue
        if there == "cli" and here != "main":
            yield f"{where}: nothing below the command line imports it"
        elif here == "core" and there != "core":
            yield f"{where}: the core imports nothing outside spec._core"
        elif here == "root" and there != "core":
            yield f"{where}: the package root re-exports the core only"
        elif there not in ("core", "impl", "root") and here not in ("cli", "main") and name != area_root(name):
            yield f"{where}: another area's helper; import its public module {area_root(name)}"


@pytest.mark.parametrize("module", list(ALL.values()), ids=lambda m: m.name)
def test_imports_point_down(module: Module) -> None:
    assert list(violations(module)) == []


# -- the rules themselves reject what they should ---------------------------------


@pytest.mark.parametrize(
    ("name", "source", "complaint"),
    [
        ("spec._core.oracle", "from spec.linearize import check_history", "the core imports nothing outside"),
        ("spec._core.oracle", "import spec.queue", "the core imports nothing outside"),
        ("spec.stress", "from spec.linearize.ops import History", "another area's helper"),
        ("spec.stress", "from spec.linearize import ops", "another area's helper"),
        ("spec.queue", "def f():\n    from spec._cli import main", "nothing below the command line"),
        ("spec", "from spec.queue import QueueContract", "the package root re-exports the core only"),
        ("impl.genstate", "from spec.genstate import Thrown", "impl stands on its own"),
        ("impl.queue", "import hypothesis", "impl stands on its own"),
    ],
)
def test_a_wrong_arrow_is_caught(tmp_path: Path, name: str, source: str, complaint: str) -> None:
    fake = tmp_path / "module.py"
    fake.write_text(source + "\n")
    found = list(violations(Module(name, fake)))
    assert len(found) == 1
    assert complaint in found[0]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("spec.stress", "from spec.linearize import History"),  # another area's public module
        ("spec.stress", "from spec.stress.run import Scenario"),  # its own helper
        ("spec.averager.machine", "from spec._core.checker import Checker"),  # the core
        ("spec._cli.history", "from spec.linearize.histories import read_history"),  # the top may import anything
        ("spec.known_bad.channel", "from impl.scheduler import Scheduler"),  # impl is below every area
    ],
)
def test_a_right_arrow_passes(tmp_path: Path, name: str, source: str) -> None:
    fake = tmp_path / "module.py"
    fake.write_text(source + "\n")
    assert list(violations(Module(name, fake))) == []


# -- impl, imported for real ---------------------------------------------------------


def test_importing_every_impl_module_loads_no_hypothesis_and_nothing_of_spec() -> None:
    names = [name for name, module in ALL.items() if module.layer == "impl"]
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('hypothesis', 'spec'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert len(names) >= 10
    assert json.loads(done.stdout) == []
