"""The README says what the code does: its generated parts and its commands do not drift."""

from __future__ import annotations

import re

from spec._cli import contracts_markdown
from tests._support import ROOT

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


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = next(block.strip() for block in shell_blocks() if "pytest" in block)
    assert test_command.startswith("python -m pip install -e '.[dev]' && ")
    ci_lines = [line.strip() for line in CI_RUN.splitlines()]
    assert test_command in ci_lines


def test_main_job_command_is_in_the_readme() -> None:
    assert "python -m pip install -e '.[dev]' && python -m spec" in [b.strip() for b in shell_blocks()]
