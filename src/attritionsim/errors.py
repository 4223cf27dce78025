"""The library's exceptions.

Every problem with what a user passed in (an argument, a scenario file, a catalogue record) is an
:class:`InputError`. It is a :class:`ValueError`, so code that already catches ``ValueError`` keeps
working, and its message names the argument, shows the value received and says what would be valid.
"""

from __future__ import annotations

__all__ = ["AttritionWarning", "InputError"]


class InputError(ValueError):
    """Bad input: the message names where, what was received, and what is valid.

    Examples
    --------
    >>> import attritionsim as asim
    >>> try:
    ...     asim.from_range(600_000, 500_000)
    ... except asim.InputError as err:
    ...     print(err)
    low=600,000 must be below high=500,000
    """


class AttritionWarning(UserWarning):
    """A legal request whose result the user should know to be weaker than it looks.

    For example a Sobol run with a draw count that is not a power of two (its points lose their
    balance). The message is one line, so a command line can print it as
    ``attritionsim: warning: ...``.
    """
