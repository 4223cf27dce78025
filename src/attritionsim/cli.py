"""The ``attritionsim`` command line: thin over the library.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from ._format import fmt_sig
from ._version import __version__
from .errors import InputError

__all__ = ["main"]

_EPILOG = """\
examples:
  attritionsim --version
  attritionsim elicit range 500000 600000            # CSIS: 500,000 to 600,000
  attritionsim elicit approximately 1200000          # CSIS: approximately 1.2 million
  attritionsim elicit up_to 250000 --family uniform  # CSIS: up to 250,000 killed
"""

_QUALIFIERS = ("range", "approximately", "up_to", "at_least", "nearly", "more_than")


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
    elicit = commands.add_parser(
        "elicit",
        help="show the distribution a qualified figure becomes, and its intervals",
        description="Show the distribution that a source's figure and qualifier become.",
    )
    elicit.add_argument("qualifier", choices=_QUALIFIERS)
    elicit.add_argument("values", nargs="+", type=float, help="the figure(s) as published")
    elicit.add_argument("--family", default=None, help="distribution family (see from_range)")
    elicit.add_argument("--level", type=float, default=None, help="credible level of the range")
    return parser


def _elicit(args: argparse.Namespace) -> str:
    from . import elicit

    options = {
        key: value
        for key, value in (("family", args.family), ("level", args.level))
        if value is not None
    }
    expected = 2 if args.qualifier == "range" else 1
    if len(args.values) != expected:
        raise InputError(f"'{args.qualifier}' takes {expected} value(s); got {len(args.values)}")
    if args.qualifier == "range":
        dist = elicit.from_range(*args.values, **options)
    else:
        dist = getattr(elicit, args.qualifier)(args.values[0], **options)
    rows = [repr(dist), f"  median        {fmt_sig(dist.median(), 4)}"]
    rows.append(f"  mean          {fmt_sig(dist.mean(), 4)}")
    for level in (0.5, 0.9, 0.95):
        low, high = dist.interval(level)
        rows.append(f"  {level:.0%} interval  [{fmt_sig(low, 4)}, {fmt_sig(high, 4)}]")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["elicit", "range", "500000", "600000"])
    LogNormal(90% in [500,000, 600,000])
    ...
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "elicit":
            print(_elicit(args))
        else:
            parser.print_help()
    except InputError as err:
        print(f"attritionsim: error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # pragma: no cover - the last line of defence
        print(f"attritionsim: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
