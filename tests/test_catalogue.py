"""Tests of attritionsim.catalogue: the bundled records, the daily series, user files."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import math
import re
import urllib.parse
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attritionsim.catalogue import (
    MEASURES,
    QUALIFIERS,
    SIDES,
    Catalogue,
    Record,
    format_records,
    load_catalogue,
    load_series,
    series_names,
)
from attritionsim.errors import InputError

GS = "ua-general-staff-russia-personnel"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def gs() -> Any:
    return load_series(GS)


# ---------------------------------------------------------------------- the seed figures
# (id, side, measure, qualifier, value, low, high, units, as_of)
SEED_FIGURES = [
    # seed 1: the January 2026 CSIS report as rewritten by Heal From Zero
    ("csis-2025-12-russia-casualties", "russia", "casualties", "approximately",
     1_200_000, None, None, "people", "2025-12-31"),
    ("csis-2025-12-ukraine-casualties", "ukraine", "casualties", "range",
     None, 500_000, 600_000, "people", "2025-12-31"),
    ("csis-2025-12-both-ratio", "both", "ratio", "range", None, 2.0, 2.5, "ratio", "2025-12-31"),
    ("csis-2025-12-russia-territory-change", "russia", "territory_change", "approximately",
     0.12, None, None, "share", "2025-12-31"),
    ("csis-1953-07-us-historical-losses", "us", "historical_losses", "approximately",
     57_000, None, None, "people", "1953-07-27"),
    ("csis-1975-04-us-historical-losses", "us", "historical_losses", "approximately",
     47_000, None, None, "people", "1975-04-30"),
    ("csis-2025-12-russia-historical-multiple", "russia", "historical_multiple", "more_than",
     5, None, None, "multiple", "2025-12-31"),
    ("nato-2025-12-russia-killed-daily-rate", "russia", "killed_daily_rate", "approximately",
     1_000, None, None, "people/day", "2025-12-31"),
    ("nato-1989-02-soviet-union-historical-losses", "soviet_union", "historical_losses",
     "approximately", 20_000, None, None, "people", "1989-02-15"),
    ("nato-2025-12-russia-killed-monthly-rate", "russia", "killed_monthly_rate", "more_than",
     30_000, None, None, "people/month", "2025-12-31"),
    ("csis-2025-12-russia-advance-rate-slowest", "russia", "advance_rate", "up_to",
     45.72, None, None, "m/day", "2025-12-31"),
    # seed 2: the June 2025 CSIS report via CNN, as rewritten by SpotMedia
    ("csis-2025-05-russia-casualties-headline", "russia", "casualties", "nearly",
     1_000_000, None, None, "people", "2025-05-31"),
    ("csis-2025-08-russia-casualties-projection", "russia", "casualties", "at_least",
     1_000_000, None, None, "people", "2025-08-31"),
    ("csis-2025-05-russia-casualties", "russia", "casualties", "approximately",
     950_000, None, None, "people", "2025-05-31"),
    ("csis-2025-05-russia-killed", "russia", "killed", "up_to",
     250_000, None, None, "people", "2025-05-31"),
    ("csis-2025-05-ukraine-casualties", "ukraine", "casualties", "approximately",
     400_000, None, None, "people", "2025-05-31"),
    ("csis-2025-05-ukraine-killed", "ukraine", "killed", "range",
     None, 60_000, 100_000, "people", "2025-05-31"),
    ("ukmod-2025-03-russia-casualties", "russia", "casualties", "approximately",
     900_000, None, None, "people", "2025-03-20"),
    ("ukmod-2025-06-russia-daily-rate", "russia", "daily_rate", "approximately",
     1_000, None, None, "people/day", "2025-06-04"),
    ("cnn-2025-06-russia-casualties-projection", "russia", "casualties", "at_least",
     1_000_000, None, None, "people", "2025-06-30"),
    ("csis-2025-05-russia-advance-rate", "russia", "advance_rate", "approximately",
     50, None, None, "m/day", "2025-05-31"),
    ("csis-2025-05-russia-territory-change", "russia", "territory_change", "up_to",
     0.01, None, None, "share", "2025-05-31"),
    ("csis-2025-05-russia-territory-share", "russia", "territory_share", "approximately",
     0.20, None, None, "share", "2025-05-31"),
    ("csis-2025-05-north-korea-foreign-troops", "north_korea", "foreign_troops", "more_than",
     10_000, None, None, "people", "2025-05-31"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ident", "side", "measure", "qualifier", "value", "low", "high", "units", "as_of"),
    SEED_FIGURES,
    ids=[row[0] for row in SEED_FIGURES],
)
def test_seed_figure_recorded_as_stated(
    cat: Catalogue,
    ident: str,
    side: str,
    measure: str,
    qualifier: str,
    value: float | None,
    low: float | None,
    high: float | None,
    units: str,
    as_of: str,
) -> None:
    rec = cat[ident]
    assert (rec.side, rec.measure, rec.qualifier, rec.units) == (side, measure, qualifier, units)
    assert (rec.value, rec.low, rec.high) == (value, low, high)
    assert rec.as_of == dt.date.fromisoformat(as_of)
    assert rec.evidence in {"P", "S"}
    assert rec.notes


def test_every_seed_record_is_in_the_seed_table(cat: Catalogue) -> None:
    tagged = {rec.id for rec in cat if "(seed 1" in rec.reported_by or "(seed 2" in rec.reported_by}
    assert tagged == {row[0] for row in SEED_FIGURES}


def test_csis_publication_dates_and_urls(cat: Catalogue) -> None:
    june = cat.query(publisher="csis", since="2025-05-01", until="2025-05-31")
    assert {rec.published for rec in june} == {dt.date(2025, 6, 3)}
    january = cat["csis-2025-12-russia-killed"]
    assert january.published == dt.date(2026, 1, 27)
    assert january.url == "https://www.csis.org/analysis/russias-grinding-war-ukraine"
    assert (january.low, january.high) == (275_000, 325_000)


# Records with a URL and with a title, and the URLs the dossier and the seed articles give (the
# only ones the catalogue may carry: a URL is never guessed). Adding one means changing these.
URL_COUNT = 66
TITLE_COUNT = 86
URLS = {
    "https://www.csis.org/analysis/russias-battlefield-woes-ukraine",
    "https://www.csis.org/analysis/russias-grinding-war-ukraine",
    "https://edition.cnn.com/2025/06/04/europe/russia-war-casualties-1-million-ukraine-intl",
    "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset",
}


def test_titles_and_urls_do_not_silently_disappear(cat: Catalogue) -> None:
    with_url = [rec.id for rec in cat if rec.url]
    with_title = [rec.id for rec in cat if rec.title]
    assert (len(with_url), len(with_title)) == (URL_COUNT, TITLE_COUNT)
    assert {rec.url for rec in cat if rec.url} == URLS
    # every record of the two CSIS reports carries its report's title and URL
    for rec in cat:
        if rec.publisher == "CSIS" and rec.published in (dt.date(2025, 6, 3), dt.date(2026, 1, 27)):
            assert rec.title and rec.url, rec.id


def test_every_url_is_well_formed(cat: Catalogue) -> None:
    for rec in cat:
        if not rec.url:
            continue
        parts = urllib.parse.urlsplit(rec.url)
        assert parts.scheme == "https", rec.id
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", parts.netloc), rec.id
        assert re.fullmatch(r"[A-Za-z0-9._~/%-]*", parts.path), rec.id
        assert not parts.query and not parts.fragment, rec.id
        assert rec.url[-1] not in ".,;:)", rec.id  # no punctuation of the sentence it came from


def test_titles_are_clean(cat: Catalogue) -> None:
    for rec in cat:
        if rec.title:
            assert rec.title == " ".join(rec.title.split()), rec.id
            assert not rec.title.endswith("."), rec.id
            assert "*" not in rec.title and "|" not in rec.title, rec.id


@pytest.mark.parametrize(
    ("ident", "words"),
    [
        ("csis-1953-07-us-historical-losses", ["Garbled", "54,487", "33,739"]),
        ("csis-1975-04-us-historical-losses", ["47,434", "58,220"]),
        ("nato-2025-12-russia-killed-daily-rate", ["dead", "86%", "35,050"]),
        ("nato-1989-02-soviet-union-historical-losses", ["13,310", "15,051"]),
        ("csis-2025-12-russia-territory-change", ["twelve points", "7%"]),
        ("csis-2025-05-ukraine-casualties", ["nearly 400,000"]),
    ],
)
def test_garbled_or_conflicting_figures_carry_a_note(
    cat: Catalogue, ident: str, words: list[str]
) -> None:
    for word in words:
        assert word in cat[ident].notes


def test_dossier_figures_present(cat: Catalogue) -> None:
    assert cat["csis-2025-12-ukraine-killed"].figure == "100,000–140,000"
    assert cat["mediazona-2026-02-russia-killed"].value == 200_186
    assert cat["mediazona-2026-02-russia-killed"].qualifier == "at_least"
    assert cat["meduza-2025-08-russia-killed"].value == 220_000
    assert cat["meduza-2023-05-russia-killed"].level == 0.95
    assert cat["gchq-2026-05-russia-killed"].figure == "≲500,000"
    assert cat["deepstate-2026-01-russia-territory-share"].value == 0.1925
    assert cat["ref-2022-02-ukraine-territory-area"].value == 603_628
    assert cat["zelensky-2026-02-ukraine-killed"].value == 55_000
    assert cat["medvedev-2025-12-russia-recruitment"].value == 422_704
    assert len(cat.query(publisher="ukmod", side="russia", measure="casualties")) >= 10


def test_bundled_catalogue_is_complete_and_consistent(cat: Catalogue) -> None:
    assert len(cat) >= 250
    assert len(set(cat.ids)) == len(cat)
    known = set(cat.ids) | set(series_names())
    for rec in cat:
        assert rec.evidence is not None, rec.id
        assert all(dep in known for dep in rec.depends_on), rec.id


def test_uk_figures_since_2024_restate_the_general_staff(cat: Catalogue) -> None:
    restating = [
        rec
        for rec in cat
        if rec.id.split("-")[0] in {"ukmod", "ukosce"}
        and rec.side == "russia"
        and rec.measure in {"casualties", "daily_rate", "monthly_rate", "period_casualties"}
        and rec.published is not None
        and rec.published >= dt.date(2024, 1, 1)
    ]
    assert len(restating) >= 25
    for rec in restating:
        assert rec.depends_on, rec.id
        assert all(dep == GS or dep.startswith("uagenstaff-") for dep in rec.depends_on), rec.id
    assert cat["ukmod-2025-03-russia-casualties"].depends_on == (
        "uagenstaff-2025-03-russia-casualties",
    )


# ---------------------------------------------------------------------- the daily series
def test_series_shape_and_values(gs: Any) -> None:
    assert series_names() == (GS,)
    assert gs.dims == ("date",)
    assert gs.sizes["date"] == 1626
    assert gs.dtype == np.int64
    assert gs["date"].dtype == np.dtype("datetime64[ns]")
    assert str(gs["date"].values[0])[:10] == "2022-02-25"
    assert int(gs.values[0]) == 2_800
    assert str(gs["date"].values[-1])[:10] == "2026-08-08"
    assert int(gs.values[-1]) == 1_456_610
    assert (np.diff(gs.values) >= 0).all()
    steps = np.diff(gs["date"].values)
    assert (steps == np.timedelta64(1, "D")).all()
    days = (gs["date"].values - np.datetime64("2022-02-23", "ns")) // np.timedelta64(1, "D")
    np.testing.assert_array_equal(gs["day"].values, days)


def test_series_first_crosses_one_million_on_2025_06_12(gs: Any) -> None:
    first = int(np.argmax(gs.values >= 1_000_000))
    assert str(gs["date"].values[first])[:10] == "2025-06-12"
    assert int(gs.values[first]) == 1_000_340
    assert int(gs.values[first - 1]) < 1_000_000


def test_series_attrs(gs: Any) -> None:
    assert gs.attrs["units"] == "people"
    assert "MIT" in gs.attrs["licence"] and "Petro Ivaniuk" in gs.attrs["licence"]
    assert "37655f8" in gs.attrs["source"]
    assert gs.attrs["qualifier_counts"] == "about: 1620, more: 6"
    more = gs["date"].values[gs["qualifier"].values == "more"]
    assert [str(d)[:10] for d in more] == [
        "2022-03-07",
        "2022-03-10",
        "2022-03-11",
        "2022-03-12",
        "2022-03-13",
        "2022-03-14",
    ]


def test_series_is_a_fresh_copy_each_time() -> None:
    first = load_series(GS)
    first.values[0] = -1
    assert int(load_series(GS).values[0]) == 2_800


def test_unknown_series_name_suggests_the_nearest() -> None:
    with pytest.raises(InputError, match="did you mean 'ua-general-staff-russia-personnel'"):
        load_series("ua-general-staff-russia-personel")


def test_general_staff_records_agree_with_the_series(cat: Catalogue, gs: Any) -> None:
    def at(day: dt.date) -> int:
        return int(gs.sel(date=np.datetime64(day.isoformat(), "ns")))

    checked = 0
    for rec in cat.query(publisher="uagenstaff"):
        assert rec.evidence == "D"
        if rec.measure == "casualties":
            assert rec.value == at(rec.as_of), rec.id
        elif rec.measure in {"daily_rate", "monthly_rate", "period_casualties"}:
            assert rec.period_start is not None
            before = rec.period_start - dt.timedelta(days=1)
            start = at(before) if before >= dt.date(2022, 2, 25) else 0
            increase = at(rec.as_of) - start
            days = calendar.monthrange(rec.as_of.year, rec.as_of.month)[1]
            expected = round(increase / days) if rec.measure == "daily_rate" else increase
            assert rec.value == expected, rec.id
        checked += 1
    assert checked == 27
    assert cat["uagenstaff-2025-12-russia-monthly-rate"].value == 35_050
    assert cat["uagenstaff-2024-12-russia-period-casualties"].value == 430_320


# ---------------------------------------------------------------------- lookups and queries
def test_lookup(cat: Catalogue) -> None:
    assert "csis-2025-12-russia-casualties" in cat
    assert cat.get("nope") is None
    assert cat.ids[0] == next(iter(cat)).id
    with pytest.raises(KeyError, match="did you mean 'csis-2025-05-russia-killed'"):
        cat["csis-2025-05-russia-kiled"]
    with pytest.raises(InputError):
        cat["csis-2025-05-russia-kiled"]


def test_query_filters(cat: Catalogue) -> None:
    hits = cat.query(side="ukraine", measure="killed", publisher="csis")
    assert isinstance(hits, Catalogue)
    assert hits.ids == ("csis-2025-05-ukraine-killed", "csis-2025-12-ukraine-killed")
    dated = cat.query(since=dt.date(2025, 6, 1), until="2025-06-30", side="russia")
    assert dated and all(dt.date(2025, 6, 1) <= r.as_of <= dt.date(2025, 6, 30) for r in dated)
    both = cat.query(side=["north_korea", "soviet_union"])
    assert {r.side for r in both} == {"north_korea", "soviet_union"}
    intel = cat.query(publisher="Defence Intelligence")
    assert len(intel) >= 33 and all("Defence Intelligence" in r.publisher for r in intel)
    assert len(cat.query(publisher="me")) == 0  # whole words or the id's slug only
    assert len(cat.query(qualifier="range", measure="ratio")) >= 1
    assert len(cat.query()) == len(cat)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"measure": "casualites"}, "did you mean 'casualties'"),
        ({"side": "rusia"}, "did you mean 'russia'"),
        ({"since": "June 2025"}, "since must be a date"),
        ({"qualifier": "about"}, "qualifier='about'"),
    ],
)
def test_query_rejects_bad_filters(cat: Catalogue, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        cat.query(**kwargs)


# ---------------------------------------------------------------------- distributions
@pytest.mark.parametrize(
    "ident",
    ["csis-2025-12-ukraine-casualties", "csis-2025-05-ukraine-killed", "csis-2025-12-both-ratio"],
)
def test_range_record_reproduces_its_range_as_the_90_percent_interval(
    cat: Catalogue, ident: str
) -> None:
    rec = cat[ident]
    dist = cat.distribution(ident)
    low, high = dist.interval(0.9)
    assert math.isclose(low, rec.low or 0.0, rel_tol=1e-9)
    assert math.isclose(high, rec.high or 0.0, rel_tol=1e-9)
    assert dist.origin is not None and dist.origin["source"] == ident
    assert dist.origin["rule"] == "from_range"


def test_range_record_with_a_stated_level(cat: Catalogue) -> None:
    dist = cat.distribution("meduza-2023-05-russia-killed")
    low, high = dist.interval(0.95)
    assert math.isclose(low, 40_000, rel_tol=1e-9) and math.isclose(high, 55_000, rel_tol=1e-9)
    low80, _ = cat.distribution("meduza-2023-05-russia-killed", level=0.8).interval(0.8)
    assert math.isclose(low80, 40_000, rel_tol=1e-9)


def test_qualifier_rules(cat: Catalogue) -> None:
    ru = cat.distribution("csis-2025-12-russia-casualties")
    assert math.isclose(ru.median(), 1_200_000, rel_tol=1e-9)
    assert ru.origin is not None and ru.origin["rule"] == "approximately"
    assert cat.distribution("csis-2025-05-russia-killed").interval(1.0) == (200_000.0, 250_000.0)
    assert cat.distribution("meduza-2024-06-russia-killed-high").interval(1.0) == (
        120_000.0,
        140_000.0,
    )
    assert cat.distribution("mediazona-2026-02-russia-killed").interval(1.0)[0] == 200_186.0
    assert cat.distribution("gchq-2026-05-russia-killed").interval(1.0) == (450_000.0, 500_000.0)
    # "more than 10,000" has no cap: the later 11,000-12,000 lies inside its reading
    troops = cat.distribution("csis-2025-05-north-korea-foreign-troops")
    assert troops.interval(1.0) == (10_000.0, math.inf)
    assert math.isclose(troops.ppf(0.95), 12_500.0, rel_tol=1e-12)
    assert round(troops.cdf(12_000) - troops.cdf(11_000), 3) == 0.108  # the old rule: 0
    wide = cat.distribution("csis-2025-05-russia-killed", low=150_000)
    assert wide.mean() == 200_000.0
    lognormal = cat.distribution("csis-2025-05-russia-killed", family="lognormal")
    assert math.isclose(lognormal.interval(0.9)[1], 250_000, rel_tol=1e-9)


def test_exact_records(cat: Catalogue) -> None:
    ident = "ukmod-2024-12-russia-period-casualties"
    with pytest.raises(InputError, match=r"input_for\('ukmod-2024-12-russia-period-casualties'\)"):
        cat.distribution(ident)
    assert cat.input_for(ident) == 429_660.0
    assert cat.value(ident) == 429_660.0
    with pytest.raises(InputError, match="takes no options"):
        cat.input_for(ident, family="normal")
    assert cat.input_for("csis-2025-12-ukraine-casualties") == cat.distribution(
        "csis-2025-12-ukraine-casualties"
    )


def test_distribution_refuses_options_the_rule_lacks(cat: Catalogue) -> None:
    with pytest.raises(InputError, match=r"override 'tail'.*valid: low, rel, level, family"):
        cat.distribution("csis-2025-05-russia-killed", tail=2.0)
    with pytest.raises(InputError, match="states a range"):
        cat.value("csis-2025-12-ukraine-casualties")


# ---------------------------------------------------------------------- conversions
def test_to_dataset(cat: Catalogue) -> None:
    ds = cat.to_dataset()
    assert ds.sizes["record"] == len(cat)
    assert list(ds["record"].values[:1]) == [cat.ids[0]]
    row = ds.sel(record="csis-2025-12-ukraine-casualties")
    assert float(row["low"]) == 500_000 and math.isnan(float(row["value"]))
    assert str(row["as_of"].values)[:10] == "2025-12-31"
    assert ds["as_of"].dtype == np.dtype("datetime64[ns]")
    assert np.isnat(ds.sel(record="csis-2023-02-russia-killed")["published"].values)
    assert str(ds.sel(record="ukmod-2025-03-russia-casualties")["depends_on"].values) == (
        "uagenstaff-2025-03-russia-casualties"
    )
    assert Catalogue().to_dataset().sizes["record"] == 0


def test_to_dataframe(cat: Catalogue) -> None:
    pytest.importorskip("pandas")
    df = cat.query(publisher="csis").to_dataframe()
    assert df.index.name == "id"
    assert df.loc["csis-2025-05-russia-killed", "value"] == 250_000
    assert df.loc["csis-2025-05-russia-killed", "qualifier"] == "up_to"


def test_to_dataframe_without_pandas(cat: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"needs pandas \(pip install pandas\)"):
        cat.to_dataframe()


# ---------------------------------------------------------------------- format_records
def test_table_format(cat: Catalogue) -> None:
    text = format_records(
        cat.query(publisher="csis", measure=["casualties", "killed", "ratio"], since="2025-12-01")
    )
    lines = text.splitlines()
    assert lines[0].split() == [
        "id",
        "as_of",
        "side",
        "measure",
        "figure",
        "qualifier",
        "publisher",
    ]
    assert set(lines[1].replace(" ", "")) == {"-"}
    body = {line.split()[0]: line.split()[4] for line in lines[2:]}
    assert body["csis-2025-12-russia-casualties"] == "≈1,200,000"
    assert body["csis-2025-12-ukraine-casualties"] == "500,000–600,000"
    assert body["csis-2025-12-both-ratio"] == "2–2.5:1"
    assert body["csis-2025-12-both-casualties"] == "≤1,800,000"
    assert len({len(line) for line in lines[:2]}) == 1  # header and rule aligned


@pytest.mark.parametrize(
    ("ident", "figure"),
    [
        ("csis-2025-05-russia-killed", "≤250,000"),
        ("csis-2025-12-russia-historical-multiple", ">5×"),
        ("csis-2025-05-russia-territory-share", "≈20%"),
        ("deepstate-2026-01-russia-territory-share", "19.25%"),
        ("mediazona-2026-02-russia-killed", "≥200,186"),
        ("uagenstaff-2025-12-russia-daily-rate", "1,131/day"),
        ("csis-2025-12-russia-advance-rate", "15–70 m/day"),
    ],
)
def test_figures(cat: Catalogue, ident: str, figure: str) -> None:
    assert cat[ident].figure == figure


def test_json_format(cat: Catalogue) -> None:
    rows = json.loads(format_records(cat.query(publisher="nato"), "json"))
    assert [row["id"] for row in rows][:2] == [
        "nato-2025-12-russia-killed-daily-rate",
        "nato-2025-12-russia-killed-monthly-rate",
    ]
    assert rows[0]["as_of"] == "2025-12-31" and rows[0]["value"] == 1000.0
    assert rows[0]["low"] is None and rows[0]["depends_on"] == []


def test_unknown_format_is_refused(cat: Catalogue) -> None:
    with pytest.raises(InputError, match="did you mean 'csv'"):
        format_records(cat, "cvs")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "toml"])
def test_whole_catalogue_round_trips(cat: Catalogue, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"all.{fmt}"
    path.write_text(format_records(cat, fmt), encoding="utf-8")  # type: ignore[arg-type]
    assert load_catalogue(path, bundled=False) == cat


# ---------------------------------------------------------------------- user files
USER_TOML = """
[[record]]
id = "mine-2025-06-russia-killed"
publisher = "My newsroom"
as_of = 2025-06-30
side = "russia"
measure = "killed"
low = 210_000
high = 260_000
units = "people"
qualifier = "range"
depends_on = ["csis-2025-05-russia-killed", "mediazona-2025-06-russia-killed"]
notes = "Our own reading."

[[record]]
id = "mine-2025-06-russia-killed-share"
publisher = "My newsroom"
as_of = "2025-06-30"
side = "russia"
measure = "killed_share"
value = 0.25
units = "share"
qualifier = "approximately"
"""

USER_CSV = (
    "id,publisher,as_of,side,measure,value,low,high,units,qualifier,depends_on\n"
    "mine-2024-12-ukraine-killed,Me,2024-12-31,ukraine,killed,,70000,90000,people,range,"
    "zelensky-2024-12-ukraine-killed;wsj-2024-09-ukraine-killed\n"
    "mine-2024-12-ukraine-wounded,Me,2024-12-31,ukraine,wounded,400000,,,people,up_to,\n"
)


def test_user_toml_and_csv_files_join_the_bundled_records(cat: Catalogue, tmp_path: Path) -> None:
    toml_path = tmp_path / "mine.toml"
    toml_path.write_text(USER_TOML, encoding="utf-8")
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text(USER_CSV, encoding="utf-8")
    both = load_catalogue(toml_path, str(csv_path))
    assert len(both) == len(cat) + 4
    assert both.ids[-4:] == (
        "mine-2025-06-russia-killed",
        "mine-2025-06-russia-killed-share",
        "mine-2024-12-ukraine-killed",
        "mine-2024-12-ukraine-wounded",
    )
    rec = both["mine-2024-12-ukraine-killed"]
    assert (rec.low, rec.high, rec.as_of) == (70_000.0, 90_000.0, dt.date(2024, 12, 31))
    assert rec.depends_on == ("zelensky-2024-12-ukraine-killed", "wsj-2024-09-ukraine-killed")
    assert both["mine-2025-06-russia-killed-share"].as_of == dt.date(2025, 6, 30)
    assert both.query(publisher="my newsroom").ids == both.ids[-4:-2]
    mine_only = load_catalogue(toml_path, bundled=False)
    assert len(mine_only) == 2  # depends_on may still name bundled records


IDENTS = st.from_regex(r"[a-z]{2,8}", fullmatch=True)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("\n\t"),
    max_size=30,
)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
COUNTS = st.floats(min_value=1e-3, max_value=1e12, allow_nan=False)
SHARES = st.floats(min_value=1e-6, max_value=1.0, allow_nan=False)


@st.composite
def records(draw: st.DrawFn, index: int) -> Record:
    side = draw(st.sampled_from(sorted(SIDES)))
    measure = draw(st.sampled_from(sorted(MEASURES)))
    units = draw(st.sampled_from(MEASURES[measure].units))
    qualifier = draw(st.sampled_from(sorted(QUALIFIERS)))
    as_of = draw(DATES)
    publisher = draw(IDENTS)
    numbers = draw(
        st.lists(SHARES if units == "share" else COUNTS, min_size=2, max_size=2, unique=True)
    )
    low, high = sorted(numbers)
    figure: dict[str, float] = (
        {"low": low, "high": high} if qualifier == "range" else {"value": high}
    )
    prefix = f"{publisher}-{as_of:%Y-%m}-{side}-{measure}".replace("_", "-")
    return Record(
        id=f"{prefix}-r{index}",
        publisher=draw(TEXT.filter(str.strip)),
        as_of=as_of,
        side=side,  # type: ignore[arg-type]
        measure=measure,
        units=units,
        qualifier=qualifier,  # type: ignore[arg-type]
        title=draw(TEXT),
        published=draw(st.none() | DATES),
        url=draw(TEXT),
        notes=draw(TEXT),
        evidence=draw(st.none() | st.sampled_from(["P", "S", "D", "U"])),  # type: ignore[arg-type]
        depends_on=draw(st.sampled_from([(), (GS,)])),
        level=0.8 if qualifier == "range" and draw(st.booleans()) else None,
        **figure,
    )


@given(data=st.data(), fmt=st.sampled_from(["csv", "toml"]))
def test_user_records_round_trip(
    tmp_path_factory: pytest.TempPathFactory, data: Any, fmt: str
) -> None:
    recs = [data.draw(records(i)) for i in range(data.draw(st.integers(1, 4)))]
    path = tmp_path_factory.mktemp("rt") / f"records.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(format_records(recs, fmt))
    assert list(load_catalogue(path, bundled=False)) == recs


# ---------------------------------------------------------------------- bad user files
GOOD = {
    "id": "mine-2025-06-russia-killed",
    "publisher": "Me",
    "as_of": "2025-06-30",
    "side": "russia",
    "measure": "killed",
    "value": 250000,
    "units": "people",
    "qualifier": "up_to",
}


def _toml(*tables: dict[str, Any]) -> str:
    out = []
    for table in tables:
        out.append("[[record]]")
        for key, value in table.items():
            if key in {"as_of", "published"} and "-" in str(value):
                out.append(f"{key} = {value}")
            else:
                out.append(f"{key} = {json.dumps(value)}")
    return "\n".join(out) + "\n"


def _csv(*rows: dict[str, Any]) -> str:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = [",".join(keys)]
    lines.extend(",".join(str(row.get(k, "")) for k in keys) for row in rows)
    return "\n".join(lines) + "\n"


def _bad(**changes: Any) -> dict[str, Any]:
    out = {**GOOD, **changes}
    return {k: v for k, v in out.items() if v is not None}


# (case, file suffix, records, text fragments the message must contain)
BAD_FILES = [
    ("duplicate-id", "toml", [GOOD, GOOD], ["record 'mine-2025-06-russia-killed' (#2)", "id"]),
    (
        "duplicate-of-bundled",
        "toml",
        [_bad(id="csis-2025-05-russia-killed", as_of="2025-05-31")],
        ["record 'csis-2025-05-russia-killed' (#1)", "id", "already used", "bundled"],
    ),
    (
        "unknown-measure",
        "toml",
        [_bad(measure="kiled")],
        ["(#1)", "measure", "did you mean 'killed'"],
    ),
    ("unknown-qualifier", "csv", [_bad(qualifier="upto")], ["(#1)", "qualifier", "'up_to'"]),
    (
        "unknown-side",
        "toml",
        [GOOD, _bad(id="x", side="rusia")],
        ["record 'x' (#2)", "side", "did you mean 'russia'"],
    ),
    ("bad-date", "csv", [_bad(as_of="2025-13-01")], ["(#1)", "as_of", "YYYY-MM-DD"]),
    ("bad-date-toml", "toml", [_bad(as_of="30/06/2025")], ["(#1)", "as_of", "YYYY-MM-DD"]),
    (
        "low-not-below-high",
        "toml",
        [_bad(qualifier="range", value=None, low=5, high=5)],
        ["(#1)", "low=5", "high=5"],
    ),
    (
        "value-and-range",
        "csv",
        [_bad(qualifier="range", low=1, high=2)],
        ["(#1)", "value and low/high"],
    ),
    ("neither-value-nor-range", "toml", [_bad(value=None)], ["(#1)", "value is missing"]),
    ("missing-field", "toml", [_bad(measure=None)], ["(#1)", "missing field 'measure'"]),
    ("missing-column", "csv", [_bad(units=None)], ["(#1)", "missing field 'units'"]),
    (
        "unknown-field",
        "toml",
        [_bad(publishr="Me")],
        ["(#1)", "unknown field 'publishr'", "did you mean 'publisher'"],
    ),
    (
        "unknown-column",
        "csv",
        [_bad(notez="x")],
        ["(#1)", "unknown field 'notez'", "did you mean 'notes'"],
    ),
    (
        "bad-id-month",
        "toml",
        [_bad(id="mine-2025-07-russia-killed")],
        ["(#1)", "id=", "mine-2025-06-russia-killed"],
    ),
    ("bad-id-case", "csv", [_bad(id="Mine-2025-06-russia-killed")], ["(#1)", "id=", "id rule"]),
    (
        "units-misfit",
        "toml",
        [_bad(units="people/day")],
        ["(#1)", "units='people/day'", "'people'"],
    ),
    (
        "share-as-percent",
        "toml",
        [
            _bad(
                measure="killed_share",
                units="share",
                qualifier="approximately",
                id="mine-2025-06-russia-killed-share",
                value=25,
            )
        ],
        ["(#1)", "value=25", "0.2"],
    ),
    ("bad-number", "csv", [_bad(value="1.2x")], ["(#1)", "value must be a number"]),
    (
        "unknown-dependency",
        "toml",
        [_bad(depends_on=["csis-2025-05-russia-kiled"])],
        ["(#1)", "depends_on", "did you mean 'csis-2025-05-russia-killed'"],
    ),
    ("level-on-non-range", "toml", [_bad(level=0.9)], ["(#1)", "level applies only"]),
]


@pytest.mark.parametrize(
    ("suffix", "rows", "fragments"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_files_raise_input_error_naming_file_record_and_field(
    tmp_path: Path, suffix: str, rows: list[dict[str, Any]], fragments: list[str]
) -> None:
    path = tmp_path / f"my_records.{suffix}"
    path.write_text(_toml(*rows) if suffix == "toml" else _csv(*rows), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("syntax.toml", '[[record]]\nid = "a"\npublisher = \n', ["TOML syntax error", "line 3"]),
        ("empty.toml", "", ["no records"]),
        ("top.toml", 'title = "x"\n', ["unknown top-level key(s) 'title'"]),
        ("empty.csv", "", ["empty"]),
        ("short.csv", "id,publisher\na\n", ["line 2", "1 cells"]),
        ("wrong.txt", "", [".toml or .csv"]),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, text: str, fragments: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_catalogue(tmp_path / "nope.toml")


# ---------------------------------------------------------------------- records in Python
def test_record_is_validated_when_made() -> None:
    good = Record(
        id="me-2025-06-russia-killed",
        publisher="Me",
        as_of=dt.date(2025, 6, 30),
        side="russia",
        measure="killed",
        units="people",
        qualifier="up_to",
        value=250_000,
        depends_on=["csis-2025-05-russia-killed"],  # type: ignore[arg-type]
    )
    assert good.depends_on == ("csis-2025-05-russia-killed",)
    assert repr(good) == "Record('me-2025-06-russia-killed': ≤250,000 as of 2025-06-30)"
    with pytest.raises(InputError, match="as_of must be a date"):
        dataclasses.replace(good, as_of=dt.datetime(2025, 6, 30))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="period_start=2025-07-01 must not be after"):
        dataclasses.replace(good, period_start=dt.date(2025, 7, 1))
    with pytest.raises(InputError, match="low=250,000 must be below the stated bound"):
        dataclasses.replace(good, low=250_000)
    with pytest.raises(InputError, match="depends_on must not name the record itself"):
        dataclasses.replace(good, depends_on=(good.id,))
    with pytest.raises(InputError, match="duplicate id"):
        Catalogue([good, good])


# ---------------------------------------------------------------------- the qualifier table
def test_qualifiers_are_the_worded_rules_of_the_table() -> None:
    assert QUALIFIERS == {
        "exact": "a figure stated without hedging (a count or a computed value): used as it is",
        "range": "'X to Y', 'between X and Y': elicit.from_range(low, high)",
        "approximately": "'about', 'around', 'approximately' X: elicit.approximately(value)",
        "up_to": "'up to', 'as many as', 'less than' X: elicit.up_to(value)",
        "at_least": (
            "'at least' X, or a floor such as a count of named dead: elicit.at_least(value)"
        ),
        "nearly": "'nearly', 'almost', 'about to reach' X: elicit.nearly(value)",
        "more_than": "'more than', 'over', 'exceeds' X: elicit.more_than(value)",
    }
    with pytest.raises(InputError) as info:
        Record(**{**GOOD, "as_of": dt.date(2025, 6, 30), "qualifier": "pert"})  # type: ignore[arg-type]
    assert str(info.value) == (
        "qualifier='pert' is not one of 'exact', 'range', 'approximately', 'up_to', 'at_least', "
        "'nearly', 'more_than'"
    )


@pytest.mark.parametrize(
    ("qualifier", "fields", "figure", "support"),
    [
        ("exact", {"value": 250_000}, "250,000", None),
        ("range", {"low": 200_000, "high": 250_000}, "200,000–250,000", None),
        ("approximately", {"value": 250_000}, "≈250,000", None),
        ("up_to", {"value": 250_000}, "≤250,000", (200_000.0, 250_000.0)),
        ("up_to", {"value": 250_000, "low": 100_000}, "≤250,000", (100_000.0, 250_000.0)),
        ("at_least", {"value": 200_000}, "≥200,000", (200_000.0, math.inf)),
        ("at_least", {"value": 200_000, "high": 300_000}, "≥200,000", (200_000.0, math.inf)),
        ("nearly", {"value": 250_000}, "≲250,000", (225_000.0, 250_000.0)),
        ("more_than", {"value": 200_000}, ">200,000", (200_000.0, math.inf)),
    ],
)
def test_each_qualifier_reads_its_symbol_figure_and_other_end_from_the_table(
    qualifier: str, fields: dict[str, float], figure: str, support: tuple[float, float] | None
) -> None:
    base = {k: v for k, v in GOOD.items() if k != "value"}
    rec = Record(**{**base, "as_of": dt.date(2025, 6, 30), "qualifier": qualifier, **fields})  # type: ignore[arg-type]
    assert rec.figure == figure
    one = Catalogue([rec])
    if qualifier == "exact":
        assert one.input_for(rec.id) == 250_000.0
        return
    dist = one.distribution(rec.id)
    assert dist.origin is not None
    assert dist.origin["source"] == rec.id
    if support is not None:
        assert dist.interval(1.0) == pytest.approx(support, rel=1e-12)
    else:
        low, high = dist.interval(0.9)
        assert (round(low), round(high)) == (
            (200_000, 250_000) if qualifier == "range" else (225_000, 277_778)
        )


def test_a_record_takes_its_other_end_only_where_the_table_allows_one() -> None:
    base = {**GOOD, "as_of": dt.date(2025, 6, 30)}
    with pytest.raises(InputError) as info:
        Record(**{**base, "qualifier": "nearly", "low": 1.0})  # type: ignore[arg-type]
    assert str(info.value) == (
        "value and low/high are both given; qualifier 'nearly' takes value (got value, low)"
    )
    with pytest.raises(InputError) as info:
        Record(**{**base, "qualifier": "up_to", "high": 1.0})  # type: ignore[arg-type]
    assert str(info.value) == (
        "value and low/high are both given; qualifier 'up_to' takes value (and optionally low) "
        "(got value, high)"
    )


def test_a_negative_count_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[record]]\nid = "me-2025-06-russia-casualties"\npublisher = "me"\nas_of = 2025-06-30\n'
        'side = "russia"\nmeasure = "casualties"\nunits = "people"\nqualifier = "exact"\n'
        "value = -5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"value=-5 is negative, but casualties in 'people'"):
        load_catalogue(path)
