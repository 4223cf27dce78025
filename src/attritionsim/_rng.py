r"""The only module that makes random numbers.

Everything random in attritionsim takes an explicit seed or :class:`numpy.random.Generator`;
nothing reads or changes numpy's global random state.

The stream layout (stable across releases; changing it is a breaking change)
----------------------------------------------------------------------------
A model run draws one uniform per input per draw. The uniform of input ``name`` at draw ``i``
for seed ``seed`` is fixed by ``(seed, name, i)`` alone:

1. **Key.** ``key = blake2b(b"attritionsim\\x00" + purpose + b"\\x00" + str(seed) + b"\\x00" +
   name, digest_size=16)`` read as two little-endian ``uint64`` words; ``purpose`` is ``"draws"``
   for the uniforms themselves (other purposes key auxiliary streams, e.g. the Latin-hypercube
   permutation and the Sobol scrambling).
2. **Counter.** numpy's :class:`~numpy.random.Philox` (4x64, 10 rounds) with that key yields four
   64-bit words per counter value; word ``i`` is word ``i % 4`` of counter ``i // 4``, so any
   block of draws is reached directly, without generating the ones before it.
3. **Uniform.** ``u_i = ((word_i >> 12) + 0.5) * 2**-52``, exactly: the 52-bit grid shifted by
   half a step, so ``2**-53 <= u_i <= 1 - 2**-53`` and every inverse CDF is finite. (It is
   computed as the float with exponent 0 and mantissa ``word_i >> 12``, minus ``1 - 2**-53``,
   which is exact by Sterbenz's lemma.)

Because a block depends only on ``(seed, name, block position)``, results are bit-identical
whatever the chunk size, whatever the number of workers, and whatever other inputs the model has.
"""

from __future__ import annotations

import hashlib
import numbers

import numpy as np

from ._typing import FloatArray, SeedLike
from .errors import InputError

__all__ = [
    "LAYOUT",
    "MAX_SEED",
    "as_generator",
    "check_seed",
    "open_uniforms",
    "stream_generator",
    "stream_key",
    "stream_uniforms",
]

#: Name of the stream layout recorded in every result (see the module docstring).
LAYOUT = "philox4x64-blake2b/1"
#: The largest seed: results files keep the seed as a signed 64-bit integer attribute.
MAX_SEED = 2**63 - 1

# Half a step of the 53-bit grid: random() can return exactly 0.0, where an unbounded family's
# inverse CDF is -inf; 2**-54 sits below every other value numpy can return and keeps the order.
_TINY = 2.0**-54
_WORDS_PER_COUNTER = 4
_ONE_BITS = np.uint64(0x3FF0000000000000)  # the bits of 1.0
_ONE_MINUS_HALF_STEP = 1.0 - 2.0**-53


def check_seed(seed: object, *, name: str = "seed") -> int:
    """Return ``seed`` as a non-negative ``int``, or raise :class:`InputError`.

    >>> check_seed(20250604)
    20250604
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise InputError(f"{name} must be a non-negative integer; got {seed!r}")
    if int(seed) > MAX_SEED:
        raise InputError(
            f"{name} must be at most 2**63 - 1 = {MAX_SEED} (results files store it as int64); "
            f"got {int(seed)}"
        )
    return int(seed)


def as_generator(rng: SeedLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for a seed, or the generator itself.

    >>> as_generator(7).random() == as_generator(7).random()
    True
    """
    value: object = rng  # typed loosely: callers outside mypy can pass anything
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise InputError(
            f"rng must be a non-negative integer seed or a numpy.random.Generator; got {value!r}"
        )
    return np.random.default_rng(int(value))


def open_uniforms(rng: np.random.Generator, shape: int | tuple[int, ...]) -> FloatArray:
    """Uniform draws on the open interval (0, 1), safe to feed to any inverse CDF."""
    u = rng.random(shape)
    np.maximum(u, _TINY, out=u)
    return u


def stream_key(seed: int, name: str, purpose: str = "draws") -> np.ndarray:
    """The Philox key of the stream ``(seed, name, purpose)``: two ``uint64`` words.

    >>> stream_key(1, "ru").dtype, stream_key(1, "ru").shape
    (dtype('uint64'), (2,))
    >>> bool((stream_key(1, "ru") == stream_key(1, "ua")).all())
    False
    """
    message = b"\x00".join(
        [b"attritionsim", purpose.encode(), str(check_seed(seed)).encode(), name.encode()]
    )
    digest = hashlib.blake2b(message, digest_size=16).digest()
    return np.frombuffer(digest, dtype="<u8").astype(np.uint64)


def _philox_at(key: np.ndarray, counter: int) -> np.random.Philox:
    return np.random.Philox(counter=np.array([counter, 0, 0, 0], dtype=np.uint64), key=key)


def stream_words(seed: int, name: str, start: int, stop: int, purpose: str = "draws") -> np.ndarray:
    """The raw 64-bit words ``start`` to ``stop - 1`` of the stream ``(seed, name, purpose)``."""
    if not 0 <= start <= stop:
        raise InputError(f"stream block must have 0 <= start <= stop; got [{start}, {stop})")
    first = start // _WORDS_PER_COUNTER
    skip = start - first * _WORDS_PER_COUNTER
    words = _philox_at(stream_key(seed, name, purpose), first).random_raw(stop - start + skip)
    return np.ascontiguousarray(words[skip:], dtype=np.uint64)


def stream_uniforms(
    seed: int, name: str, start: int, stop: int, purpose: str = "draws"
) -> FloatArray:
    """Uniforms on (0, 1) for draws ``start`` to ``stop - 1`` of the stream ``(seed, name)``.

    Examples
    --------
    >>> whole = stream_uniforms(1, "ru", 0, 10)
    >>> bool((stream_uniforms(1, "ru", 3, 7) == whole[3:7]).all())
    True
    """
    words = stream_words(seed, name, start, stop, purpose)
    np.right_shift(words, np.uint64(12), out=words)
    np.bitwise_or(words, _ONE_BITS, out=words)  # 1 + m * 2**-52, in [1, 2)
    u: FloatArray = words.view(np.float64)
    u -= _ONE_MINUS_HALF_STEP
    return u


def stream_generator(seed: int, name: str, purpose: str) -> np.random.Generator:
    """A :class:`numpy.random.Generator` on the stream ``(seed, name, purpose)``.

    For auxiliary randomness that is drawn whole (a Sobol scrambling), never for per-draw values:
    numpy's default generator seeded with the stream's key words through a ``SeedSequence``.

    >>> stream_generator(1, "", "sobol-scramble").random() == stream_generator(
    ...     1, "", "sobol-scramble").random()
    True
    """
    return np.random.default_rng(np.random.SeedSequence(stream_key(seed, name, purpose).tolist()))
