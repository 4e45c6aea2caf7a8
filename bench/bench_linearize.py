"""Time per history of the linearizability checker: the Porcupine corpus, and generated queue histories.

Corpus: every history of ``../shared/data/porcupine`` with a verdict, checked
for the verdict only (``minimize=False``) and then with its counterexample
shrunk, each the fastest of several interleaved repetitions.

Generated: linearizable queue histories of n operations by 4 and 8 clients,
half pushes of distinct items, half pops (some find the queue empty): each
call takes effect at a random moment between its call and its return.  The
table shows the time per history and per operation, and the cost per
operation as a ratio to the 10^3-operation history with as many clients
(1.0 everywhere: linear time).  Beside it, the same search with pushes tried
in call order instead of the queue model's guess (Porcupine's order), under
a time limit, to show what the guess buys.

    python bench/bench_linearize.py            # 10^3 .. 10^5 operations
    python bench/bench_linearize.py --quick    # a smoke run, in seconds
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from spec.container import End
from spec.linearize import ContainerModel, History, Operation, Outcome, Raised, check_history, read_history

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "porcupine"
EMPTY = Raised("IndexError")


class CallOrderQueue(ContainerModel):
    """The queue model, but the search tries operations in call order (no guess of the push order)."""

    def __init__(self) -> None:
        super().__init__(End.OLDEST)

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return [(op.call, position) for position, op in enumerate(ops)]


def generated_queue(n: int, clients: int, seed: int) -> list[Operation]:
    """A linearizable queue history of ``n`` operations (see the module docstring); the tests use it too."""
    rnd = random.Random(seed)
    items: list[int] = []
    ops: list[Operation] = []
    open_calls: dict[int, list[Any]] = {}
    now = made = 0
    while made < n or open_calls:
        client = rnd.randrange(clients)
        now += 1
        call = open_calls.get(client)
        if call is None:
            if made < n:
                made += 1
                is_push = rnd.random() < 0.5
                open_calls[client] = ["push" if is_push else "pop", made if is_push else None, None, now, False]
        elif not call[4]:
            if call[0] == "push":
                items.append(call[1])
            else:
                call[2] = items.pop(0) if items else EMPTY
            call[4] = True
        else:
            ops.append(Operation(client, call[0], call[1], call[2], call[3], now))
            del open_calls[client]
    return ops


def corpus() -> list[tuple[str, History, str, bool]]:
    rows = (CORPUS / "verdicts.tsv").read_text().splitlines()[1:]
    out = []
    for row in rows:
        name, verdict = row.split("\t")
        model = "kv" if name.startswith("kv/") else "register"
        out.append((name, read_history(CORPUS / name), model, verdict == "true"))
    return out


def time_corpus(repeats: int) -> None:
    histories = corpus()
    best: dict[tuple[str, bool], float] = {}
    for _ in range(repeats):
        for name, history, model, linearizable in histories:
            for minimize in (False, True):
                gc.collect()
                start = time.perf_counter()
                result = check_history(history, model, minimize=minimize)
                seconds = time.perf_counter() - start
                assert result.ok == linearizable, name
                best[name, minimize] = min(seconds, best.get((name, minimize), float("inf")))
    print(f"Porcupine corpus: {len(histories)} histories with a verdict, every verdict agrees; ")
    print(f"fastest of {repeats} interleaved repetitions.")
    print()
    print("| histories | verdict only: total | median | slowest | with counterexample shrunk: total | slowest |")
    print("|---|---|---|---|---|---|")
    groups: list[tuple[str, Callable[[str, bool], bool]]] = [
        ("etcd, linearizable", lambda name, ok: name.startswith("jepsen") and ok),
        ("etcd, not linearizable", lambda name, ok: name.startswith("jepsen") and not ok),
        ("kv (10 keys)", lambda name, ok: name.startswith("kv/")),
        ("all", lambda name, ok: True),
    ]
    for label, member in groups:
        names = [name for name, _, _, ok in histories if member(name, ok)]
        plain = {name: best[name, False] for name in names}
        shrunk = {name: best[name, True] for name in names}
        slow = max(plain, key=plain.__getitem__)
        slow_shrunk = max(shrunk, key=shrunk.__getitem__)
        print(
            f"| {label} ({len(names)}) | {sum(plain.values()):.2f} s | {statistics.median(plain.values()) * 1e3:.1f} ms"
            f" | {plain[slow] * 1e3:.0f} ms ({slow}) | {sum(shrunk.values()):.2f} s"
            f" | {shrunk[slow_shrunk] * 1e3:.0f} ms ({slow_shrunk}) |"
        )


def time_generated(sizes: list[int], repeats: int, limit: float) -> None:
    cases = [(n, clients) for n in sizes for clients in (4, 8)]
    histories = {case: generated_queue(*case, seed=1) for case in cases}
    best: dict[tuple[int, int], float] = {}
    tried: dict[tuple[int, int], int] = {}
    call_order: dict[tuple[int, int], tuple[float, Outcome]] = {}
    for _ in range(repeats):
        for case in cases:
            gc.collect()
            start = time.perf_counter()
            result = check_history(histories[case], "queue")
            seconds = time.perf_counter() - start
            assert result.ok
            best[case] = min(seconds, best.get(case, float("inf")))
            tried[case] = result.configurations
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for case in cases:
        if case[0] <= 10**4:
            gc.collect()
            start = time.perf_counter()
            plain = check_history(histories[case], CallOrderQueue(), timeout=limit)
            call_order[case] = (time.perf_counter() - start, plain.outcome)
    print(f"Generated linearizable queue histories; fastest of {repeats} interleaved repetitions.")
    print()
    print("| operations | clients | time | per operation | ratio to 10^3 | configurations | call order instead |")
    print("|---|---|---|---|---|---|---|")
    for n, clients in cases:
        per_op = best[n, clients] / n
        ratio = per_op / (best[sizes[0], clients] / sizes[0])
        if (n, clients) in call_order:
            seconds, outcome = call_order[n, clients]
            other = f"{seconds:.2f} s" if outcome is Outcome.LINEARIZABLE else f"unknown after {limit:g} s"
        else:
            other = "(not run)"
        print(
            f"| 10^{len(str(n)) - 1} | {clients} | {best[n, clients]:.3f} s | {per_op * 1e6:.1f} µs | {ratio:.2f} |"
            f" {tried[n, clients]} | {other} |"
        )
    print()
    print(f"peak memory of the process before the call-order runs: {peak:.0f} MiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    args = parser.parse_args(argv)
    if CORPUS.is_dir():
        time_corpus(1 if args.quick else 5)
    else:
        print(f"(no corpus at {CORPUS}: skipped)")
    print()
    sizes = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5]
    time_generated(sizes, 1 if args.quick else 3, 0.5 if args.quick else 10.0)


if __name__ == "__main__":
    main()
