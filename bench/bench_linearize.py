"""Time per history of the linearizability checker: the Porcupine corpus, side by side with Porcupine, and more.

Corpus: every history of ``../shared/data/porcupine`` with a verdict, checked
for the verdict only (``minimize=False``) and then with its counterexample
shrunk, each the fastest of several interleaved repetitions.

Side by side with Porcupine (Go), when a Go toolchain is present: the
library is copied to a temporary directory, a small timing harness is
compiled against it (see :class:`Porcupine`), and each corpus file is
parsed and checked by both, in rounds that alternate between the two, each
file's time the fastest of all its repetitions.  Both read the etcd logs
Porcupine's way (a failed CAS returned false: ``fail_means="false"``) and
check the kv histories key by key.  The table gives, per set, the median
of the per-file ratios (Python's time over Porcupine's) and the ratio of
the totals.

Reading: a ``jepsen.util`` log of 10^5 register operations, generated.
Sequential: a queue history of 10^5 operations called one after the other
(the pushes, then the pops), checked in a fresh process: time and peak
memory.

Generated: linearizable queue histories of n operations by 4 and 8 clients,
half pushes of distinct items, half pops (some find the queue empty): each
call takes effect at a random moment between its call and its return.  The
table shows the time per history and per operation, and the cost per
operation as a ratio to the 10^3-operation history with as many clients
(1.0 everywhere: linear time).  Beside it, the same search with pushes tried
in call order instead of the queue model's guess (Porcupine's order), under
a time limit, to show what the guess buys.

    python bench/bench_linearize.py            # 10^3 .. 10^5 operations
    python bench/bench_linearize.py --quick    # a smoke run, in seconds (two files side by side)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
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


# -- Porcupine ------------------------------------------------------------------------

PORCUPINE = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "porcupine"

_HARNESS = """\
package porcupine

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// cpuTime is the process's CPU time (every thread's), as CLOCK_PROCESS_CPUTIME_ID gives it.
func cpuTime() time.Duration {
	var now syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&now)), 0)
	return time.Duration(now.Nano())
}

// TestSideBySide times parse + check of each file named in $SIDE_BY_SIDE_FILES
// ("etcd" or "kv", a tab, a path; one a line): the fastest of
// $SIDE_BY_SIDE_REPEATS runs, in wall-clock and in CPU time, printed as
// path, verdict, wall nanoseconds, CPU nanoseconds.
func TestSideBySide(t *testing.T) {
	list, err := os.Open(os.Getenv("SIDE_BY_SIDE_FILES"))
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	repeats, err := strconv.Atoi(os.Getenv("SIDE_BY_SIDE_REPEATS"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(list)
	for lines.Scan() {
		fields := strings.Split(lines.Text(), "\\t")
		wall, cpu := time.Duration(1<<62), time.Duration(1<<62)
		verdict := false
		for i := 0; i < repeats; i++ {
			start, startCPU := time.Now(), cpuTime()
			if fields[0] == "etcd" {
				verdict = CheckEvents(etcdModel, parseJepsenLog(fields[1]))
			} else {
				verdict = CheckEvents(kvModel, parseKvLog(fields[1]))
			}
			if took := time.Since(start); took < wall {
				wall = took
			}
			if took := cpuTime() - startCPU; took < cpu {
				cpu = took
			}
		}
		fmt.Printf("%s\\t%t\\t%d\\t%d\\n", fields[1], verdict, wall.Nanoseconds(), cpu.Nanoseconds())
	}
}
"""


def unavailable() -> str | None:
    """Why Porcupine cannot be timed here (no ``go``, no source), or ``None``."""
    if shutil.which("go") is None:
        return "no Go toolchain (`go` is not on PATH; Debian: apt-get install golang-go)"
    if not (PORCUPINE / "porcupine_test.go").is_file():
        return f"no Porcupine source at {PORCUPINE}"
    return None


class Porcupine:
    """The compiled harness, in a temporary directory removed on exit (a context manager).

    Raises :class:`RuntimeError` with Go's message if the harness does not compile.
    """

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="porcupine-side-by-side-"))
        self.binary = self._dir / "porcupine.test"
        self.version = ""

    def __enter__(self) -> Porcupine:
        source = self._dir / "porcupine"
        shutil.copytree(PORCUPINE, source)
        (source / "side_by_side_test.go").write_text(_HARNESS)
        env = {**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on", "GOTOOLCHAIN": "local"}
        done = subprocess.run(
            ["go", "test", "-c", "-o", str(self.binary)],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise RuntimeError(f"the Porcupine harness did not compile: {done.stderr.strip()}")
        self.version = subprocess.run(["go", "version"], capture_output=True, text=True, check=True).stdout.strip()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def run(self, files: Sequence[tuple[str, Path]], repeats: int) -> dict[Path, tuple[bool, float, float]]:
        """For each ``(kind, path)``: Porcupine's verdict and its fastest parse + check, wall and CPU seconds."""
        listing = self._dir / "files.tsv"
        listing.write_text("".join(f"{kind}\t{path}\n" for kind, path in files))
        env = {**os.environ, "SIDE_BY_SIDE_FILES": str(listing), "SIDE_BY_SIDE_REPEATS": str(repeats)}
        done = subprocess.run(
            [str(self.binary), "-test.run", "^TestSideBySide$", "-test.count", "1"],
            cwd=self._dir,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = {}
        for line in done.stdout.splitlines():
            fields = line.split("\t")
            if len(fields) == 4:
                found[Path(fields[0])] = (fields[1] == "true", int(fields[2]) / 1e9, int(fields[3]) / 1e9)
        return found


# -- the benchmarks ------------------------------------------------------------------


def verdicts() -> list[tuple[str, bool]]:
    """The corpus's files with Porcupine's verdicts (``True``: linearizable)."""
    rows = (CORPUS / "verdicts.tsv").read_text().splitlines()[1:]
    return [(name, verdict == "true") for name, verdict in (row.split("\t") for row in rows)]


def model_for(name: str) -> str:
    return "kv" if name.startswith("kv/") else "cas-register"


def corpus() -> list[tuple[str, History, str, bool]]:
    return [(name, read_history(CORPUS / name), model_for(name), ok) for name, ok in verdicts()]


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


def parse_and_check(name: str) -> tuple[bool, float, float]:
    """The verdict on one corpus file read Porcupine's way, and the wall and CPU seconds reading and checking took."""
    start, start_cpu = time.perf_counter(), time.process_time()
    history = read_history(CORPUS / name, fail_means="false")
    ok = check_history(history, model_for(name), minimize=False).ok
    return ok, time.perf_counter() - start, time.process_time() - start_cpu


def side_by_side(rounds: int, repeats: int, quick: bool) -> None:
    why = unavailable()
    if why is not None:
        print(f"Side by side with Porcupine: skipped, {why}.")
        return
    files = verdicts()
    if quick:
        files = [files[0], next(file for file in files if file[0].startswith("kv/"))]
    kinds = [("kv" if name.startswith("kv/") else "etcd", CORPUS / name) for name, _ in files]
    ours: dict[tuple[str, int], float] = {}  # (file, 0 wall or 1 CPU) -> fastest seconds
    theirs: dict[tuple[str, int], float] = {}
    with Porcupine() as porcupine:
        porcupine.run(kinds[:1], 1)  # both warm up on one file first
        parse_and_check(files[0][0])
        for _ in range(rounds):
            for path, (ok, *seconds) in porcupine.run(kinds, repeats).items():
                name = str(path.relative_to(CORPUS))
                assert ok == dict(files)[name], f"Porcupine's verdict on {name}"
                for clock, took in enumerate(seconds):
                    theirs[name, clock] = min(took, theirs.get((name, clock), float("inf")))
            for name, linearizable in files:
                for _ in range(repeats):  # no gc.collect() first: it makes the next run slower, not faster
                    ok, *seconds = parse_and_check(name)
                    assert ok == linearizable, name
                    for clock, took in enumerate(seconds):
                        ours[name, clock] = min(took, ours.get((name, clock), float("inf")))
        version = porcupine.version
    load = os.getloadavg()[0]
    print(f"Side by side with Porcupine ({version}): parse + check of each file, every verdict agreeing;")
    print(f"fastest of {rounds * repeats} runs each, in {rounds} rounds alternating between the two;")
    print(f"load average {load:.1f} on {os.cpu_count()} cores at the end.  Ratios are ours over Porcupine's.")
    print()
    print("| files | clock | ours: total | Porcupine: total | ratio of totals | median per-file ratio | ours: median |")
    print("|---|---|---|---|---|---|---|")
    for label, prefix in (("etcd", "jepsen-etcd/"), ("kv", "kv/")):
        names = [name for name, _ in files if name.startswith(prefix)]
        for clock, clock_name in enumerate(("wall", "CPU")):
            mine = sum(ours[n, clock] for n in names)
            go = sum(theirs[n, clock] for n in names)
            median = statistics.median(ours[n, clock] / theirs[n, clock] for n in names)
            print(
                f"| {label} ({len(names)}) | {clock_name} | {mine * 1e3:.1f} ms | {go * 1e3:.1f} ms | {mine / go:.2f} |"
                f" {median:.2f} | {statistics.median(ours[n, clock] for n in names) * 1e3:.2f} ms |"
            )


def jepsen_log(n: int, seed: int) -> str:
    """A ``jepsen.util`` log of ``n`` register operations by 5 processes (read, write, cas of small values)."""
    rnd = random.Random(seed)
    lines = []
    for _ in range(n):
        process = rnd.randrange(5)
        f = rnd.choice(["read", "write", "cas"])
        value = {"read": "nil", "write": str(rnd.randrange(5)), "cas": f"[{rnd.randrange(5)} {rnd.randrange(5)}]"}[f]
        done = {"read": str(rnd.randrange(5)), "write": value, "cas": value}[f]
        lines.append(f"INFO  jepsen.util - {process}\t:invoke\t:{f}\t{value}")
        lines.append(f"INFO  jepsen.util - {process}\t:{rnd.choice(['ok', 'ok', 'fail'])}\t:{f}\t{done}")
    return "\n".join(lines) + "\n"


def time_reading(n: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.log"
        path.write_text(jepsen_log(n, 1))
        best = cpu = float("inf")
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            history = read_history(path)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
    print(
        f"A jepsen.util log of {n} register operations ({2 * n} lines, {len(history)} operations once the failed"
        f" ones are left out): read in {best:.3f} s ({cpu:.3f} s of CPU), fastest of {repeats}."
    )


_SEQUENTIAL = """\
import json, resource, sys, time
from spec.linearize import Operation, check_history
n = int(sys.argv[1])
ops = [Operation(0, "push", i, None, 2 * i, 2 * i + 1) for i in range(n // 2)]
ops += [Operation(0, "pop", None, i, n + 2 * i, n + 2 * i + 1) for i in range(n // 2)]
start, start_cpu = time.perf_counter(), time.process_time()
result = check_history(ops, "queue")
seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"ok": result.ok, "seconds": seconds, "cpu": cpu, "peak": peak}))
"""


def time_sequential(n: int) -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _SEQUENTIAL, str(n)], cwd=root, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert found["ok"]
    print(
        f"A sequential queue history of {n} operations ({n // 2} pushes, then the pops), in a fresh process: "
        f"checked in {found['seconds']:.2f} s ({found['cpu']:.2f} s of CPU), peak memory of the process"
        f" {found['peak'] / 2**20:.0f} MiB."
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
        print()
        side_by_side(1 if args.quick else 5, 1 if args.quick else 3, args.quick)
    else:
        print(f"(no corpus at {CORPUS}: skipped)")
    print()
    time_reading(10**4 if args.quick else 10**5, 1 if args.quick else 3)
    print()
    time_sequential(10**4 if args.quick else 10**5)
    print()
    sizes = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5]
    time_generated(sizes, 1 if args.quick else 3, 0.5 if args.quick else 10.0)


if __name__ == "__main__":
    main()
