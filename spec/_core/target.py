"""Finding a target from a ``TARGET`` string, and naming one in snippets.

``TARGET`` is ``package.module:attr`` or ``path/to/file.py:attr``; ``attr`` may
be dotted (``mod:Outer.Inner``).  Every way this can go wrong raises a
:class:`~spec.SpecError` whose message is one line naming the problem.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from spec._core.errors import TargetError, TargetNotFound
from spec._core.program import TargetRef, bounded, describe_exception, guarded, show
from spec._core.signals import theirs

__all__ = ["load_target", "ref_for", "resolve_target"]

_FORMS = "'package.module:attr' or 'path/to/file.py:attr'"


def load_target(target: str) -> object:
    """The object that the string ``target`` names.

    Raises :class:`~spec.TargetNotFound` when the module, file or attribute is
    missing, :class:`~spec.TargetError` when the string is malformed or
    importing the module raises.
    """
    return resolve_target(target)[0]


def resolve_target(target: str) -> tuple[object, TargetRef]:
    """The object ``target`` names and how a snippet refers to it."""
    where, sep, attr = target.rpartition(":")
    if not sep or not where or not attr:
        raise TargetError(f"TARGET must be {_FORMS}, got {target!r}")
    parts = attr.split(".")
    if not all(part.isidentifier() for part in parts):
        raise TargetError(f"{attr!r} in TARGET {target!r} is not a (dotted) Python name")
    imports: tuple[str, ...]
    if where.endswith(".py") or "/" in where or "\\" in where:
        module = _import_file(Path(where))
        name = parts[-1]
        imports = ("from spec import load_target", f"{name} = load_target({target!r})")
    else:
        module = _import_module(where)
        name = attr
        imports = (f"from {where} import {parts[0]}",)
    obj: object = module
    for depth, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            owner = module.__name__ if depth == 0 else ".".join(parts[:depth])
            raise TargetNotFound(f"{owner!r} has no attribute {part!r} (TARGET {target!r})") from None
        except BaseException as exc:  # a module's __getattr__, a property: target code
            what = describe_exception(theirs(exc))
            raise TargetError(f"reading {'.'.join(parts[: depth + 1])} raised {what}") from None
    return obj, TargetRef(label=target, name=name, imports=imports)


def _import_module(name: str) -> ModuleType:
    if not all(part.isidentifier() for part in name.split(".")):
        raise TargetError(f"{name!r} is not a module name; TARGET must be {_FORMS}")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # Distinguish "the module itself is missing" from "it imports something missing".
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise TargetNotFound(f"no module named {exc.name!r} (TARGET module {name!r})") from None
        raise TargetError(f"importing {name!r} raised {describe_exception(exc)}") from None
    except BaseException as exc:  # SystemExit too: a target's import must not end the oracle
        raise TargetError(f"importing {name!r} raised {describe_exception(theirs(exc))}") from None


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise TargetNotFound(f"no such file: {str(path)!r}")
    resolved = path.resolve()
    # One module per file, under a name no real module uses, so that loading the
    # same file twice gives the same objects (and classes compare equal).
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:12]
    name = f"_spec_target_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    # A path that is a file always gets a source loader, whatever its suffix.
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    # The file's own folder goes first on sys.path while it runs, as when the
    # file is run as a script, so that it can import its neighbours.
    sys.path.insert(0, str(resolved.parent))
    try:
        module_spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit too: a target's import must not end the oracle
        del sys.modules[name]
        raise TargetError(f"importing {str(path)!r} raised {describe_exception(theirs(exc))}") from None
    finally:
        sys.path.remove(str(resolved.parent))
    return module


def ref_for(obj: object) -> TargetRef:
    """How a snippet refers to ``obj``, a target passed as an object.

    When ``obj`` can be imported back by its module and qualified name, the
    snippet imports it; otherwise the snippet says to substitute the factory.
    """
    module = bounded(getattr, obj, "__module__", None)
    qualname = bounded(getattr, obj, "__qualname__", None)
    if module is not None and qualname is not None and module != "__main__":
        found: object = sys.modules.get(module)
        for part in qualname.split("."):
            found = guarded(getattr, found, part, None, default=None)
        if found is obj:
            return TargetRef(
                label=f"{module}:{qualname}",
                name=qualname,
                imports=(f"from {module} import {qualname.split('.')[0]}",),
            )
    label = show(obj)
    return TargetRef(
        label=label,
        name="factory",
        imports=(f"factory = ...  # substitute your factory: {label} cannot be imported by name",),
        importable=False,
    )
