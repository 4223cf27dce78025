"""Tests for attritionsim.citation: the digit rule, cite and the Markdown / LaTeX / CSV tables."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from attritionsim import citation
from attritionsim.catalogue import Record, load_catalogue
from attritionsim.citation import cite, cite_record, numbers_text, to_csv, to_latex, to_markdown
from attritionsim.errors import InputError
from attritionsim.summary import interval, mcse_interval, mcse_quantile, summarize
from test_summary import draws, spaced, spaced_dates  # shared draw makers

# ---------------------------------------------------------------------------------------------
# cite
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "units", "expected"),
    [
        (spaced(1.1e6, 1.2e6, 1.3e6), "people", "1.2 million (90% CrI 1.1–1.3 million)"),
        (spaced(500e3, 550e3, 600e3), "people", "550,000 (90% CrI 500,000–600,000)"),
        (spaced(1.9, 2.2, 2.5), "ratio", "2.2:1 (90% CrI 1.9:1–2.5:1)"),
        (spaced(0.58, 0.64, 0.70), "share", "64% (90% CrI 58–70%)"),
        (spaced(1.12e9, 1.2e9, 1.31e9), "people", "1.20 billion (90% CrI 1.12–1.31 billion)"),
        (spaced(900, 1000, 1100), "people/day", "1,000 (90% CrI 900–1,100)"),
        (spaced(-9.9, -5.0, -0.1, n=200_001), "", "−5.0 (90% CrI −9.9 – −0.1)"),
        # MCSE 0.12: r = 0.1 <= 3 MCSE (before issue 11, "−5 (90% CrI −10 – 0)")
        (spaced(-9.9, -5.0, -0.1), "", "−5.0 (90% CrI −9.9 – −0.1)"),
        (
            spaced_dates("2025-07-03", "2025-07-21", "2025-08-14"),
            "",
            "21 July 2025 (90% CrI 3 July – 14 August 2025)",
        ),
        (
            spaced_dates("2025-12-03", "2025-12-20", "2026-01-14"),
            "",
            "20 December 2025 (90% CrI 3 December 2025 – 14 January 2026)",
        ),
        (np.arange(2500) < 1600, "1", "64% probability (± 1.0 percentage points)"),
        (np.arange(1000) < 0, "1", "< 0.3% probability (none of 1,000 draws)"),
        (np.arange(1000) >= 0, "1", "> 99.7% probability (all of 1,000 draws)"),
    ],
)
def test_cite_forms(values, units, expected):
    assert cite(draws(values, units)) == expected


@pytest.mark.parametrize(
    ("n", "digits", "expected"),
    [
        (41, None, "550,000 (90% CrI 510,000–600,000)"),  # few draws: MCSE ~ 5,000-8,000
        (20_001, None, "553,200 (90% CrI 512,300–598,800)"),  # MCSE ~ 240-390: r = 100
        (2_000_001, None, "553,210 (90% CrI 512,340–598,760)"),  # MCSE ~ 24-39: r = 10
        (2_000_001, 3, "553,000 (90% CrI 512,000–599,000)"),  # capped at 3 digits
        (2_000_001, 5, "553,210 (90% CrI 512,340–598,760)"),  # MCSE ~ 24-39: r = 10
        (2_000_001, 2, "550,000 (90% CrI 510,000–600,000)"),
    ],
)
def test_cite_digits_follow_the_mcse(n, digits, expected):
    values = spaced(512_345.0, 553_210.0, 598_765.0, n=n)
    text = cite(values, digits=digits)
    assert text == expected
    # the last digit's place is never below a fifth of the MCSEs of the figures shown
    worst = max(mcse_quantile(values, 0.5), *mcse_interval(values))
    figures = [f.replace(",", "") for f in re.findall(r"[\d,.]+", text.replace("90% CrI", ""))]
    assert len(figures) == 3
    last = min(len(f) - len(f.rstrip("0")) for f in figures if "." not in f)
    assert 10**last >= worst / 5


def test_cite_dates_coarsen_with_few_draws():
    # Each form keeps a date within 1.5 MCSE of its estimate (issue 11's rule): MCSEs of
    # 3.5-6.8 days allow only the day (a month may sit 15 days off), 52-90 days the month,
    # 197-334 days the year.
    few = spaced_dates("2025-06-03", "2025-07-20", "2025-08-24", n=41)
    assert cite(few) == "20 July 2025 (90% CrI 3 June – 24 August 2025)"
    wide = spaced_dates("2024-01-03", "2025-07-20", "2026-12-24", n=41)
    assert cite(wide) == "July 2025 (90% CrI January 2024 – December 2026)"
    wider = spaced_dates("2020-01-03", "2025-07-20", "2030-12-24", n=41)
    assert cite(wider) == "2025 (90% CrI 2020–2030)"
    never = spaced_dates("2025-07-03", "2025-07-21", "2025-08-14")
    never[-150:] = np.datetime64("NaT")
    assert cite(never) == "21 July 2025 (90% CrI 3 July 2025 – never)"


def test_cite_level_and_hdi_label():
    values = np.random.default_rng(1).normal(550e3, 30e3, 1_000_000)
    assert cite(values, 0.95).startswith("550,000 (95% CrI ")
    assert cite(values, kind="hdi") == "550,000 (90% HDI 500,800–599,300)"
    assert cite(values, kind="hdi", digits=3) == "550,000 (90% HDI 501,000–599,000)"


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def table_summary() -> dict:
    dates = spaced_dates("2025-07-03", "2025-07-21", "2025-08-14")
    dates[:10] = np.datetime64("NaT")
    rng = np.random.default_rng(0)
    return summarize(
        xr.Dataset(
            {
                "ru_killed": ("draw", spaced(1.1e6, 1.2e6, 1.3e6), {"units": "people"}),
                "crossing": ("draw", dates, {"units": "date"}),
                "in_band": ("draw", np.arange(2001) < 1281, {"units": "1"}),
                "killed_share": ("draw", rng.beta(20, 80, 2001), {"units": "share"}),
            }
        )
    )


def test_to_markdown(table_summary):
    lines = to_markdown(table_summary).splitlines()
    assert lines[0] == (
        "| Quantity | Units | Median | 90% ETI low | 90% ETI high | 90% HDI low | 90% HDI high "
        "| MCSE (median) |"
    )
    assert lines[1] == "|---|---|--:|--:|--:|--:|--:|--:|"
    assert lines[2].startswith("| ru_killed | people | 1,200,000 | 1,100,000 | 1,300,000 | ")
    assert lines[2].endswith(" | 2,500 |")  # p = 0.5: sqrt(0.25 * 2001) spacings of 111
    # the 10 of 2001 draws that never cross are said, not dropped
    assert lines[3].startswith("| crossing | date | 2025-07-21 (0.5% never) | 2025-07-03 | ")
    assert lines[3].endswith(" days |")
    # MCSE 0.011: r = 0.01 <= 3 MCSE (before issue 11, "P = 0.6")
    assert lines[4] == "| in_band | 1 | P = 64% |  |  |  |  | 1.1 pp |"  # in percent, as cite
    # MCSE 0.0011: r = 0.001 (before issue 11, "0.20 | 0.14 | 0.27")
    # a share in percent (issue 13): the digits of 0.201 | 0.141 | 0.271, MCSE in points
    assert lines[5] == "| killed_share | share | 20.1% | 14.1% | 27.1% | 13.7% | 26.6% | 0.11 pp |"
    assert len(lines) == 6


def test_to_latex(table_summary):
    text = to_latex(table_summary)
    lines = text.splitlines()
    assert lines[:2] == [r"\begin{tabular}{llrrrrrr}", r"\toprule"]
    assert lines[2].startswith(r"Quantity & Units & Median & 90\% ETI low")
    assert lines[3] == r"\midrule"
    assert lines[4].startswith(r"ru\_killed & people & 1,200,000 & 1,100,000 & 1,300,000")
    assert lines[6].startswith(r"in\_band & 1 & P = 64\% &")
    assert r"killed\_share" in lines[7]
    assert lines[-2:] == [r"\bottomrule", r"\end{tabular}"]
    assert all(line.endswith(r" \\") for line in lines[4:8])
    negative = summarize(np.linspace(-3.0, -1.0, 2001))
    assert "$-$2.0" in to_latex(negative)


def test_to_csv(table_summary):
    rows = list(csv.DictReader(io.StringIO(to_csv(table_summary))))
    assert [row["quantity"] for row in rows] == ["ru_killed", "crossing", "in_band", "killed_share"]
    assert [row["kind"] for row in rows] == ["number", "date", "bool", "number"]
    killed = table_summary["quantities"]["ru_killed"]
    assert float(rows[0]["median"]) == killed["median"]  # full precision
    assert float(rows[0]["hdi_high"]) == killed["hdi"][1]
    assert float(rows[0]["mcse_eti_low"]) == killed["mcse"]["eti"][0]
    assert rows[0]["probability"] == "" and rows[0]["level"] == "0.9"
    assert rows[1]["median"] == "2025-07-21" and float(rows[1]["never"]) == pytest.approx(10 / 2001)
    assert rows[1]["mean"] == ""
    assert float(rows[2]["probability"]) == 1281 / 2001 and rows[2]["median"] == ""


def test_cite_dates_at_any_distance():
    far = np.datetime64("100001970-01-01", "s") + np.arange(2001) * np.timedelta64(31, "D")
    # issue 10: a year alone beyond 9999 says it is a year, not a count
    assert cite(far) == "year 100,002,054 (90% CrI year 100,001,978 – year 100,002,131)"
    ancient = np.datetime64("-100000-06-01", "s") + np.arange(2001) * np.timedelta64(40, "D")
    assert cite(ancient) == "year 99,892 BCE (90% CrI year 99,990 BCE – year 99,793 BCE)"
    recent = np.datetime64("2000-01-01", "s") + np.arange(2001) * np.timedelta64(40, "D")
    assert cite(recent) == "2109 (90% CrI 2010–2208)"
    back = np.datetime64("-100000-06-01", "s") + np.arange(2001).astype("timedelta64[D]")
    # astronomical year -99997 is 99,998 BCE (there is no year 0)
    assert cite(back, 0.5) == "February 99,998 BCE (50% CrI October 100,000 BCE – July 99,997 BCE)"
    ends = np.array([np.iinfo(np.int64).max, np.iinfo(np.int64).min + 1] * 50).view("M8[s]")
    # the bounds are exact (MCSE 0: to the day), the median's MCSE is astronomical (the year)
    assert cite(ends) == (
        "1970 (90% CrI 27 January 292,277,022,658 BCE – 4 December 292,277,026,596)"
    )
    out = summarize(xr.Dataset({"d": ("draw", ends)}))["quantities"]["d"]
    assert out["eti"] == ["-292277022657-01-27", "292277026596-12-04"]


def test_tables_near_the_float_limit():
    draws = np.random.default_rng(1).uniform(1e307, 1.7e308, 2000)
    # each mantissa to the shared place 10**306 (before issue 11, "1.6e+308" and "2.6e+307")
    assert cite(draws) == "9.0e+307 (90% CrI 1.8e+307–1.63e+308)"
    row = to_markdown(summarize(draws)).splitlines()[2]
    assert row == "| draws |  | 9.0e+307 | 1.8e+307 | 1.63e+308 | 3e+307 | 1.7e+308 | 1.8e+306 |"
    signed = np.array([1.7976931348623157e308, -1.7976931348623157e308] * 10)
    assert cite(signed) == "0 (90% CrI −2e+308 – 2e+308)"
    assert "2e+308" in to_latex(summarize(signed))
    assert to_csv(summarize(signed)).splitlines()[1].startswith("draws,,number,0.9,0.0,")


def test_a_constant_is_cited_as_itself():
    assert cite(xr.DataArray(1_234_567.0)) == "1.23 million (90% CrI 1.23–1.23 million)"
    assert cite(xr.DataArray(np.datetime64("2025-06-01", "s"))).startswith("1 June 2025")


# ---------------------------------------------------------------------------------------------
# The digit rule (issue 11): within 1.5 MCSE, no digit finer than a fifth of an MCSE
# ---------------------------------------------------------------------------------------------


def _place_of(text: str) -> float:
    """The place of the last digit written in ``text`` (decimals only)."""
    return 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=3),
    st.lists(st.floats(1e-4, 1e3), min_size=3, max_size=3),
)
def test_shown_figures_are_within_one_and_a_half_mcse(values, errors):
    errors = errors[: len(values)]
    texts = numbers_text(values, errors, digits=17)
    for value, error, text in zip(values, errors, texts, strict=True):
        shown = float(text.replace(",", ""))
        assert abs(shown - value) <= 1.5 * error * (1 + 1e-9) + 1e-9 * abs(value)
    places = citation._places(values, errors, 17)
    # never a digit finer than a fifth of the figure's own MCSE, nor of any when shared
    for place, error in zip(places, errors, strict=True):
        assert 10.0**place >= error / 5 * (1 - 1e-12)
    if len(set(places)) == 1:
        assert 10.0 ** places[0] >= max(errors) / 5 * (1 - 1e-12)


@given(
    st.integers(0, 2**32 - 1),
    st.integers(50, 5_000),
    st.floats(-100.0, 100.0),
    st.floats(0.01, 10.0),
)
def test_cited_draws_are_within_one_and_a_half_mcse(seed, n, loc, scale):
    values = np.random.default_rng(seed).normal(loc, scale, n)
    text = cite(values, digits=12).replace(",", "").replace("−", "-").replace(" – ", "–")
    mid, rest = text.split(" (90% CrI ")
    low, high = rest.rstrip(")").rsplit("–", 1) if "–" in rest else (rest, rest)
    estimates = [float(np.median(values)), *interval(values)]
    errors = [mcse_quantile(values, 0.5), *mcse_interval(values)]
    # an interval's ends share one place, the finer of theirs (cold test of issue 13)
    finest = [errors[0], min(errors[1:]), min(errors[1:])]
    for shown, estimate, error, own in zip(
        (mid, low, high), estimates, errors, finest, strict=True
    ):
        assert abs(float(shown) - estimate) <= 1.5 * error + 1e-9
        if "." in shown:  # a written decimal is never finer than a fifth of the MCSE
            assert _place_of(shown) >= own / 5


def test_probability_value_and_plus_minus_agree():
    # p = 0.576, MCSE 1.1 points: before issue 11, "60% ... (± 1 percentage point)"
    assert cite(np.arange(2000) < 1152) == "58% probability (± 1.1 percentage points)"
    # MCSE 0.35 points: r = 1 point; the ± (one MCSE) is not rounded up to a whole point
    # (cold test of issue 13: "± 1" beside a table's "0.35 pp"): one place finer than 58
    assert cite(np.arange(20_000) < 11_520) == "58% probability (± 0.3 percentage points)"
    # MCSE 0.22 points: r = 0.1 point; the ± has two significant digits
    assert cite(np.arange(50_000) < 28_800) == "57.6% probability (± 0.22 percentage points)"
    assert cite(np.arange(200_000) < 115_200) == "57.6% probability (± 0.11 percentage points)"


def test_probability_near_0_or_100_is_never_printed_as_0_or_100():
    # cold test of issue 13: "100.0%" for p = 0.9998 and "0% probability" with no ±
    assert cite(np.arange(20_000) < 2) == "0.01% probability (± 0.007 percentage points)"
    assert citation.probability_text(0.99995, 20_000) == "> 99.99%"
    assert citation.probability_text(0.00005, 20_000) == "< 0.01%"
    assert citation.probability_text(0.0, 20_000) == "< 0.02%"
    assert citation.probability_text(1.0, 20_000, ess=1_000) == "> 99.7%"
    assert citation.probability_text(0.964, 20_000) == "96.4%"
    with pytest.raises(InputError, match=r"^p must be a probability in \[0, 1\]; got 1.5$"):
        citation.probability_text(1.5, 100)


def test_interval_ends_share_one_decimal_place():
    # cold test of issue 13: "0.80–0.9960", "74–99.4%" (each end at its own MCSE's place)
    assert numbers_text([0.969, 0.8012, 0.99601], [0.0004, 0.02, 0.0001]) == [
        "0.969",
        "0.80",
        "0.9960",
    ]
    shown = numbers_text([0.969, 0.8012, 0.99601], [0.0004, 0.02, 0.0001], interval=True)
    assert shown == ["0.969", "0.8012", "0.9960"]
    low = np.r_[np.linspace(0.70, 0.80, 1000), np.linspace(0.80, 0.99, 18_000)]
    text = cite(np.r_[low, np.full(1000, 0.996)])
    rest = text.split(" (90% CrI ")[1]
    a, b = rest.rstrip(")").split("–")
    assert len(a.split(".")[1]) == len(b.split(".")[1])


def test_mcses_too_far_apart_get_a_place_each():
    # MCSEs 0.01 and 1: no one place is both <= 3 * 0.01 and >= 1 / 5
    assert citation._places([1.234567, 5.678], [0.01, 1.0], 17) == [-2, 0]
    assert numbers_text([1.234567, 5.678], [0.01, 1.0]) == ["1.23", "6"]
    # close enough: one shared place, from the smallest MCSE
    assert numbers_text([1.234567, 5.678], [0.1, 0.4]) == ["1.2", "5.7"]


@given(
    centre=st.integers(-(10**6), 10**6),
    spread=st.floats(0.5, 5_000.0),
    n=st.integers(21, 3_000),
)
def test_a_cited_date_is_within_one_and_a_half_mcse(centre: int, spread: float, n: int) -> None:
    # The digit rule for dates: the middle of the shown day/month/year lies within 1.5 MCSE of
    # the estimate (the median here), for any spread and number of draws.
    offsets = np.round(np.linspace(-spread, spread, n)).astype(np.int64)
    days = np.datetime64("2000-01-01", "D") + centre + offsets
    draws = days.astype("datetime64[D]")
    from attritionsim.summary import figures, sample_of

    sample = sample_of(draws)
    fig = figures(sample, 0.9)
    error = sample.to_error(fig.mcse_median)
    median = sample.to_bound(fig.median).astype("datetime64[D]")
    shown = cite(draws).split(" (")[0]
    parts = shown.removeprefix("year ").removesuffix(" BCE").split()
    if len(parts) == 3:
        middle = np.datetime64(str(median), "D")
        reach = 0.5
    elif len(parts) == 2:
        middle = median.astype("datetime64[M]").astype("datetime64[D]") + 15
        reach = 365.25 / 24
    else:
        middle = median.astype("datetime64[Y]").astype("datetime64[D]") + 182
        reach = 365.25 / 2
    assert abs(float((middle - median) / np.timedelta64(1, "D"))) <= reach + 1
    assert reach <= 1.5 * error or reach == 0.5


# ---------------------------------------------------------------------------------------------
# cite_record
# ---------------------------------------------------------------------------------------------

_BASE = Record(
    id="ukmod-2025-03-russia-casualties",
    publisher="UK Defence Intelligence",
    as_of=dt.date(2025, 3, 20),
    side="russia",
    measure="casualties",
    units="people",
    qualifier="approximately",
    value=900_000,
)
_URL = "https://example.org/ukraine/update"


@pytest.mark.parametrize(
    ("changes", "markdown", "text"),
    [
        (  # everything known
            {"title": "Update", "published": dt.date(2025, 3, 21), "url": _URL},
            f"UK Defence Intelligence, *Update* (2025-03-21), <{_URL}>",
            f"UK Defence Intelligence, \u201cUpdate\u201d (2025-03-21), {_URL}",
        ),
        (  # no title
            {"published": dt.date(2025, 3, 21), "url": _URL},
            f"UK Defence Intelligence (2025-03-21), <{_URL}>",
            f"UK Defence Intelligence (2025-03-21), {_URL}",
        ),
        (  # no URL: the outlets that reported it
            {"title": "Update", "published": dt.date(2025, 3, 21), "reported_by": "Forces News"},
            "UK Defence Intelligence, *Update* (2025-03-21), reported by Forces News",
            "UK Defence Intelligence, \u201cUpdate\u201d (2025-03-21), reported by Forces News",
        ),
        (  # neither title nor URL nor outlet nor publication date
            {},
            "UK Defence Intelligence (as of 2025-03-20)",
            "UK Defence Intelligence (as of 2025-03-20)",
        ),
        (  # blank title and URL read as missing; the catalogue's seed notes are not printed
            {"title": "  ", "url": " ", "reported_by": "SpotMedia (seed 2, first line); CNN"},
            "UK Defence Intelligence (as of 2025-03-20), reported by SpotMedia; CNN",
            "UK Defence Intelligence (as of 2025-03-20), reported by SpotMedia; CNN",
        ),
        (  # Markdown's specials escaped (a table cell survives), a URL's spaces encoded
            {"title": "A *bold* | claim_x", "url": "https://example.org/a b|c"},
            r"UK Defence Intelligence, *A \*bold\* \| claim\_x* (as of 2025-03-20), "
            "<https://example.org/a%20b%7Cc>",
            "UK Defence Intelligence, \u201cA *bold* | claim_x\u201d (as of 2025-03-20), "
            "https://example.org/a b|c",
        ),
    ],
)
def test_cite_record(changes, markdown, text):
    record = dataclasses.replace(_BASE, **changes)
    assert cite_record(record) == markdown
    assert cite_record(record, style="text") == text
    for cited in (cite_record(record), cite_record(record, style="text")):
        assert "**" not in cited and "\u201c\u201d" not in cited and "()" not in cited
        assert not re.search(r"[,;] *$|, *,|; *;|, *\(", cited)


def test_cite_record_of_every_bundled_record_is_clean():
    for record in load_catalogue():
        cited = cite_record(record)
        assert cited.startswith(record.publisher.replace("_", r"\_"))
        assert "**" not in cited and "()" not in cited and "(seed" not in cited, record.id
        assert not re.search(r"[,;] *$|, *,|; *;", cited), record.id
        assert (record.title != "") == (f", *{record.title}*" in cited), record.id
        assert (record.url != "") == (f", <{record.url}>" in cited), record.id


def test_cite_record_refuses_an_unknown_style():
    with pytest.raises(InputError, match=r"^style='html' is not one of 'markdown', 'text'$"):
        cite_record(_BASE, style="html")  # type: ignore[arg-type]


def test_a_url_on_a_reporting_outlets_site_is_labelled_as_theirs() -> None:
    # cold test of issue 13: a CSIS title beside a CNN URL, a UK MoD figure with CNN's URL
    cat = load_catalogue()
    assert cite_record(cat["csis-2025-05-russia-casualties-headline"], style="text") == (
        "CSIS, \u201cRussia's Battlefield Woes in Ukraine\u201d (2025-06-03), reported by CNN, "
        "https://edition.cnn.com/2025/06/04/europe/russia-war-casualties-1-million-ukraine-intl"
    )
    assert cite_record(cat["ukmod-2025-06-russia-daily-rate"], style="text").startswith(
        "UK Ministry of Defence (2025-06-04), reported by CNN, https://edition.cnn.com/"
    )
    # the publisher's own site, and an outlet's own figure, are not "reported by"
    assert "reported by" not in cite_record(cat["csis-2025-05-russia-casualties"])
    assert "reported by" not in cite_record(cat["cnn-2025-06-russia-casualties-projection"])
