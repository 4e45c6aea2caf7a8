"""What a check answers: the verdict, clause by clause, and the evidence."""

from __future__ import annotations

import enum
import shlex
import textwrap
from dataclasses import dataclass, field

from spec._core.clauses import Clause, Violation
from spec._core.options import Options

__all__ = ["ClauseResult", "ClauseStatus", "Report", "Verdict"]


class Verdict(enum.Enum):
    """The answer of a check: every clause held, or one was violated."""

    HOLDS = "holds"
    VIOLATED = "violated"


class ClauseStatus(enum.Enum):
    """What a check learned about one clause.

    ``HELD``: checked at least once and never broken.  ``VIOLATED``: broken.
    ``UNDECIDED``: not broken before the search stopped at another clause's
    violation.  ``UNEXERCISED``: no check of it ran (too few examples).
    ``NOT_JUDGED``: the contract options put it out of reach (``--compare
    equal`` cannot tell a copy from the item, so the identity clause is not
    judged); a verdict says nothing of it, and never that it holds.
    """

    HELD = "held"
    VIOLATED = "violated"
    UNDECIDED = "undecided"
    UNEXERCISED = "unexercised"
    NOT_JUDGED = "not judged"


@dataclass(frozen=True)
class ClauseResult:
    """One clause, its status, how many times it was checked, and why it was not judged (if so)."""

    clause: Clause
    status: ClauseStatus
    checks: int
    why: str = ""


@dataclass(frozen=True)
class Report:
    """The result of checking one target against one contract.

    ``ok`` is true exactly when the verdict is :attr:`Verdict.HOLDS`.  On a
    violation, ``violation`` holds the clause, the message, expected and actual
    values and the replayable ``program``; ``steps`` is the failing program as
    Hypothesis printed it (empty when the search was cut short by a hang).
    ``shrunk`` says whether the counterexample was minimised.  ``longest`` is
    the most calls into the target one program made and ``largest`` the largest
    size a program reached (as the contract measures it); :attr:`reach` says
    both in words, on the last line of a report that holds.  ``rerun`` says
    how to repeat the check with the same seed and ``options`` (a command when
    the target is ``importable`` by name and the options can be written as
    flags, else a call; ``flags``, when given, are the options' flags as typed,
    for a report made without resolving them); ``notes`` say what the options
    changed.
    """

    contract: str
    target: str
    form: str
    verdict: Verdict
    clauses: tuple[ClauseResult, ...]
    violation: Violation | None
    steps: str
    shrunk: bool
    examples: int
    seconds: float
    seed: int
    importable: bool = True
    longest: int = 0
    largest: int = 0
    options: Options = field(default_factory=Options)
    notes: tuple[str, ...] = ()
    budget: tuple[tuple[str, str], ...] = ()
    """The search's budget as given, ``(keyword, value)`` (``("timeout", "30")``), for :attr:`rerun`."""
    flags: tuple[str, ...] | None = None
    """The options as command-line flags, when they were not resolved (a supervising process does not
    import what they name); ``None``: :attr:`rerun` writes ``options``."""

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.HOLDS

    @property
    def unexercised(self) -> tuple[Clause, ...]:
        """Clauses that no check exercised (a holding verdict says nothing of them)."""
        return tuple(r.clause for r in self.clauses if r.status is ClauseStatus.UNEXERCISED)

    @property
    def step_count(self) -> int:
        """Steps of the counterexample as Hypothesis printed it (rules run, or 1 per example)."""
        lines = [line for line in self.steps.splitlines() if not line.startswith((" ", "state = "))]
        return sum(1 for line in lines if line != "state.teardown()")

    @property
    def not_judged(self) -> tuple[Clause, ...]:
        """Clauses the options left unjudged (a holding verdict says nothing of them either)."""
        return tuple(r.clause for r in self.clauses if r.status is ClauseStatus.NOT_JUDGED)

    @property
    def rerun(self) -> str:
        """How to repeat this check exactly: a command, or a call when the target or an option has no name."""
        flags = self.options.command_line() if self.flags is None else list(self.flags)
        budget = [(f"--{name.replace('_', '-')}", value) for name, value in self.budget]
        if self.importable and flags is not None and all(value != "None" for _, value in budget):
            command = ["python -m spec check", self.contract, shlex.quote(self.target), "--seed", str(self.seed)]
            return " ".join([*command, *(part for pair in budget for part in pair), *map(shlex.quote, flags)])
        target = repr(self.target) if self.importable else "<your factory>"
        keywords = "".join(f", {name}={value}" for name, value in self.budget)
        keywords += "".join(f", {k}" for k in [self.options.keywords()] if k)
        return f"spec.check({self.contract!r}, {target}, seed={self.seed}{keywords})"

    @property
    def snippet(self) -> str:
        """The failing program as one block of Python ("" when the contract holds)."""
        return "\n".join(self.violation.program) if self.violation else ""

    def format(self) -> str:
        """The report as text for a terminal, the way ``python -m spec check`` prints it."""
        form = f" ({self.form})" if self.form else ""
        head = f"{self.contract}: {self.target}{form}: {self.verdict.value.upper()}"
        lines = [head]
        if self.violation is None:
            for r in self.clauses:
                why = f" ({r.why})" if r.why else ""
                lines.append(f"  {r.clause.id:<5} {r.status.value:<11} {r.checks:>6} checks  {r.clause.title}{why}")
            for clause in self.unexercised:
                lines.append(f"warning: {clause.id} was never checked; run more examples (--max-examples)")
        else:
            v = self.violation
            lines.append(f"{v.clause}")
            lines.append(f"  {v.message}")
            if v.expected or v.actual:
                lines.append(f"  expected: {v.expected}")
                lines.append(f"  actual:   {v.actual}")
            kind = (
                "Smallest failing program"
                if self.shrunk
                else "Failing program as found (not shrunk: a hang or a nondeterministic failure stops the search)"
            )
            lines.append(f"{kind}, as Python against your target:")
            lines.append(textwrap.indent(self.snippet, "    "))
            if self.steps:
                lines.append("As Hypothesis printed it:")
                lines.append(textwrap.indent(self.steps, "    "))
            if v.detail:
                lines.append("Traceback of the target's exception:")
                lines.append(textwrap.indent(v.detail.rstrip("\n"), "    "))
        lines.extend(f"note: {note}" for note in self.notes)
        lines.append(f"{self.examples} programs, {self.seconds:.2f} s, seed {self.seed}")
        if self.violation is not None:
            lines.append(f"rerun: {self.rerun}")
        else:
            lines.append(self.reach)
        return "\n".join(lines)

    @property
    def reach(self) -> str:
        """How far a search that found nothing went, and how to search further."""
        size = f", and the largest size a program reached was {self.largest}" if self.largest else ""
        return (
            f"how far: the longest program made {self.longest} calls into the target{size}; "
            "a larger --max-examples, or --profile thorough, searches further"
        )
