"""The bundled source catalogue and daily series, their loaders and validation.

Every figure in the project's two seed articles, and the dated figures of its research dossier,
is one :class:`Record` in ``data/records.toml``: who published it, about which side, as of when,
what it measures, the figure and how the source worded it (its qualifier). Users add their own
records from TOML or CSV files with :func:`load_catalogue`. The General Staff of Ukraine's daily
claims ship as a series (:func:`load_series`).

Record ids follow one rule (:data:`ID_RULE`)::

    <publisher>-<YYYY>-<MM>-<side>-<measure>[-<suffix>]     e.g. csis-2025-12-russia-casualties

where ``YYYY-MM`` is the month of ``as_of`` and ``_`` in a side or measure is written ``-``.

Examples
--------
>>> from attritionsim.catalogue import load_catalogue
>>> cat = load_catalogue()
>>> cat["csis-2025-12-russia-casualties"]
Record('csis-2025-12-russia-casualties': ≈1,200,000 as of 2025-12-31)
>>> cat.distribution("csis-2025-12-russia-casualties").median()
1200000.0...
"""

from ._catalogue import Catalogue, load_catalogue
from ._output import RecordFormat, format_records
from ._schema import (
    EVIDENCE,
    FIELDS,
    ID_RULE,
    MEASURES,
    QUALIFIERS,
    REQUIRED_FIELDS,
    SIDES,
    UNITS,
    MeasureInfo,
    Record,
)
from ._series import load_series, series_names

__all__ = [
    "EVIDENCE",
    "FIELDS",
    "ID_RULE",
    "MEASURES",
    "QUALIFIERS",
    "REQUIRED_FIELDS",
    "SIDES",
    "UNITS",
    "Catalogue",
    "MeasureInfo",
    "Record",
    "RecordFormat",
    "format_records",
    "load_catalogue",
    "load_series",
    "series_names",
]
