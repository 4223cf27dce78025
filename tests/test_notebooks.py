"""The tutorials in ``notebooks/``: stored with the outputs of the current code, which runs.

No Jupyter is needed: ``notebooks/execute.py`` reads each notebook with :mod:`json` and runs
its code cells in order in one fresh namespace, as a kernel would, capturing what they print
and show (figures as small PNGs). Here every notebook is run so, at the number of draws the
stored outputs were made with (``execute.DRAWS``, through ``ATTRITIONSIM_DRAWS``), and its
outputs are compared with the stored ones: text exactly, figures by place and size. When the
code changes what a notebook shows, ``python notebooks/execute.py`` stores the new outputs.
Warnings are errors (see ``pyproject.toml``), so a notebook that warns fails.
"""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")  # never open a window, whatever the environment says

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PNG = b"\x89PNG\r\n\x1a\n"
#: Most bytes a stored notebook may take (its figures are small PNGs).
MAX_NOTEBOOK_BYTES = 300_000

# A line that only IPython understands: a magic (%, %%) or a shell escape (!).
_IPYTHON_ONLY = re.compile(r"^\s*[%!]", re.MULTILINE)


def _execute_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebook_execute", NOTEBOOK_DIR / "execute.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


execute = _execute_module()


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
def test_notebook_is_stored_with_its_outputs(path: Path) -> None:
    notebook = _load(path)
    assert notebook["nbformat"] == 4
    assert isinstance(notebook["metadata"], dict)
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
    assert path.read_text(encoding="utf-8") == execute.dumps(notebook), "not as execute.py writes"
    count = 0
    figures = 0
    for i, cell in enumerate(notebook["cells"]):
        assert cell["cell_type"] in {"code", "markdown"}, f"cell {i}: {cell['cell_type']}"
        assert _source(cell).strip(), f"cell {i} is empty"
        if cell["cell_type"] == "code":
            count += 1
            assert cell["execution_count"] == count, f"cell {i}: run out of order"
            assert cell["outputs"], f"cell {i} shows nothing"
            for output in cell["outputs"]:
                data = output.get("data", {})
                if "image/png" in data:
                    figures += 1
                    assert base64.b64decode(data["image/png"]).startswith(PNG)
                    assert output["metadata"]["image/png"]["width"] <= 1000
    assert figures, "a tutorial without a figure"


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
def test_stored_outputs_are_those_of_the_current_code(path: Path, tmp_path: Path) -> None:
    fresh = execute.execute(path, workdir=tmp_path)
    problems = execute.compare(_load(path), fresh, path.name)
    assert not problems, (
        "\n".join(problems) + "\nrun `python notebooks/execute.py` to store the new outputs"
    )
    first_cell = next(cell for cell in fresh["cells"] if cell["cell_type"] == "code")
    first = "".join(first_cell["outputs"][0]["text"])
    assert f"{execute.DRAWS:,} draws" in first, "the notebook did not run at execute.DRAWS"
    assert list(tmp_path.iterdir()) == [], "a notebook wrote into the working directory"


def _fake_outputs(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy of a notebook whose first printed line and first figure are not what runs."""
    changed = copy.deepcopy(notebook)
    code = [cell for cell in changed["cells"] if cell["cell_type"] == "code"]
    code[0]["outputs"][0]["text"][0] = "something else\n"
    return changed


def test_compare_finds_a_changed_text_and_a_changed_figure() -> None:
    stored = _load(NOTEBOOK_DIR / "01_quickstart.ipynb")
    assert execute.compare(stored, copy.deepcopy(stored), "nb") == []
    problems = execute.compare(stored, _fake_outputs(stored), "nb")
    assert len(problems) == 1 and problems[0].startswith("nb, code cell 0: stored outputs [(")
    resized = copy.deepcopy(stored)
    cell, output = next(
        (cell, output)
        for cell in resized["cells"]
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if "image/png" in output.get("data", {})
    )
    index = [c for c in resized["cells"] if c["cell_type"] == "code"].index(cell)
    output["data"]["image/png"] = execute.png(_tiny_figure())["data"]["image/png"]
    (problem,) = execute.compare(stored, resized, "nb")
    assert re.fullmatch(rf"nb, code cell {index}: a \d+x\d+ figure stored, \d+x\d+ drawn", problem)
    dropped = copy.deepcopy(stored)
    cell = next(c for c in dropped["cells"] if c["cell_type"] == "code")
    cell["outputs"] = []
    assert execute.compare(stored, dropped, "nb")[0].startswith("nb, code cell 0: stored outputs")
    recoded = copy.deepcopy(stored)
    next(c for c in recoded["cells"] if c["cell_type"] == "code")["source"] = ["x = 1\n"]
    assert execute.compare(stored, recoded, "nb") == ["nb: the code cells differ from those run"]


def _tiny_figure() -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.subplots().plot([0, 1])
    return fig


def test_run_cell_shows_prints_values_and_figures() -> None:
    namespace: dict[str, Any] = {"Figure": type(_tiny_figure())}
    outputs = execute.run_cell("x = 2\nprint('a')\nx + 1", namespace, "cell", 3)
    assert outputs == [
        {"name": "stdout", "output_type": "stream", "text": ["a\n"]},
        {
            "data": {"text/plain": ["3"]},
            "execution_count": 3,
            "metadata": {},
            "output_type": "execute_result",
        },
    ]
    assert execute.run_cell("x + 1;", namespace, "cell", 4) == []  # ; hides the value
    assert execute.run_cell("y = x", namespace, "cell", 5) == []
    (shown,) = execute.run_cell(
        "fig = Figure(figsize=(2, 1))\nfig.subplots()\nfig", namespace, "cell", 6
    )
    assert shown["output_type"] == "display_data"
    assert shown["data"]["text/plain"] == ["<Figure size 200x100 with 1 Axes>"]
    assert base64.b64decode(shown["data"]["image/png"]).startswith(PNG)
    with pytest.raises(ZeroDivisionError):
        execute.run_cell("1 / 0", namespace, "cell", 7)


def _default_reading_row(qualifier: str) -> str:
    """The row of notebook 02's table of default readings for ``qualifier``."""
    (notebook,) = (p for p in NOTEBOOKS if p.name.startswith("02_"))
    table = _source(_load(notebook)["cells"][0])
    (row,) = (line for line in table.splitlines() if line.startswith(f"| {qualifier} |"))
    return row


@pytest.mark.parametrize(
    ("qualifier", "rel", "tail"),
    [
        ("more than X", "MORE_THAN_REL", "MORE_THAN_TAIL"),
        ("at least X", "AT_LEAST_REL", "AT_LEAST_TAIL"),
    ],
)
def test_notebook_02_describes_the_open_lower_bound_rules(
    qualifier: str, rel: str, tail: str
) -> None:
    # The rules are open upper tails (elicit's docstring): no prose may still give a hard range
    # such as [X, 1.1 X] or [X, 1.25 X].
    from attritionsim import elicit

    share, length = getattr(elicit, rel), getattr(elicit, tail)
    row = _default_reading_row(qualifier)
    assert f"median {1 + share / length:.3g} X, 95% below {1 + share:.3g} X" in row
    assert "shifted lognormal" in row and "uniform" not in row
    prose = "\n".join(
        _source(cell)
        for path in NOTEBOOKS
        for cell in _load(path)["cells"]
        if cell["cell_type"] == "markdown"
    )
    for stale in ("between X and 1.1 X", "the other end 1.25 X", 'or above ("more'):
        assert stale not in prose
