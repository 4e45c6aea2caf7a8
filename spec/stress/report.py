"""What the stress oracle reports: a failure (how, the scenario, the history) and the report around it."""

from __future__ import annotations

import dataclasses
import shlex
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from spec._core.options import Options
from spec.linearize import History, LinearizabilityResult, format_history, get_model
from spec.stress.driver import STANDARD, Driver
from spec.stress.run import Scenario
from spec.stress.saved import save_history

__all__ = ["VARS", "StressFailure", "StressReport"]

VARS = {"queue": "q", "stack": "s"}
"""The target's name in printed scenarios, by kind."""


@dataclass(frozen=True)
class StressFailure:
    """A run that went wrong: how, the scenario, and the history it left.

    ``verdict`` is ``"not linearizable"``, ``"hangs"`` or ``"raises"``;
    ``result`` is the linearizability check of ``history`` (for the first);
    ``schedule`` the asyncio interleaving: at each turn of the event loop,
    the index of the ready callback the oracle ran; ``note`` what is known
    about the cause (a documented behaviour of the target), if anything.
    """

    verdict: str
    message: str
    scenario: Scenario
    history: History
    result: LinearizabilityResult | None = None
    schedule: tuple[int, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class StressReport:
    """What the stress oracle found: nothing (``ok``), or a :class:`StressFailure`.

    ``options`` are the contract options it ran under and ``driver`` how
    they had the target called; ``opens`` whether its factory opens a
    directory; ``saved`` the file the failing run's history was written to
    (see :meth:`save`), if it was.
    """

    kind: str
    target: str
    mode: str
    failure: StressFailure | None
    examples: int
    runs: int
    seconds: float
    seed: int
    importable: bool = True
    options: Options = field(default_factory=Options)
    driver: Driver = STANDARD
    opens: bool = False
    saved: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def rerun(self) -> str:
        """How to repeat this check with the same seed and options.

        The command line when it can say it all (an importable target, options
        that flags can give); else the call from Python.
        """
        flags = self.options.command_line()
        if self.importable and flags is not None:
            command = (
                f"python -m spec stress {self.kind} {shlex.quote(self.target)} --mode {self.mode} --seed {self.seed}"
            )
            return " ".join([command, *map(shlex.quote, flags)])
        target = repr(self.target) if self.importable else "<your factory>"
        keywords = "".join(f", {k}" for k in [self.options.keywords()] if k)
        return f"spec.stress.stress({self.kind!r}, {target}, mode={self.mode!r}, seed={self.seed}{keywords})"

    def save(self, path: str | Path) -> StressReport:
        """Write the failing run's history to ``path``, as JSON (``python -m spec linearize`` reads it).

        Returns the report, saying where it is.

        Raises :class:`ValueError` when there is no failure, :class:`OSError`
        when the file cannot be written.
        """
        if self.failure is None:
            raise ValueError("the check found no failure: there is no history to save")
        save_history(self.failure.history, path)
        return dataclasses.replace(self, saved=str(path))

    def format(self) -> str:
        """The report as text, the way ``python -m spec stress`` prints it."""
        verdict = "HOLDS" if self.failure is None else self.failure.verdict.upper()
        lines = [f"stress {self.kind}: {self.target} ({self.mode}): {verdict}"]
        failure = self.failure
        if failure is not None:
            model = get_model(self.kind)
            together = {"threads": "thread", "asyncio": "task", "processes": "process"}[self.mode]
            name = self.target.rpartition(":")[2].rpartition(".")[2] if self.importable else "factory"
            lines.append(f"  {failure.message}")
            shrunk = failure.verdict != "hangs"
            lines.append(
                "Smallest failing scenario:" if shrunk else "Failing scenario (not shrunk: a hang stops the search):"
            )
            program = failure.scenario.program(name, VARS[self.kind], together, self.driver, self.opens)
            lines.append(textwrap.indent("\n".join(program), "    "))
            if failure.schedule:
                lines.append(f"  interleaving chosen: {list(failure.schedule)}")
            drainer = len(failure.scenario.clients) + 1
            lines.append(f"History of the failing run (client 0 is the sequential start, client {drainer} the drain):")
            lines.append(textwrap.indent(format_history(list(failure.history), model), "    "))
            if failure.result is not None:
                lines.append(textwrap.indent(failure.result.format(), "  "))
            if failure.note is not None:
                lines.append(textwrap.fill(failure.note, 100, initial_indent="  Known cause: ", subsequent_indent="  "))
        lines.append(
            f"{self.examples} scenarios, {self.runs} runs, {self.seconds:.2f} s, seed {self.seed}"
            + (
                ""
                if self.mode == "asyncio" or failure is None
                else f" ({self.mode}: a rerun may not fail the same way)"
            )
        )
        if self.saved is not None:
            lines.append(
                f"history saved: {self.saved} (python -m spec linearize {shlex.quote(self.saved)} --model {self.kind})"
            )
        if failure is not None:
            lines.append(f"rerun: {self.rerun}")
        return "\n".join(lines)
