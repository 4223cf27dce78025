"""Small formatting helpers shared by reprs and error messages."""

from __future__ import annotations

import math

__all__ = ["fmt_number", "fmt_sig", "fmt_value"]


def fmt_number(value: float) -> str:
    """Format a number for people: thousands separators, about seven significant digits.

    >>> fmt_number(1_200_000.0), fmt_number(1_333_333.33), fmt_number(0.35), fmt_number(-2.5e-7)
    ('1,200,000', '1,333,333', '0.35', '-2.5e-07')
    >>> fmt_number(10**400)
    'about 10^400'

    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return repr(value)
    if isinstance(value, int) and abs(value) >= 2**1024:  # beyond the float range
        sign = "-" if value < 0 else ""
        return f"{sign}about 10^{math.floor(abs(value).bit_length() * math.log10(2))}"
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1e3 <= abs(value) < 1e15:
        decimals = max(0, 6 - int(math.log10(abs(value))))
        return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return f"{value:.7g}"


def fmt_value(value: object) -> str:
    """Format any received value for an error message (numbers readably, the rest with ``repr``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    return repr(value)


def fmt_sig(value: float, digits: int = 3) -> str:
    """Format a number rounded to ``digits`` significant digits, with thousands separators.

    >>> fmt_sig(547_722.557), fmt_sig(0.012345), fmt_sig(2.0), fmt_sig(-1_234_567.0, 2)
    ('548,000', '0.0123', '2', '-1,200,000')
    >>> fmt_sig(1e-300), fmt_sig(1.7e308)
    ('1.00e-300', '1.70e+308')
    """
    if not math.isfinite(value) or value == 0.0:
        return fmt_number(float(value))
    if not 1e-6 <= abs(value) < 1e15:  # plain digits would run to hundreds of places
        return f"{value:.{digits - 1}e}"
    place = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, place)
    if place <= 0:
        return f"{int(rounded):,}"
    return f"{rounded:,.{place}f}".rstrip("0").rstrip(".")
