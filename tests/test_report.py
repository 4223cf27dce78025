"""Tests for the report folder and the report/run/sources/summarize commands."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import attritionsim as asim
import attritionsim.report
from attritionsim import cli
from attritionsim.catalogue import load_catalogue
from attritionsim.citation import numbers_text
from attritionsim.errors import AttritionWarning, InputError
from attritionsim.report import default_scenario, headline_sentences, write_report
from attritionsim.scenario import SynthesisSettings, parse_scenario
from attritionsim.synthesis import tension_sets

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "benchmarks" / "scenarios" / "example.toml"
PNG = b"\x89PNG\r\n\x1a\n"
#: The warning of the default report's one headline with invalid draws (3,000 draws).
RUTTE_WARNING = (
    r"^killed share implied by 1,000 dead a day \(killed_share_rutte\): 2\.6% of draws above "
    r"100% \(a share above one: the numerator's range exceeds the denominator's\); the figures "
    r"are of the other 97\.4%$"
)
SMALL = """\
[inputs.ru]
range = [900_000, 1_000_000]

[inputs.ua]
approximately = 400_000

[derived]
ratio = "ru / ua"

[report]
headline = ["ratio"]
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, xr.Dataset, list[str]]:
    out = tmp_path_factory.mktemp("report") / "out"
    with pytest.warns(AttritionWarning, match=RUTTE_WARNING) as caught:
        ds, sentences = write_report(default_scenario(), out, draws=3000)
    assert len(caught) == 1  # one warning: the one headline with invalid draws
    return out, ds, sentences


def _named(sentences: list[str], out: Path) -> list[str]:
    """Headline sentences with the ± of each probability named and its readings' range added.

    The range is read back from summary.json: what report.md says must be what it holds.
    """
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    readings = summary["readings"]
    named = []
    keys = list(default_scenario().headline)
    for sentence, key in zip(sentences, keys, strict=False):
        if sentence.endswith("percentage point)") or sentence.endswith("percentage points)"):
            found = sorted(
                (
                    100 * readings[n]["quantities"][key]["probability"],
                    100 * readings[n]["quantities"][key]["mcse"],
                )
                for n in readings
            )
            (p_low, e_low), (p_high, e_high) = found[0], found[-1]
            low, high = numbers_text([p_low, p_high], [e_low, e_high], interval=True)
            span = low if low == high else f"{low}–{high}"
            sentence = (
                f"{sentence[:-1]}, one Monte Carlo standard error; {span}% across the readings "
                f"{', '.join(readings)})"
            )
        named.append(sentence)
    return named


def asim_fmt(value: float) -> str:
    from attritionsim._format import fmt_sig

    return fmt_sig(value, 2)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# ------------------------------------------------------------------------------ the folder
def test_report_folder_holds_exactly_its_files(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, _, _ = written
    assert sorted(p.name for p in out.iterdir()) == [
        ".attritionsim-report",
        "figures",
        "report.md",
        "results.nc",
        "summary.json",
    ]
    marker = json.loads((out / ".attritionsim-report").read_text(encoding="utf-8"))
    assert set(marker) == {"attritionsim", "created", "files", "folders", "checksums"}
    assert marker["attritionsim"] == asim.__version__
    written_files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert marker["files"] == [f for f in written_files if f != ".attritionsim-report"]
    assert marker["folders"] == ["figures"]
    assert marker["checksums"] == {
        f: {
            "size": (out / f).stat().st_size,
            "sha256": hashlib.sha256(out.joinpath(f).read_bytes()).hexdigest(),
        }
        for f in marker["files"]
    }
    # nothing left beside it: no staging folder, no old copy
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_results_nc_is_the_returned_dataset(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    out, ds, _ = written
    with xr.open_dataset(out / "results.nc") as opened:
        back = opened.load()
    xr.testing.assert_identical(back, ds)
    assert back.attrs["draws"] == 3000
    assert back.attrs["seed"] == 20250604
    assert back.attrs["scenario"] == "default.toml"


def test_summary_json(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    out, ds, _ = written
    with (out / "summary.json").open(encoding="utf-8") as handle:
        summary = json.load(handle)
    assert set(summary) == {
        "draws", "seed", "method", "level", "version", "quantities", "synthesis", "inputs",
        "readings",
    }  # fmt: skip
    # [report] readings of the default scenario: every headline under each reading
    assert list(summary["readings"]) == ["default", "face-value", "sceptical"]
    sceptical = summary["readings"]["sceptical"]
    assert sceptical["rules"]["range"] == {"level": 0.8}
    assert (sceptical["draws"], sceptical["synthesis_draws"]) == (3000, 3000)
    assert list(sceptical["quantities"])[:7] == list(default_scenario().headline)
    assert "synthesis.ru.crossed_1000000_by_2025_06_30" in sceptical["quantities"]
    assert set(sceptical["quantities"]["ratio_dec25"]) >= {"median", "eti", "mcse"}
    # the default reading re-run with the same seed and draws is the headline run itself
    assert (
        summary["readings"]["default"]["quantities"]["ratio_dec25"]
        == (summary["quantities"]["ratio_dec25"])
    )
    assert summary["draws"] == 3000
    assert summary["seed"] == 20250604
    assert summary["method"] == "mc"
    assert summary["level"] == 0.9
    assert summary["version"] == asim.__version__
    assert set(summary["quantities"]) == {str(n) for n in ds.data_vars if ds[n].dims == ("draw",)}


def test_report_md(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    out, ds, sentences = written
    text = (out / "report.md").read_text(encoding="utf-8")
    scenario = default_scenario()
    assert text.startswith(f"# {scenario.title}\n")
    settings = scenario.syntheses["ru"]
    extra = len(settings.thresholds) * (1 + len(settings.crossed_by)) + len(settings.periods)
    assert len(sentences) == len(scenario.headline) + extra == len(scenario.headline) + 7
    for sentence in sentences:
        assert f"- {sentence}\n" in text
    for name in ds.data_vars:
        if ds[name].dims == ("draw",):
            assert f"\n| {name} |" in text, name
    svgs = sorted((out / "figures").glob("*.svg"))
    assert svgs
    for svg in svgs:
        assert f"](figures/{svg.name})" in text, svg.name
    linked = {line.split("](figures/")[1].rstrip(")") for line in text.splitlines() if "](" in line}
    assert linked == {svg.name for svg in svgs}  # no link to a missing figure
    sources = text.split("## Sources", 1)[1].split("## Run", 1)[0]
    assert "`csis-2025-12-russia-casualties`" in sources
    assert "`ru_dec25`" in sources
    assert "https://www.csis.org/analysis/russias-grinding-war-ukraine" in sources
    run = text.split("## Run", 1)[1]
    assert "- seed: 20250604" in run
    assert "- draws: 3,000" in run
    assert "- method: mc" in run
    assert f"- attritionsim: {asim.__version__}" in run


def test_figures(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    out, _, _ = written
    pngs = sorted((out / "figures").glob("*.png"))
    svgs = sorted((out / "figures").glob("*.svg"))
    assert {p.stem for p in pngs} == {p.stem for p in svgs}
    stems = {p.stem for p in pngs}
    assert {"ratio_dec25", "synthesis_ru_fan", "ratio_dec25_tornado"} <= stems
    assert "sources_forest" in stems
    # the rate and period sources, which the fan (cumulative counts) cannot show, on their own
    assert "synthesis_ru_rates" in stems
    md = (out / "report.md").read_text(encoding="utf-8")
    caption = next(line for line in md.splitlines() if "the daily rate behind" in line)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    cat = load_catalogue()
    ids = summary["synthesis"]["ru"]["sources"]
    rates = sum(cat[i].measure != "casualties" for i in ids)
    assert rates > 10 and f"with the {rates} rate and period sources" in caption
    for png in pngs:
        assert png.read_bytes().startswith(PNG), png.name
    for svg in svgs:
        assert b"<svg" in svg.read_bytes()[:2000], svg.name


def test_tornado_figures_draw_each_inputs_influence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ratio = ru / ua rises with ru and falls with ua: the rank tornado's bars must say so, with
    # the Spearman correlations themselves, and the Sobol tornado must draw the total indices.
    from scipy import stats

    drawn: list[object] = []
    original = attritionsim.report.plots.plot_tornado

    def spy(*args: object, **kwargs: object) -> object:
        fig = original(*args, **kwargs)  # type: ignore[arg-type]
        drawn.append(fig)
        return fig

    monkeypatch.setattr(attritionsim.report.plots, "plot_tornado", spy)
    ds, _ = write_report(parse_scenario(SMALL, name="small.toml"), tmp_path / "out", draws=4000)
    assert len(drawn) == 2

    def bars(fig: object) -> dict[str, float]:
        ax = fig.axes[0]  # type: ignore[attr-defined]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        return dict(zip(labels, [p.get_width() for p in ax.patches], strict=True))

    ranks = bars(drawn[0])
    for name, sign in (("ru", 1.0), ("ua", -1.0)):
        rho = stats.spearmanr(ds[name].values, ds["ratio"].values).statistic
        assert ranks[name] == pytest.approx(rho, abs=1e-12)
        assert np.sign(ranks[name]) == sign
    model = parse_scenario(SMALL, name="small.toml").model
    sobol = asim.sobol_indices(model, "ratio", seed=int(ds.attrs["seed"]), draws=4000)
    totals = dict(zip(sobol["input"].values, sobol["total"].values, strict=True))
    assert bars(drawn[1]) == pytest.approx(totals, abs=1e-12)
    assert all(v > 0 for v in totals.values())


def test_report_md_warns_of_the_default_reports_impossible_share(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, _, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    headlines, rest = text.split("\n## Warnings\n\n", 1)
    assert headlines.count("\n## ") == 1  # right under the headline figures
    section, after = rest.split("\n\n## ", 1)
    assert after.startswith("Readings\n")  # the readings follow the warnings
    assert section == (
        "- Killed share implied by 1,000 dead a day (`killed_share_rutte`): 2.6% of draws above "
        "100% (a share above one: the numerator's range exceeds the denominator's); the figures "
        "are of the other 97.4%."
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    flagged = {name for name, entry in summary["quantities"].items() if "invalid" in entry}
    assert flagged == {"killed_share_rutte"}
    entry = summary["quantities"]["killed_share_rutte"]
    assert entry["invalid"] == entry["invalid_draws"]["above"] == pytest.approx(0.026, abs=5e-4)
    assert entry["domain"] == [0.0, 1.0]
    assert entry["eti"][1] <= 1.0  # the interval is of the valid draws
    assert "| killed_share_rutte | share | 88." in text and "% (2.6% invalid) |" in text


def test_headline_sentences_match_the_data(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    _, ds, sentences = written
    scenario = default_scenario()
    out = written[0]
    with pytest.warns(AttritionWarning, match=RUTTE_WARNING):
        again = headline_sentences(ds, list(scenario.headline), level=0.9, digits=scenario.digits)
    assert _named(again, out) == sentences[: len(again)]
    assert "percentage points, one Monte Carlo standard error; " in sentences[1]
    assert sentences[0].startswith("Russia:Ukraine casualty ratio, December 2025: ")
    assert "probability" in sentences[1]


# ------------------------------------------------------------------------------ atomicity
def test_a_failing_run_leaves_an_earlier_report_untouched(
    written: tuple[Path, xr.Dataset, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    shutil.copytree(written[0], out)
    before = _snapshot(out)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(attritionsim.report, "to_markdown", broken)
    small = parse_scenario(SMALL, name="small.toml")  # one figure: a quick run
    with pytest.raises(RuntimeError, match="boom"):
        write_report(small, out, draws=500)
    assert _snapshot(out) == before
    with pytest.raises(RuntimeError, match="boom"):
        write_report(small, tmp_path / "new", draws=500)
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no half-written folder


def test_an_out_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        write_report(default_scenario(), target, draws=100)
    assert target.read_text(encoding="utf-8") == "not a folder"


# ------------------------------------------------------------------------------ plausibility
def test_default_headline_numbers_are_plausible(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, ds, _ = written
    ratio = float(np.median(ds["ratio_dec25"].values))
    assert 1.9 < ratio < 2.5
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    found = summary["synthesis"]["ru"]["quantities"]
    crossed_aug = found["crossed_1000000_by_2025_08_31"]["probability"]
    crossed_jun = found["crossed_1000000_by_2025_06_30"]["probability"]
    assert 0.5 < crossed_aug < 1.0
    assert found["crossed_1000000_by_2025_06_12"]["probability"] <= crossed_jun < crossed_aug
    median = np.datetime64(found["crossing_1000000"]["median"])
    assert np.datetime64("2025-05-01") <= median <= np.datetime64("2025-09-30")
    for name, entry in found.items():
        if name.startswith("rate_"):
            assert 700 < entry["median"] < 1_600, name


# ------------------------------------------------------------------------------ the synthesis
@pytest.fixture(scope="module")
def synthesized() -> tuple[xr.Dataset, xr.Dataset]:
    settings = default_scenario().syntheses["ru"]
    with pytest.warns(AttritionWarning, match="synthesize skipped"):
        syn = settings.run(draws=2_000)
    return syn, attritionsim.report.synthesis_quantities(syn, settings)


def test_default_report_prints_no_negative_rate(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, _, sentences = written
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "−" not in text  # the minus sign cite and to_markdown print
    assert not any(word in text for word in ("implied_rate", "rate_mar_may25"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rates = {k: v for k, v in summary["synthesis"]["ru"]["quantities"].items() if "rate" in k}
    assert len(rates) == 3
    for entry in rates.values():
        assert min(entry["eti"][0], entry["hdi"][0], entry["median"]) >= 0
    per_day = [s for s in sentences if " per day, " in s]
    assert len(per_day) == 3
    assert all("(synthesis): " in s and "−" not in s and "-" not in s for s in per_day)


def test_synthesis_sentences_cite_the_paths(synthesized: tuple[xr.Dataset, xr.Dataset]) -> None:
    syn, quantities = synthesized
    sentences = attritionsim.report.synthesis_sentences(quantities, digits=3)
    when = asim.crossing_date(syn["cumulative"], 1_000_000)
    expected = asim.cite(when.assign_attrs(units=""), 0.9, digits=3)
    assert sentences[0] == (
        f"Russian casualties pass 1,000,000 (on the synthesized paths): {expected}"
    )
    np.testing.assert_array_equal(quantities["crossing_1000000"].values, when.values)
    for i, day in enumerate(["2025-06-12", "2025-06-30", "2025-08-31"], start=1):
        share = float((when.values <= np.datetime64(day, "s")).mean())
        got = float(quantities[f"crossed_1000000_by_{day.replace('-', '_')}"].mean())
        assert got == share
        assert sentences[i].startswith("Russian casualties past 1,000,000 by ")
    rate = quantities["rate_2025_03_20_to_2025_05_31"]
    cum = syn["cumulative"]
    by_hand = (
        cum.sel(date=np.datetime64("2025-05-31", "ns"))
        - cum.sel(date=np.datetime64("2025-03-20", "ns"))
    ) / 72.0
    np.testing.assert_allclose(rate.values, by_hand.values)
    assert (rate.values >= 0).all()
    assert rate.attrs["ess"] == asim.summary.family_ess(by_hand)  # its own, from the families
    assert "family" not in rate.coords


def test_censored_crossing_reads_not_by_the_last_date() -> None:
    dates = np.array(["2025-01-01", "2025-02-01", "2025-03-01"], "datetime64[ns]")
    paths = np.array([[0.0, 600.0, 2_000.0]] * 3 + [[0.0, 100.0, 200.0]] * 17)
    syn = xr.Dataset(
        {"cumulative": (("draw", "date"), paths)},
        coords={"date": dates},
        attrs={"ess": 20.0, "seed": 1, "draws": 20},
    )
    settings = SynthesisSettings(
        name="t", long_name="Losses", observations=(), rates=(), periods=(), crossed_by=(),
        dates=(), thresholds=(1_000.0,), draws=20, seed=1,
    )  # fmt: skip
    quantities = attritionsim.report.synthesis_quantities(syn, settings)
    (sentence,) = attritionsim.report.synthesis_sentences(quantities)
    assert sentence == (
        "Losses pass 1,000 (on the synthesized paths): not reached by 1 March 2025 in 85% of paths"
    )


def test_tension_table_lists_every_source(synthesized: tuple[xr.Dataset, xr.Dataset]) -> None:
    syn, _ = synthesized
    p = asim.tension(syn)
    sets = tension_sets(syn)
    lines = attritionsim.report.tension_table(syn, p, sets, asim.load_catalogue())
    rows = [line for line in lines if line.startswith("| `")]
    ids = [row.split("`")[1] for row in rows]
    assert sorted(ids) == sorted(str(s) for s in syn["source"].values)
    shown = [float(p.sel(source=i)) for i in ids]
    assert shown == sorted(shown)  # sorted by p
    first = rows[0].split(" | ")
    assert first[1] == asim.load_catalogue()[ids[0]].publisher
    assert rows[0].endswith("| all |") or "| 1 |" in rows[0]
    assert any("csis-2023-02-russia-casualties" in line for line in lines[len(rows) + 2 :])


def test_report_md_has_the_tension_table_and_the_ess(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, _, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["synthesis"]["ru"]
    assert f"effective sample size {summary['ess']:,.0f}" in text
    section = text.split("## Sources in tension: Russian casualties", 1)[1].split("## Figures")[0]
    for ident in summary["sources"]:
        assert f"| `{ident}` |" in section, ident
    assert set(summary["tension"]) == set(summary["sources"])
    assert summary["draws"] == 3000  # --draws caps the synthesis's 20,000
    assert {"ess", "pareto_k", "quantities", "tension", "tension_sets", "skipped"} <= set(summary)


# ------------------------------------------------------------------------------ the commands
def test_cli_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(capsys, "report", "--draws", "2000", "--quiet")
    assert status == 0, err
    # one warning line per headline with invalid draws: the killed share "1,000 a day" implies
    (line,) = err.splitlines()
    assert re.fullmatch(
        r"attritionsim: warning: killed share implied by 1,000 dead a day "
        r"\(killed_share_rutte\): \d\.\d% of draws above 100% \(a share above one: the "
        r"numerator's range exceeds the denominator's\); the figures are of the other 9\d\.\d%",
        line,
    ), line
    folder = tmp_path / "attritionsim-report"
    assert {p.name for p in folder.iterdir()} == {
        ".attritionsim-report",
        "figures",
        "report.md",
        "results.nc",
        "summary.json",
    }
    lines = out.splitlines()
    assert lines[0] == default_scenario().title
    with xr.open_dataset(folder / "results.nc") as opened:
        ds = opened.load()
    assert ds.attrs["draws"] == 2000
    scenario = default_scenario()
    with pytest.warns(AttritionWarning, match="killed_share_rutte"):
        expected = headline_sentences(
            ds, list(scenario.headline), level=0.9, digits=scenario.digits
        )
    expected = _named(expected, folder)
    assert [line.strip() for line in lines[2 : 2 + len(expected)]] == expected
    assert lines[-1].startswith("report written to attritionsim-report/")


@pytest.mark.parametrize("draws", ["0", "-5"])
def test_cli_report_bad_draws(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    draws: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(capsys, "report", "--draws", draws, "--quiet")
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("attritionsim: error: ")
    assert "draws" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_run_then_summarize(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(
        capsys, "run", str(EXAMPLE), "--draws", "2000", "--out", "out", "--quiet"
    )
    assert status == 0, err
    assert out.splitlines()[0] == "Russian losses by mid-2025"
    assert "report written to out/" in out
    with xr.open_dataset(tmp_path / "out" / "results.nc") as opened:
        ds = opened.load()
    assert ds.attrs["draws"] == 2000
    assert ds.attrs["seed"] == 20250604

    status, out, err = _run(capsys, "summarize", "out/results.nc", "--format", "json")
    assert status == 0, err
    summary = json.loads(out)
    assert summary["draws"] == 2000
    assert set(summary["quantities"]) == {
        "ru_casualties",
        "ru_killed",
        "ru_rate",
        "ua_casualties",
        "ratio",
        "in_band",
        "killed_share",
        "one_million",
    }


def test_cli_run_without_out_prints_headlines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(capsys, "run", str(EXAMPLE), "--draws", "1000", "--quiet")
    assert status == 0, err
    # no headline in the file: the first quantities, labelled by name
    assert out.splitlines()[0].startswith("Ru casualties: 949,000 (90% CrI ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "missing.toml"], "missing.toml"),
        (["run", str(EXAMPLE), "--method", "grid"], "invalid choice"),
        (["summarize", "nope.nc"], "nope.nc"),
    ],
)
def test_cli_bad_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: list[str],
    fragment: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("attritionsim: error: ")
    assert fragment in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_scenario_file_names_its_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    text = EXAMPLE.read_text(encoding="utf-8").replace("range  = [", "rnage  = [")
    Path("bad.toml").write_text(text, encoding="utf-8")
    status, out, err = _run(capsys, "run", "bad.toml", "--quiet")
    assert status == 2
    assert out == ""
    assert err == (
        "attritionsim: error: bad.toml:9: unknown key 'rnage' in [inputs.ru_casualties] "
        "(did you mean 'range'?)\n"
    )


def test_cli_sources_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(
        capsys, "sources", "--side", "russia", "--measure", "casualties", "--format", "json"
    )
    assert status == 0, err
    records = json.loads(out)
    assert isinstance(records, list)
    ids = [r["id"] for r in records]
    assert "csis-2025-12-russia-casualties" in ids
    assert "csis-2025-05-ukraine-casualties" not in ids
    assert all(r["side"] == "russia" and r["measure"] == "casualties" for r in records)


def test_cli_sources_csv(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "sources", "--publisher", "csis", "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["id", "publisher", "title"]
    assert {"side", "measure", "value", "low", "high", "qualifier", "url"} <= set(header)
    assert rows
    assert all(r["publisher"] == "CSIS" for r in rows)
    assert "csis-2025-12-russia-killed" in {r["id"] for r in rows}


@pytest.mark.parametrize("fmt", ["json", "md", "csv", "latex"])
def test_cli_summarize_formats(
    capsys: pytest.CaptureFixture[str],
    written: tuple[Path, xr.Dataset, list[str]],
    fmt: str,
) -> None:
    out_dir, ds, _ = written
    status, out, err = _run(capsys, "summarize", str(out_dir / "results.nc"), "--format", fmt)
    assert status == 0, err
    assert err == ""
    if fmt == "json":
        summary = json.loads(out)
        assert summary["draws"] == 3000
        assert "ratio_dec25" in summary["quantities"]
    elif fmt == "md":
        assert out.startswith("| Quantity |")
        assert "\n| ratio_dec25 | ratio |" in out
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        names = [next(iter(r.values())) for r in rows]
        assert "ratio_dec25" in names
        assert len(rows) == sum(1 for n in ds.data_vars if ds[n].dims == ("draw",))
    else:
        assert "\\begin{tabular}" in out
        assert "\\end{tabular}" in out
        assert "ratio" in out


def test_progress_bar_waits_a_second_then_draws_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from attritionsim.cli import _ProgressBar

    bar = _ProgressBar()
    bar(10, 100)  # a fast run shows nothing
    assert capsys.readouterr().err == ""
    bar.start -= 2.0  # the run has now taken two seconds
    bar(50, 100)
    assert capsys.readouterr().err == "\r  [" + "#" * 15 + "-" * 15 + "] 50/100 draws"
    bar(100, 100)  # the line stays open: the command ends it, or wipes it for an error
    assert capsys.readouterr().err.endswith("] 100/100 draws")
    bar.end(keep=True)
    assert capsys.readouterr().err == "\n"


# ------------------------------------------------------------------------------ sentences
@pytest.mark.parametrize(
    ("later", "expected"),
    [
        (
            1_000_000.0,
            "inconsistent: the later figure is 100,000 (11%) above what the earlier figure plus "
            "the rate predict (90% interval of the difference 100,000 to 100,000; two-sided tail "
            "probability 0); the two figures imply 2,000 a day",
        ),
        (
            850_000.0,
            "inconsistent: the later figure is 50,000 (5.6%) below what the earlier figure plus "
            "the rate predict (90% interval of the difference -50,000 to -50,000; two-sided tail "
            "probability 0); the two figures imply 500 a day",
        ),
        (
            900_000.0,
            "consistent: the later figure is 0 (0%) at what the earlier figure plus the rate "
            "predict (90% interval of the difference 0 to 0; two-sided tail probability 1); the "
            "two figures imply 1,000 a day",
        ),
    ],
)
def test_consistency_sentence(later: float, expected: str) -> None:
    found = asim.consistency(
        800_000.0, later, 1_000.0, date_earlier="2025-03-01", date_later="2025-06-09"
    )
    assert attritionsim.report.consistency_sentence(found) == expected
    assert str(found) == expected


# ------------------------------------------------------------------------------ cold test, issue 13
def test_warnings_sit_right_under_the_headlines(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    # the synthesis's long "Skipped:" list sat between the headlines and the Warnings
    out, _, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    top = text.split("## Warnings", 1)[0]
    assert "Skipped" not in top and "restates" not in top
    assert text.index("## Warnings") < text.index("## Every quantity")
    synthesis = text.split("### The synthesis `ru`", 1)[1].split("## ", 1)[0]
    assert "Skipped (projections and restatements of a record at the same date are not " in (
        synthesis
    )
    assert "csis-2025-05-russia-casualties-headline (restates csis-2025-05-russia-casualties)" in (
        synthesis
    )


def test_synthesis_sources_are_cited(written: tuple[Path, xr.Dataset, list[str]]) -> None:
    out, _, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    cited = text.split("### Synthesis sources: Russian casualties (`ru`)", 1)[1].split("## ", 1)[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    catalogue = asim.load_catalogue()
    for ident in summary["synthesis"]["ru"]["sources"]:
        assert f"| `{ident}` |" in cited, ident
        assert asim.cite_record(catalogue[ident]) in cited, ident


def test_report_rounds_readings_and_marks_left_out_draws(
    written: tuple[Path, xr.Dataset, list[str]],
) -> None:
    out, ds, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    sources = text.split("## Sources", 1)[1]
    # the Sources table's readings at three significant digits, as the sources chart has them
    assert "[855,000, 1,055,556]" not in sources and "1,111.111" not in sources
    assert "LogNormal(approximately 950,000; 90% in [860,000, 1,060,000])" in sources
    # a figure of a quantity with invalid draws says how many were left out
    share = float((ds["killed_share_rutte"].values > 1).mean())
    assert (
        f"![Distribution: killed share implied by 1,000 dead a day ({100 * share:.1f}% of draws "
        f"left out as invalid: {100 * share:.1f}% above 100%)"
    ) in text
    # the ± is one Monte Carlo standard error, named so
    assert "percentage points, one Monte Carlo standard error; " in text


INLINE_ONLY = """
[scenario]
draws = 2000
seed = 3

[inputs.cas]
more_than = 10_000
units = "people"

[inputs.dead]
at_least = 9_000
units = "people"

[inputs.extra]
range = [1, 2]

[derived]
net = "cas - dead"

[units]
net = "people"

[report]
headline = ["net"]
"""


def test_a_scenario_without_catalogue_inputs_says_so_and_charts_drivers_that_feed(
    tmp_path: Path,
) -> None:
    scenario = parse_scenario(INLINE_ONLY, name="s.toml")
    with pytest.warns(AttritionWarning, match=r"^net \(net\): "):
        write_report(scenario, tmp_path / "out")
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    sources = text.split("## Sources", 1)[1].split("## Run", 1)[0]
    assert sources.strip() == (
        "No input is taken from a catalogue record: every figure is the scenario's own (see "
        "Inputs)."
    )
    assert "| Input | Source |" not in text


def test_sobol_chart_shows_only_inputs_that_feed_the_quantity() -> None:
    # cold test of issue 13: "Russian killed" charted as a driver of the casualty ratio
    scenario = parse_scenario(INLINE_ONLY.replace("draws = 2000", "draws = 1024"), name="s.toml")
    ds = scenario.run()
    fig = attritionsim.report._sobol_tornado(ds, scenario.model, "net")
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert labels and "extra" not in labels
    assert labels <= {"cas", "dead"}


def test_sobol_chart_names_only_the_feeding_member_of_a_correlated_group() -> None:
    # the default ratio's Sobol chart named "Russian killed" (correlated with the casualties)
    scenario = default_scenario()
    ds = scenario.run(draws=1024)
    fig = attritionsim.report._sobol_tornado(ds, scenario.model, "ratio_dec25")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [
        "Russian casualties, December 2025 (CSIS)\n(with the inputs correlated with it)",
        "Ukrainian casualties, December 2025 (CSIS)\n(with the inputs correlated with it)",
    ]
