"""Finding targets from TARGET strings, and naming them in snippets."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from impl.queue import DequeQueue
from spec import TargetError, TargetNotFound, load_target
from spec._core.signals import watch_interrupts
from spec._core.target import ref_for, resolve_target


def write(path: Path, source: str) -> Path:
    path.write_text(textwrap.dedent(source))
    return path


def test_module_target() -> None:
    obj, ref = resolve_target("impl.queue:DequeQueue")
    assert obj is DequeQueue
    assert ref.label == "impl.queue:DequeQueue"
    assert ref.name == "DequeQueue"
    assert ref.imports == ("from impl.queue import DequeQueue",)
    assert ref.importable


def test_dotted_attribute() -> None:
    obj, ref = resolve_target("spec.queue:QueueMachine.push")
    assert obj is load_target("spec.queue:QueueMachine").push  # type: ignore[attr-defined]
    assert ref.name == "QueueMachine.push"
    assert ref.imports == ("from spec.queue import QueueMachine",)


def test_file_target_imports_its_neighbours(tmp_path: Path) -> None:
    write(tmp_path / "helper_mod_for_spec_test.py", "VALUE = 41\n")
    path = write(
        tmp_path / "mine.py",
        """
        import helper_mod_for_spec_test
        class Mine:
            value = helper_mod_for_spec_test.VALUE + 1
        """,
    )
    target = f"{path}:Mine"
    obj, ref = resolve_target(target)
    assert obj.value == 42  # type: ignore[attr-defined]
    assert ref.name == "Mine"
    assert ref.imports == ("from spec import load_target", f"Mine = load_target({target!r})")
    assert str(tmp_path) not in sys.path
    # Loading the same file again gives the same objects.
    assert load_target(target) is obj


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("impl.queue", r"TARGET must be 'package.module:attr' or 'path/to/file.py:attr', got 'impl.queue'"),
        (":DequeQueue", r"TARGET must be"),
        ("impl.queue:", r"TARGET must be"),
        ("impl.queue:Deque Queue", r"'Deque Queue' in TARGET 'impl.queue:Deque Queue' is not a \(dotted\) Python name"),
        ("impl queue:DequeQueue", r"'impl queue' is not a module name"),
    ],
)
def test_malformed_targets(target: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        load_target(target)


def test_missing_module() -> None:
    with pytest.raises(TargetNotFound, match=r"no module named 'no_such_pkg' \(TARGET module 'no_such_pkg.mod'\)"):
        load_target("no_such_pkg.mod:X")


def test_missing_attribute() -> None:
    with pytest.raises(TargetNotFound, match=r"'impl.queue' has no attribute 'Nope' \(TARGET 'impl.queue:Nope'\)"):
        load_target("impl.queue:Nope")
    with pytest.raises(TargetNotFound, match=r"'DequeQueue' has no attribute 'nope'"):
        load_target("impl.queue:DequeQueue.nope")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound, match=r"no such file: '.*nothing.py'"):
        load_target(f"{tmp_path}/nothing.py:X")


def test_module_whose_import_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "spec_test_needs_missing.py", "import no_such_dependency_here\n")
    write(tmp_path / "spec_test_raises.py", "1 / 0\n")
    write(tmp_path / "spec_test_exits.py", "raise SystemExit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TargetError, match=r"importing 'spec_test_needs_missing' raised ModuleNotFoundError"):
        load_target("spec_test_needs_missing:X")
    with pytest.raises(TargetError, match=r"importing 'spec_test_raises' raised ZeroDivisionError: division by zero"):
        load_target("spec_test_raises:X")
    with pytest.raises(TargetError, match=r"importing 'spec_test_exits' raised SystemExit: 3"):
        load_target("spec_test_exits:X")


@pytest.mark.parametrize(
    ("source", "message"),
    [("1 / 0\n", "ZeroDivisionError: division by zero"), ("raise SystemExit(3)\n", "SystemExit: 3")],
)
def test_file_whose_import_fails(tmp_path: Path, source: str, message: str) -> None:
    path = write(tmp_path / "broken.py", source)
    before = set(sys.modules)
    with pytest.raises(TargetError, match=rf"importing '.*broken.py' raised {message}"):
        load_target(f"{path}:X")
    assert set(sys.modules) == before


def test_a_module_that_raises_keyboard_interrupt_is_a_target_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "interrupted.py", "raise KeyboardInterrupt\n")
    with pytest.raises(TargetError, match=r"importing '.*interrupted.py' raised KeyboardInterrupt$"):
        load_target(f"{path}:X")
    write(tmp_path / "spec_test_interrupted.py", "raise KeyboardInterrupt\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TargetError, match=r"importing 'spec_test_interrupted' raised KeyboardInterrupt$"):
        load_target("spec_test_interrupted:X")


def test_a_real_ctrl_c_while_importing_passes_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n"
    path = write(tmp_path / "ctrl_c.py", source)
    with watch_interrupts(), pytest.raises(KeyboardInterrupt):
        load_target(f"{path}:X")
    write(tmp_path / "spec_test_ctrl_c.py", source)
    monkeypatch.syspath_prepend(str(tmp_path))
    with watch_interrupts(), pytest.raises(KeyboardInterrupt):
        load_target("spec_test_ctrl_c:X")


class Outer:
    class Inner:
        pass


def test_ref_for_importable_objects() -> None:
    ref = ref_for(DequeQueue)
    assert ref.label == "impl.queue:DequeQueue"
    assert ref.imports == ("from impl.queue import DequeQueue",)
    nested = ref_for(Outer.Inner)
    assert nested.name == "Outer.Inner"
    assert nested.imports == ("from tests.test_target import Outer",)


def test_ref_for_objects_without_a_name() -> None:
    def local() -> None:
        pass

    main_class = type("MainClass", (), {"__module__": "__main__"})
    nameless: tuple[object, ...] = (lambda: None, local, DequeQueue(), main_class)
    for obj in nameless:
        ref = ref_for(obj)
        assert not ref.importable
        assert ref.name == "factory"
        assert ref.imports[0].startswith("factory = ...  # substitute your factory")


def test_a_module_attribute_that_raises_is_a_target_error(tmp_path: Path) -> None:
    path = write(tmp_path / "lazy.py", "def __getattr__(name):\n    raise SystemExit(0)\n")
    with pytest.raises(TargetError, match=r"^reading Thing raised SystemExit: 0$"):
        load_target(f"{path}:Thing")
