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

from ._version import __version__
from .distributions import Distribution, from_spec
from .elicit import (
    approximately,
    at_least,
    from_range,
    metalog,
    mixture,
    more_than,
    nearly,
    pert,
    rounding_unit,
    up_to,
)
from .errors import InputError
from .expr import Expression, dependencies, parse, register_function
from .model import Model, simulate

__all__ = [
    "Distribution",
    "Expression",
    "InputError",
    "Model",
    "__version__",
    "approximately",
    "at_least",
    "dependencies",
    "from_range",
    "from_spec",
    "metalog",
    "mixture",
    "more_than",
    "nearly",
    "parse",
    "pert",
    "register_function",
    "rounding_unit",
    "simulate",
    "up_to",
]
