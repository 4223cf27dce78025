"""The ``attritionsim`` command line: thin over the library.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error (or
standard output closed early, e.g. piped into ``head``), 130 interrupted (Ctrl-C), 143
terminated (SIGTERM); an interrupted or terminated run still removes its unfinished report.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from . import _validate, elicit
from ._format import fmt_sig, fmt_value
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .errors import InputError

__all__ = ["main"]

_EPILOG = """\
examples:
  attritionsim report                                # default scenario -> ./attritionsim-report/
  attritionsim report --draws 1000000 --out out/     # more draws, another folder
  attritionsim run scenario.toml --method lhs        # your own scenario file
  attritionsim sources --side russia --measure casualties
  attritionsim summarize attritionsim-report/results.nc --format latex
  attritionsim --version
  attritionsim elicit range 500000 600000            # CSIS: 500,000 to 600,000
  attritionsim elicit approximately 1200000          # CSIS: approximately 1.2 million
  attritionsim elicit up_to 250000 --family uniform  # CSIS: up to 250,000 killed
"""

#: The qualifiers ``attritionsim elicit`` takes: the ways sources word a figure that have a rule.
_QUALIFIERS = tuple(
    name for name, rule in elicit.QUALIFIERS.items() if rule.worded and rule.function is not None
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are :class:`InputError`: one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="attritionsim",
        description="Monte Carlo credible intervals for contested figures of war losses.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"attritionsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    elicit_ = commands.add_parser(
        "elicit",
        help="show the distribution a qualified figure becomes, and its intervals",
        description="Show the distribution that a source's figure and qualifier become.",
    )
    elicit_.add_argument("qualifier", choices=_QUALIFIERS)
    elicit_.add_argument("values", nargs="+", type=float, help="the figure(s) as published")
    elicit_.add_argument("--family", default=None, help="distribution family (see from_range)")
    elicit_.add_argument("--level", type=float, default=None, help="credible level of the range")

    report = commands.add_parser(
        "report",
        help="run the default scenario and write the report folder",
        description="Run the bundled default scenario (both CSIS estimates, the UK MoD figure "
        "and the daily rates), print the headline figures and write the report folder.",
    )
    _run_options(report, default_out="attritionsim-report")

    run = commands.add_parser(
        "run",
        help="run a scenario file and write its report folder",
        description="Run a scenario TOML file, print its headline figures and write the report.",
    )
    run.add_argument("scenario", help="the scenario TOML file")
    _run_options(run, default_out=None)

    sources = commands.add_parser(
        "sources",
        help="list the catalogue of published figures",
        description="List the bundled catalogue of published figures (and your own files).",
    )
    sources.add_argument("--side", default=None, help="e.g. russia, ukraine")
    sources.add_argument("--measure", default=None, help="e.g. casualties, killed, daily_rate")
    sources.add_argument("--publisher", default=None, help="e.g. csis, ukmod")
    sources.add_argument("--format", default="table", choices=("table", "csv", "json"))
    sources.add_argument("--file", action="append", default=[], help="your own TOML/CSV records")

    summarize = commands.add_parser(
        "summarize",
        help="summarize a results file",
        description="Summarize a results.nc file: medians, intervals and their MC errors.",
    )
    summarize.add_argument("results", help="a results.nc written by report or run")
    summarize.add_argument(
        "--level", type=_interval_level, default=None, help="credible level, in [0.01, 1)"
    )
    summarize.add_argument("--format", default="md", choices=("md", "json", "csv", "latex"))
    summarize.add_argument(
        "--group",
        default=None,
        metavar="NAME",
        help="a group of the file instead of the model's run, e.g. synthesis/ru (the report's "
        "synthesis quantities)",
    )
    return parser


def _run_options(parser: argparse.ArgumentParser, default_out: str | None) -> None:
    parser.add_argument("--draws", type=int, default=None, help="number of Monte Carlo draws")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--method", default=None, choices=("mc", "lhs", "sobol"))
    parser.add_argument("--chunk-size", type=int, default=None, help="draws per block")
    parser.add_argument(
        "--level", type=_interval_level, default=None, help="credible level, in [0.01, 1)"
    )
    parser.add_argument(
        "--out",
        default=default_out,
        help=f"report folder (default: {default_out or 'none'}); an existing folder is replaced "
        "only if it is empty or an earlier attritionsim report, checked before simulating",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--readings",
        default=None,
        help="comma-separated readings of the sources to compare, e.g. "
        "default,face-value,sceptical (default: the scenario's [report] readings)",
    )
    group = parser.add_argument_group(
        "Dask cluster",
        "compute the draws on a dask.distributed cluster (the same results, bit for bit; "
        'needs pip install "attritionsim[dask]")',
    )
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="a running scheduler's address, e.g. tcp://10.0.0.5:8786",
    )
    where.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=None,
        help="start a local cluster of N worker processes for this run",
    )


def _interval_level(text: str) -> float:
    """``--level`` of run, report and summarize: the level of intervals of draws, in [0.01, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number such as 0.9 (a 90% interval); got {text!r}"
        ) from None
    try:
        return _validate.level(value, closed=False)
    except InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


class _ProgressBar:
    """A one-line progress bar on stderr, shown once a run has taken about a second.

    The line is left open while the run goes on; :meth:`end` closes it: kept (a line break)
    when the command succeeds, wiped (carriage return, erase line) before an error takes it.
    """

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.shown = False
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        if not self.shown and time.perf_counter() - self.start < 1.0 and done < total:
            return
        self.shown = self.open = True
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r  [{bar}] {done:,}/{total:,} draws")
        sys.stderr.flush()

    def end(self, *, keep: bool) -> None:
        """Close the bar's line: end it (``keep``) or wipe it, so that an error stands alone."""
        if self.open:
            self.open = False
            sys.stderr.write("\n" if keep else "\r\033[K")
            sys.stderr.flush()


def _run(args: argparse.Namespace) -> str:
    from .model import largest_draws
    from .report import default_scenario
    from .scenario import load_scenario

    if args.draws is not None:
        _validate.draws(args.draws, name="--draws")
    if args.chunk_size is not None:
        _validate.draws(args.chunk_size, name="--chunk-size")
    scenario = default_scenario() if args.command == "report" else load_scenario(args.scenario)
    readings = _readings(args.readings, scenario.reading_names())
    show = not args.quiet and sys.stderr.isatty()
    draws = args.draws if args.draws is not None else scenario.draws
    chunk = args.chunk_size
    if show and chunk is None:
        chunk = max(10_000, draws // 50)  # results do not depend on the chunk size
    if draws > largest_draws(scenario.model, chunk_size=chunk):
        most = largest_draws(scenario.model, chunk_size=args.chunk_size)
        given = "--draws" if args.draws is not None else "the scenario's draws"
        raise InputError(
            f"{given} {fmt_value(draws)} would not fit in memory: this machine holds at most "
            f"{fmt_value(most)} draws of this scenario's quantities; use --draws {most} or fewer"
        )
    options = {
        "draws": args.draws,
        "seed": args.seed,
        "method": args.method,
        "chunk_size": chunk,
        "level": args.level,
        "progress": args.progress_bar if show else None,
    }
    with _cluster(args) as client:
        return _run_on(scenario, args, {**options, "client": client}, readings)


@contextlib.contextmanager
def _cluster(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client of ``--scheduler`` or ``--workers`` (``None`` without them).

    The scheduler is reached, or the local cluster started, on entry, before anything is
    simulated; a failure is one line naming the option.
    """
    if args.scheduler is None and args.workers is None:
        yield None
        return
    from . import dask_backend

    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(
                dask_backend.cluster(
                    args.scheduler, workers=args.workers, timeout=dask_backend.CONNECT_TIMEOUT
                )
            )
        except InputError as err:  # its messages start with the option's name
            raise InputError(f"--{err}") from None
        where = args.scheduler or f"{args.workers} local workers"
        try:
            yield client
        except Exception as err:
            origin = type(err).__module__.split(".")[0]
            if origin in {"distributed", "tornado"} or isinstance(
                err, concurrent.futures.CancelledError | asyncio.CancelledError
            ):
                raise _ClusterLost(
                    f"the Dask cluster ({where}) stopped mid-run "
                    f"({type(err).__name__}: {err}); nothing was written"
                ) from None
            raise


def _run_on(
    scenario: Any,
    args: argparse.Namespace,
    options: dict[str, Any],
    readings: list[str] | None,
) -> str:
    """Run the scenario with ``options`` (on a cluster when they hold a client); what to print.

    ``readings``: those ``--readings`` named (``None``: the scenario's own).
    """
    from .report import write_report

    if args.out is None:
        from .report import headline_sentences

        ds = scenario.run(**{k: v for k, v in options.items() if k != "level"})
        level = scenario.level if args.level is None else args.level
        names = list(scenario.headline) or [str(n) for n in ds.data_vars][:8]
        text = headline_sentences(ds, names, level=level, digits=scenario.digits)
        chosen = scenario.readings if readings is None else readings
        if chosen:
            from .readings import compare_readings, readings_markdown

            comparison = compare_readings(
                scenario, chosen, headline=names, draws=args.draws, seed=args.seed, level=level
            )
            text += ["", *readings_markdown(comparison, digits=scenario.digits)]
        return "\n".join(text)
    _, sentences = write_report(scenario, args.out, readings=readings, **options)
    lines = [scenario.title, ""] if scenario.title else []
    lines += [f"  {s}" for s in sentences]
    shown = args.out.rstrip("/") or args.out
    lines += ["", f"report written to {shown}/ (report.md, summary.json, results.nc, figures/)"]
    return "\n".join(lines)


def _readings(text: str | None, valid: list[str]) -> list[str] | None:
    """``--readings a,b,c``: the names, each a reading the scenario knows (None: not given)."""
    if text is None:
        return None
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise InputError(f"--readings is empty; valid: {', '.join(valid)}")
    for name in names:
        if name not in valid:
            raise InputError(f"--readings: unknown reading {name!r}; valid: {', '.join(valid)}")
    return names


def _sources(args: argparse.Namespace) -> str:
    from .catalogue import format_records, load_catalogue

    catalogue = load_catalogue(*args.file).query(
        side=args.side, measure=args.measure, publisher=args.publisher
    )
    return format_records(catalogue, fmt=args.format)


def _summarize(args: argparse.Namespace) -> str:
    from . import citation, summary
    from .resultsfile import read_results

    folder = os.path.join(args.results, "results.nc")
    if os.path.isdir(args.results) and os.path.isfile(folder):
        raise InputError(
            f"results file {args.results!r} is a folder; give its results file: "
            f"attritionsim summarize {folder}"
        )
    ds = read_results(args.results, group=args.group)
    level = args.level if args.level is not None else float(ds.attrs.get("level", DEFAULT_LEVEL))
    result = summary.summarize(ds, level=level)
    if not result["quantities"]:
        skipped = [f"{name} ({_why_skipped(ds[name])})" for name in ds.data_vars]
        raise InputError(
            f"results file {args.results!r} has nothing to summarize: a quantity needs one "
            "number, date or true/false value per draw (dimension 'draw' only); "
            + (f"skipped {', '.join(skipped)}" if skipped else "it holds no variables")
        )
    if args.format == "json":
        return json.dumps(result, indent=2, allow_nan=False)
    if args.format == "csv":
        return citation.to_csv(result).rstrip("\n")
    if args.format == "latex":
        return citation.to_latex(result)
    return citation.to_markdown(result)


def _why_skipped(da: Any) -> str:
    """Why ``summarize`` leaves out a variable: its dimensions, or the kind of its values."""
    if da.dims != ("draw",):
        return f"dimensions {', '.join(map(str, da.dims)) or 'none'}"
    kind = {"U": "text", "S": "text", "O": "text", "m": "time differences"}.get(da.dtype.kind)
    return f"{kind or str(da.dtype)} values"


def _elicit(args: argparse.Namespace) -> str:
    options = {
        key: value
        for key, value in (("family", args.family), ("level", args.level))
        if value is not None
    }
    rule = elicit.QUALIFIERS[args.qualifier]
    assert rule.function is not None  # _QUALIFIERS holds only rules with a function
    expected = len(rule.figure)
    if len(args.values) != expected:
        raise InputError(f"'{args.qualifier}' takes {expected} value(s); got {len(args.values)}")
    dist = rule.function(*args.values, **options)
    rows = [repr(dist), f"  median        {fmt_sig(dist.median(), 4)}"]
    rows.append(f"  mean          {fmt_sig(dist.mean(), 4)}")
    for level in (0.5, 0.9, 0.95):
        low, high = dist.interval(level)
        rows.append(f"  {level:.0%} interval  [{fmt_sig(low, 4)}, {fmt_sig(high, 4)}]")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Bad input prints one line, ``attritionsim: error: ...``, on stderr and returns 2. Warnings
    raised while a command runs (e.g. a Sobol run whose draws are not a power of two) are
    printed after it, each distinct one once, as one line ``attritionsim: warning: ...``; a
    failed command prints only its error. Ctrl-C prints ``attritionsim: interrupted`` and
    returns 130; while ``main`` runs, SIGTERM raises ``SystemExit`` (so that an unfinished
    report folder is cleaned up), prints ``attritionsim: terminated`` and returns 143; the
    previous SIGTERM handler is restored afterwards. Standard output closed early (a pipe into
    ``head``) returns 1 silently.

    Examples
    --------
    >>> main(["elicit", "range", "500000", "600000"])
    LogNormal(90% in [500,000, 600,000])
    ...
    0
    """
    parser = _parser()
    bar = _ProgressBar()
    previous = _catch_sigterm()
    try:
        return _main(parser, argv, bar)
    except KeyboardInterrupt:
        bar.end(keep=False)
        _say("attritionsim: interrupted", sys.stderr)
        return 130
    except _Terminated:
        bar.end(keep=False)
        _say("attritionsim: terminated", sys.stderr)
        return 143
    except BrokenPipeError:  # stdout closed early, e.g. piped into head: stop quietly
        _silence_stdout()
        return 1
    except _Unwritable as err:  # e.g. stdout on a full disk: one line, no traceback
        _silence_stdout()
        _say(f"attritionsim: error: cannot write the output: {err}", sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(parser: argparse.ArgumentParser, argv: Sequence[str] | None, bar: _ProgressBar) -> int:
    """Parse, run the command and print what it says; the exit status."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            args = parser.parse_args(argv)
            args.progress_bar = bar
            text = _command(parser, args)
        except InputError as err:
            bar.end(keep=False)
            _say(f"attritionsim: error: {_one_line(str(err))}", sys.stderr)
            return 2
        except BrokenPipeError:
            raise
        except _ClusterLost as err:
            bar.end(keep=False)
            _say(f"attritionsim: error: {_one_line(str(err))}", sys.stderr)
            return 1
        except Exception as err:  # pragma: no cover - the last line of defence
            bar.end(keep=False)
            message = _one_line(f"{type(err).__name__}: {err}")
            _say(f"attritionsim: internal error: {message}", sys.stderr)
            return 1
    bar.end(keep=True)
    for message in _warnings(caught):
        _say(f"attritionsim: warning: {message}", sys.stderr)
    if text is not None:
        _say(text, sys.stdout, required=True)
    return 0


class _ClusterLost(Exception):
    """The Dask cluster a run computes on went away (a scheduler killed, workers lost)."""


class _Unwritable(Exception):
    """Standard output cannot take what the command prints (a full disk, a closed stream)."""


def _say(text: str, stream: Any, *, required: bool = False) -> None:
    """Print ``text`` on ``stream``, whatever the stream can encode.

    Characters the stream's encoding lacks (``PYTHONIOENCODING=ascii``) are written as
    backslash escapes. Where stderr itself cannot be written nothing more can be said; where
    stdout cannot (``required``), :class:`_Unwritable` says why.
    """
    if stream is None:  # started with the stream closed (``>&-``)
        if required:
            raise _Unwritable("standard output is closed")
        return
    try:
        try:
            stream.write(text + "\n")
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as err:  # ValueError: the stream was closed
        if required:
            raise _Unwritable(getattr(err, "strerror", None) or str(err)) from None


class _Terminated(SystemExit):
    """Raised by the SIGTERM handler, so that ``finally`` blocks and context managers run."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated(128 + signal.SIGTERM)


def _catch_sigterm() -> Any:
    """Make SIGTERM raise :class:`_Terminated`; the previous handler (``None``: not installed)."""
    try:
        return signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals to the program that runs us
        return None


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no descriptor (captured, closed): nothing to do
        pass


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """Run the chosen command; return what it prints (``None``: it printed the help)."""
    if args.command == "elicit":
        return _elicit(args)
    if args.command in ("report", "run"):
        return _run(args)
    if args.command == "sources":
        return _sources(args)
    if args.command == "summarize":
        return _summarize(args)
    parser.print_help()
    return None


def _warnings(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    """The distinct warnings worth showing, each as one line, in the order first raised.

    Deprecation warnings are about this program's code, not the user's input: they are left out.
    """
    out: list[str] = []
    for item in caught:
        if issubclass(item.category, DeprecationWarning | PendingDeprecationWarning):
            continue
        message = _one_line(str(item.message))
        if not issubclass(item.category, UserWarning):  # e.g. a numpy RuntimeWarning
            message = f"{message} ({item.category.__name__})"
        if message not in out:
            out.append(message)
    return out


def _one_line(text: str) -> str:
    """``text`` with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
