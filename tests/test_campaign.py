"""Campaigns: contract tests sharing an example database, in a directory, on Redis, under HypoFuzz.

Each campaign here is bounded (a run of pytest, or HypoFuzz stopped once it
has saved a failure) and aimed at a known-bad implementation, so that it must
find something; the replay run then proves the failure came back from the
database: under the ``replay`` profile Hypothesis generates nothing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
from hypothesis.database import DirectoryBasedExampleDatabase

import spec
import spec.profiles
from spec._cli.campaign import open_database
from spec._cli.parsing import UsageError
from tests.test_plugin import run_pytest

LIFO = "queue=spec.known_bad.queue:LifoQueue"
CAMPAIGN = ("--contract", LIFO, "--contract-database", "db")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def assert_replays_lifo(project: Path, database: str) -> None:
    replay = run_pytest("--contract", LIFO, "--contract-database", database, "--hypothesis-profile=replay", cwd=project)
    assert replay.code == 1, replay.out
    assert "Q1 (FIFO): pop() must return the oldest item" in replay.out
    assert "LifoQueue()" in replay.out


def test_a_directory_campaign_finds_a_known_bad_queue_and_replays_it_from_the_database(project: Path) -> None:
    # Two workers, one database: each saves what it finds where the other looks.
    run = run_pytest(
        "-n",
        "2",
        "--contract",
        LIFO,
        "--contract",
        "stack=spec.known_bad.stack:FifoStack",
        "--contract",
        "queue=impl.queue:DequeQueue",
        "--contract-database",
        "db",
        cwd=project,
    )
    assert run.code == 1, run.out
    assert "2 failed, 1 passed" in run.out
    assert "S1 (LIFO)" in run.out
    assert "Smallest failing program found, as Python against your target:" in run.out
    assert "from spec.known_bad.queue import LifoQueue" in run.out
    for harness in ("campaign.py", "Traceback", "def run_state_machine"):
        assert harness not in run.out
    replay = "pytest --contract queue=spec.known_bad.queue:LifoQueue --contract-database db --hypothesis-profile=replay"
    assert f"    {replay} -k 'queue[spec.known_bad.queue:LifoQueue]'" in run.out
    assert files(project / "db") > 0
    assert_replays_lifo(project, "db")
    # Without the database there is nothing to replay, and the replay profile searches nothing.
    empty = run_pytest("--contract", LIFO, "--contract-database", "empty", "--hypothesis-profile=replay", cwd=project)
    assert empty.code == 0, empty.out
    assert "1 skipped" in empty.out


def test_a_campaign_test_of_a_target_that_cannot_be_checked_fails_in_one_line(project: Path) -> None:
    run = run_pytest("--contract", "queue=nowhere:Queue", "--contract-database", "db", cwd=project)
    assert run.code == 1
    assert "python -m spec: error: no module named 'nowhere'" in run.out


def test_a_hang_in_a_campaign_is_shown_as_the_oracle_shows_it(project: Path) -> None:
    (project / "hangs.py").write_text(
        "import time\n\n\n"
        "class Queue:\n"
        "    def __len__(self):\n"
        "        return 0\n\n"
        "    def push(self, item):\n"
        "        time.sleep(60)\n\n"
        "    def pop(self):\n"
        "        raise IndexError\n\n"
        "    peek = pop\n"
    )
    run = run_pytest(
        "--contract", "queue=hangs.py:Queue", "--contract-timeout", "0.2", "--contract-database", "db", cwd=project
    )
    assert run.code == 1, run.out
    assert "Q7 (conduct)" in run.out
    assert "did not return within 0.2 s" in run.out


def test_a_violation_with_nothing_expected_is_shown_without_it(project: Path) -> None:
    # The channel's independence probe states what it saw, with no expected and actual value.
    target = "channel=spec.known_bad.channel:ClassLevelItems"
    run = run_pytest("--contract", target, "--contract-database", "db", cwd=project)
    assert run.code == 1, run.out
    assert "CH6 (independence)" in run.out
    assert "expected:" not in run.out


def test_a_nondeterministic_target_in_a_campaign_gets_hypothesis_own_report(project: Path) -> None:
    # Wrong the first time only: Hypothesis cannot replay the failure and says so.
    (project / "flaky.py").write_text(
        "from collections import deque\n\n"
        "seen = []\n\n\n"
        "class Queue:\n"
        "    def __init__(self):\n"
        "        self.items = deque()\n\n"
        "    def __len__(self):\n"
        "        return len(self.items)\n\n"
        "    def push(self, item):\n"
        "        self.items.append(item)\n\n"
        "    def pop(self):\n"
        "        if len(self.items) > 1 and not seen:\n"
        "            seen.append(1)\n"
        "            return self.items.pop()\n"
        "        return self.items.popleft()\n\n"
        "    def peek(self):\n"
        "        return self.items[0]\n"
    )
    run = run_pytest("--contract", "queue=flaky.py:Queue", "--contract-database", "db", cwd=project)
    assert run.code == 1, run.out
    assert "Flaky" in run.out


def test_check_uses_no_database_even_in_a_campaign(tmp_path: Path) -> None:
    before = hypothesis.settings._current_profile
    try:
        spec.profiles.use_database(DirectoryBasedExampleDatabase(tmp_path / "db"))
        assert hypothesis.settings().database is not None
        report = spec.check("queue", "spec.known_bad.queue:LifoQueue", seed=1)
    finally:
        hypothesis.settings.load_profile(before or "default")
    assert not report.ok
    assert not (tmp_path / "db").exists()


def test_a_redis_database_needs_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(UsageError, match=r"pip install 'coroutine-spec\[redis\]'"):
        open_database("redis://127.0.0.1:1/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_an_unreachable_redis_is_a_usage_error(project: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    run = run_pytest("--contract", LIFO, "--contract-database", url, cwd=project)
    assert run.code == pytest.ExitCode.USAGE_ERROR
    assert f"--contract-database: cannot reach {url}" in run.out


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of our own on 127.0.0.1, for this test only."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            *["--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        limit = time.monotonic() + 30
        while True:  # until it answers (polling for readiness, not ordering events)
            try:
                open_database(url)
                break
            except UsageError:
                if time.monotonic() > limit or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_redis_campaign_shares_its_failures_across_runs(project: Path, redis_url: str) -> None:
    run = run_pytest("--contract", LIFO, "--contract-database", redis_url, cwd=project)
    assert run.code == 1, run.out
    assert "Q1 (FIFO)" in run.out
    assert_replays_lifo(project, redis_url)


@pytest.mark.skipif(importlib.util.find_spec("hypofuzz") is None, reason="HypoFuzz is not installed (the fuzz extra)")
def test_hypofuzz_workers_share_a_directory_database(project: Path) -> None:
    # HypoFuzz runs until stopped: stop it once a failure is saved, or after a minute.
    hypothesis_cli = Path(sys.executable).parent / "hypothesis"
    fuzz = subprocess.Popen(
        [str(hypothesis_cli), "fuzz", "-n", "2", "--no-dashboard", "--", "-p", "no:cacheprovider", *CAMPAIGN],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        limit = time.monotonic() + 60
        while time.monotonic() < limit and fuzz.poll() is None:
            if (project / "db").exists():
                replay = run_pytest(
                    "--contract", LIFO, "--contract-database", "db", "--hypothesis-profile=replay", cwd=project
                )
                if replay.code == 1:
                    break
            time.sleep(1)
    finally:
        os.killpg(fuzz.pid, signal.SIGTERM)
        fuzz.wait(timeout=30)
    assert_replays_lifo(project, "db")
