"""The README says what the code does: its generated parts and its commands do not drift."""

from __future__ import annotations

import re

from spec._cli import contracts_markdown
from spec.genstate import mermaid
from tests._support import ROOT, run_cli

README = (ROOT / "README.md").read_text()
CI_RUN = (ROOT / ".ci" / "run").read_text()


def section(begin: str, end: str) -> str:
    match = re.search(rf"<!-- {begin}[^\n]*-->\n(.*?)<!-- {end} -->", README, re.DOTALL)
    assert match, f"README has no {begin} ... {end} section"
    return match.group(1)


def test_contract_section_is_generated_from_the_clause_records() -> None:
    assert section("contracts:begin", "contracts:end") == contracts_markdown(), (
        "README's contract section drifted; regenerate it with `python -m spec list --markdown`"
    )


def test_genstate_diagram_is_generated_from_the_transitions() -> None:
    assert section("genstate-diagram:begin", "genstate-diagram:end") == f"```mermaid\n{mermaid()}```\n", (
        "README's genstate diagram drifted; regenerate it from spec.genstate.mermaid()"
    )


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = next(block.strip() for block in shell_blocks() if "pytest" in block)
    assert test_command.startswith("python -m pip install -e '.[dev]' && ")
    ci_lines = [line.strip() for line in CI_RUN.splitlines()]
    assert test_command in ci_lines
    # A failure inside an && chain does not stop a `set -e` shell: the chain
    # must be the last command of its subshell, whose status then fails the run.
    assert ci_lines[ci_lines.index(test_command) + 1] == ")"


def test_main_job_command_is_in_the_readme() -> None:
    assert "python -m pip install -e '.[dev]' && python -m spec" in [b.strip() for b in shell_blocks()]


def test_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "<README>", "exec"), {"__name__": "readme_example"})


def test_example_report_is_what_the_cli_prints() -> None:
    example = next(b for b in re.findall(r"```text\n(.*?)```", README, re.DOTALL) if "rerun: " in b)
    command = example.strip().splitlines()[-1].removeprefix("rerun: ").split()
    assert command[:3] == ["python", "-m", "spec"]
    run = run_cli(*command[3:])
    timing = re.compile(r"^\d+ programs, [\d.]+ s, seed \d+$")
    expected = [line for line in example.strip().splitlines() if not timing.match(line)]
    actual = [line for line in run.out.strip().splitlines() if not timing.match(line)]
    assert actual == expected
