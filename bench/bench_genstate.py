"""Driving one generator program three ways: CPython, the hand-written generator, the model.

Run ``python bench/bench_genstate.py`` (5 rounds) or with ``--quick`` for a
smoke run of a few seconds.  Each variant runs the same program (ten yields
in a ``try``/``finally``, then ten more delegated with ``yield from``) to its
end with ``next()``, many times.  The variants run in turn within each
round, so that the machine's load falls on all of them alike; each is
reported by its fastest round, as a ratio to the native generator (lower is
better) and as calls per second.

The model replays the body from the start at every call (see
:mod:`spec.genstate.model`), so its cost grows with the square of the yields:
the price of being obviously right.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from impl.genlang import LAST, Program, Return, Try, Yield, YieldFrom
from impl.genstate import ClassGenerator
from spec.genstate import Flavour
from spec.genstate.lang import Send
from spec.genstate.model import ModelGenerator, Semantics
from spec.genstate.render import render

PROGRAM = Program(
    (
        Try(tuple(Yield(i) for i in range(10)), final=()),
        YieldFrom((*(Yield(i) for i in range(10)), Return(7))),
        Return(LAST),
    )
)
CALLS = 21  # twenty yields, then StopIteration


def _native_factory() -> Callable[[], Any]:
    namespace: dict[str, Any] = {}
    exec(compile(render(PROGRAM), "<bench>", "exec"), namespace)
    main: Callable[[], Any] = namespace["make"](lambda n: None, [None])
    return main


def _drive(make: Callable[[], Any]) -> None:
    gen = make()
    for _ in range(CALLS - 1):
        next(gen)
    try:
        next(gen)
    except StopIteration:
        return
    raise AssertionError("the program should have ended")


def _drive_model() -> None:
    gen = ModelGenerator(PROGRAM, Flavour.GENERATOR, SEMANTICS)
    outcomes = [gen.call(Send(None)) for _ in range(CALLS)]
    assert len(outcomes) == CALLS


SEMANTICS = Semantics.current()
NATIVE = _native_factory()

VARIANTS: dict[str, Callable[[], None]] = {
    "native generator": lambda: _drive(NATIVE),
    "ClassGenerator (impl)": lambda: _drive(lambda: ClassGenerator(PROGRAM)),
    "model (spec, replay)": _drive_model,
}


def _time(variant: Callable[[], None], repeat: int) -> float:
    gc.collect()
    started = time.perf_counter()
    for _ in range(repeat):
        variant()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args(argv)
    rounds, runs = (2, 20) if args.quick else (5, 2000)
    repeat = {"native generator": runs * 50, "ClassGenerator (impl)": runs * 5, "model (spec, replay)": runs // 4}
    best = dict.fromkeys(VARIANTS, float("inf"))
    for _ in range(rounds):
        for name, variant in VARIANTS.items():
            best[name] = min(best[name], _time(variant, repeat[name]) / repeat[name])
    base = best["native generator"]
    print(f"{'variant':<24} {'ratio':>10} {'calls/s':>14}")
    for name, seconds in best.items():
        print(f"{name:<24} {seconds / base:>9.1f}x {CALLS / seconds:>14,.0f}")
    print(f"\n{rounds} rounds; best round per variant; one run = {CALLS} calls of next()")


if __name__ == "__main__":
    main()
