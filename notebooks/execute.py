"""Run the tutorials in ``notebooks/`` and store their outputs in the ``.ipynb`` files, no Jupyter.

Usage, from the repository root::

    python notebooks/execute.py                         # run every notebook, store the outputs
    python notebooks/execute.py 01_quickstart.ipynb     # only these
    python notebooks/execute.py --check                 # store nothing; exit 1 if any differ
                                                        # (text exactly, figures by size)

Each notebook's code cells run in order in one fresh namespace, as a kernel would run them, in
an empty temporary working directory, with ``ATTRITIONSIM_DRAWS`` set to :data:`DRAWS` (the
suite, ``tests/test_notebooks.py``, runs them at the same number and compares). What a cell
prints is stored as a ``stream`` output; the value of a cell's last expression as an
``execute_result`` (its ``repr``), or, for a Matplotlib figure, as a small PNG
(``display_data``, :data:`DPI` dots per inch, a 256-colour palette); so is every pyplot figure
left open. Nothing in the outputs or the metadata depends on the time: the notebooks fix
their seeds, execution counts are 1, 2, 3, ... and PNGs carry no metadata (their bytes still
depend on the Matplotlib and FreeType versions, so a check compares the figures by size).

A notebook is written only when its text changes, so that running this twice changes nothing.
A cell that raises stops the run with the error, its cell and notebook named.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never open a window, whatever the environment says

from matplotlib.figure import Figure
from PIL import Image  # Pillow comes with Matplotlib

#: The folder of the notebooks.
NOTEBOOK_DIR = Path(__file__).resolve().parent
#: ``ATTRITIONSIM_DRAWS`` for the stored outputs, and for the suite's comparison with them.
DRAWS = 10_000
#: Resolution of the stored figures (Jupyter's own default is 72).
DPI = 60

Output = dict[str, Any]


def notebooks(names: Sequence[str] = ()) -> list[Path]:
    """The notebooks to run: those named (file names in :data:`NOTEBOOK_DIR`), else all."""
    if not names:
        return sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    return [NOTEBOOK_DIR / Path(name).name for name in names]


def source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (a notebook stores it as a string or a list of lines)."""
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def lines(text: str) -> list[str]:
    """Text as a notebook stores it: a list of lines, each but the last with its newline."""
    return text.splitlines(keepends=True)


def png(fig: Figure) -> Output:
    """A figure as a ``display_data`` output: a small palette PNG and its ``repr``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=256, dither=Image.Dither.NONE).save(small, format="PNG", optimize=True)
    return {
        "data": {
            "image/png": base64.b64encode(small.getvalue()).decode("ascii"),
            "text/plain": lines(repr(fig)),
        },
        "metadata": {"image/png": {"width": image.width, "height": image.height}},
        "output_type": "display_data",
    }


def _stream(name: str, text: str) -> Output:
    return {"name": name, "output_type": "stream", "text": lines(text)}


def _pyplot_figures() -> Iterator[Figure]:
    """Every figure pyplot holds open, closing each (only if a cell imported pyplot)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    for number in pyplot.get_fignums():
        fig = pyplot.figure(number)
        yield fig
        pyplot.close(fig)


def run_cell(code: str, namespace: dict[str, Any], name: str, count: int) -> list[Output]:
    """Run one code cell in ``namespace`` and return its outputs, as Jupyter would show them.

    The last statement, if an expression not ended by ``;``, is evaluated and shown.
    """
    tree = ast.parse(code, filename=name)
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(final.value)
        tree.body.pop()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(tree, name, "exec"), namespace)
        value = None if last is None else eval(compile(last, name, "eval"), namespace)
    outputs = [_stream(key, text.getvalue()) for key, text in (("stdout", out), ("stderr", err))]
    outputs = [output for output in outputs if output["text"]]
    if isinstance(value, Figure):
        outputs.append(png(value))
    elif value is not None:
        outputs.append(
            {
                "data": {"text/plain": lines(repr(value))},
                "execution_count": count,
                "metadata": {},
                "output_type": "execute_result",
            }
        )
    outputs += [png(fig) for fig in _pyplot_figures() if fig is not value]
    return outputs


@contextlib.contextmanager
def _environment(draws: int, workdir: Path) -> Iterator[None]:
    """``ATTRITIONSIM_DRAWS`` and the working directory, restored afterwards."""
    saved = {key: os.environ.get(key) for key in ("ATTRITIONSIM_DRAWS", "MPLBACKEND")}
    here = Path.cwd()
    os.environ["ATTRITIONSIM_DRAWS"] = str(draws)
    os.environ["MPLBACKEND"] = "Agg"
    os.chdir(workdir)
    try:
        yield
    finally:
        os.chdir(here)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(path: Path, *, draws: int = DRAWS, workdir: Path | None = None) -> dict[str, Any]:
    """Run a notebook and return it with the outputs of the current code (the file is untouched).

    Parameters
    ----------
    path : Path
        The ``.ipynb`` file.
    draws : int, default :data:`DRAWS`
        ``ATTRITIONSIM_DRAWS`` for the run.
    workdir : Path, optional
        The working directory of the run (default: a fresh temporary one, removed afterwards).

    Returns
    -------
    dict
        The notebook, every code cell with its ``outputs`` and ``execution_count``.
    """
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(_environment(draws, workdir))
        count = 0
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            count += 1
            name = f"{path.name}, code cell {count - 1}"
            try:
                cell["outputs"] = run_cell(source(cell), namespace, name, count)
            except Exception as err:
                err.add_note(f"while running code cell {count - 1} of {path.name}")
                raise
            cell["execution_count"] = count
    return notebook


def _shown(output: Output) -> tuple[str, str]:
    """What an output shows, as text: its kind and its text (a figure: its ``repr``)."""
    kind = output["output_type"]
    if kind == "stream":
        return f"{output['name']} stream", "".join(output["text"])
    data = output.get("data", {})
    return ("figure" if "image/png" in data else kind), "".join(data.get("text/plain", ""))


def _size(output: Output) -> tuple[int, int]:
    image = Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"])))
    return image.size


def compare(stored: dict[str, Any], fresh: dict[str, Any], name: str = "") -> list[str]:
    """How the outputs stored in a notebook differ from those of a fresh run (empty: none).

    Text (what cells print, the values they show, the figures' ``repr``) must be equal; a figure
    must be a PNG in the same place whose width and height are within 10% of the fresh one's
    (PNG bytes vary with the Matplotlib and FreeType versions, so they are not compared).
    """
    code = [
        [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        for notebook in (stored, fresh)
    ]
    if [source(cell) for cell in code[0]] != [source(cell) for cell in code[1]]:
        return [f"{name}: the code cells differ from those run"]
    problems = []
    for i, (old, new) in enumerate(zip(*code, strict=True)):
        where = f"{name}, code cell {i}"
        if old.get("execution_count") != new["execution_count"]:
            problems.append(f"{where}: execution_count {old.get('execution_count')!r}")
        before = [_shown(output) for output in old.get("outputs", [])]
        after = [_shown(output) for output in new["outputs"]]
        if before != after:
            problems.append(f"{where}: stored outputs {before!r}, the current code's {after!r}")
            continue
        for a, b in zip(old["outputs"], new["outputs"], strict=True):
            if "image/png" in a.get("data", {}):
                (w0, h0), (w1, h1) = _size(a), _size(b)
                if abs(w0 - w1) > 0.1 * w1 or abs(h0 - h1) > 0.1 * h1:
                    problems.append(f"{where}: a {w0}x{h0} figure stored, {w1}x{h1} drawn")
    return problems


def dumps(notebook: dict[str, Any]) -> str:
    """A notebook as Jupyter writes it (one-space indent, keys sorted, UTF-8, final newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status is 1 with ``--check`` if a notebook is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any stored output differs"
    )
    args = parser.parse_args(argv)
    stale = False
    for path in notebooks(args.names):
        fresh = execute(path)
        if args.check:
            stored = json.loads(path.read_text(encoding="utf-8"))
            problems = compare(stored, fresh, path.name)
            stale = stale or bool(problems)
            print("\n".join(problems) or f"{path.name}: up to date")
            continue
        text = dumps(fresh)
        if text == path.read_text(encoding="utf-8"):
            print(f"{path.name}: up to date")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path.name}: written ({len(text.encode()):,} bytes)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
