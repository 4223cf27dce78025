"""``--out`` never deletes what attritionsim did not write: refusals, locking, swaps, recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

import attritionsim.report
from attritionsim import cli
from attritionsim.errors import InputError
from attritionsim.report import MARKER, prepare_out, write_report
from attritionsim.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]
SMALL = """\
[scenario]
title = "Small"
draws = 2000

[inputs.ru]
range = [900_000, 1_000_000]

[inputs.ua]
approximately = 400_000

[derived]
ratio = "ru / ua"

[report]
headline = ["ratio"]
"""
REPORT = [MARKER, "figures", "report.md", "results.nc", "summary.json"]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of Scenario.run, recorded (to show nothing was simulated)."""
    calls: list[dict[str, Any]] = []
    real = Scenario.run

    def spy(self: Scenario, **overrides: Any) -> Any:
        calls.append(overrides)
        return real(self, **overrides)

    monkeypatch.setattr(Scenario, "run", spy)
    return calls


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding s.toml, and the current folder ``work/run``."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "s.toml").write_text(SMALL, encoding="utf-8")
    (project / "run").mkdir()
    monkeypatch.chdir(project / "run")
    return project


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _run(capsys: pytest.CaptureFixture[str], scenario: Path, out: str) -> tuple[int, str, str]:
    return _cli(capsys, "run", str(scenario), "--out", out, "--quiet")


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def _error(err: str, message: str) -> None:
    assert err == f"attritionsim: error: {message}\n"


def _report(project: Path, folder: Path) -> Path:
    """A finished report of ``project/s.toml`` written at ``folder``."""
    write_report(load_scenario(project / "s.toml"), folder)
    return folder


@pytest.fixture
def report(work: Path, runs: list[dict[str, Any]]) -> Path:
    """A report at ``project/run/out``, written before the test (the spy is reset)."""
    out = _report(work, work / "run" / "out")
    runs.clear()
    return out


# ------------------------------------------------------------------------------ refused folders
def _thesis(folder: Path) -> None:
    (folder / "chapters").mkdir(parents=True)
    (folder / "thesis.tex").write_text("\\documentclass{book}", encoding="utf-8")
    (folder / "chapters" / "one.tex").write_text("\\chapter{One}", encoding="utf-8")


def _source_tree(folder: Path) -> None:
    (folder / "src" / "pkg").mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'pkg'\n", encoding="utf-8")
    (folder / "src" / "pkg" / "__init__.py").write_text("", encoding="utf-8")


def _read_only(folder: Path) -> None:
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    folder.chmod(0o555)  # root ignores the bits; the marker rule must not


@pytest.mark.parametrize("make", [_thesis, _source_tree, _read_only])
def test_an_existing_folder_that_is_not_a_report_is_refused_and_untouched(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    make: Any,
) -> None:
    folder = work / "run" / "mine"
    make(folder)
    before = _snapshot(folder)
    status, out, err = _run(capsys, work / "s.toml", "mine")
    assert status == 2
    assert out == ""
    _error(
        err,
        "--out 'mine' exists and is not an attritionsim report (no .attritionsim-report "
        "marker); choose a new folder or remove it",
    )
    assert _snapshot(folder) == before
    assert runs == []  # refused before simulating
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mine"]  # no lock, no staging
    folder.chmod(0o755)


@pytest.mark.parametrize(
    ("out", "why"),
    [
        (".", "is the current folder or one of its parents"),
        ("..", "is the current folder or one of its parents"),  # holds the scenario file
        ("../..", "is the current folder or one of its parents"),
        ("/", "is the root folder"),
    ],
)
def test_the_current_folder_its_parents_and_root_are_refused(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    out: str,
    why: str,
) -> None:
    before = _snapshot(work)
    status, stdout, err = _run(capsys, work / "s.toml", out)
    assert status == 2
    assert stdout == ""
    _error(err, f"--out {out!r} {why}; choose a new folder")
    assert _snapshot(work) == before
    assert runs == []


def test_the_scenario_folder_and_its_parents_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[dict[str, Any]]
) -> None:
    scenario = tmp_path / "a" / "b" / "s.toml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text(SMALL, encoding="utf-8")
    for out in (scenario.parent, scenario.parent.parent):
        status, _, err = _run(capsys, scenario, str(out))
        assert status == 2
        _error(
            err,
            f"--out {str(out)!r} is the scenario file's folder or one of its parents; "
            "choose a new folder",
        )
    assert scenario.read_text(encoding="utf-8") == SMALL
    assert runs == []


def test_the_home_folder_is_refused(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = work.parent / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    status, _, err = _run(capsys, work / "s.toml", str(home))
    assert status == 2
    _error(
        err, f"--out {str(home)!r} is your home folder or one of its parents; choose a new folder"
    )
    assert runs == []


def test_an_empty_out_is_refused(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    status, _, err = _run(capsys, work / "s.toml", "")
    assert status == 2
    _error(err, "--out '' is empty; give the report folder's name")
    assert runs == []
    with pytest.raises(InputError, match="is empty"):
        prepare_out("")


def test_a_path_under_a_file_is_refused(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    (work / "run" / "notes.txt").write_text("mine", encoding="utf-8")
    status, _, err = _run(capsys, work / "s.toml", "notes.txt/out")
    assert status == 2
    _error(err, f"--out 'notes.txt/out': {str(work / 'run' / 'notes.txt')!r} is not a folder")
    assert (work / "run" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert runs == []


def test_a_name_too_long_is_refused(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    name = "x" * 300
    status, _, err = _run(capsys, work / "s.toml", f"deeper/{name}")
    assert status == 2
    limit = os.pathconf(work, "PC_NAME_MAX")
    _error(
        err,
        f"--out 'deeper/{name}': the name {'x' * 20!r}… is 300 bytes long; "
        f"this file system allows at most {limit}",
    )
    assert list((work / "run").iterdir()) == []  # not even the parent was created
    assert runs == []


def test_an_unwritable_parent_is_refused_before_simulating(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (work / "run" / "ro").mkdir()

    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)  # what a read-only parent does (not to root)
    status, _, err = _run(capsys, work / "s.toml", "ro/out")
    assert status == 2
    _error(err, "--out 'ro/out': cannot prepare the report folder: Permission denied")
    assert list((work / "run" / "ro").iterdir()) == []  # the lock is gone too
    assert runs == []


def test_a_report_holding_files_it_did_not_write_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    (report / "notes.md").write_text("my notes", encoding="utf-8")
    (report / "figures" / "mine.png").write_bytes(b"png")
    before = _snapshot(report)
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds files it did not write "
        "(figures/mine.png, notes.md); move them or choose a new folder",
    )
    assert _snapshot(report) == before
    assert runs == []


def test_an_invalid_marker_is_no_marker(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    (report / MARKER).write_text("{}", encoding="utf-8")
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    assert "is not an attritionsim report (no .attritionsim-report marker)" in err
    assert runs == []


# ------------------------------------------------------------------------------ allowed folders
def test_a_report_is_replaced_leaving_exactly_one_report(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    before = _snapshot(report)
    status, out, err = _cli(
        capsys,
        "run",
        str(report.parent.parent / "s.toml"),
        "--out",
        "out/",
        "--seed",
        "7",
        "--quiet",
    )
    assert status == 0, err
    assert out.splitlines()[-1].startswith("report written to out/ (")
    assert len(runs) == 1
    assert sorted(p.name for p in report.iterdir()) == REPORT
    after = _snapshot(report)
    assert after["results.nc"] != before["results.nc"]  # another seed: really replaced
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]  # no lock, old or staging


def test_an_empty_folder_is_used(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    (work / "run" / "out").mkdir()
    status, _, err = _run(capsys, work / "s.toml", "out")
    assert status == 0, err
    assert sorted(p.name for p in (work / "run" / "out").iterdir()) == REPORT
    assert sorted(p.name for p in (work / "run").iterdir()) == ["out"]


def test_a_new_nested_folder_is_created(work: Path) -> None:
    out = work / "run" / "a" / "b" / "out"
    _report(work, out)
    assert sorted(p.name for p in out.iterdir()) == REPORT
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_the_fallback_swap_without_an_atomic_exchange(
    report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attritionsim.report, "_exchange", lambda first, second: False)
    with prepare_out(report) as folder:
        (folder.staging / "results.nc").write_bytes(b"new")
        folder.commit()
    assert sorted(p.name for p in report.iterdir()) == [MARKER, "results.nc"]
    assert (report / "results.nc").read_bytes() == b"new"
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]


# ------------------------------------------------------------------------------ symbolic links
def test_a_link_to_a_report_replaces_what_it_points_to_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    link = report.parent / "latest"
    link.symlink_to("out")
    before = _snapshot(report)
    status, _, err = _cli(
        capsys,
        "run",
        str(report.parent.parent / "s.toml"),
        "--out",
        "latest",
        "--seed",
        "7",
        "--quiet",
    )
    assert status == 0, err
    assert link.is_symlink()
    assert os.readlink(link) == "out"
    assert sorted(p.name for p in report.iterdir()) == REPORT
    assert _snapshot(report)["results.nc"] != before["results.nc"]
    assert sorted(p.name for p in report.parent.iterdir()) == ["latest", "out"]


def test_a_link_to_an_empty_folder_is_used(work: Path) -> None:
    (work / "run" / "real").mkdir()
    (work / "run" / "out").symlink_to("real")
    with prepare_out(work / "run" / "out") as folder:
        (folder.staging / "results.nc").write_bytes(b"new")
        folder.commit()
    assert (work / "run" / "out").is_symlink()
    assert (work / "run" / "real" / "results.nc").read_bytes() == b"new"


def test_a_dangling_link_is_refused(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    (work / "run" / "out").symlink_to("gone")
    status, _, err = _run(capsys, work / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is a symbolic link to 'gone', which does not exist (or loops); "
        "point it at a folder or choose another name",
    )
    assert os.readlink(work / "run" / "out") == "gone"
    assert sorted(p.name for p in (work / "run").iterdir()) == ["out"]
    assert runs == []


def test_a_link_to_a_folder_that_is_not_a_report_is_refused(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    _thesis(work / "thesis")
    (work / "run" / "out").symlink_to(work / "thesis")
    before = _snapshot(work / "thesis")
    status, _, err = _run(capsys, work / "s.toml", "out")
    assert status == 2
    assert "--out 'out' exists and is not an attritionsim report" in err
    assert _snapshot(work / "thesis") == before
    assert (work / "run" / "out").is_symlink()
    assert runs == []


# ------------------------------------------------------------------------------ concurrency
def test_a_second_run_to_a_folder_being_written_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    before = _snapshot(report)
    with prepare_out(report):
        status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
        assert status == 2
        _error(
            err,
            "--out 'out': another attritionsim run is writing this folder "
            "(lock '.out.attritionsim-lock'); wait for it to finish",
        )
    assert runs == []
    assert _snapshot(report) == before
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]


def test_a_run_in_another_process_holds_the_lock(
    capsys: pytest.CaptureFixture[str], work: Path, runs: list[dict[str, Any]]
) -> None:
    holder = (
        "import sys\n"
        "from attritionsim.report import prepare_out\n"
        "with prepare_out(sys.argv[1]) as folder:\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.read()\n"
        "    (folder.staging / 'results.nc').write_bytes(b'theirs')\n"
        "    folder.commit()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with subprocess.Popen(
        [sys.executable, "-c", holder, "out"],
        cwd=work / "run",
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == "locked\n"
        status, _, err = _run(capsys, work / "s.toml", "out")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    assert status == 2
    assert "another attritionsim run is writing this folder" in err
    assert runs == []
    assert (work / "run" / "out" / "results.nc").read_bytes() == b"theirs"  # theirs survived
    assert sorted(p.name for p in (work / "run").iterdir()) == ["out"]


def test_replacing_concurrently_keeps_one_report_and_no_leftovers(work: Path) -> None:
    out = work / "run" / "out"
    failures: list[BaseException] = []
    written: list[int] = []

    def replace(me: int) -> None:
        for _ in range(25):
            try:
                with prepare_out(out) as folder:
                    (folder.staging / "results.nc").write_text(str(me), encoding="utf-8")
                    folder.commit()
                    written.append(me)
            except InputError as err:
                if "another attritionsim run is writing" not in str(err):
                    failures.append(err)
            except BaseException as err:
                failures.append(err)

    threads = [threading.Thread(target=replace, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert written
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "results.nc"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


# ------------------------------------------------------------------------------ killed runs
def _marked(folder: Path, *files: str) -> Path:
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"x" * 1000)
    record = {"attritionsim": "0", "created": "2025-01-01T00:00:00+00:00", "files": list(files)}
    (folder / MARKER).write_text(json.dumps(record), encoding="utf-8")
    return folder


def test_a_killed_run_s_staging_and_lock_are_cleaned_by_the_next_run(report: Path) -> None:
    parent = report.parent
    _marked(parent / ".out.attritionsim-new-k1ll3d", "results.nc", "summary.json")
    (parent / ".out.attritionsim-new-empty_1").mkdir()  # killed before its marker was written
    _marked(parent / ".out.attritionsim-old-abc123", "results.nc")  # mid-removal, report present
    (parent / ".out.attritionsim-lock").write_bytes(b"")
    foreign = parent / ".out.attritionsim-new-theirs"  # our name but not ours: no marker
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep", encoding="utf-8")
    other = _marked(parent / ".out.attritionsim-new-x.attritionsim-new-abc", "results.nc")
    with prepare_out(report) as folder:
        names = sorted(p.name for p in parent.iterdir())
        assert names == sorted(
            [
                ".out.attritionsim-lock",
                ".out.attritionsim-new-theirs",
                ".out.attritionsim-new-x.attritionsim-new-abc",  # another target's staging
                "out",
                folder.staging.name,
            ]
        )
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert (other / "results.nc").exists()
    assert sorted(p.name for p in parent.iterdir()) == [
        ".out.attritionsim-new-theirs",
        ".out.attritionsim-new-x.attritionsim-new-abc",
        "out",
    ]


def test_a_run_killed_mid_write_is_tidied_by_the_next(report: Path) -> None:
    killed = (
        "import os, signal, sys\n"
        "from attritionsim.report import prepare_out\n"
        "folder = prepare_out(sys.argv[1])\n"
        "(folder.staging / 'results.nc').write_bytes(b'x' * 1_000_000)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", killed, "out"], cwd=report.parent, env=env, check=False
    )
    assert done.returncode == -9
    left = sorted(p.name for p in report.parent.iterdir())
    assert len(left) == 3  # the lock file, the staging folder, the report
    before = _snapshot(report)
    with prepare_out(report) as folder:
        assert sorted(p.name for p in report.parent.iterdir()) == sorted(
            [".out.attritionsim-lock", "out", folder.staging.name]
        )
    assert _snapshot(report) == before  # not committed: the report is untouched
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]


def test_a_report_renamed_aside_by_a_killed_run_is_restored(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    aside = report.with_name(".out.attritionsim-old-abc123")
    report.rename(aside)  # killed between the two renames of the fallback swap
    before = _snapshot(aside)
    seen: list[dict[str, bytes | None]] = []
    real = Scenario.run

    def look(self: Scenario, **overrides: Any) -> Any:
        seen.append(_snapshot(report))  # the earlier report is back before simulating
        return real(self, **overrides)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Scenario, "run", look)
        status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 0, err
    assert seen == [before]
    assert sorted(p.name for p in report.iterdir()) == REPORT
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]


def test_a_failed_commit_of_the_fallback_swap_puts_the_report_back(
    report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(report)
    monkeypatch.setattr(attritionsim.report, "_exchange", lambda first, second: False)
    real = os.rename
    calls: list[str] = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append(Path(src).name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    with prepare_out(report) as folder:
        (folder.staging / "results.nc").write_bytes(b"new")
        monkeypatch.setattr(os, "rename", flaky)
        with pytest.raises(OSError, match="No space left"):
            folder.commit()
        monkeypatch.setattr(os, "rename", real)
    assert _snapshot(report) == before
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]


def test_a_failing_run_removes_its_staging_and_lock(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(attritionsim.report, "to_markdown", broken)
    with pytest.raises(RuntimeError, match="boom"):
        _report(work, work / "run" / "out")
    assert list((work / "run").iterdir()) == []


def test_a_report_written_before_the_marker_is_replaced(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    # Version 0.1 wrote the same files without the marker: such a folder is still ours.
    (report / MARKER).unlink()
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert (status, err) == (0, "")
    assert (report / MARKER).is_file()


def test_a_look_alike_of_an_old_report_with_other_files_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    (report / MARKER).unlink()
    (report / "draft.docx").write_bytes(b"mine")
    before = _snapshot(report)
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    assert "is not an attritionsim report (no .attritionsim-report marker)" in err
    assert _snapshot(report) == before
    assert runs == []


# ------------------------------------------------------------------------------ parent folders
def test_a_run_failing_late_removes_the_parent_folders_it_created(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def late(*args: object, **kwargs: object) -> None:
        raise InputError("found late")  # e.g. draws that cannot be summarised

    monkeypatch.setattr(attritionsim.report, "summarize", late)
    (work / "run" / "nn0").mkdir()  # the user's: stays
    status, out, err = _cli(
        capsys, "run", str(work / "s.toml"), "--out", "nn0/nn1/nn2/rep", "--quiet"
    )
    assert (status, out) == (2, "")
    _error(err, "found late")
    assert len(runs) == 1  # found late: after simulating
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*")) == [
        "run",
        "run/nn0",
        "s.toml",
    ]


def test_a_failing_run_keeps_a_created_parent_that_is_no_longer_empty(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        (work / "run" / "nn1" / "mine.txt").write_text("mine", encoding="utf-8")
        raise RuntimeError("boom")

    monkeypatch.setattr(attritionsim.report, "to_markdown", broken)
    with pytest.raises(RuntimeError, match="boom"):
        _report(work, work / "run" / "nn1" / "nn2" / "out")
    assert sorted(p.relative_to(work / "run").as_posix() for p in (work / "run").rglob("*")) == [
        "nn1",
        "nn1/mine.txt",
    ]


def test_a_refused_prepare_removes_the_parent_folders_it_created(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    status, _, err = _run(capsys, work / "s.toml", "a/b/out")
    assert status == 2
    _error(err, "--out 'a/b/out': cannot prepare the report folder: Permission denied")
    assert list((work / "run").iterdir()) == []
    assert runs == []


# ------------------------------------------------------------------------------ changed reports
def _figure(report: Path) -> str:
    return sorted(p.relative_to(report).as_posix() for p in (report / "figures").iterdir())[0]


def test_a_report_whose_files_were_edited_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    with (report / "report.md").open("a", encoding="utf-8") as handle:
        handle.write("\nMy conclusions.\n")
    summary = (report / "summary.json").read_bytes()
    (report / "summary.json").write_bytes(summary.replace(b'"', b"'", 1))  # same size
    before = _snapshot(report)
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds files changed since it was written "
        "(report.md, summary.json); move them or choose a new folder",
    )
    assert _snapshot(report) == before
    assert runs == []


def test_more_than_three_changed_files_are_counted(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    figure = _figure(report)
    for name in ("report.md", "results.nc", "summary.json", figure):
        (report / name).write_bytes(b"mine")
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds files changed since it was written "
        f"({figure}, report.md, results.nc and 1 more); move them or choose a new folder",
    )


def test_a_marker_without_checksums_lists_names_only(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    # Written earlier by this code: the names only, so an edit there cannot be seen.
    record = json.loads((report / MARKER).read_text(encoding="utf-8"))
    del record["checksums"], record["folders"]
    (report / MARKER).write_text(json.dumps(record), encoding="utf-8")
    (report / "report.md").write_text("edited", encoding="utf-8")
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert (status, err) == (0, "")
    assert (report / "report.md").read_text(encoding="utf-8") != "edited"
    assert "checksums" in json.loads((report / MARKER).read_text(encoding="utf-8"))


def test_a_marker_with_bad_checksums_is_no_marker(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    record = json.loads((report / MARKER).read_text(encoding="utf-8"))
    record["checksums"]["report.md"] = {"size": "12", "sha256": "00"}
    (report / MARKER).write_text(json.dumps(record), encoding="utf-8")
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    assert "is not an attritionsim report (no .attritionsim-report marker)" in err
    assert runs == []


# ------------------------------------------------------------------------------ foreign entries
def test_an_empty_folder_made_inside_a_report_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    (report / "mydrafts").mkdir()
    (report / "figures" / "old").mkdir()
    before = _snapshot(report)
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds folders it did not write "
        "(figures/old, mydrafts); move them or choose a new folder",
    )
    assert _snapshot(report) == before
    assert runs == []


def test_an_empty_folder_is_refused_under_a_marker_without_folders(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    record = json.loads((report / MARKER).read_text(encoding="utf-8"))
    del record["checksums"], record["folders"]
    (report / MARKER).write_text(json.dumps(record), encoding="utf-8")
    (report / "mydrafts").mkdir()
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds folders it did not write "
        "(mydrafts); move them or choose a new folder",
    )
    assert (report / "mydrafts").is_dir()


def test_a_figure_replaced_by_a_link_is_refused(
    capsys: pytest.CaptureFixture[str], report: Path, runs: list[dict[str, Any]]
) -> None:
    mine = report.parent.parent / "mine.png"
    mine.write_bytes(b"my figure")
    figure = _figure(report)
    (report / figure).unlink()
    (report / figure).symlink_to(mine)
    (report / "drafts").symlink_to(report.parent.parent)  # a link to a folder: not entered
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds symbolic links it did not write "
        f"(drafts, {figure}); move them or choose a new folder",
    )
    assert (report / figure).is_symlink()
    assert os.readlink(report / figure) == str(mine)
    assert mine.read_bytes() == b"my figure"
    assert runs == []


def test_every_kind_of_entry_not_ours_is_named_in_one_line(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    (report / "report.md").write_text("edited", encoding="utf-8")
    (report / "notes.md").write_text("mine", encoding="utf-8")
    (report / "mydrafts").mkdir()
    (report / "mydrafts" / "inside.md").write_text("mine", encoding="utf-8")  # not listed
    (report / "link").symlink_to("report.md")
    status, _, err = _run(capsys, report.parent.parent / "s.toml", "out")
    assert status == 2
    _error(
        err,
        "--out 'out' is an attritionsim report but holds files changed since it was written "
        "(report.md), files it did not write (notes.md), folders it did not write (mydrafts) "
        "and symbolic links it did not write (link); move them or choose a new folder",
    )


# ------------------------------------------------------------------------------ permissions
@pytest.mark.parametrize("existing", ["empty", "report"])
def test_a_replaced_folder_keeps_its_permission_bits(
    capsys: pytest.CaptureFixture[str],
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    existing: str,
) -> None:
    priv = work / "run" / "priv"
    if existing == "report":
        _report(work, priv)
    else:
        priv.mkdir()
    priv.chmod(0o700)
    modes: list[int] = []
    real = Scenario.run

    def look(self: Scenario, **overrides: Any) -> Any:
        (staging,) = (p for p in priv.parent.iterdir() if "-new-" in p.name)
        modes.append(staging.stat().st_mode & 0o777)  # private while it is written, too
        return real(self, **overrides)

    monkeypatch.setattr(Scenario, "run", look)
    status, _, err = _run(capsys, work / "s.toml", "priv")
    assert (status, err) == (0, "")
    assert modes == [0o700]
    assert priv.stat().st_mode & 0o7777 == 0o700
    assert sorted(p.name for p in priv.iterdir()) == REPORT


def test_a_group_readable_report_stays_so_and_a_new_folder_follows_the_umask(work: Path) -> None:
    out = work / "run" / "out"
    umask = os.umask(0o027)
    try:
        _report(work, out)
        assert out.stat().st_mode & 0o777 == 0o750
        out.chmod(0o751)
        _report(work, out)
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o751


def test_a_read_only_report_is_replaced_and_stays_read_only(work: Path) -> None:
    out = _report(work, work / "run" / "out")
    out.chmod(0o555)
    _report(work, out)
    assert out.stat().st_mode & 0o777 == 0o555
    assert sorted(p.name for p in out.iterdir()) == REPORT
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    out.chmod(0o755)


# ------------------------------------------------------------------------------ interrupted runs
_WAITING = (
    "import signal, sys, time\n"
    "from attritionsim import cli\n"
    "from attritionsim.scenario import Scenario\n"
    "signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))  # as the CLI does\n"
    "def wait(self, **overrides):\n"
    "    print('running', flush=True)\n"
    "    time.sleep(60)\n"
    "Scenario.run = wait\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize(
    ("signum", "out", "status"),
    [(signal.SIGINT, "a/b/out", 130), (signal.SIGTERM, "out", 143)],  # the CLI catches both
    ids=["SIGINT", "SIGTERM"],
)
def test_an_interrupted_run_removes_its_staging_lock_and_parents(
    report: Path, signum: int, out: str, status: int
) -> None:
    before = _snapshot(report)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    argv = ["run", str(report.parent.parent / "s.toml"), "--out", out, "--quiet"]
    with subprocess.Popen(
        [sys.executable, "-c", _WAITING, *argv],
        cwd=report.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "running\n"
        left = sorted(p.name for p in (report.parent / out).parent.iterdir())
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == status
    lock, staging = (name for name in left if name != "out")  # there while it ran
    assert lock == ".out.attritionsim-lock"
    assert staging.startswith(".out.attritionsim-new-")
    assert _snapshot(report) == before
    assert sorted(p.name for p in report.parent.iterdir()) == ["out"]
