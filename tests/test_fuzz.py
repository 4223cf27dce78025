"""Fuzzing the command line: hostile scenario files and arguments end cleanly.

Each case is a scenario file (a valid one mutated: values swapped for hostile ones, keys dropped or
invented, names clashing, expressions scrambled, bytes flipped) and a command line (hostile draws,
seeds, levels and ``--out`` paths). The contract checked for every case:

- exit 0 with a report that reads back (``summarize`` of its ``results.nc`` exits 0), or exit 2 with
  exactly one line on stderr, ``attritionsim: error: ...``, and no report folder left behind;
- never exit 1 (an internal error), a traceback, a warning that is not one of ours, or a hang
  (each case has a time limit);
- nothing outside the report folder is deleted or changed (sentinel files around it are checked).

The suite runs a fixed, derandomized set of cases. For a longer campaign and its tally::

    python tests/test_fuzz.py --cases 4000 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attritionsim import cli

# ------------------------------------------------------------------------------ the base scenario
BASE: dict[str, Any] = {
    "scenario": {"title": "Fuzz base", "draws": 400, "seed": 7, "level": 0.9, "method": "mc"},
    "inputs": {
        "ru": {"range": [900_000, 1_000_000], "family": "lognormal", "units": "people"},
        "ru_killed": {"up_to": 250_000, "low": 150_000, "family": "uniform", "units": "people"},
        "rate": {"approximately": 1_000, "rel": 0.2, "units": "people/day"},
        "ua": {"source": "csis-2025-06-ukraine-casualties"},
        "floor": {"at_least": 60_000},
        "cap": {"more_than": 10_000},
        "near": {"nearly": 400_000},
        "mode": {"pert": [60_000, 80_000, 100_000]},
        "start": {"value": "2025-06-01"},
        "pooled": {"pool": ["csis-2025-05-russia-casualties", "ukmod-2025-05-russia-casualties"]},
    },
    "correlations": {"pairs": [["ru", "ru_killed", 0.5]]},
    "derived": {
        "ratio": "ratio(ru, ua)",
        "in_band": "prob_between(ratio, 2, 2.5)",
        "share": "killed_share(ru, ru_killed)",
        "million": "crossing_date(ru, rate, 1_000_000, start)",
        "by_july": "prob_crossed_by(million, '2025-07-01')",
    },
    "units": {"ratio": "ratio", "share": "share"},
    "long_names": {"ratio": "Russia:Ukraine ratio"},
    "report": {"headline": ["ratio", "in_band", "share", "million"]},
}

HOSTILE_VALUES: list[Any] = [
    0,
    -1,
    1,
    2,
    -(10**6),
    10**400,
    -(10**400),
    2**63,
    2**63 - 1,
    2**64,
    10**30,
    0.0,
    -0.0,
    1e-300,
    5e-324,
    1e308,
    -1e308,
    1.7e308,
    math.inf,
    -math.inf,
    math.nan,
    0.5,
    1.0,
    1.5,
    0.999999999,
    1e-9,
    "",
    "x",
    "lognormal",
    "2025-06-01",
    "2025-13-45",
    "1e400",
    "draw",
    "\u00e9",
    "\x00",
    "a" * 300,
    True,
    False,
    dt.date(2025, 6, 1),
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    [],
    [1],
    [1, 2],
    [2, 1],
    [1, 2, 3],
    [-50, 100],
    [0, 0],
    [1e307, 1.7e308],
    ["a", "b"],
    [[1, 2]],
    {},
    {"a": 1},
    {"0": {"1": 5}},
]
# Valid inputs whose draws are extreme: rates spanning zero or near it, ranges near the float limit.
EXTREME_INPUTS: list[dict[str, Any]] = [
    {"range": [-50, 100], "family": "normal"},
    {"range": [1e-9, 2e-9]},
    {"approximately": 1e-6},
    {"range": [1e307, 1.7e308], "family": "triangular"},
    {"range": [1e300, 1e305]},
    {"range": [1e-300, 1e-290]},
    {"range": [0.2, 0.35], "family": "beta"},
    {"range": [-1e6, 1e6], "family": "normal"},
    {"value": 0},
    {"value": -1},
    {"value": "1900-01-01"},
    {"up_to": 1e-300},
    {"metalog": {"0.1": 1, "0.5": 2, "0.9": 1e6}},
    {"range": [1, 1e12]},
]
HOSTILE_NAMES = [
    "draw",
    "date",
    "source",
    "ru",
    "RU",
    "\ufb01rst",
    "fi" + "rst",
    "caf\u00e9",
    "cafe\u0301",
    "a" * 300,
    "x y",
    "1abc",
    "if",
    "lambda",
    "__class__",
    "_",
    "ratio",
    "\u0394",
]
EXPRESSION_TOKENS = [
    "ru",
    "ua",
    "rate",
    "ratio",
    "start",
    "million",
    "ru_killed",
    "share",
    "1",
    "0",
    "-1",
    "1e308",
    "10**400",
    "'2025-06-01'",
    "'1700-01-01'",
    "'9999-12-31'",
    "+",
    "-",
    "*",
    "/",
    "**",
    "(",
    ")",
    ",",
    "<",
    "==",
    "and",
    "not",
    "if",
    "else",
    "ratio(",
    "crossing_date(",
    "prob_between(",
    "implied_rate(",
    "log(",
    "sqrt(",
    "days(",
    "killed_share(",
    "__import__(",
    "open(",
    "x.y",
    "[0]",
    "lambda",
    ":",
    "'",
    '"',
    "\\",
    "\u00e9",
    "nan",
    "inf",
]
# Each option's valid values, then its hostile ones; a case takes a valid one half the time.
OPTIONS: dict[str, tuple[list[str], list[str]]] = {
    "--draws": (["1", "2", "3", "64"], ["0", "-5", "x", "1e3", str(10**30), str(2**63), "2.5"]),
    "--seed": (["0", "1", str(2**63 - 1)], [str(2**63), str(2**64), "-1", "x"]),
    "--level": (["0.5", "0.999", "1"], ["0", "1e-300", "2", "nan", "-0.1", "inf"]),
    "--method": (["mc", "lhs", "sobol"], ["MC", "x", ""]),
    "--chunk-size": (["1", "7", "100"], ["0", "-1", "x"]),
}
# --out values relative to the sandbox, where "DIR" names the sandbox's precious folder.
OUTS = [
    "report",
    "report",
    "report",
    "nested/deeper/report",
    ".",
    "",
    "..",
    "/",
    "precious",
    "precious/notes.txt/report",
    "scenario.toml",
    "x" * 300,
    "empty",
    "existing_report",
]


# ------------------------------------------------------------------------------ TOML text
def _key(name: str) -> str:
    if name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
        return name
    return json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(data: dict[str, Any]) -> str:
    """Serialise a scenario dict (sections of scalars, ``inputs`` of tables) to TOML text."""
    lines: list[str] = []
    for section, body in data.items():
        if not isinstance(body, dict):
            lines.append(f"{_key(section)} = {_value(body)}")
            continue
        if section == "inputs":
            for name, table in body.items():
                lines.append(f"[inputs.{_key(name)}]")
                if isinstance(table, dict):
                    lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
                else:
                    lines[-1] = f"inputs.{_key(name)} = {_value(table)}"
            continue
        lines.append(f"[{_key(section)}]")
        lines += [f"{_key(k)} = {_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ cases
@dataclasses.dataclass
class Case:
    """One fuzz case: the scenario file's bytes and the command line's options."""

    text: bytes
    options: list[str]
    out: str | None
    mutations: list[str]


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*path, i)
            yield from _leaves(value, (*path, i))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _mutate(data: dict[str, Any], rng: random.Random, log: list[str]) -> None:
    kind = rng.choice(
        [
            "value",
            "value",
            "extreme",
            "extreme",
            "delete",
            "unknown",
            "rename",
            "expression",
            "correlation",
            "report",
            "section",
        ]
    )
    log.append(kind)
    paths = list(_leaves(data))
    if kind == "value":
        path = rng.choice(paths)
        _parent(data, path)[path[-1]] = rng.choice(HOSTILE_VALUES)
    elif kind == "extreme":
        name = rng.choice(["ru", "rate", "ru_killed", "ua", "start"])
        data["inputs"][name] = dict(rng.choice(EXTREME_INPUTS))
        log[-1] = f"extreme:{name}"
    elif kind == "delete":
        path = rng.choice(paths)
        parent = _parent(data, path)
        del parent[path[-1]]
    elif kind == "unknown":
        path = rng.choice([p for p in paths if isinstance(_parent(data, p)[p[-1]], dict)] or [()])
        target = _parent(data, path)[path[-1]] if path else data
        target[rng.choice(["colour", "famly", "draws", "x", "level"])] = rng.choice(HOSTILE_VALUES)
    elif kind == "rename":
        inputs = data.get("inputs")
        table = data.get("derived") if rng.random() < 0.5 else inputs
        if isinstance(table, dict) and table:
            old = rng.choice(list(table))
            table[rng.choice(HOSTILE_NAMES)] = table.pop(old)
    elif kind == "expression":
        derived = data.setdefault("derived", {})
        if isinstance(derived, dict):
            text = " ".join(rng.choice(EXPRESSION_TOKENS) for _ in range(rng.randint(1, 8)))
            derived[rng.choice(["ratio", "new", "million", "gap"])] = text
    elif kind == "correlation":
        names = [*HOSTILE_NAMES[:4], "ru", "ua", "rate", "ratio"]
        pair = [rng.choice(names), rng.choice(names), rng.choice(HOSTILE_VALUES)]
        data["correlations"] = {"pairs": [pair] * rng.randint(1, 2)}
    elif kind == "report":
        data["report"] = {
            rng.choice(["headline", "digits", "colour"]): rng.choice(
                [*HOSTILE_VALUES, ["ratio", "draw"], ["nope"], ["million", "million"]]
            )
        }
    else:
        data[rng.choice(["scenario", "inputs", "derived", "units", "extra"])] = rng.choice(
            HOSTILE_VALUES
        )


def _mutate_bytes(text: bytes, rng: random.Random, log: list[str]) -> bytes:
    kind = rng.choice(["flip", "truncate", "insert", "encode", "nest", "duplicate"])
    log.append(f"bytes:{kind}")
    if kind == "flip" and text:
        i = rng.randrange(len(text))
        return text[:i] + bytes([rng.randrange(256)]) + text[i + 1 :]
    if kind == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    if kind == "insert":
        i = rng.randrange(len(text) + 1)
        junk = rng.choice([b"\xff\xfe", b"\x00", b"[[", b"]", b'"', b"\n[inputs]\n", b"=", b"\x80"])
        return text[:i] + junk + text[i:]
    if kind == "encode":
        codec = rng.choice(["utf-16", "latin-1", "utf-32"])
        body = text.decode("utf-8").replace("Fuzz", "F\u00fczz")
        return body.encode(codec, errors="replace")
    if kind == "nest":
        depth = rng.choice([50, 1000, 5000])
        return text + b"deep = " + b"[" * depth + b"]" * depth + b"\n"
    lines = text.split(b"\n")
    i = rng.randrange(len(lines))
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


def make_case(seed: int) -> Case:
    """The fuzz case of ``seed``: the same seed always gives the same case."""
    rng = random.Random(seed)
    data = json.loads(json.dumps(BASE))
    log: list[str] = []
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(data, rng, log)
    try:
        text = to_toml(data).encode("utf-8")
    except TypeError:
        text = to_toml(BASE).encode("utf-8")
    if rng.random() < 0.2:
        text = _mutate_bytes(text, rng, log)
    options: list[str] = []
    for option, (valid, hostile) in OPTIONS.items():
        if rng.random() < 0.15:
            options += [option, rng.choice(valid if rng.random() < 0.5 else hostile)]
            log.append(option)
    out = rng.choice(OUTS) if rng.random() < 0.6 else None
    return Case(text=text, options=options, out=out, mutations=log)


# ------------------------------------------------------------------------------ running a case
@dataclasses.dataclass
class Outcome:
    """What a case did: its exit status, its stderr, and what went wrong (empty when nothing)."""

    status: int
    stderr: str
    problems: list[str]


class _Hang(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise _Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name too long for the file system
        return False


def _snapshot(root: Path, skip: Path | None) -> dict[str, str]:
    """Every file under ``root`` (outside ``skip``) with a digest of its content."""
    out = {}
    for path in root.rglob("*"):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _sandbox(root: Path) -> None:
    """Files a careless ``--out`` could destroy: a precious folder, an empty one, an old report."""
    (root / "precious").mkdir()
    (root / "precious" / "notes.txt").write_text("thesis chapter 3\n")
    (root / "empty").mkdir()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = cli.main(
            ["run", str(root / "seed.toml"), "--draws", "64", "--quiet", "--out", "existing_report"]
        )
    assert status == 0, "the sandbox's earlier report could not be written"


def run_case(case: Case, root: Path, *, limit: float = 60.0) -> Outcome:
    """Run ``case`` in the sandbox ``root`` (the working directory) and check the contract."""
    scenario = root / "scenario.toml"
    scenario.write_bytes(case.text)
    target = None if case.out in (None, "") else (root / case.out)
    if target is not None and case.out in (".", "..", "/"):
        target = None  # these must be refused; their contents are the sentinels
    before = _snapshot(root, target)
    argv = ["run", str(scenario), "--quiet", *case.options]
    if "--draws" not in case.options:
        argv += ["--draws", "200"]
    if case.out is not None:
        argv += ["--out", case.out]
    out, err = io.StringIO(), io.StringIO()
    existed = target is not None and _exists(target)
    problems: list[str] = []
    start = time.perf_counter()
    try:
        with (
            _time_limit(limit),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            status = cli.main(argv)
    except _Hang as hang:
        return Outcome(-1, err.getvalue(), [f"hang: {hang}"])
    except BaseException as exc:  # anything escaping main is a finding
        return Outcome(-1, err.getvalue(), [f"escaped main: {type(exc).__name__}: {exc}"])
    stderr = err.getvalue()
    lines = stderr.splitlines()
    if "Traceback" in stderr:
        problems.append("traceback on stderr")
    if status == 2:
        if len(lines) != 1 or not lines[0].startswith("attritionsim: error: "):
            problems.append(f"exit 2 with {len(lines)} stderr lines")
        if target is not None and not existed and _exists(target):
            problems.append("exit 2 left an output folder behind")
    elif status == 0:
        stray = [line for line in lines if not line.startswith("attritionsim: warning: ")]
        if stray:
            problems.append(f"stray stderr on success: {stray[0][:200]!r}")
        if target is not None:
            results = target / "results.nc"
            if not (target / "report.md").is_file() or not results.is_file():
                problems.append("exit 0 without a complete report folder")
            else:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                    back = cli.main(["summarize", str(results), "--format", "json"])
                if back != 0:
                    problems.append(f"summarize of the written results exited {back}")
    else:
        problems.append(f"exit status {status}: {stderr.strip()[:300]}")
    after = _snapshot(root, target)
    lost = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    if lost:
        problems.append(f"deleted outside the report folder: {lost[:3]}")
    if changed:
        problems.append(f"changed outside the report folder: {changed[:3]}")
    if time.perf_counter() - start > limit:
        problems.append("too slow")
    return Outcome(status, stderr, problems)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "seed.toml").write_text(to_toml(BASE), encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        _sandbox(root)
        yield root
    finally:
        os.chdir(cwd)


def test_base_case_runs(sandbox: Path) -> None:
    """The unmutated base scenario writes a report: the fuzz cases start from something valid."""
    case = Case(to_toml(BASE).encode(), [], "report", [])
    outcome = run_case(case, sandbox)
    assert outcome.problems == []
    assert outcome.status == 0


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_fuzz_cli_contract(sandbox: Path, seed: int) -> None:
    """Exit 0 with a readable report or exit 2 with one line; nothing else, nothing lost."""
    case = make_case(seed)
    outcome = run_case(case, sandbox, limit=30.0)
    assert outcome.problems == [], (seed, case.mutations, case.options, case.out, outcome.stderr)


# ------------------------------------------------------------------------------ a campaign
def main(argv: list[str] | None = None) -> int:
    """Run many cases and print the tally: tried, clean (exit 0 / exit 2), and each finding."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per case")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import warnings

    warnings.simplefilter("error")  # as in the suite: a warning that leaks is a finding
    tally = {"tried": 0, "exit 0": 0, "exit 2": 0, "findings": 0}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "seed.toml").write_text(to_toml(BASE), encoding="utf-8")
        os.chdir(root)
        _sandbox(root)
        for i in range(args.cases):
            seed = args.seed * 1_000_003 + i
            case = make_case(seed)
            outcome = run_case(case, root, limit=args.limit)
            tally["tried"] += 1
            if outcome.problems:
                tally["findings"] += 1
                print(f"seed {seed}: {outcome.problems} {case.mutations} {case.options} {case.out}")
            else:
                tally[f"exit {outcome.status}"] += 1
    print(json.dumps(tally))
    return 1 if tally["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
