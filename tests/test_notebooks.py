"""The tutorials in ``notebooks/``: stored clean, and every code cell runs, top to bottom.

No Jupyter is needed: each notebook is read with :mod:`json`, and its code cells are compiled
and executed in order in one fresh namespace, as a kernel would run them. The notebooks read
their number of draws from ``ATTRITIONSIM_DRAWS``; here it is small, so the whole set runs in
seconds. Warnings are errors (see ``pyproject.toml``), so a notebook that warns fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")  # never open a window, whatever the environment says

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
TEST_DRAWS = "2000"

# A line that only IPython understands: a magic (%, %%) or a shell escape (!).
_IPYTHON_ONLY = re.compile(r"^\s*[%!]", re.MULTILINE)


def _load(path: Path) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def _source(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _cells(path: Path, kind: str) -> list[dict[str, Any]]:
    return [cell for cell in _load(path)["cells"] if cell["cell_type"] == kind]


def test_there_are_at_least_four_notebooks() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert len(NOTEBOOKS) >= 4, f"expected at least 4 notebooks in {NOTEBOOK_DIR}; found {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = _load(path)
    assert notebook["nbformat"] == 4
    assert isinstance(notebook["metadata"], dict)
    for i, cell in enumerate(notebook["cells"]):
        assert cell["cell_type"] in {"code", "markdown"}, f"cell {i}: {cell['cell_type']}"
        assert _source(cell).strip(), f"cell {i} is empty"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} has stored outputs"
            assert cell["execution_count"] is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_prose_between_code(path: Path) -> None:
    cells = _load(path)["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    markdown = [cell for cell in cells if cell["cell_type"] == "markdown"]
    assert code, "a notebook without code"
    assert cells[0]["cell_type"] == "markdown", "a notebook should open with prose"
    assert _source(cells[0]).lstrip().startswith("# "), "the first cell should be a title"
    assert len(markdown) >= len(code) - 1, f"{len(markdown)} markdown for {len(code)} code cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_is_plain_python(path: Path) -> None:
    code = _cells(path, "code")
    assert "ATTRITIONSIM_DRAWS" in _source(code[0]), (
        "the first code cell must read the number of draws from ATTRITIONSIM_DRAWS"
    )
    for i, cell in enumerate(code):
        source = _source(cell)
        assert not _IPYTHON_ONLY.search(source), f"code cell {i} uses an IPython magic or !"
        assert "plt.show(" not in source, f"code cell {i} calls plt.show()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTRITIONSIM_DRAWS", TEST_DRAWS)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for i, cell in enumerate(_cells(path, "code")):
        code = compile(_source(cell), f"{path.name}, code cell {i}", "exec")
        try:
            exec(code, namespace)
        except Exception as err:
            err.add_note(f"while running code cell {i} of {path.name}")
            raise
    assert namespace["DRAWS"] == int(TEST_DRAWS)
    assert list(tmp_path.iterdir()) == [], "a notebook wrote into the working directory"
