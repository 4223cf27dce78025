"""attritionsim: Monte Carlo credible intervals for contested figures.

Published estimates of war losses arrive as loose phrases ("approximately 1.2 million",
"500,000 to 600,000", "up to 250,000"). attritionsim turns each into a probability
distribution whose stated range is honoured exactly, so that the uncertainty can be carried into
the quantities people quote.

Examples
--------
>>> import numpy as np
>>> import attritionsim as asim
>>> ua = asim.from_range(500_000, 600_000)
>>> ru = asim.approximately(1_200_000)
>>> ratio = ru.sample(100_000, rng=1) / ua.sample(100_000, rng=2)
>>> 2.0 < float(np.median(ratio)) < 2.4
True
"""

# Importing attrition registers its functions for expressions; accessors.register() below
# registers the ".asim" xarray accessor.
from . import accessors
from ._version import __version__
from .attrition import (
    consistency,
    crossing_date,
    crossing_from_trajectory,
    fit_trajectory,
    implied_rate,
    multiple_of,
    per_area,
    prob_between,
    prob_crossed_by,
    prob_greater,
    ratio,
    share_of,
    split,
    trajectory,
)
from .catalogue import (
    Catalogue,
    Record,
    format_records,
    load_catalogue,
    load_series,
    series_names,
)
from .citation import cite, cite_record, to_csv, to_latex, to_markdown
from .dask_backend import simulate_dask
from .distributions import Distribution, from_spec
from .elicit import (
    READINGS,
    Reading,
    approximately,
    at_least,
    from_range,
    get_reading,
    make_reading,
    metalog,
    mixture,
    more_than,
    nearly,
    pert,
    read_figure,
    rounding_unit,
    up_to,
)
from .errors import AttritionWarning, InputError
from .expr import Expression, dependencies, parse, register_function
from .model import Model, simulate
from .plots import (
    plot_crossing_cdf,
    plot_distribution,
    plot_fan,
    plot_forest,
    plot_tornado,
    save_figure,
)
from .pooling import pool, pool_draws
from .precision import simulate_to_precision
from .scenario import Scenario, load_scenario, run_scenario
from .sensitivity import sobol_indices
from .streaming import summarize_chunked
from .summary import (
    interval,
    mcse_interval,
    mcse_mean,
    mcse_probability,
    mcse_quantile,
    summarize,
)
from .synthesis import (
    SynthesisWarning,
    TensionSet,
    path_crossing_date,
    synthesize,
    tension,
    tension_sets,
)

accessors.register()

__all__ = [
    "READINGS",
    "AttritionWarning",
    "Catalogue",
    "Distribution",
    "Expression",
    "InputError",
    "Model",
    "Reading",
    "Record",
    "Scenario",
    "SynthesisWarning",
    "TensionSet",
    "__version__",
    "approximately",
    "at_least",
    "cite",
    "cite_record",
    "consistency",
    "crossing_date",
    "crossing_from_trajectory",
    "dependencies",
    "fit_trajectory",
    "format_records",
    "from_range",
    "from_spec",
    "get_reading",
    "implied_rate",
    "interval",
    "load_catalogue",
    "load_scenario",
    "load_series",
    "make_reading",
    "mcse_interval",
    "mcse_mean",
    "mcse_probability",
    "mcse_quantile",
    "metalog",
    "mixture",
    "more_than",
    "multiple_of",
    "nearly",
    "parse",
    "path_crossing_date",
    "per_area",
    "pert",
    "plot_crossing_cdf",
    "plot_distribution",
    "plot_fan",
    "plot_forest",
    "plot_tornado",
    "pool",
    "pool_draws",
    "prob_between",
    "prob_crossed_by",
    "prob_greater",
    "ratio",
    "read_figure",
    "register_function",
    "rounding_unit",
    "run_scenario",
    "save_figure",
    "series_names",
    "share_of",
    "simulate",
    "simulate_dask",
    "simulate_to_precision",
    "sobol_indices",
    "split",
    "summarize",
    "summarize_chunked",
    "synthesize",
    "tension",
    "tension_sets",
    "to_csv",
    "to_latex",
    "to_markdown",
    "trajectory",
    "up_to",
]
