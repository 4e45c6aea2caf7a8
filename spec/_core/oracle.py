"""The oracle: check any target against any registered contract.

Discussion: the oracle drives Hypothesis with settings of its own on top of the
active profile.  It always passes an explicit seed, so that every report says
how to rerun it exactly; under a derandomized profile (CI) the seed is 0 and
the run is the same every time.  It turns off what would make a verdict depend
on more than the seed and the target: the example database, Hypothesis's own
deadline (the oracle has a per-call time limit instead), health checks (a slow
target is the user's business), and the reporting of several bugs at once (a
report names one broken clause).

Discussion (the last line of defence): every call into target code goes
through the checker, which turns whatever the target raises into evidence.
Should anything still escape the search -- an exception from target code the
contract reached outside a guarded call, a Hypothesis error about the search
itself -- :func:`_run` turns it into an answer all the same: a violation of
the conduct clause with the program that was running; for a nondeterministic
target (Hypothesis's ``Flaky`` errors: the same program ran differently when
rerun), a violation saying so; for an error of the search that no target
behaviour explains, a :class:`~spec.SpecError`.  Only the oracle's own
signals (:mod:`spec._core.signals`), such as the user's Ctrl-C, pass.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from typing import Any, Unpack

import hypothesis
from hypothesis import HealthCheck, Phase
from hypothesis.reporting import with_reporter

from spec._core import journal
from spec._core.checker import Binding, HungViolation, describe_exception, describe_traceback
from spec._core.clauses import Clause, ClauseViolation, Violation
from spec._core.contract import Contract, Prepared
from spec._core.deadline import Deadline
from spec._core.errors import SpecError
from spec._core.options import OptionKeywords, Options, options_from
from spec._core.program import TargetRef, guarded, type_name
from spec._core.registry import get_contract
from spec._core.report import ClauseResult, ClauseStatus, Report, Verdict
from spec._core.signals import theirs, watch_interrupts
from spec._core.target import ref_for, resolve_target

__all__ = ["DEFAULT_TIMEOUT", "bind", "budget_of", "check", "require", "search_settings", "with_keywords"]

DEFAULT_TIMEOUT = 5.0
"""Seconds a single call into the target may take before it counts as hung."""


@watch_interrupts()
def check(
    contract: str | Contract,
    target: object,
    *,
    settings: hypothesis.settings | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    options: Options | None = None,
    **keywords: Unpack[OptionKeywords],
) -> Report:
    """Check ``target`` against ``contract`` and report what holds and what breaks.

    ``contract`` is a registered name (``"queue"``) or a :class:`Contract`.
    ``target`` is the object to check, or a ``TARGET`` string
    (``"package.module:attr"`` or ``"path/to/file.py:attr"``) that names it.
    ``settings`` defaults to the active Hypothesis profile; ``max_examples``
    overrides its example count.  ``seed`` fixes the search (default: random,
    or 0 under a derandomized profile).  ``timeout`` is the time limit of each
    call into the target in seconds (``None``: no limit).  The contract
    options (``map``, ``empty``, ``empty_returns``, ``items``, ``compare``,
    ``without``; see :mod:`spec._core.options`) are keywords, or one
    :class:`~spec._core.options.Options` record as ``options`` (keywords
    given too override its fields).

    Returns a :class:`Report`; a target that breaks a clause, raises what the
    contract does not allow (any :class:`BaseException`, ``SystemExit`` and
    ``KeyboardInterrupt`` included), hangs or is nondeterministic is a
    violation, never an exception here.

    Raises :class:`~spec.UnknownContract`, :class:`~spec.TargetNotFound`,
    :class:`~spec.TargetError` or :class:`~spec.OptionError` when the check
    cannot run (importing the target fails, say), :class:`~spec.SpecError`
    when the search itself cannot run, :class:`ValueError` for a non-positive
    ``max_examples`` or ``timeout`` or a negative ``seed``, and
    :class:`KeyboardInterrupt` when the user interrupts it.
    """
    if isinstance(contract, str):
        contract = get_contract(contract)
    if max_examples is not None and not max_examples >= 1:
        raise ValueError(f"max_examples must be a positive integer, got {max_examples!r}")
    if seed is not None and not seed >= 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    options = require(contract, with_keywords(options, keywords))
    obj, ref = resolve_target(target) if isinstance(target, str) else (target, ref_for(target))
    run_settings, seed = search_settings(settings, max_examples=max_examples, seed=seed)
    journal.note("target", f"{contract.name} {ref.label}")
    journal.note("seed", str(seed))
    with Deadline(timeout) as deadline:
        binding, prepared = bind(contract, obj, ref, deadline, options)
        test = contract.runner(binding, run_settings, seed)
        started = time.perf_counter()
        violation, steps, shrunk = _run(test, binding, contract)
        seconds = time.perf_counter() - started
    return _report(
        contract=contract,
        ref=ref,
        binding=binding,
        notes=prepared.notes,
        violation=violation,
        steps=steps,
        shrunk=shrunk,
        seconds=seconds,
        seed=seed,
        budget=budget_of(max_examples, timeout),
    )


def budget_of(max_examples: int | None, timeout: float | None) -> tuple[tuple[str, str], ...]:
    """The budget a rerun must repeat: the example count if given, the time limit if not the default."""
    budget = [] if max_examples is None else [("max_examples", str(max_examples))]
    if timeout != DEFAULT_TIMEOUT:
        budget.append(("timeout", "None" if timeout is None else f"{timeout:g}"))
    return tuple(budget)


def bind(
    contract: Contract, target: object, ref: TargetRef, deadline: Deadline, options: Options
) -> tuple[Binding, Prepared]:
    """The shape check of ``target`` under ``options``, and the binding a search of it runs with.

    ``options`` are the contract's to take (see :func:`require`).  Raises
    :class:`~spec.TargetError` for a target of the wrong shape.
    """
    prepared = contract.prepare(target, deadline, options)
    binding = Binding(
        factory=prepared.factory,
        ref=ref,
        deadline=deadline,
        form=prepared.form,
        options=options,
        plan=prepared.plan,
    )
    return binding, prepared


def require(contract: Contract, options: Options) -> Options:
    """``options``, if ``contract`` takes them all; else :class:`~spec.OptionError` (before any target is loaded)."""
    options.require(f"the {contract.name} contract", contract.options, contract.item_kinds)
    return options


def with_keywords(options: Options | None, given: OptionKeywords) -> Options:
    """``options`` (default: none set) with the fields the keywords ``given`` set replaced."""
    base = options if options is not None else Options()
    if not given:
        return base
    made = options_from(given)
    return dataclasses.replace(base, **{name: getattr(made, name) for name in given})


def search_settings(
    settings: hypothesis.settings | None, *, max_examples: int | None, seed: int | None
) -> tuple[hypothesis.settings, int]:
    """The settings and seed of one search, on top of ``settings`` (default: the active profile).

    See the module's Discussion: an explicit seed (0 under a derandomized
    profile, random otherwise, unless given), no example database, no
    deadline or health checks, one bug reported, no explain phase.
    """
    base = settings if settings is not None else hypothesis.settings()
    if seed is None:
        seed = 0 if base.derandomize else random.SystemRandom().randrange(2**32)
    searched = hypothesis.settings(
        base,
        max_examples=max_examples if max_examples is not None else base.max_examples,
        derandomize=False,
        database=None,
        deadline=None,
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        # The explain phase points at lines of the contract, not of the target.
        phases=[phase for phase in base.phases if phase is not Phase.explain],
    )
    return searched, seed


def _run(test: Callable[[], None], binding: Binding, contract: Contract) -> tuple[Violation | None, str, bool]:
    """Run ``test``; return the violation it found (if any), Hypothesis's steps, shrunk?

    See the module's Discussion for what it does with what escapes the search.
    """
    printed: list[object] = []
    try:
        with with_reporter(printed.append):
            test()
    except ClauseViolation as exc:
        return exc.violation, _steps(exc, printed), True
    except HungViolation as hung:
        return hung.violation, "", False
    except hypothesis.errors.Flaky as flaky:
        # The target failed once and then passed the same program on replay:
        # report the first failure, marked as not reproducible.
        found = _first_violation(flaky) if isinstance(flaky, BaseExceptionGroup) else None
        if found is None:
            what = f"the same program ran differently on rerun (Hypothesis raised {type_name(flaky)})"
            return _escaped(binding, contract, f"the target is nondeterministic: {what}"), "", False
        message = f"{found.message} (the same program passed on rerun: the target is nondeterministic)"
        return dataclasses.replace(found, message=message), "", False
    except hypothesis.errors.HypothesisException as exc:
        raise SpecError(f"the search could not run: {describe_exception(exc).splitlines()[0]}") from None
    except BaseException as exc:
        theirs(exc)
        message = f"{describe_exception(exc)} escaped from the program (the traceback shows where it was raised)"
        # Hypothesis shrinks what it counts as a failure, and replays the smallest last.
        shrunk = isinstance(exc, Exception | SystemExit | GeneratorExit)
        return _escaped(binding, contract, message, detail=describe_traceback(exc)), _steps(exc, printed), shrunk
    return None, "", True


def _steps(exc: BaseException, printed: list[object]) -> str:
    """The failing program as Hypothesis printed it (its notes on ``exc``, or its reporter's output)."""
    texts = guarded(lambda: [n for n in getattr(exc, "__notes__", ()) if isinstance(n, str)], default=[])
    # Hypothesis notes the best score of each target() too; the report says how far the search went.
    notes = [_unheaded(n) for n in texts if not n.startswith("Highest target score")]
    return "\n".join(n for n in notes if n) or "\n".join(map(str, printed))


def _escaped(binding: Binding, contract: Contract, message: str, *, detail: str = "") -> Violation:
    """A violation of the conduct clause by the program running when ``message`` happened."""
    checker = binding.last
    conduct = contract.clauses[checker.conduct] if checker is not None else _conduct(contract)
    ending = (f"# {message}",)
    program = checker.program.lines(ending=ending) if checker is not None else (*binding.ref.imports, *ending)
    return Violation(clause=conduct, message=message, program=program, detail=detail)


def _conduct(contract: Contract) -> Clause:
    """The contract's conduct clause: every contract titles it so."""
    return contract.clauses[contract.clauses.id_of("conduct")]


def _unheaded(note: str) -> str:
    """A note without Hypothesis's "Falsifying example:" style header."""
    for header in ("Failing test case: <state machine>", "Falsifying example: ", "Failing test case: "):
        if note.startswith(header):
            return note[len(header) :].strip()
    return note


def _first_violation(group: BaseExceptionGroup[Any]) -> Violation | None:
    for exc in group.exceptions:
        if isinstance(exc, ClauseViolation):
            return exc.violation
        if isinstance(exc, BaseExceptionGroup):
            found = _first_violation(exc)
            if found is not None:
                return found
    return None


def _report(
    *,
    contract: Contract,
    ref: TargetRef,
    binding: Binding,
    notes: tuple[str, ...],
    violation: Violation | None,
    steps: str,
    shrunk: bool,
    seconds: float,
    seed: int,
    budget: tuple[tuple[str, str], ...],
) -> Report:
    results = []
    unjudged = contract.unjudged(binding.options)
    for clause in contract.clauses:
        checks = binding.checks[clause.id]
        if clause.id in unjudged:
            # A clause the options put out of reach is never checked: the
            # machine counts nothing against it, and it is never "held".
            assert checks == 0, (clause.id, checks)
            results.append(ClauseResult(clause, ClauseStatus.NOT_JUDGED, 0, unjudged[clause.id]))
            continue
        if violation is not None and violation.clause == clause:
            status = ClauseStatus.VIOLATED
        elif checks == 0:
            status = ClauseStatus.UNEXERCISED
        elif violation is not None:
            status = ClauseStatus.UNDECIDED
        else:
            status = ClauseStatus.HELD
        results.append(ClauseResult(clause, status, checks))
    return Report(
        contract=contract.name,
        target=ref.label,
        form=binding.form,
        verdict=Verdict.HOLDS if violation is None else Verdict.VIOLATED,
        clauses=tuple(results),
        violation=violation,
        steps=steps,
        shrunk=shrunk,
        examples=binding.programs,
        longest=binding.longest,
        largest=binding.largest,
        seconds=seconds,
        seed=seed,
        importable=ref.importable,
        options=binding.options,
        notes=notes,
        budget=budget,
    )
