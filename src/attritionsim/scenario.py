"""Scenario files: a model and its run settings in TOML.

A scenario names its inputs (each with one qualifier, as a source would word it), the
quantities derived from them, their correlations and units, and how to run it::

    [scenario]
    title  = "Russian losses by mid-2025"
    draws  = 200_000
    seed   = 20250604
    level  = 0.9
    method = "mc"                       # mc | lhs | sobol

    [inputs.ru_casualties]
    range  = [900_000, 1_000_000]       # central `level` interval
    family = "lognormal"
    units  = "people"

    [inputs.ua_casualties]
    source = "csis-2025-06-ukraine-casualties"   # a catalogue id: its figure and its rule

    [derived]
    ratio = "ru_casualties / ua_casualties"

Each input takes exactly one of ``range = [low, high]``, ``approximately = X`` (``rel``),
``up_to = X`` (``low``), ``at_least = X`` (``high``), ``nearly = X`` and ``more_than = X``
(``rel``), ``pert = [low, mode, high]`` (``shape``), ``metalog = {0.1 = .., 0.5 = .., 0.9 = ..}``
(``lower``, ``upper``), ``value = X`` (a constant; an ISO date string is a date) or
``source = "catalogue-id"`` or ``pool = ["id", "id", ...]`` (``method = "linear" | "log"``:
an opinion pool of catalogue records; a record restating another shares its weight);
optionally ``family``, ``level``, ``units``, ``long_name``.
A ``range`` or ``approximately`` input without its own ``level`` takes ``[scenario] level``.
``[correlations] pairs = [[a, b, rho], ...]`` sets Spearman rank correlations; ``[units]`` and
``[long_names]`` label derived quantities; ``[report] headline = [...]`` picks the quantities
the report leads with, in order.

A derived quantity may be a table, ``name = {expr = "a / b", domain = [0, 1], invalid =
"error"}``, and an input table may hold ``domain`` and ``invalid`` too: ``domain = [low,
high]`` (``inf`` allowed) declares the quantity's valid values where its units do not (see
:mod:`attritionsim.domain`), and ``invalid = "report" | "error"`` says what a run does with its
invalid draws (NaN, or outside the domain); ``[report] invalid`` sets it for every quantity
(default ``"report"``: the figures leave them out and the report warns). Under ``"error"``,
:meth:`Scenario.run` stops with ``file:line: derived.NAME:`` and the invalid share.

The report's charts take their settings from ``[report]`` too; nothing about a particular
threshold or date is built into the report::

    [report]
    threshold    = 1_000_000                # the level crossing dates are about
    marked_dates = [{date = 2025-06-12, label = "General Staff tally passes 1,000,000"},
                    "2025-06-30"]           # marked on crossing charts (label optional)
    sensitivity  = ["ratio"]                # derived quantities whose drivers are charted

A synthesis without ``thresholds`` takes ``[report] threshold``, and one without
``crossed_by`` the marked dates, so each number is written once; without ``[report]
threshold`` the report's threshold is the first synthesis's first. Without ``sensitivity``
the report charts the drivers of the first headline quantity that is a derived number.

A ``[synthesis.NAME]`` table declares an evidence synthesis (:func:`attritionsim.synthesize`):
one never-decreasing cumulative trajectory behind dated sources::

    [synthesis.ru]
    long_name    = "Russian casualties"
    catalogue    = {side = "russia"}          # every casualty and rate record of one side
    observations = ["csis-2025-05-russia-casualties",            # catalogue ids, and/or
                    {date = "2025-03-20", approximately = 900_000, label = "uk-march"}]
    rates        = [{start = "2025-06-01", end = "2025-07-01", range = [900, 1_200]}]
    periods      = [["2025-03-20", "2025-05-31"]]   # mean daily rates the report gives
    crossed_by   = ["2025-06-30"]                   # P(crossed by) each date, per threshold
    dates        = ["2026-01-01"]                   # more dates to report the trajectory at
    thresholds   = [1_000_000]
    draws        = 20_000
    seed         = 1                                # default: [scenario] seed
    bias         = {uagenstaff = {range = [1.0, 1.6]}}   # per publisher slug, any qualifier
    # start = "2022-02-24", outlier = 0.05, rate_walk = 0.3, grid = true, moves = 5, widen = 1.3,
    # tallies = ["uagenstaff", ...]  (publishers whose records are a party's own tally)

An inline observation or rate takes its dates, exactly one qualifier key (as an input does:
``range``, ``approximately``, ..., or ``value`` for an exact figure) with its options, and an
optional ``label``. :meth:`Scenario.run_syntheses` runs them.

Every problem is an :class:`~attritionsim.errors.InputError` whose one-line message starts with
``file:line:`` and the key, and says what would be valid; every value is checked when the file
is loaded, before anything is simulated (derived quantities are tried on two draws, so that a
date added to a number is caught then). An error found while simulating a derived quantity
starts with the ``file:line:`` of its key.

Limits:

* The file must be a regular file of at most 10 MB (not a folder, a device or a pipe), UTF-8
  text (a byte-order mark is allowed), nesting tables or arrays at most 32 levels deep.
* ``draws`` (and ``chunk_size``) is a positive integer of at most ``10**12``, the ceiling of
  every backend.
* ``seed`` is an integer from 0 to ``2**63 - 1`` (results files keep it as a signed 64-bit
  integer).
* ``[scenario] level`` is in ``[0.01, 1)``: 0.9 for a 90% interval (reported intervals cannot
  hold every draw); an input's own ``level`` is in ``[0.01, 1]`` (``1``: a stated minimum and
  maximum, for the bounded families).
* A quantity's name is at most 255 bytes long in UTF-8 (the results file's limit).
* ``[report] digits`` is an integer from 1 to 6: the most significant digits of the headline
  figures (default: as many as the Monte Carlo error justifies).
* ``[report] threshold`` is a finite number > 0; ``marked_dates`` lists distinct dates, each a
  date or ``{date = ..., label = "..."}`` with a non-empty label; ``sensitivity`` lists
  derived quantities that are numbers and depend on at least one sampled input.
* A ``pool`` lists at least two distinct catalogue ids of one quantity: the same side, measure
  and units.
* A ``[synthesis.NAME]`` needs at least one observation, rate or ``catalogue`` query; its
  catalogue records all of one side and of a measure a synthesis reads; every date after
  ``start``, a rate's ``end`` after its ``start``; readings with no negative counts;
  ``thresholds`` finite and > 0; ``draws`` an integer from 100 to 10,000,000; ``outlier``
  in ``[0, 0.5)``; ``rate_walk`` in ``(0, 10]``; ``moves`` an integer from 1 to 100; ``widen``
  in ``[1, 10]`` (the bounds :func:`attritionsim.synthesize` checks); every inline source's
  ``label`` distinct from the others' and from the records' ids; ``tallies`` a list of
  publisher slugs (a slug no source has is ignored).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import json
import re
import stat
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from . import _dates, _engine, _rng, _validate, elicit
from ._format import fmt_number, fmt_value
from ._validate import DEFAULT_LEVEL
from .design import METHODS
from .distributions import Distribution
from .domain import POLICIES, Domain, count_invalid, domain_of, domain_of_units, parse_attr
from .errors import InputError
from .model import Model, simulate
from .synthesis import (
    DEFAULT_START,
    KINDS,
    MAX_MOVES,
    MAX_RATE_WALK,
    MAX_WIDEN,
    synthesize,
)
from .synthesis import MAX_DRAWS as MAX_SYNTHESIS_DRAWS

__all__ = ["MAX_BYTES", "Scenario", "SynthesisSettings", "load_scenario", "run_scenario"]

_SECTIONS = (
    "scenario",
    "inputs",
    "correlations",
    "derived",
    "units",
    "long_names",
    "report",
    "synthesis",
    "readings",
)
_SETTINGS = ("title", "description", "draws", "seed", "level", "method", "chunk_size")
#: What an input may be, and the options each takes: every qualifier with a rule (read from
#: :data:`attritionsim.elicit.QUALIFIERS`), then a constant, a catalogue record and a pool.
_OPTIONS: dict[str, tuple[str, ...]] = {
    **{name: rule.options for name, rule in elicit.QUALIFIERS.items() if rule.function is not None},
    "value": (),
    "source": ("family", "level"),
    "pool": ("method",),
}
_KINDS = tuple(_OPTIONS)
_LABELS = ("units", "long_name", "domain", "invalid")
_REPORT = (
    "headline",
    "digits",
    "invalid",
    "threshold",
    "marked_dates",
    "sensitivity",
    "readings",
)
#: The keys of a derived quantity written as a table: ``name = {expr = "...", ...}``.
_DERIVED_KEYS = ("expr", "domain", "invalid")
#: Deepest nesting of TOML tables and arrays a scenario may use (it needs four at most).
_MAX_DEPTH = 32
#: Most significant digits ``[report] digits`` may ask for.
_MAX_DIGITS = 6
#: The largest scenario file read, in bytes (a scenario needs a few kilobytes).
MAX_BYTES = 10_000_000
#: Draws of the trial run at load that tries every derived quantity before simulating.
_TRIAL_DRAWS = 2


#: The keys of a ``[synthesis.NAME]`` table.
_SYNTHESIS_KEYS = (
    "long_name",
    "catalogue",
    "observations",
    "rates",
    "periods",
    "crossed_by",
    "dates",
    "thresholds",
    "draws",
    "seed",
    "start",
    "bias",
    "outlier",
    "rate_walk",
    "grid",
    "moves",
    "widen",
    "tallies",
)
#: Fewest draws a synthesis runs with (fewer cannot carry its diagnostics).
_MIN_SYNTHESIS_DRAWS = 100


@dataclasses.dataclass(frozen=True)
class SynthesisSettings:
    """A ``[synthesis.NAME]`` table, read and checked: what :func:`synthesize` is given.

    Attributes
    ----------
    name : str
        The table's name.
    long_name : str
        What the trajectory counts ("Russian casualties").
    observations : tuple
        Catalogue :class:`~attritionsim.catalogue.Record` objects and ``(date, Distribution or
        number, label)`` tuples.
    rates : tuple
        ``(start, end, Distribution or number, label)`` tuples.
    periods : tuple of (str, str)
        Periods whose mean daily rate a report gives.
    crossed_by : tuple of str
        Dates at which a report gives the probability that each threshold has been crossed.
    dates : tuple of str
        Every date to report the trajectory at (``dates``, ``periods`` and ``crossed_by``).
    thresholds : tuple of float
        Levels whose crossing dates a report gives.
    draws, seed : int
        The synthesis's draws and seed.
    options : mapping
        Passed to :func:`synthesize`: ``start``, ``bias``, ``outlier``, ``rate_walk``,
        ``grid``, ``moves``, ``widen``, ``tallies`` where given.
    place : str
        ``file:line`` of the table: errors found while running it start with this.
    reading : Reading or str
        The reading its catalogue records are read under (:func:`attritionsim.get_reading`).
    """

    name: str
    long_name: str
    observations: tuple[Any, ...]
    rates: tuple[tuple[str, str, Distribution | float, str], ...]
    periods: tuple[tuple[str, str], ...]
    crossed_by: tuple[str, ...]
    dates: tuple[str, ...]
    thresholds: tuple[float, ...]
    draws: int
    seed: int
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    place: str = ""
    reading: elicit.Reading | str = "default"

    def run(self, *, draws: int | None = None, seed: int | None = None) -> xr.Dataset:
        """Run the synthesis; ``draws`` and ``seed`` override its own.

        Returns
        -------
        xarray.Dataset
            What :func:`attritionsim.synthesize` returns, with attrs ``synthesis`` (the name),
            ``long_name`` and ``thresholds`` (JSON) added.

        Raises
        ------
        InputError
            What :func:`synthesize` finds, prefixed with the table's ``file:line``.
        """
        n = self.draws if draws is None else _validate.draws(draws)
        try:
            syn = synthesize(
                self.observations,
                rates=self.rates,
                dates=self.dates,
                draws=max(n, _MIN_SYNTHESIS_DRAWS),
                seed=self.seed if seed is None else _rng.check_seed(seed),
                reading=self.reading,
                **self.options,
            )
        except InputError as err:
            raise InputError(f"{self.place}: synthesis.{self.name}: {err}") from None
        syn.attrs["synthesis"] = self.name
        syn.attrs["long_name"] = self.long_name
        syn.attrs["thresholds"] = json.dumps(list(self.thresholds))
        syn["cumulative"].attrs["long_name"] = f"{self.long_name} (cumulative)"
        return syn


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A loaded scenario: the model and how to run it.

    Attributes
    ----------
    model : Model
        The inputs, derived quantities, correlations and labels.
    title : str
        The scenario's title.
    draws, seed : int
        Default run size and seed.
    level : float
        Credible level of reported intervals.
    method : str
        ``"mc"``, ``"lhs"`` or ``"sobol"``.
    chunk_size : int or None
        Draws per block (``None``: all at once).
    headline : tuple of str
        Quantities the report leads with, in order.
    description : str
        A longer description (may be empty).
    path : Path or None
        Where it was read from.
    digits : int or None
        Most significant digits of the headline figures (``[report] digits``; default: as many
        as the Monte Carlo error justifies).
    syntheses : mapping of str to SynthesisSettings
        The ``[synthesis.NAME]`` tables, in file order; :meth:`run_syntheses` runs them.
    threshold : float or None
        The level the report's crossing dates are about (``[report] threshold``, else the first
        synthesis's first threshold).
    marked_dates : tuple of (str, str)
        ``(date, label)`` pairs marked on the report's crossing charts (``[report]
        marked_dates``); the label is ``""`` when none was given.
    sensitivity : tuple of str or None
        Derived quantities whose drivers the report charts (``[report] sensitivity``);
        ``None``: the first headline quantity that is a derived number.
    places : mapping of str to str
        Where each derived quantity is written, ``"file:line"``: errors found while simulating
        it start with this.
    input_places : mapping of str to str
        Where each input is written, ``"file:line"``.
    invalid : {"report", "error"}
        What to do with invalid draws (NaN, or outside a quantity's domain: see
        :mod:`attritionsim.domain`), ``[report] invalid``: ``"report"`` leaves them out of the
        figures and says so (the report's Warnings, a warning per headline); ``"error"`` stops
        :meth:`run` with an :class:`InputError` naming the quantity's line.
    invalid_by : mapping of str to str
        A quantity's own ``invalid``, where it has one (it wins over ``invalid``).
    reading : str
        The reading its worded figures were read under (``"default"`` unless
        :meth:`under` or ``load_scenario(reading=...)`` chose another).
    readings : tuple of str
        ``[report] readings``: the readings a report compares (empty: none).
    custom_readings : mapping of str to Reading
        The scenario's own ``[readings.NAME]`` tables.
    text, catalogue
        The scenario's text and catalogue, which :meth:`under` reads again.
    """

    model: Model
    title: str = ""
    draws: int = 100_000
    seed: int = 0
    level: float = DEFAULT_LEVEL
    method: str = "mc"
    chunk_size: int | None = None
    headline: tuple[str, ...] = ()
    description: str = ""
    path: Path | None = None
    digits: int | None = None
    syntheses: Mapping[str, SynthesisSettings] = dataclasses.field(default_factory=dict)
    threshold: float | None = None
    marked_dates: tuple[tuple[str, str], ...] = ()
    sensitivity: tuple[str, ...] | None = None
    places: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    invalid: str = "report"
    invalid_by: Mapping[str, str] = dataclasses.field(default_factory=dict)
    input_places: Mapping[str, str] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )
    reading: str = "default"
    readings: tuple[str, ...] = ()
    custom_readings: Mapping[str, elicit.Reading] = dataclasses.field(default_factory=dict)
    text: str = dataclasses.field(default="", repr=False, compare=False)
    catalogue: Any = dataclasses.field(default=None, repr=False, compare=False)

    def policy(self, name: str) -> str:
        """What is done with quantity ``name``'s invalid draws: ``"report"`` or ``"error"``."""
        return self.invalid_by.get(name, self.invalid)

    def check_invalid(self, ds: xr.Dataset) -> None:
        """Stop at the first quantity with invalid draws whose policy is ``"error"``.

        Raises
        ------
        InputError
            ``file:line: derived.NAME: ...`` with the invalid share, by kind, and its cause.
        """
        for name in ds.data_vars:
            key = str(name)
            da = ds[name]
            if self.policy(key) != "error" or da.dims != ("draw",) or da.dtype.kind not in "iuf":
                continue
            bad = count_invalid(da.values, domain_of(da.attrs))
            if bad.total:
                section = "derived" if key in self.model.derived else "inputs"
                places = {**self.input_places, **self.places}
                place = places.get(key, str(self.path or "<scenario>"))
                raise InputError(
                    f'{place}: {section}.{key}: {bad.describe()}; invalid = "error" stops the '
                    'run (fix the quantity, or set invalid = "report" to leave those draws '
                    "out of its figures)"
                )

    def under(self, reading: str | elicit.Reading) -> Scenario:
        """The same scenario with every worded figure read under another reading.

        Parameters
        ----------
        reading : str or Reading
            A built-in reading (:data:`attritionsim.elicit.READINGS`), one of the scenario's
            own ``[readings.NAME]``, or a :class:`~attritionsim.elicit.Reading`.

        Returns
        -------
        Scenario
            Re-read from the scenario's text, so inputs, catalogue sources, pools and
            syntheses all follow the reading; options stated for one input are kept.

        Raises
        ------
        InputError
            An unknown reading name, listing the valid ones.
        """
        known = self.reading_names()
        if isinstance(reading, str) and reading not in known:
            raise InputError(f"unknown reading {reading!r}; valid: {', '.join(known)}")
        return parse_scenario(
            self.text,
            name=str(self.path) if self.path is not None else "<scenario>",
            catalogue=self.catalogue,
            path=self.path,
            reading=reading,
        )

    def reading_names(self) -> list[str]:
        """Every reading this scenario can be run under: the built-in ones, then its own."""
        return [*elicit.READINGS, *(n for n in self.custom_readings if n not in elicit.READINGS)]

    def run_syntheses(
        self, *, draws: int | None = None, seed: int | None = None
    ) -> dict[str, xr.Dataset]:
        """Run every ``[synthesis.NAME]`` (see :func:`attritionsim.synthesize`).

        Parameters
        ----------
        draws : int, optional
            At most this many draws for each (a synthesis keeps its own number when that is
            smaller; at least 100): a quick run is quick everywhere.
        seed : int, optional
            Overrides each synthesis's seed.

        Returns
        -------
        dict of str to xarray.Dataset
            By name, in file order.
        """
        out = {}
        for name, settings in self.syntheses.items():
            n = None if draws is None else min(_validate.draws(draws), settings.draws)
            out[name] = settings.run(draws=n, seed=seed)
        return out

    def run(self, **overrides: Any) -> xr.Dataset:
        """Simulate with the scenario's settings, any of them overridden by keyword.

        Parameters
        ----------
        **overrides
            ``draws``, ``seed``, ``method``, ``chunk_size``, ``keep`` or ``progress``; and
            ``client``, a ``dask.distributed.Client`` to compute the draws on (the same bits,
            see :func:`attritionsim.dask_backend.simulate_on`).

        Returns
        -------
        xarray.Dataset
            As :func:`attritionsim.simulate`, with ``scenario``, ``level`` and ``headline`` attrs.
        """
        allowed = ("draws", "seed", "method", "chunk_size", "keep", "progress", "client")
        for key in overrides:
            _validate.choice("run option", key, allowed)
        options: dict[str, Any] = {
            "draws": self.draws,
            "seed": self.seed,
            "method": self.method,
            "chunk_size": self.chunk_size,
        }
        options.update({k: v for k, v in overrides.items() if v is not None})
        client = options.pop("client", None)
        try:
            if client is None:
                ds = simulate(self.model, **options)
            else:
                from .dask_backend import simulate_on

                ds = simulate_on(client, self.model, **options)
        except InputError as err:
            raise _placed(err, self.places) from None
        self.check_invalid(ds)
        ds.attrs["level"] = self.level
        ds.attrs["headline"] = ", ".join(self.headline)
        if self.path is not None:
            ds.attrs["scenario"] = self.path.name
        return ds


def load_scenario(
    path: str | Path, *, catalogue: Any = None, reading: str | elicit.Reading = "default"
) -> Scenario:
    """Read a scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    catalogue : Catalogue, optional
        Where ``source = "id"`` inputs are looked up (default: the bundled catalogue).
    reading : str or Reading
        How worded figures are read (:func:`attritionsim.get_reading`): a built-in reading or
        one of the scenario's ``[readings.NAME]``.

    Returns
    -------
    Scenario
        Its ``model`` is an :class:`attritionsim.Model`; ``run()`` simulates it.

    Raises
    ------
    InputError
        With ``file:line: key: problem``: a path that is not a regular file (a folder, a device,
        a pipe) or is over :data:`MAX_BYTES`, TOML syntax, an unknown key (with "did you
        mean"), a wrong type, an unknown source id, an unknown name or function in an
        expression, a cycle, a date where a number is needed, a derived quantity that fails on
        a trial of two draws, an impossible range, impossible correlations.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import attritionsim as asim
    >>> text = '''
    ... [scenario]
    ... draws = 1000
    ... seed = 1
    ... [inputs.ru]
    ... range = [900_000, 1_000_000]
    ... [inputs.ua]
    ... approximately = 400_000
    ... [derived]
    ... ratio = "ru / ua"
    ... '''
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "s.toml")
    ...     _ = path.write_text(text)
    ...     scenario = asim.load_scenario(path)
    >>> scenario.model.random_inputs, scenario.draws
    (('ru', 'ua'), 1000)
    """
    file = Path(path)
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"{file}: not a file ({_file_kind(info.st_mode)}); give a scenario TOML file"
            )
        if info.st_size > MAX_BYTES:
            raise InputError(_too_big(file, info.st_size))
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise InputError(f"{file}: cannot read the scenario ({err.strerror})") from None
    if len(data) > MAX_BYTES:  # it grew after it was checked
        raise InputError(_too_big(file, len(data)))
    return parse_scenario(
        _decode(data, str(file)), name=str(file), catalogue=catalogue, path=file, reading=reading
    )


def _file_kind(mode: int) -> str:
    """What a path that is not a regular file is, in words."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))
    for test, kind in (*kinds, (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return "not a regular file"


def _too_big(file: Path, size: int) -> str:
    return (
        f"{file}: the scenario is {size:,} bytes long; at most {MAX_BYTES:,} (10 MB) are read "
        "(a scenario needs a few kilobytes)"
    )


def _decode(data: bytes, name: str) -> str:
    """The file's text; anything but UTF-8 (a byte-order mark allowed) is an InputError."""
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a UTF-8 byte-order mark
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = skip + err.start
        line = data.count(b"\n", 0, offset) + 1
        hint = " (it looks like UTF-16)" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        raise InputError(
            f"{name}:{line}: the scenario is not UTF-8 text{hint}: byte 0x{data[offset]:02x}"
            f" at offset {offset} cannot be decoded; save the file as UTF-8"
        ) from None


def parse_scenario(
    text: str,
    *,
    name: str = "<scenario>",
    catalogue: Any = None,
    path: Path | None = None,
    reading: str | elicit.Reading = "default",
) -> Scenario:
    """Parse scenario TOML text (see :func:`load_scenario`); ``name`` labels the errors."""
    where = _Locator(text, name)
    data = _toml(text, name, where)
    _known_keys(where, "", data, _SECTIONS)
    custom = _readings(where, data.get("readings", {}))
    rules = _chosen_reading(reading, custom)
    settings = _table(where, "scenario", data.get("scenario", {}))
    _known_keys(where, "scenario", settings, _SETTINGS)
    title = _string(where, "scenario.title", settings.get("title", ""))
    description = _string(where, "scenario.description", settings.get("description", ""))
    draws = _draws(where, "scenario.draws", settings.get("draws", 100_000))
    seed = _seed(where, settings.get("seed", 0))
    method = _choice(where, "scenario.method", settings.get("method", "mc"), METHODS)
    chunk_size = (
        None
        if settings.get("chunk_size") is None
        else _draws(where, "scenario.chunk_size", settings["chunk_size"])
    )
    report = _table(where, "report", data.get("report", {}))
    _known_keys(where, "report", report, _REPORT)
    headline = tuple(
        _string(where, "report.headline", item)
        for item in _list(where, "report.headline", report.get("headline", []))
    )
    digits = None if "digits" not in report else _digits(where, report["digits"])
    invalid = _choice(where, "report.invalid", report.get("invalid", "report"), POLICIES)
    domains: dict[str, Domain] = {}
    policies: dict[str, str] = {}
    threshold = None if "threshold" not in report else _threshold(where, report["threshold"])
    marked = _marked_dates(where, report.get("marked_dates", []))
    readings = _report_readings(where, report.get("readings", []), custom)
    inputs_table = _table(where, "inputs", data.get("inputs", {}))
    if not inputs_table:
        raise InputError(f"{where('inputs')}: a scenario needs at least one [inputs.NAME] table")
    inputs: dict[str, Any] = {}
    units: dict[str, str] = {}
    long_names: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    default_level = _level(
        where, "scenario.level", settings.get("level", DEFAULT_LEVEL), closed=False
    )
    for key, spec in inputs_table.items():
        section = f"inputs.{key}"
        table = _table(where, section, spec)
        inputs[key] = _input(
            where, section, table, catalogue, sources, key, default_level, reading=rules
        )
        for label, store in (("units", units), ("long_name", long_names)):
            if label in table:
                store[key] = _string(where, f"{section}.{label}", table[label])
        _quantity_options(where, section, table, key, domains, policies)
        _one_sided_in_domain(where, section, table, units.get(key), domains.get(key))
        if key in sources:  # labels default to the first source record's
            record = _catalogue(catalogue)[sources[key][0]]
            units.setdefault(key, record.units)
            long_names.setdefault(
                key,
                f"{_SIDE_WORDS.get(record.side, record.side.replace('_', ' '))} "
                f"{record.measure.replace('_', ' ')}, {record.publisher} ({record.as_of})".lstrip(),
            )
    derived = {
        key: _derived(where, key, value, domains, policies)
        for key, value in _table(where, "derived", data.get("derived", {})).items()
    }
    labels: dict[str, dict[str, Any]] = {}
    for section, store in (("units", units), ("long_names", long_names)):
        labels[section] = _table(where, section, data.get(section, {}))
        for key, value in labels[section].items():
            store[key] = _string(where, f"{section}.{key}", value)
    correlations = _correlations(where, data.get("correlations", {}))
    try:
        model = Model(
            inputs=inputs,
            derived=derived,
            correlations=correlations,
            units=units,
            long_names=long_names,
            sources=sources,
            title=title,
            domains=domains,
        )
    except InputError as err:
        raise InputError(f"{where(_blame(str(err), derived, inputs, labels))}: {err}") from None
    places = {key: where(f"derived.{key}") for key in derived}
    syntheses = {
        key: _synthesis(
            where,
            key,
            value,
            catalogue,
            seed,
            default_level,
            () if threshold is None else (threshold,),
            tuple(day for day, _ in marked),
            rules,
        )
        for key, value in _table(where, "synthesis", data.get("synthesis", {})).items()
    }
    trial = _trial(model, seed, places)
    for item in headline:
        if item not in model.names:
            _validate.choice(f"{where('report.headline')}: report.headline", item, model.names)
    sensitivity = (
        None
        if "sensitivity" not in report
        else _sensitivity(where, report["sensitivity"], model, trial)
    )
    if threshold is None:
        threshold = next((s.thresholds[0] for s in syntheses.values() if s.thresholds), None)
    return Scenario(
        model=model,
        title=model.title,
        description=description,
        draws=draws,
        seed=seed,
        level=default_level,
        method=method,
        chunk_size=chunk_size,
        headline=headline,
        path=path,
        digits=digits,
        syntheses=syntheses,
        threshold=threshold,
        marked_dates=marked,
        sensitivity=sensitivity,
        places=places,
        invalid=invalid,
        invalid_by=policies,
        input_places={key: where(f"inputs.{key}") for key in inputs},
        reading=rules.name,
        readings=readings,
        custom_readings=custom,
        text=text,
        catalogue=catalogue,
    )


def _derived(
    where: _Locator,
    key: str,
    value: object,
    domains: dict[str, Domain],
    policies: dict[str, str],
) -> str:
    """A derived quantity: its expression, or a table ``{expr = "...", domain, invalid}``."""
    section = f"derived.{key}"
    if not isinstance(value, dict):
        if isinstance(value, str):
            return value
        raise InputError(
            f"{where(section)}: {section} must be an expression string or a table "
            f'{{expr = "...", domain = [low, high], invalid = "report" | "error"}}; '
            f"got {_type(value)}"
        )
    _known_keys(where, section, value, _DERIVED_KEYS)
    if "expr" not in value:
        raise InputError(
            f'{where(section)}: {section} needs expr = "..." (the expression) in its table'
        )
    _quantity_options(where, section, value, key, domains, policies)
    return _string(where, f"{section}.expr", value["expr"])


def _quantity_options(
    where: _Locator,
    section: str,
    table: Mapping[str, Any],
    key: str,
    domains: dict[str, Domain],
    policies: dict[str, str],
) -> None:
    """A quantity's ``domain = [low, high]`` and ``invalid = "report" | "error"``, checked."""
    if "domain" in table:
        at = f"{section}.domain"
        bounds = table["domain"]
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        ):
            raise InputError(
                f"{where(at)}: {at} must be [low, high], two numbers (inf and -inf allowed, "
                f"e.g. [0, 1] for a share, [0, inf] for a count); got {_shown_list(bounds)}"
            )
        try:
            domains[key] = parse_attr(bounds, at)
        except InputError as err:
            raise InputError(f"{where(at)}: {err}") from None
    if "invalid" in table:
        policies[key] = _choice(where, f"{section}.invalid", table["invalid"], POLICIES)


#: Qualifiers whose figure is a bound the truth lies on one side of.
_ONE_SIDED = ("more_than", "at_least", "up_to", "nearly")


def _one_sided_in_domain(
    where: _Locator,
    section: str,
    table: Mapping[str, Any],
    units: str | None,
    declared: Domain | None,
) -> None:
    """Refuse a one-sided figure outside its quantity's domain (``more_than = -10_000`` people).

    A bound outside the domain (a count, rate or ratio below 0, a share above 1) states
    nothing a reader could mean; the domain is the declared one, else the units' one.
    """
    kind = next((k for k in _ONE_SIDED if k in table), None)
    value = table.get(kind) if kind is not None else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    domain = declared if declared is not None else domain_of_units(units or "")
    if domain is None or domain.low <= value <= domain.high:
        return
    at = f"{section}.{kind}"
    what = f"units {units!r}" if declared is None else "the declared domain"
    raise InputError(
        f"{where(at)}: {at} = {fmt_number(float(value))} is outside the quantity's domain "
        f"{repr(domain).removeprefix('Domain(')[:-1]} ({what}); a one-sided figure is a bound "
        "inside it"
    )


def _shown_list(value: object) -> str:
    """A value given where ``[low, high]`` was wanted."""
    if isinstance(value, list):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    return _type(value)


def _trial(model: Model, seed: int, places: Mapping[str, str]) -> xr.Dataset | None:
    """Try every derived quantity on a couple of draws, so that errors come before the run.

    A date compared with a number, a bad argument to a function: what would fail on every draw
    fails here, placed on its key's line. Warnings are left to the real run.
    """
    if not model.derived:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return simulate(model, _TRIAL_DRAWS, seed)
        except InputError as err:
            raise _placed(err, places) from None


def _placed(err: InputError, places: Mapping[str, str]) -> InputError:
    """``err`` prefixed with the ``file:line`` of the derived quantity it is about, if any."""
    message = str(err)
    for key, place in places.items():
        if message.startswith(f"derived quantity {key!r}"):
            return InputError(f"{place}: {message}")
    return err


def _toml(text: str, name: str, where: _Locator) -> dict[str, Any]:
    """Parse the TOML text; too deep a nesting, or a syntax error, is an InputError."""
    deep = _too_deep(text)
    if deep is not None:
        raise InputError(
            f"{name}:{deep}: TOML nested more than {_MAX_DEPTH} levels deep; "
            "a scenario needs four at most"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        at = f"{name}:{found.group(1)}" if found else name
        raise InputError(f"{at}: TOML syntax error: {err}") from None
    except RecursionError:  # nesting the pre-check missed
        raise InputError(f"{name}: TOML nested too deeply to read") from None
    except ValueError:  # tomllib: an integer too long for Python's int conversion
        found = re.search(r"\d[\d_]{4000,}", text)
        at = f"{name}:{text.count(chr(10), 0, found.start()) + 1}" if found else name
        raise InputError(
            f"{at}: an integer with thousands of digits cannot be read; "
            f"no scenario value needs more than {_validate.MAX_DRAWS:.0e}"
        ) from None
    path = _deep_key(data)
    if path is not None:
        raise InputError(
            f"{where('.'.join(path[:4]))}: {path[0]}: keys nested more than {_MAX_DEPTH} levels "
            f"deep ({'.'.join(path[:3])}...); a scenario needs four at most"
        )
    return data


def _too_deep(text: str) -> int | None:
    """The line where brackets and braces (outside strings and comments) nest too deeply."""
    depth, line, i, n = 0, 1, 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if text[i] == "\n" and len(quote) == 1:
                    break  # an unterminated string: tomllib reports it
                if text[i] == "\\" and quote[0] == '"':
                    i += 1  # an escape: the next character is part of the string
                if i < n and text[i] == "\n":
                    line += 1
                i += 1
            else:
                i += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _deep_key(data: Mapping[str, Any]) -> list[str] | None:
    """The key path of a value nested more than ``_MAX_DEPTH`` deep (dotted keys), if any."""
    stack: list[tuple[list[str], object]] = [([], data)]
    while stack:
        path, node = stack.pop()
        if len(path) > _MAX_DEPTH:
            return path
        if isinstance(node, dict):
            stack.extend(([*path, str(key)], value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((path, value) for value in node)
    return None


def run_scenario(path: str | Path, **overrides: Any) -> xr.Dataset:
    """Load a scenario file and simulate it; keywords override its settings.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    **overrides
        ``draws``, ``seed``, ``method``, ``chunk_size``, ``keep``, ``progress``.

    Returns
    -------
    xarray.Dataset
        See :func:`attritionsim.simulate`.
    """
    return load_scenario(path).run(**overrides)


# ------------------------------------------------------------------------------ one input
#: A catalogue side as a label's first word: "Russian casualties", not "russia casualties".
_SIDE_WORDS = {
    "russia": "Russian",
    "ukraine": "Ukrainian",
    "both": "Russian and Ukrainian",
    "north_korea": "North Korean",
    "soviet_union": "Soviet",
    "us": "US",
    "uk": "UK",
    "none": "",
}


def _input(
    where: _Locator,
    section: str,
    table: Mapping[str, Any],
    catalogue: Any,
    sources: dict[str, list[str]],
    name: str,
    default_level: float = DEFAULT_LEVEL,
    *,
    reading: elicit.Reading = elicit.READINGS["default"],
) -> Distribution | float | str:
    every = (*_KINDS, *sorted({o for opts in _OPTIONS.values() for o in opts}), *_LABELS)
    _known_keys(where, section, table, every)
    kinds = [kind for kind in _KINDS if kind in table]
    if len(kinds) != 1:
        got = "none" if not kinds else " and ".join(kinds)
        raise InputError(
            f"{where(section)}: {section} needs exactly one of {', '.join(_KINDS)}; got {got}"
        )
    kind = kinds[0]
    _known_keys(where, section, table, (kind, *_OPTIONS[kind], *_LABELS))
    options = {key: table[key] for key in _OPTIONS[kind] if key in table}
    for key in ("family", "method"):
        if key in options:
            options[key] = _string(where, f"{section}.{key}", options[key])
    for key in ("level",):
        if key in options:
            options[key] = _level(where, f"{section}.{key}", options[key])
    rule = elicit.QUALIFIERS.get(kind)
    options = reading.with_stated(kind, options)  # what the input states wins
    if rule is not None and rule.two_sided and "level" not in options:
        options["level"] = default_level  # [scenario] level is the level of stated ranges
    for key in ("rel", "min_rel", "tail", "low", "high", "shape", "lower", "upper"):
        if key in options:
            options[key] = _number(where, f"{section}.{key}", options[key])
    value = table[kind]
    at = f"{where(section + '.' + kind)}: {section}"
    try:
        if kind == "value":
            if isinstance(value, dt.date):
                day = value.date() if isinstance(value, dt.datetime) else value
                raise InputError(
                    f"{where(section + '.value')}: {section}.value: a bare TOML date "
                    f"({value.isoformat()}) is not read as a date; quote it: "
                    f'value = "{day.isoformat()}"'
                )
            if isinstance(value, str):
                return value  # the Model reads it as an ISO date and says so if it is not
            return _number(where, f"{section}.value", value)
        if kind == "source":
            ident = _string(where, f"{section}.source", value)
            sources[name] = [ident]
            return _from_catalogue(at, ident, catalogue, {**options, "reading": reading})
        if kind == "pool":
            idents = [
                _string(where, f"{section}.pool", item)
                for item in _list(where, f"{section}.pool", value)
            ]
            sources[name] = idents
            return _pooled(idents, catalogue, str(options.get("method", "linear")), reading)
        assert rule is not None  # every other kind is a qualifier with a rule
        assert rule.function is not None
        key = f"{section}.{kind}"
        figure: Sequence[object]
        if rule.figure == ("quantiles",):
            figure = [_quantiles(where, key, value)]
        elif len(rule.figure) == 1:
            figure = [_number(where, key, value)]
        else:
            figure = _numbers(where, key, value, len(rule.figure))
        result: Distribution = rule.function(*figure, **options)
        return result
    except (InputError, ArithmeticError) as err:
        if isinstance(err, InputError) and str(err).startswith(where.name):
            raise
        if not isinstance(err, InputError):  # a figure too extreme to fit a distribution to
            err = InputError(f"cannot fit a distribution to these figures ({err})")
        blamed = [key for key in options if re.match(rf"{key}\b", str(err))]
        if blamed:
            at = f"{where(section + '.' + blamed[0])}: {section}"
        raise InputError(f"{at}: {err}") from None


def _catalogue(catalogue: Any) -> Any:
    """The given catalogue, or the bundled one (read once)."""
    if catalogue is not None:
        return catalogue
    return _bundled()


@functools.cache
def _bundled() -> Any:
    from .catalogue import load_catalogue

    return load_catalogue()


def _from_catalogue(
    at: str, ident: str, catalogue: Any, options: Mapping[str, Any]
) -> Distribution | float:
    result: Distribution | float = _catalogue(catalogue).input_for(ident, **options)
    return result


def _pooled(
    idents: Sequence[str],
    catalogue: Any,
    method: str,
    reading: elicit.Reading = elicit.READINGS["default"],
) -> Distribution:
    """Pool catalogue records of one quantity; a record restating another shares its weight."""
    from .pooling import pool

    catalogue = _catalogue(catalogue)
    if len(idents) < 2:
        raise InputError(f"pool needs at least two catalogue ids; got {len(idents)}")
    repeated = sorted({ident for ident in idents if idents.count(ident) > 1})
    if repeated:
        raise InputError(
            f"pool lists {', '.join(map(repr, repeated))} more than once; list each record once "
            "(a record restating another is recognised by its depends_on)"
        )
    records = {ident: catalogue[ident] for ident in idents}
    first = idents[0]
    for field in ("side", "measure", "units"):
        for ident in idents[1:]:
            mine, theirs = getattr(records[ident], field), getattr(records[first], field)
            if mine != theirs:
                raise InputError(
                    f"pool mixes {field}s: {first!r} is {theirs!r} but {ident!r} is {mine!r}; "
                    f"a pool combines figures of one quantity (the same side, measure and units)"
                )
    sources = {ident: catalogue.distribution(ident, reading=reading) for ident in idents}
    depends = {
        ident: next(dep for dep in record.depends_on if dep in records)
        for ident, record in records.items()
        if any(dep in records for dep in record.depends_on)
    }
    return pool(sources, method=method, depends_on=depends)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ typed values
def _known_keys(
    where: _Locator, section: str, table: Mapping[str, Any], valid: Sequence[str]
) -> None:
    for key in table:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; valid: {', '.join(valid)}"
            full = f"{section}.{key}" if section else key
            place = "the file" if not section else f"[{section}]"
            raise InputError(f"{where(full)}: unknown key {key!r} in {place}{hint}")


def _table(where: _Locator, key: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where(key)}: {key} must be a table; got {_type(value)}")
    return value


def _list(where: _Locator, key: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{where(key)}: {key} must be a list; got {_type(value)}")
    return value


def _string(where: _Locator, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where(key)}: {key} must be a string; got {_type(value)}")
    return value


def _number(where: _Locator, key: str, value: object) -> float:
    if isinstance(value, str) and _dates.looks_like_day(value):
        raise InputError(f"{where(key)}: {key} must be a number; got the date {value!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where(key)}: {key} must be a number; got {_type(value)}")
    try:
        return _validate.finite_real(key, value)
    except InputError as err:  # NaN, an infinity or an int beyond the float range
        raise InputError(f"{where(key)}: {err}") from None


def _numbers(where: _Locator, key: str, value: object, count: int) -> list[float]:
    items = _list(where, key, value)
    if len(items) != count:
        raise InputError(f"{where(key)}: {key} must list {count} numbers; got {len(items)}")
    return [_number(where, key, item) for item in items]


def _draws(where: _Locator, key: str, value: object) -> int:
    """A number of draws: a positive integer up to ``MAX_DRAWS`` (a float is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(f"{where(key)}: {key} must be a positive integer; got {_shown(value)}")
    try:
        return _validate.draws(value, name=key)
    except InputError as err:
        raise InputError(f"{where(key)}: {err}") from None


def _digits(where: _Locator, value: object) -> int:
    """``[report] digits``: an integer from 1 to ``_MAX_DIGITS``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_DIGITS:
        raise InputError(
            f"{where('report.digits')}: report.digits must be an integer from 1 to {_MAX_DIGITS} "
            f"(significant digits of the headline figures); got {_shown(value)}"
        )
    return value


def _threshold(where: _Locator, value: object) -> float:
    """``[report] threshold``: a finite number > 0."""
    number = _number(where, "report.threshold", value)
    if not number > 0:
        raise InputError(
            f"{where('report.threshold')}: report.threshold must be a number > 0 (the level "
            f"crossing dates are about, e.g. 1_000_000); got {fmt_value(value)}"
        )
    return number


def _marked_dates(where: _Locator, value: object) -> tuple[tuple[str, str], ...]:
    """``[report] marked_dates``: distinct dates, each bare or ``{date = .., label = ".."}``."""
    key = "report.marked_dates"
    out: list[tuple[str, str]] = []
    for i, item in enumerate(_list(where, key, value)):
        at = f"{key}[{i}]"
        label = ""
        if isinstance(item, dict):
            _known_keys(where, key, item, ("date", "label"))
            if "date" not in item:
                raise InputError(f'{where(key)}: {at} needs date = "YYYY-MM-DD"')
            if "label" in item:
                label = _string(where, key, item["label"]).strip()
                if not label:
                    raise InputError(f"{where(key)}: {at}.label must not be empty")
            item = item["date"]
        day = _day(where, key, item, at)
        if any(day == seen for seen, _ in out):
            raise InputError(f"{where(key)}: {at}: the date {day} is marked twice; list it once")
        out.append((day, label))
    return tuple(out)


def _sensitivity(
    where: _Locator, value: object, model: Model, trial: xr.Dataset | None
) -> tuple[str, ...]:
    """``[report] sensitivity``: derived numbers that depend on a sampled input."""
    key = "report.sensitivity"
    out = []
    for item in _list(where, key, value):
        name = _validate.choice(f"{where(key)}: {key}", _string(where, key, item), model.names)
        if name not in model.derived:
            raise InputError(
                f"{where(key)}: {key}: {name!r} is an input; a sensitivity chart explains a "
                f"derived quantity ({', '.join(model.derived)})"
            )
        if trial is not None and trial[name].dtype.kind not in "fiu":
            what = "dates" if trial[name].dtype.kind == "M" else "yes/no values"
            raise InputError(
                f"{where(key)}: {key}: {name!r} holds {what}; a sensitivity chart explains a number"
            )
        needed = _engine.needed_names(model, [name])
        if not any(n in needed for n in model.random_inputs):
            raise InputError(
                f"{where(key)}: {key}: {name!r} depends on no sampled input, so no input drives it"
            )
        if name in out:
            raise InputError(f"{where(key)}: {key} lists {name!r} twice; list it once")
        out.append(name)
    return tuple(out)


def _seed(where: _Locator, value: object) -> int:
    try:
        return _rng.check_seed(value, name="scenario.seed")
    except InputError as err:
        raise InputError(f"{where('scenario.seed')}: {err}") from None


def _level(where: _Locator, key: str, value: object, *, closed: bool = True) -> float:
    try:
        return _validate.level(value, name=key, closed=closed)
    except InputError as err:
        raise InputError(f"{where(key)}: {err}") from None


def _choice(where: _Locator, key: str, value: object, valid: Sequence[str]) -> str:
    try:
        return _validate.choice(key, value, valid)
    except InputError as err:
        raise InputError(f"{where(key)}: {err}") from None


def _quantiles(where: _Locator, key: str, value: object) -> dict[float, float]:
    """``{0.1 = .., 0.5 = ..}``: TOML reads the bare key ``0.1`` as the dotted ``"0"."1"``."""
    table = _table(where, key, value)
    flat: dict[float, float] = {}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for part, item in node.items():
            text = f"{prefix}.{part}" if prefix else part
            if isinstance(item, dict):
                walk(text, item)
                continue
            try:
                prob = float(text)
            except ValueError:
                raise InputError(
                    f"{where(key)}: {key} keys must be probabilities like 0.1; got {text!r}"
                ) from None
            if prob in flat:
                raise InputError(
                    f"{where(key)}: {key} gives the probability {prob:g} twice (as {text!r})"
                )
            flat[prob] = _number(where, f"{key}.{text}", item)

    walk("", table)
    return flat


def _correlations(where: _Locator, value: object) -> dict[tuple[str, str], float]:
    table = _table(where, "correlations", value)
    _known_keys(where, "correlations", table, ("pairs",))
    out: dict[tuple[str, str], float] = {}
    for item in _list(where, "correlations.pairs", table.get("pairs", [])):
        if not (isinstance(item, list) and len(item) == 3):
            raise InputError(
                f"{where('correlations.pairs')}: each pair must be [name, name, rho]; got {item!r}"
            )
        a = _string(where, "correlations.pairs", item[0])
        b = _string(where, "correlations.pairs", item[1])
        out[(a, b)] = _number(where, "correlations.pairs", item[2])
    return out


def _type(value: object) -> str:
    if isinstance(value, dt.date | dt.time):  # a bare TOML date, date-time or time
        what = "time" if isinstance(value, dt.time) else "date"
        return f"the bare TOML {what} {value.isoformat()}"
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    """A value where a whole number was wanted: numbers as written, with their type."""
    if isinstance(value, float):
        hint = f" (write {int(value)})" if value.is_integer() and value > 0 else ""
        return f"{value!r}, a float{hint}"
    if isinstance(value, int) and not isinstance(value, bool):
        return fmt_value(value)
    return _type(value)


def _blame(
    message: str,
    derived: Mapping[str, str],
    inputs: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, Any]],
) -> str:
    """The key a Model error is about, so its line can be found."""

    def named(name: str) -> bool:  # long names are shown cut short: 'aaaa…'
        return repr(name) in message or (len(name) > 20 and f"{name[:20]!r}…" in message)

    for section, table in labels.items():  # [units] and [long_names] name a quantity each
        if message.startswith(f"{section}:"):
            for key in table:  # the message is "units: a quantity='key' is not one of ..."
                if f"={key!r}" in message:
                    return f"{section}.{key}"
            return section
    cycle = re.search(r"cycle: ([^\W\d]\w*)", message)
    if cycle and cycle.group(1) in derived:
        return f"derived.{cycle.group(1)}"
    for name in derived:
        if named(name):
            return f"derived.{name}"
    if message.startswith("correlations"):
        return "correlations.pairs"
    for name in inputs:
        if named(name):
            return f"inputs.{name}"
    return "derived" if "derived" in message else "inputs"


class _Locator:
    """Finds the line of a dotted key in TOML text, for ``file:line:`` error prefixes."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = [line.rstrip("\r") for line in text.split("\n")]  # TOML's newlines

    def __call__(self, key: str) -> str:
        line = self.line(key)
        return f"{self.name}:{line}" if line else self.name

    def line(self, key: str) -> int | None:
        parts = key.split(".")
        for cut in range(len(parts), 0, -1):
            table, rest = parts[:cut], parts[cut:]
            header = self._find(rf"^\s*\[\[?\s*{_dotted(table)}\s*\]\]?\s*(#.*)?$")
            if header is None:
                continue
            if not rest:
                return header + 1
            found = self._find(rf"^\s*{_dotted(rest[:1])}\s*[=.]", header + 1, True)
            return (found if found is not None else header) + 1
        for cut in range(len(parts), 0, -1):  # dotted keys outside a header: inputs.x.range = ..
            found = self._find(rf"^\s*{_dotted(parts[:cut])}\s*[=.]")
            if found is not None:
                return found + 1
        found = self._find(rf"^\s*{_dotted(parts[-1:])}\s*=")
        return None if found is None else found + 1

    def _find(self, pattern: str, start: int = 0, stop_at_table: bool = False) -> int | None:
        for i in range(start, len(self.lines)):
            if stop_at_table and re.match(r"^\s*\[", self.lines[i]):
                return None
            if re.match(pattern, self.lines[i]):
                return i
        return None


def _dotted(parts: Sequence[str]) -> str:
    """A pattern for a dotted TOML key, each part bare or quoted, spaces around the dots."""
    quoted = [rf"(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')" for p in parts]
    return r"\s*\.\s*".join(quoted)


# ------------------------------------------------------------------------------ [readings.NAME]
#: The keys of a ``[readings.NAME]`` table besides its qualifiers.
_READING_META = ("description", "base")


def _readings(where: _Locator, value: object) -> dict[str, elicit.Reading]:
    """The scenario's own ``[readings.NAME]`` tables, in file order, each checked."""
    out: dict[str, elicit.Reading] = {}
    for name, spec in _table(where, "readings", value).items():
        section = f"readings.{name}"
        if name in elicit.READINGS:
            raise InputError(
                f"{where(section)}: {section}: {name!r} is a built-in reading "
                f"({', '.join(elicit.READINGS)}); give yours another name"
            )
        table = _table(where, section, spec)
        _known_keys(where, section, table, (*_READING_META, *elicit.READING_KEYS))
        description = _string(where, f"{section}.description", table.get("description", ""))
        base = _string(where, f"{section}.base", table.get("base", "default"))
        known = {**elicit.READINGS, **out}
        if base not in known:
            raise InputError(
                f"{where(section + '.base')}: {section}.base: unknown reading {base!r}; valid: "
                f"{', '.join(known)} (a reading of this file must come before it)"
            )
        rules: dict[str, dict[str, Any]] = {}
        for qualifier in elicit.READING_KEYS:
            if qualifier not in table:
                continue
            key = f"{section}.{qualifier}"
            rules[qualifier] = _table(where, key, table[qualifier])
            _known_keys(where, key, rules[qualifier], elicit.READING_KEYS[qualifier])
        try:
            out[name] = elicit.make_reading(name, rules, description=description, base=known[base])
        except InputError as err:
            found = re.match(r"^(\w+)(?:\.(\w+))?", str(err))
            parts = [p for p in (found.groups() if found else ()) if p]
            key = ".".join([section, *parts]) if parts else section
            raise InputError(f"{where(key)}: {section}.{err}") from None
    return out


def _report_readings(
    where: _Locator, value: object, custom: Mapping[str, elicit.Reading]
) -> tuple[str, ...]:
    """``[report] readings``: names of built-in or the scenario's own readings, each once."""
    valid = [*elicit.READINGS, *custom]
    names = []
    for item in _list(where, "report.readings", value):
        name = _string(where, "report.readings", item)
        if name not in valid:
            raise InputError(
                f"{where('report.readings')}: report.readings: unknown reading {name!r}; "
                f"valid: {', '.join(valid)}"
            )
        if name in names:
            raise InputError(
                f"{where('report.readings')}: report.readings lists {name!r} twice; list each "
                "reading once"
            )
        names.append(name)
    return tuple(names)


def _chosen_reading(
    reading: str | elicit.Reading, custom: Mapping[str, elicit.Reading]
) -> elicit.Reading:
    """The reading a scenario is read under: a Reading, or a built-in or own reading's name."""
    if isinstance(reading, elicit.Reading):
        return reading
    valid = {**elicit.READINGS, **custom}
    if not isinstance(reading, str) or reading not in valid:
        raise InputError(f"unknown reading {reading!r}; valid: {', '.join(valid)}")
    return valid[reading]


# ------------------------------------------------------------------------------ [synthesis.NAME]
def _synthesis(
    where: _Locator,
    name: str,
    value: object,
    catalogue: Any,
    scenario_seed: int,
    default_level: float,
    default_thresholds: tuple[float, ...] = (),
    default_crossed_by: tuple[str, ...] = (),
    reading: elicit.Reading = elicit.READINGS["default"],
) -> SynthesisSettings:
    """Read and check one ``[synthesis.NAME]`` table.

    Without ``thresholds`` or ``crossed_by`` it takes the report's (``default_thresholds``,
    ``default_crossed_by``).
    """
    section = f"synthesis.{name}"
    table = _table(where, section, value)
    _known_keys(where, section, table, _SYNTHESIS_KEYS)

    def key(name: str) -> str:
        return f"{section}.{name}"

    long_name = _string(where, key("long_name"), table.get("long_name", name))
    start = _day(where, key("start"), table.get("start", DEFAULT_START))
    records: list[Any] = []
    if "catalogue" in table:
        records += _catalogue_query(where, key("catalogue"), table["catalogue"], catalogue)
    observations: list[Any] = []
    named: list[tuple[str, str, str]] = []  # each inline source's label, place and key
    for i, item in enumerate(_list(where, key("observations"), table.get("observations", []))):
        at = f"{key('observations')}[{i}]"
        if isinstance(item, str):
            try:
                records.append(_catalogue(catalogue)[item])
            except InputError as err:  # one line: the nearest id, not all of them
                raise InputError(
                    f"{where(key('observations'))}: {at}: {err}; `attritionsim sources` lists "
                    "every id"
                ) from None
        elif isinstance(item, dict):
            when, dist, label = _inline(
                where, key("observations"), at, item, ("date",), catalogue, default_level, reading
            )
            _after(where, key("observations"), at, when[0], start)
            observations.append((when[0], dist, label or at))
            named.append((label or at, at, key("observations")))
        else:
            raise InputError(
                f"{where(key('observations'))}: {at} must be a catalogue id or an inline table "
                f"{{date = ..., <qualifier> = ...}}; got {_type(item)}"
            )
    seen: dict[str, int] = {}
    for record in records:
        seen[record.id] = seen.get(record.id, 0) + 1
    twice = sorted(ident for ident, count in seen.items() if count > 1)
    if twice:
        raise InputError(
            f"{where(key('observations'))}: {section} lists {', '.join(map(repr, twice))} more "
            "than once (in observations, or also through catalogue); list each record once"
        )
    listed_at = key("observations") if "observations" in table else key("catalogue")
    _check_records(where, listed_at, records, start)
    rates: list[tuple[str, str, Distribution | float, str]] = []
    for i, item in enumerate(_list(where, key("rates"), table.get("rates", []))):
        at = f"{key('rates')}[{i}]"
        if not isinstance(item, dict):
            raise InputError(
                f"{where(key('rates'))}: {at} must be an inline table "
                f"{{start = ..., end = ..., <qualifier> = ...}}; got {_type(item)}"
            )
        (begin, end), dist, label = _inline(
            where, key("rates"), at, item, ("start", "end"), catalogue, default_level, reading
        )
        _after(where, key("rates"), at, begin, start, inclusive=True)
        if not end > begin:
            raise InputError(f"{where(key('rates'))}: {at}: end {end} must be after start {begin}")
        rates.append((begin, end, dist, label or at))
        named.append((label or at, at, key("rates")))
    _distinct_labels(where, [record.id for record in records], named)
    if not records and not observations and not rates:
        raise InputError(
            f"{where(section)}: {section} needs at least one of observations, rates or catalogue"
        )
    periods = []
    for i, item in enumerate(_list(where, key("periods"), table.get("periods", []))):
        at = f"{key('periods')}[{i}]"
        if not (isinstance(item, list) and len(item) == 2):
            raise InputError(
                f"{where(key('periods'))}: {at} must be [start, end] dates; got {item!r}"
            )
        begin, end = (_day(where, key("periods"), part, at) for part in item)
        _after(where, key("periods"), at, begin, start, inclusive=True)
        if not end > begin:
            raise InputError(f"{where(key('periods'))}: {at}: end {end} must be after {begin}")
        periods.append((begin, end))

    def days_after_start(name: str, default: list[str]) -> tuple[str, ...]:
        """A list of dates, each checked to be after the process start."""
        return tuple(
            _after(
                where,
                key(name),
                f"{key(name)}[{i}]",
                _day(where, key(name), item, f"{key(name)}[{i}]"),
                start,
            )
            for i, item in enumerate(_list(where, key(name), table.get(name, default)))
        )

    crossed_by = days_after_start("crossed_by", list(default_crossed_by))
    extra = days_after_start("dates", [])
    thresholds = []
    given = table.get("thresholds", list(default_thresholds))
    for i, item in enumerate(_list(where, key("thresholds"), given)):
        level = _number(where, key("thresholds"), item)
        if not level > 0:
            raise InputError(
                f"{where(key('thresholds'))}: {key('thresholds')}[{i}] must be > 0; got {item!r}"
            )
        thresholds.append(level)
    given_draws = table.get("draws", 100_000)
    if isinstance(given_draws, int) and not isinstance(given_draws, bool):
        draws = given_draws  # a synthesis's own bounds, narrower than every backend's
    else:
        draws = _draws(where, key("draws"), given_draws)  # says what else is wrong
    if not _MIN_SYNTHESIS_DRAWS <= draws <= MAX_SYNTHESIS_DRAWS:
        raise InputError(
            f"{where(key('draws'))}: {key('draws')} must be an integer from "
            f"{_MIN_SYNTHESIS_DRAWS} to {MAX_SYNTHESIS_DRAWS:,}; got {draws:,}"
        )
    seed = scenario_seed
    if "seed" in table:
        try:
            seed = _rng.check_seed(table["seed"], name=key("seed"))
        except InputError as err:
            raise InputError(f"{where(key('seed'))}: {err}") from None
    options: dict[str, Any] = {}
    if "start" in table:
        options["start"] = start
    if "outlier" in table:
        options["outlier"] = _bounded(where, key("outlier"), table["outlier"], 0.0, 0.5, "[0, 0.5)")
    if "rate_walk" in table:
        options["rate_walk"] = _bounded(
            where,
            key("rate_walk"),
            table["rate_walk"],
            0.0,
            MAX_RATE_WALK,
            f"in (0, {MAX_RATE_WALK:g}]",
            low_open=True,
            high_closed=True,
        )
    if "widen" in table:
        options["widen"] = _bounded(
            where,
            key("widen"),
            table["widen"],
            1.0,
            MAX_WIDEN,
            f"in [1, {MAX_WIDEN:g}]",
            high_closed=True,
        )
    if "tallies" in table:
        slugs = _list(where, key("tallies"), table["tallies"])
        for i, slug in enumerate(slugs):
            if not isinstance(slug, str) or not slug.strip():
                raise InputError(
                    f"{where(key('tallies'))}: {key('tallies')}[{i}] must be a publisher slug "
                    f'(an id\'s first word, e.g. "uagenstaff"); got {_shown(slug)}'
                )
        options["tallies"] = tuple(slugs)
    if "grid" in table:
        if not isinstance(table["grid"], bool):
            raise InputError(
                f"{where(key('grid'))}: {key('grid')} must be true or false; "
                f"got {_type(table['grid'])}"
            )
        options["grid"] = table["grid"]
    if "moves" in table:
        moves = table["moves"]
        if isinstance(moves, bool) or not isinstance(moves, int) or not 1 <= moves <= MAX_MOVES:
            raise InputError(
                f"{where(key('moves'))}: {key('moves')} must be an integer from 1 to "
                f"{MAX_MOVES}; got {_shown(moves)}"
            )
        options["moves"] = moves
    if "bias" in table:
        publishers = sorted(
            {r.id.split("-", 1)[0] for r in records}
            | {str(item[-1]).split("-", 1)[0] for item in (*observations, *rates)}
        )
        options["bias"] = {}
        for slug, spec in _table(where, key("bias"), table["bias"]).items():
            at = f"{key('bias')}.{slug}"
            if slug not in publishers:
                raise InputError(
                    f"{where(at)}: {at}: no source of {section} is from publisher {slug!r} (an "
                    f"id's first word); publishers here: {', '.join(publishers)}"
                )
            options["bias"][slug] = _bias(where, at, spec, catalogue, default_level, reading)
    listed = {*extra, *crossed_by, *(d for period in periods for d in period)}
    return SynthesisSettings(
        name=name,
        long_name=long_name,
        observations=(*records, *observations),
        rates=tuple(rates),
        periods=tuple(periods),
        crossed_by=crossed_by,
        dates=tuple(sorted(listed)),
        thresholds=tuple(thresholds),
        draws=draws,
        seed=seed,
        options=options,
        place=where(section),
        reading=reading,
    )


def _distinct_labels(
    where: _Locator, ids: Sequence[str], named: Sequence[tuple[str, str, str]]
) -> None:
    """Every inline source's label differs from the others' and from every record's id."""
    seen = dict.fromkeys(ids, "a catalogue record's id")
    for label, at, key in named:
        if label in seen:
            raise InputError(
                f"{where(key)}: {at}: label {label!r} is already {seen[label]}; give each "
                "source its own label"
            )
        seen[label] = f"the label of {at}"


def _day(where: _Locator, key: str, value: object, shown: str | None = None) -> str:
    """An ISO date (a string, or a bare TOML date) as ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        parsed = _dates.parse_date(value, strict=True)
        if parsed is not None:
            return parsed.isoformat()
    raise InputError(f"{where(key)}: {shown or key} must be a date 'YYYY-MM-DD'; got {value!r}")


def _after(
    where: _Locator, key: str, at: str, day: str, start: str, *, inclusive: bool = False
) -> str:
    """``day``, if it is after the process start (or on it, ``inclusive``)."""
    if day < start or (day == start and not inclusive):
        raise InputError(
            f"{where(key)}: {at}: date {day} is not after the process start {start}; "
            "set start = an earlier date"
        )
    return day


def _bounded(
    where: _Locator,
    key: str,
    value: object,
    low: float,
    high: float,
    valid: str,
    *,
    low_open: bool = False,
    high_closed: bool = False,
) -> float:
    number = _number(where, key, value)
    above = number > high if high_closed else not number < high
    if number < low or (low_open and number == low) or above:
        raise InputError(f"{where(key)}: {key} must be a number {valid}; got {value!r}")
    return number


#: What an inline observation or rate may hold besides its dates and label.
_READINGS = tuple(kind for kind in _KINDS if kind not in ("source", "pool"))


def _inline(
    where: _Locator,
    key: str,
    at: str,
    item: Mapping[str, Any],
    date_keys: tuple[str, ...],
    catalogue: Any,
    default_level: float,
    reading: elicit.Reading = elicit.READINGS["default"],
) -> tuple[list[str], Distribution | float, str]:
    """An inline ``{date = .., <qualifier> = .., label = ..}``: its dates, reading and label."""
    every = (*date_keys, "label", *_READINGS, *sorted({o for k in _READINGS for o in _OPTIONS[k]}))
    for name in item:
        if name not in every:
            close = difflib.get_close_matches(name, every, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; valid: {', '.join(every)}"
            raise InputError(f"{where(key)}: {at}: unknown key {name!r}{hint}")
    missing = [name for name in date_keys if name not in item]
    if missing:
        raise InputError(f"{where(key)}: {at} needs {' and '.join(missing)}")
    days = [_day(where, key, item[name], f"{at}.{name}") for name in date_keys]
    label = ""
    if "label" in item:
        label = _string(where, key, item["label"]).strip()
        if not label:
            raise InputError(f"{where(key)}: {at}.label must not be empty")
    figure = {k: v for k, v in item.items() if k not in (*date_keys, "label")}
    return days, _reading(where, key, at, figure, catalogue, default_level, reading), label


def _reading(
    where: _Locator,
    key: str,
    at: str,
    table: Mapping[str, Any],
    catalogue: Any,
    default_level: float,
    reading: elicit.Reading = elicit.READINGS["default"],
) -> Distribution | float:
    """A reading written like an input (one qualifier key, or ``value``): positive counts."""
    kinds = [kind for kind in _KINDS if kind in table]
    if len(kinds) != 1 or kinds[0] not in _READINGS:
        got = "none" if not kinds else " and ".join(kinds)
        raise InputError(
            f"{where(key)}: {at} needs exactly one of {', '.join(_READINGS)}; got {got}"
        )
    try:
        dist = _input(
            _Placed(where, key), at, table, catalogue, {}, at, default_level, reading=reading
        )
    except InputError as err:
        message = str(err)
        raise InputError(
            message if message.startswith(where.name) else f"{where(key)}: {err}"
        ) from None
    if isinstance(dist, str) or (not isinstance(dist, Distribution) and not dist > 0):
        raise InputError(f"{where(key)}: {at}.value must be a number > 0; got {dist!r}")
    if isinstance(dist, Distribution) and dist.support[0] < 0:
        raise InputError(
            f"{where(key)}: {at}: {dist!r} allows negative counts; use a family on x >= 0 "
            '(family = "lognormal", "gamma" or "truncnormal")'
        )
    return dist


def _bias(
    where: _Locator,
    key: str,
    spec: object,
    catalogue: Any,
    default_level: float,
    reading: elicit.Reading = elicit.READINGS["default"],
) -> Distribution:
    table = _table(where, key, spec)
    dist = _reading(where, key, key, table, catalogue, default_level, reading)
    if not isinstance(dist, Distribution):
        raise InputError(
            f"{where(key)}: {key} must be a distribution (a qualifier such as range = [..]); "
            f"got the constant {dist!r}"
        )
    return dist


def _catalogue_query(where: _Locator, key: str, value: object, catalogue: Any) -> list[Any]:
    """``catalogue = {side = ".."}``: the side's records of every measure a synthesis reads."""
    table = _table(where, key, value)
    _known_keys(where, key, table, ("side", "since", "until"))
    if "side" not in table:
        raise InputError(f'{where(key)}: {key} needs side = "..." (e.g. "russia")')
    side = _string(where, f"{key}.side", table["side"])
    bounds = {
        name: _day(where, f"{key}.{name}", table[name])
        for name in ("since", "until")
        if name in table
    }
    try:
        found = _catalogue(catalogue).query(side=side, measure=list(KINDS), **bounds)
    except InputError as err:
        raise InputError(f"{where(key)}: {key}: {err}") from None
    records = list(found)
    if not records:
        raise InputError(f"{where(key)}: {key} matches no record of side {side!r}")
    return records


def _check_records(where: _Locator, key: str, records: Sequence[Any], start: str) -> None:
    """Catalogue records a synthesis can read: one side, a measure it reads, after ``start``."""
    for record in records:
        if record.measure not in KINDS:
            raise InputError(
                f"{where(key)}: record {record.id!r} measures {record.measure!r}; a synthesis "
                f"reads {', '.join(map(repr, KINDS))}"
            )
        if record.side != records[0].side:
            raise InputError(
                f"{where(key)}: record {record.id!r} is about {record.side!r} but "
                f"{records[0].id!r} about {records[0].side!r}; a synthesis is about one side"
            )
        if record.as_of.isoformat() <= start:
            raise InputError(
                f"{where(key)}: record {record.id!r} is dated {record.as_of}, not after the "
                f"process start {start}; set start = an earlier date"
            )


class _Placed(_Locator):
    """A locator that places every key at one line (the key an inline table sits on)."""

    def __init__(self, where: _Locator, key: str) -> None:
        self.name = where.name
        self.lines = where.lines
        self._at = where(key)

    def __call__(self, key: str) -> str:
        return self._at
