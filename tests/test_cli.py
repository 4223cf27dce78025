"""Tests for the command line: its output and exit statuses (0 ok, 2 bad input, 1 internal)."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import attritionsim as asim
from attritionsim import cli, elicit


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_elicit_range(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "elicit", "range", "500000", "600000")
    assert status == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "LogNormal(90% in [500,000, 600,000])"
    assert lines[1] == "  median        547,700"  # sqrt(500,000 * 600,000) to 4 digits
    assert lines[2] == "  mean          548,600"
    assert lines[3] == "  50% interval  [527,600, 568,600]"
    assert lines[4] == "  90% interval  [500,000, 600,000]"
    assert lines[5].startswith("  95% interval  [")
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (
            ["elicit", "approximately", "1200000"],
            "LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])",
        ),
        (
            ["elicit", "up_to", "250000", "--family", "uniform"],
            "Uniform(up to 250,000; 100% in [200,000, 250,000])",
        ),
        (
            ["elicit", "up_to", "250000", "--family", "lognormal"],
            "LogNormal(up to 250,000; 90% in [200,000, 250,000])",
        ),
        (
            ["elicit", "at_least", "200000"],
            "ShiftedLogNormal(at least 200,000; median 260,000, 95% below 500,000)",
        ),
        (["elicit", "nearly", "400000"], "Uniform(nearly 400,000; 100% in [360,000, 400,000])"),
        (
            ["elicit", "more_than", "1000000"],
            "ShiftedLogNormal(more than 1,000,000; median 1,031,000, 95% below 1,250,000)",
        ),
        (
            ["elicit", "range", "60000", "100000", "--level", "0.8", "--family", "pert"],
            "PERT(80% in [60,000, 100,000])",
        ),
        (["elicit", "range", "0.2", "0.35", "--family", "beta"], "Beta(90% in [0.2, 0.35])"),
    ],
)
def test_elicit_prints_the_distribution_first(
    capsys: pytest.CaptureFixture[str], argv: list[str], first_line: str
) -> None:
    status, out, err = _run(capsys, *argv)
    assert status == 0
    assert err == ""
    assert out.splitlines()[0] == first_line


def test_elicit_intervals_follow_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "elicit", "range", "100", "200", "--level", "0.5")
    assert status == 0
    assert "  50% interval  [100, 200]" in out.splitlines()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["elicit", "range", "600000", "500000"], "low=600,000 must be below high=500,000"),
        (["elicit", "range", "500000", "600000", "--family", "nope"], "family='nope'"),
        (["elicit", "range", "1", "2", "--family", "lognorml"], "did you mean 'lognormal'"),
        (["elicit", "range", "500000"], "'range' takes 2 value(s); got 1"),
        (["elicit", "range", "1", "2", "3"], "'range' takes 2 value(s); got 3"),
        (["elicit", "approximately", "1", "2"], "'approximately' takes 1 value(s); got 2"),
        (["elicit", "range", "nan", "5"], "low"),
        (["elicit", "range", "1", "inf"], "high"),
        (["elicit", "range", "1", "2", "--level", "1.5"], "level"),
        (["elicit", "range", "1", "2", "--level", "1"], "level"),
        (["elicit", "approximately", "0"], "value"),
        (["elicit", "up_to", "0"], "up_to 0: the figure must be positive"),
        (["elicit", "range", "0", "5"], "low"),
        (["elicit", "range", "1", "abc"], "invalid float value: 'abc'"),
        (["elicit", "between", "1", "2"], "invalid choice: 'between'"),
        (["elicit"], "required"),
        (["elicit", "range", "1", "2", "--level", "high"], "--level"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.endswith("\n")
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("attritionsim: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in err


def test_internal_errors_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    rules = {**elicit.QUALIFIERS}
    rules["range"] = dataclasses.replace(rules["range"], function=broken)
    monkeypatch.setattr(elicit, "QUALIFIERS", rules)
    status, out, err = _run(capsys, "elicit", "range", "1", "2")
    assert status == 1
    assert out == ""
    assert err == "attritionsim: internal error: RuntimeError: boom\n"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys)
    assert status == 0
    assert out.startswith("usage: attritionsim")
    assert "elicit range 500000 600000" in out
    assert err == ""


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"attritionsim {asim.__version__}\n"


def test_python_dash_m_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "attritionsim", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == f"attritionsim {asim.__version__}\n"
    assert result.stderr == ""


def test_python_dash_m_bad_input_has_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "attritionsim", "elicit", "range", "600000", "500000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "attritionsim: error: low=600,000 must be below high=500,000\n"


# ------------------------------------------------------------------------------ warnings
def test_a_sobol_warning_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[scenario]\nmethod = "sobol"\nseed = 1\n[inputs.x]\nrange = [1, 2]\n', encoding="utf-8"
    )
    status, out, err = _run(capsys, "run", str(path), "--draws", "1000")
    assert status == 0
    assert err == (
        "attritionsim: warning: Sobol points are balanced only for a power of two draws; "
        "got 1,000 (try 1,024)\n"
    )
    assert out.startswith("X: 1.41 (90% CrI")  # issue 11: r = 0.01 <= 3 MCSE


def _warn_then(result: str | Exception) -> object:
    import warnings

    def command(args: object) -> str:
        warnings.warn("first line\n  second line", UserWarning, stacklevel=1)
        warnings.warn("first line\n  second line", UserWarning, stacklevel=1)  # once only
        warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        if isinstance(result, Exception):
            raise result
        return result

    return command


def test_warnings_print_once_each_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_elicit", _warn_then("the result"))
    status, out, err = _run(capsys, "elicit", "range", "1", "2")
    assert status == 0
    assert out == "the result\n"
    assert err.splitlines() == [
        "attritionsim: warning: first line second line",
        "attritionsim: warning: overflow encountered in multiply (RuntimeWarning)",
    ]


def test_a_failing_command_prints_only_its_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_elicit", _warn_then(asim.InputError("bad\nvalue")))
    status, out, err = _run(capsys, "elicit", "range", "1", "2")
    assert (status, out, err) == (2, "", "attritionsim: error: bad value\n")
    monkeypatch.setattr(cli, "_elicit", _warn_then(RuntimeError("boom")))
    status, out, err = _run(capsys, "elicit", "range", "1", "2")
    assert (status, out, err) == (1, "", "attritionsim: internal error: RuntimeError: boom\n")


# ------------------------------------------------------------------------------ quiet runs
_ODD = """\
[scenario]
title = "Constants, infinities and labels in other scripts 損失"
draws = 2000
seed  = 3

[inputs.count]
value = 5

[inputs.x]
range     = [1, 2]
long_name = "損失 🙂"

[derived]
ratio = "x / 0"
when  = "crossing_date(x, x, 10, '2025-01-01')"

[long_names]
when = "日付 🙂"

[report]
headline = ["count", "ratio", "x", "when"]
"""


@pytest.mark.parametrize("draws", ["1", "2000"])
def test_a_run_with_odd_headlines_is_quiet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, draws: str
) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(_ODD, encoding="utf-8")
    status, out, err = _run(
        capsys, "run", str(path), "--draws", draws, "--out", str(tmp_path / "rep"), "--quiet"
    )
    assert status == 0
    # No RuntimeWarnings and no errors; one line per figure whose font lacks a character.
    lines = err.splitlines()
    assert lines
    assert all(
        line.startswith("attritionsim: warning: the figure font has no glyph") for line in lines
    )
    assert "'損' (U+640D)" in err
    assert "'🙂' (U+1F642)" in err
    assert "  Count: 5 (90% CrI 5–5)" in out.splitlines()  # a constant is itself
    assert "  Ratio: ∞ (90% CrI ∞–∞)" in out.splitlines()
    report = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "*Distribution: ratio (100.0% are infinite).*" in report


def test_one_draw_is_quiet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(
        "[inputs.a]\nrange = [1, 2]\n[inputs.b]\nrange = [3, 4]\n"
        '[derived]\nr = "a / b"\n[report]\nheadline = ["r"]\n',
        encoding="utf-8",
    )
    out = str(tmp_path / "rep")
    status, text, err = _run(capsys, "run", str(path), "--draws", "1", "--out", out, "--quiet")
    assert (status, err) == (0, "")  # the Sobol figure's one-draw MCSE is inf, not a warning
    assert (tmp_path / "rep" / "figures" / "r_sobol.svg").is_file()
    status, text, err = _run(capsys, "summarize", f"{out}/results.nc")
    assert (status, err) == (0, "")
    assert any(line.startswith("| r |  | 0.") for line in text.splitlines())


def test_elicit_takes_the_worded_qualifiers_of_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The choices come from elicit.QUALIFIERS: the ways sources word a figure that have a rule.
    status, out, err = _run(capsys, "elicit", "pert", "1", "2", "3")
    assert status == 2
    assert out == ""
    assert re.fullmatch(
        r"attritionsim: error: argument qualifier: invalid choice: 'pert' \(choose from "
        r"'?range'?, '?approximately'?, '?up_to'?, '?at_least'?, '?nearly'?, '?more_than'?\) "
        r"\(see 'attritionsim elicit --help'\)\n",
        err,
    ), err
    for qualifier in ("exact", "metalog"):
        assert _run(capsys, "elicit", qualifier, "1")[0] == 2
    status, out, _ = _run(capsys, "elicit", "more_than", "100", "--level", "0.9")
    assert status == 0
    assert out.splitlines()[0] == "ShiftedLogNormal(more than 100; median 103.1, 95% below 125)"


# ---------------------------------------------------------------------- issue 10: a cold user test
_ONE = "[scenario]\nseed = 1\n[inputs.x]\nrange = [1, 2]\n"


def _scenario(tmp_path: Path, text: str = _ONE) -> str:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("simulated what should have been refused")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "S", "--level", "1"],
            "argument --level: level must be in [0.01, 1) (e.g. 0.9 for a 90% interval); got 1 "
            "(see 'attritionsim run --help')",
        ),
        (
            ["run", "S", "--level", "0.005"],
            "argument --level: level must be in [0.01, 1) (e.g. 0.9 for a 90% interval); "
            "got 0.005 (see 'attritionsim run --help')",
        ),
        (
            ["report", "--level", "1"],
            "argument --level: level must be in [0.01, 1) (e.g. 0.9 for a 90% interval); got 1 "
            "(see 'attritionsim report --help')",
        ),
        (
            ["summarize", "S", "--level", "nan"],
            "argument --level: level must be a finite number; got nan "
            "(see 'attritionsim summarize --help')",
        ),
        (
            ["run", "S", "--level", "most"],
            "argument --level: must be a number such as 0.9 (a 90% interval); got 'most' "
            "(see 'attritionsim run --help')",
        ),
        (["run", "S", "--draws", "0"], "--draws must be a positive integer; got 0"),
        (["run", "S", "--chunk-size", "-1"], "--chunk-size must be a positive integer; got -1"),
        (
            ["run", "LEVEL1"],
            "LEVEL1:2: scenario.level must be in [0.01, 1) (e.g. 0.9 for a 90% interval); got 1",
        ),
    ],
)
def test_levels_and_draws_are_checked_before_simulating(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    from attritionsim import scenario

    monkeypatch.setattr(scenario, "simulate", _never)
    path = _scenario(tmp_path)
    level1 = str(tmp_path / "level1.toml")
    Path(level1).write_text("[scenario]\nlevel = 1\n[inputs.x]\nrange = [1, 2]\n", "utf-8")
    argv = [path if a == "S" else level1 if a == "LEVEL1" else a for a in argv]
    status, out, err = _run(capsys, *argv)
    expected = message.replace("LEVEL1", level1)
    assert (status, out, err) == (2, "", f"attritionsim: error: {expected}\n")


def test_draws_beyond_memory_say_the_most_that_fit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(asim.model, "memory_ceiling", lambda: 80_000)  # 10,000 draws of x
    path = _scenario(tmp_path)
    assert asim.model.largest_draws(asim.load_scenario(path).model) == 10_000
    status, out, err = _run(capsys, "run", path, "--draws", "10001")
    assert (status, out) == (2, "")
    assert err == (
        "attritionsim: error: --draws 10,001 would not fit in memory: this machine holds at most "
        "10,000 draws of this scenario's quantities; use --draws 10000 or fewer\n"
    )
    status, out, err = _run(capsys, "run", path, "--draws", "10000")
    assert (status, err) == (0, "")
    assert out.startswith("X: ")
    # the library keeps its advice for Python users
    with pytest.raises(asim.InputError, match=r"use summarize_chunked\(\) or simulate_dask\(\)"):
        asim.load_scenario(path).run(draws=10_001)


class _Clock:
    """A clock that moves 5 s per reading: the progress bar shows at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 5.0
        return self.now


_FUSSY = _ONE + '[derived]\nq = "fussy(x)"\n'


def test_an_error_after_the_progress_bar_stands_alone_on_its_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from attritionsim.expr import register_function, unregister_function

    calls = []

    @register_function("fussy")
    def fussy(x: object) -> object:
        calls.append(1)
        if calls == [1, 1, 1]:  # the trial at load, the first block, then the second block
            raise asim.InputError("fussy() gave up")
        return x

    monkeypatch.setattr(cli, "time", _Clock())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    path = _scenario(tmp_path, _FUSSY)
    try:
        status, out, err = _run(capsys, "run", path, "--draws", "20000")
        calls[:] = [0]  # no failure this time
        ok = _run(capsys, "run", path, "--draws", "20000")
    finally:
        unregister_function("fussy")
    bar = "\r  [###############---------------] 10,000/20,000 draws"
    assert (status, out) == (2, "")
    assert err == (
        f"{bar}\r\033[Kattritionsim: error: {path}:6: derived quantity 'q': cannot evaluate "
        "'fussy(x)': fussy() gave up\n"
    )
    status, out, err = ok
    assert status == 0
    assert err == f"{bar}\r  [##############################] 20,000/20,000 draws\n"
    assert out.startswith("X: ")


def _python_m(*argv: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "attritionsim", *argv], text=True, **kwargs)


def test_a_closed_pipe_ends_quietly() -> None:
    # `attritionsim sources --format csv | head -1`: the reader goes before the writer is done.
    proc = _python_m("sources", "--format", "csv", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # before the program writes: every write is refused (EPIPE)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (1, "")


@pytest.mark.parametrize(
    ("signum", "status", "line"),
    [
        (signal.SIGINT, 130, "attritionsim: interrupted\n"),
        (signal.SIGTERM, 143, "attritionsim: terminated\n"),
    ],
)
def test_a_signal_stops_a_run_cleanly(
    tmp_path: Path, signum: signal.Signals, status: int, line: str
) -> None:
    path = _scenario(tmp_path)
    out = tmp_path / "rep"
    proc = _python_m(
        "run",
        path,
        "--draws",
        "100000000",
        "--chunk-size",
        "100000",
        "--out",
        str(out),
        "--quiet",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not any(tmp_path.glob(".*attritionsim-new-*")):  # the run has begun simulating
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert (proc.returncode, stdout, stderr) == (status, "", line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # no staging, no lock


def test_summarize_a_report_folder_points_at_its_results_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "results.nc").write_bytes(b"")
    status, out, err = _run(capsys, "summarize", str(tmp_path))
    assert (status, out) == (2, "")
    assert err == (
        f"attritionsim: error: results file '{tmp_path}' is a folder; give its results file: "
        f"attritionsim summarize {tmp_path}/results.nc\n"
    )


def test_summarize_with_nothing_to_summarize_says_what_it_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import numpy as np
    import xarray as xr

    from attritionsim.resultsfile import write_results

    ds = xr.Dataset(
        {
            "path": (("draw", "date"), np.ones((3, 2))),
            "label": ("draw", np.array(["a", "b", "c"])),
        },
        attrs={"attritionsim_version": asim.__version__, "draws": 3, "seed": 1},
    )
    path = tmp_path / "results.nc"
    write_results(ds, path)
    status, out, err = _run(capsys, "summarize", str(path))
    assert (status, out) == (2, "")
    assert err == (
        f"attritionsim: error: results file '{path}' has nothing to summarize: a quantity needs "
        "one number, date or true/false value per draw (dimension 'draw' only); skipped path "
        "(dimensions draw, date), label (text values)\n"
    )


# ------------------------------------------------------------------------------ odd streams
@pytest.mark.parametrize(
    ("redirect", "status", "stderr"),
    [
        (
            "> /dev/full",
            1,
            "attritionsim: error: cannot write the output: No space left on device\n",
        ),
        (">&-", 1, "attritionsim: error: cannot write the output: standard output is closed\n"),
        ("> /dev/null 2> /dev/full", 0, ""),
    ],
)
def test_output_that_cannot_be_written_is_one_line(
    redirect: str, status: int, stderr: str, tmp_path: Path
) -> None:
    script = f"{sys.executable} -m attritionsim elicit range 1 2 {redirect}"
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (status, stderr)


def test_an_ascii_terminal_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "attritionsim", "sources", "--publisher", "csis"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "\\u2248950,000" in result.stdout  # "≈950,000", escaped


# -------------------------------------------------------- issue 14: --scheduler, --workers
_TWO = _ONE + '[inputs.z]\nrange = [3, 5]\n[derived]\ny = "x / z"\n'


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a running one-worker Dask cluster."""
    from attritionsim.dask_backend import cluster

    with cluster(workers=1) as client:
        yield str(client.scheduler.address)


def _same_report(here: Path, there: Path) -> None:
    from attritionsim.resultsfile import read_results

    for name in ("summary.json", "report.md"):
        assert (here / name).read_text("utf-8") == (there / name).read_text("utf-8"), name
    a, b = read_results(here / "results.nc"), read_results(there / "results.nc")
    assert a.identical(b)
    assert a["y"].values.tobytes() == b["y"].values.tobytes()


def test_a_run_on_a_running_scheduler_gives_the_same_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scheduler: str
) -> None:
    path = _scenario(tmp_path, _TWO)
    status, out, err = _run(capsys, "run", path, "--draws", "30000", "--out", str(tmp_path / "a"))
    assert (status, err) == (0, "")
    args = ("run", path, "--draws", "30000", "--scheduler", scheduler)
    status, there, err = _run(capsys, *args, "--out", str(tmp_path / "b"))
    assert (status, err) == (0, "")
    assert there == out.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    _same_report(tmp_path / "a", tmp_path / "b")
    # without --out: the headline sentences, the same
    assert _run(capsys, *args)[1] == _run(capsys, "run", path, "--draws", "30000")[1]


def test_workers_start_a_local_cluster_for_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _scenario(tmp_path, _TWO)
    argv = ["run", path, "--draws", "30000", "--seed", "4", "--out"]
    status, here, err = _run(capsys, *argv, str(tmp_path / "a"))
    assert (status, err) == (0, "")
    # as a user runs it: python -m attritionsim, whose workers are new processes
    done = subprocess.run(
        [sys.executable, "-m", "attritionsim", *argv, str(tmp_path / "b"), "--workers", "2"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == here.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    _same_report(tmp_path / "a", tmp_path / "b")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--workers", "0"], "--workers must be a whole number of at least 1; got 0"),
        (["--workers", "-3"], "--workers must be a whole number of at least 1; got -3"),
        (
            ["--scheduler", "nonsense::"],
            "--scheduler 'nonsense::': not an address (invalid address 'nonsense::'; maybe: "
            "ipv6 needs brackets like [::1]); give the scheduler's, such as tcp://127.0.0.1:8786",
        ),
        (
            ["--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler 'tcp://127.0.0.1:1': no Dask scheduler answered within 0.5 s; start one "
            "('dask scheduler') or check the address and that this machine can reach it",
        ),
        (
            ["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
            "argument --scheduler: not allowed with argument --workers "
            "(see 'attritionsim COMMAND --help')",
        ),
        (
            ["--workers", "two"],
            "argument --workers: invalid int value: 'two' (see 'attritionsim COMMAND --help')",
        ),
    ],
)
@pytest.mark.parametrize("command", ["run", "report"])
def test_a_bad_cluster_is_one_line_before_simulating(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
    option: list[str],
    message: str,
) -> None:
    from attritionsim import dask_backend, scenario

    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(scenario.Scenario, "run", _never)
    argv = [command, _scenario(tmp_path)] if command == "run" else [command]
    start = time.perf_counter()
    status, out, err = _run(capsys, *argv, *option, "--out", str(tmp_path / "out"))
    assert (status, out) == (2, "")
    assert err == f"attritionsim: error: {message.replace('COMMAND', command)}\n"
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - start < 3.0


def test_a_cluster_without_distributed_says_which_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    for option in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        status, out, err = _run(capsys, "run", _scenario(tmp_path), *option)
        assert (status, out) == (2, "")
        name = option[0]
        assert err == (
            f"attritionsim: error: {name} needs dask.distributed, which is not installed: "
            'pip install "attritionsim[dask]"\n'
        )


def test_summarize_a_group_reads_the_synthesis_quantities(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``summarize --group synthesis/NAME`` reads a report's synthesis, not the model's run."""
    import json

    import numpy as np
    import xarray as xr

    import attritionsim
    from attritionsim.resultsfile import write_results

    stamp = {"attritionsim_version": attritionsim.__version__}
    run = xr.Dataset({"x": ("draw", np.arange(100.0))}, attrs={"seed": 1, "draws": 100, **stamp})
    rate = xr.DataArray(np.linspace(900.0, 1100.0, 101), dims="draw", attrs={"units": "people/day"})
    path = write_results(
        run,
        tmp_path / "results.nc",
        groups={"synthesis/ru": xr.Dataset({"rate": rate}, attrs=stamp)},
    )
    status, out, err = _run(
        capsys, "summarize", str(path), "--group", "synthesis/ru", "--format", "json"
    )
    assert (status, err) == (0, "")
    quantities = json.loads(out)["quantities"]
    assert list(quantities) == ["rate"] and quantities["rate"]["median"] == 1000.0
    status, out, err = _run(capsys, "summarize", str(path), "--group", "synthesis/ua")
    assert status == 2 and out == ""
    assert err == (
        f"attritionsim: error: results file {str(path)!r} has no group 'synthesis/ua'; its "
        "groups: synthesis/ru\n"
    )


def test_a_cluster_lost_mid_run_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler killed mid-run: exit 1, one line naming the cluster, no report folder."""
    import contextlib

    from distributed.client import FutureCancelledError

    from attritionsim import dask_backend

    @contextlib.contextmanager
    def fake(*args: object, **kwargs: object) -> Iterator[object]:
        yield object()

    def lost(*args: object, **kwargs: object) -> None:
        raise FutureCancelledError("x-1", reason="scheduler-connection-lost")

    monkeypatch.setattr(dask_backend, "cluster", fake)
    monkeypatch.setattr(cli, "_run_on", lost)
    out = tmp_path / "rep"
    status, text, err = _run(
        capsys, "report", "--draws", "2000", "--scheduler", "tcp://10.0.0.5:8786", "--out", str(out)
    )
    assert (status, text) == (1, "")
    assert err.startswith(
        "attritionsim: error: the Dask cluster (tcp://10.0.0.5:8786) stopped mid-run "
        "(FutureCancelledError: "
    )
    assert err.endswith("; nothing was written\n") and err.count("\n") == 1
    assert not out.exists()
