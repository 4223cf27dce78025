"""Shared test configuration: a headless plot backend, hypothesis profiles and a seeded ``rng``.

Profiles (choose with ``HYPOTHESIS_PROFILE=<name>``): ``default`` (about 80 examples per
property), ``ci`` (more examples, for a nightly run) and ``dev`` (a handful, for quick edits).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Plots must never open a window; set before anything imports matplotlib.pyplot.
os.environ.setdefault("MPLBACKEND", "Agg")

_COMMON = {
    "deadline": None,  # fitting a beta or inverting a metalog can take a few milliseconds
    "derandomize": False,
    "suppress_health_check": [HealthCheck.too_slow],
    "print_blob": True,  # a failure prints the @reproduce_failure line
}
settings.register_profile("default", max_examples=80, **_COMMON)
settings.register_profile("ci", max_examples=400, **_COMMON)
settings.register_profile("dev", max_examples=15, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator, the same in every test that asks for it."""
    return np.random.default_rng(12345)
