"""Finite mixtures: a weighted choice among component distributions.

The CDF is the weighted sum of the components' CDFs. The quantile function has no closed form;
it is found elementwise by a bracketing root finder, the bracket being the smallest and largest
component quantile at the same probability (the mixture's quantile always lies between them).
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from scipy import special
from scipy.optimize import elementwise

from .. import _validate
from .._typing import FloatArray
from ..errors import InputError
from ._base import Distribution, Origin, from_spec

__all__ = ["Mixture"]


@dataclasses.dataclass(frozen=True, repr=False)
class Mixture(Distribution):
    """A mixture of distributions with positive weights (normalised to sum to one).

    Examples
    --------
    >>> from attritionsim.distributions import Mixture, Uniform
    >>> mix = Mixture((Uniform(0.0, 1.0), Uniform(2.0, 3.0)), (1.0, 1.0))
    >>> mix.weights, mix.mean()
    ((0.5, 0.5), 1.5)
    >>> round(mix.ppf(0.75), 12)
    2.5
    """

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]

    family: ClassVar[str] = "mixture"

    def __post_init__(self) -> None:
        super().__post_init__()
        comps, weights = tuple(self.components), tuple(self.weights)
        if not comps or not all(isinstance(c, Distribution) for c in comps):
            raise InputError(
                f"mixture components must be one or more distributions; got {self.components!r}"
            )
        if len(weights) != len(comps):
            raise InputError(
                f"mixture needs one weight per component; got {len(weights)} weights "
                f"for {len(comps)} components"
            )
        clean = [_validate.finite_real(f"weights[{i}]", w) for i, w in enumerate(weights)]
        if min(clean) <= 0.0:
            raise InputError(f"mixture weights must be > 0; got {clean}")
        peak = max(clean)
        scaled = [w / peak for w in clean]  # summed without overflow, whatever the weights
        share = math.fsum(scaled)
        # Weights that already sum to one (to rounding) are kept as they are: normalising twice
        # must change nothing, or a spec round trip would not give back an equal mixture.
        if abs(peak * share - 1.0) > 4.0 * len(clean) * sys.float_info.epsilon:
            clean = [w / share for w in scaled]
        self._set("components", comps)
        self._set("weights", tuple(clean))

    def _cdf(self, x: FloatArray) -> FloatArray:
        out = np.zeros_like(x)
        for weight, comp in zip(self.weights, self.components, strict=True):
            out += weight * comp.cdf_unchecked(x)
        return out

    def _logpdf(self, x: FloatArray) -> FloatArray:
        terms = np.stack(
            [
                math.log(weight) + comp.logpdf_unchecked(x)
                for weight, comp in zip(self.weights, self.components, strict=True)
            ]
        )
        return np.asarray(special.logsumexp(terms, axis=0), dtype=float)

    def _ppf(self, q: FloatArray) -> FloatArray:
        quantiles = np.stack([comp.ppf_unchecked(q) for comp in self.components])
        lo, hi = np.asarray(quantiles.min(axis=0)), quantiles.max(axis=0)
        # where the components' quantiles agree, so does the mixture's; the root is searched
        # (element by element) only between quantiles that differ
        apart = ~(lo >= hi)
        if apart.any():
            res = elementwise.find_root(
                lambda x, target: self.cdf_unchecked(x) - target,
                (lo[apart], hi[apart]),
                args=(q[apart],),
            )
            lo[apart] = res.x
        return lo

    @property
    def support(self) -> tuple[float, float]:
        ends = np.array([comp.support for comp in self.components])
        return float(ends[:, 0].min()), float(ends[:, 1].max())

    def mean(self) -> float:
        return float(
            sum(w * comp.mean() for w, comp in zip(self.weights, self.components, strict=True))
        )

    def _describe(self) -> str:
        return ", ".join(
            f"{w:.4g}*{comp!r}" for w, comp in zip(self.weights, self.components, strict=True)
        )

    @classmethod
    def _from_params(cls, params: Mapping[str, Any], origin: Origin | None) -> Distribution:
        comps = params["components"]
        if not isinstance(comps, list | tuple):
            raise InputError(f"spec['params']['components'] must be a list; got {comps!r}")
        return cls(tuple(from_spec(c) for c in comps), tuple(params["weights"]), origin=origin)
