"""The README's examples run, and its Quickstart is what CI runs."""

from __future__ import annotations

import doctest
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def quickstart_lines() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    first = fenced_blocks(section, "sh")[0]
    return [line for line in first.splitlines() if line.strip()]


@pytest.mark.parametrize("block", fenced_blocks(README, "python"))
def test_readme_python_examples_run(block: str) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0
    assert runner.tries > 0


def test_quickstart_is_two_commands_install_then_test() -> None:
    lines = quickstart_lines()
    assert len(lines) == 2
    assert lines[0].startswith('python -m pip install -e ".[all]" && attritionsim ')
    assert lines[1] == 'python -m pip install -e ".[test]" && python -m pytest'


def test_ci_reads_its_command_from_the_readme() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in script
    awk = re.search(r"awk '(.*?)'", script, flags=re.DOTALL)
    assert awk is not None
    out = subprocess.run(
        ["awk", awk.group(1), str(ROOT / "README.md")], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == quickstart_lines()[1]
