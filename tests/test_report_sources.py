"""The report's appendices: the Inputs table (inline inputs, constants) and the source citations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

from attritionsim.report import scenario_inputs, write_report
from attritionsim.scenario import parse_scenario

INLINE = """\
[scenario]
title = "inline inputs"
seed = 7

[inputs.cas]
range = [500_000, 600_000]
units = "people"
long_name = "Casualties | all"

[inputs.killed]
approximately = 120_000
units = "people"

[inputs.days]
value = 31

[inputs.start]
value = "2025-03-20"

[inputs.rate]
source = "uagenstaff-2025-12-russia-daily-rate"
units = "people/day"

[inputs.ru]
source = "ukmod-2025-03-russia-killed"

[derived]
share = "killed_share(cas, killed)"
per_day = "cas / days"
when = "crossing_date(cas, rate, 1_000_000, start)"

[units]
share = "share"

[report]
headline = ["share"]
"""
# a record's input without a long_name of its own is named after the record
GS_LONG_NAME = "Russian daily rate, General Staff of the Armed Forces of Ukraine (2025-12-31)"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, xr.Dataset]:
    out = tmp_path_factory.mktemp("inline") / "out"
    ds, _ = write_report(parse_scenario(INLINE, name="inline.toml"), out, draws=2000)
    return out, ds


def _section(text: str, heading: str) -> list[str]:
    body = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in body.splitlines() if line.startswith("| `")]


def test_inputs_table_lists_inline_inputs_and_constants(written: tuple[Path, xr.Dataset]) -> None:
    out, _ = written
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.index("## Inputs") < text.index("## Sources\n")
    rows = _section(text, "Inputs")
    assert [row.split(" | ")[0] for row in rows] == [
        "| `cas`",
        "| `killed`",
        "| `days`",
        "| `start`",
        "| `rate`",
    ]
    cas, killed, days, start, rate = rows
    assert cas.startswith(
        r"| `cas` | Casualties \| all [people] | range 500,000–600,000 (read as a 90% interval) | "
        "LogNormal(90% in [500,000, 600,000]) | "
    )
    assert cas.endswith(" |") and "(90% CrI " in cas.split(" | ")[-1]
    assert killed.startswith(
        "| `killed` | killed [people] | approximately 120,000 | "
        "LogNormal(approximately 120,000; 90% in [108,000, 133,000]) | "
    )
    assert days == "| `days` | days | value 31 | constant | exact: 31 in every draw |"
    assert start == (
        "| `start` | start | value 2025-03-20 | constant | exact: 2025-03-20 in every draw |"
    )
    assert rate == (
        f"| `rate` | {GS_LONG_NAME} [people/day] | value 1,131 from "
        "`uagenstaff-2025-12-russia-daily-rate` | constant | exact: 1,131 in every draw |"
    )
    # the sourced input sits under Sources only; the sourced constant under both
    sources = _section(text, "Sources")
    assert [row.split(" | ")[0] for row in sources] == ["| `rate`", "| `ru`"]
    assert sources[0].endswith(
        "| 1,131/day | exact | exact: 1,131 in every draw | General Staff of the Armed Forces of "
        "Ukraine, *Daily report of enemy combat losses* (as of 2025-12-31), "
        "<https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset> |"
    )
    assert sources[1].endswith(
        "| UK Defence Intelligence (2025-03-20), reported by Forces News; Newsmax; Online.ua |"
    )
    assert "**" not in text and "; |" not in text and ";  |" not in text


def test_summary_json_lists_the_inline_inputs(written: tuple[Path, xr.Dataset]) -> None:
    out, ds = written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"] == scenario_inputs(ds)
    assert list(summary["inputs"]) == ["cas", "killed", "days", "start", "rate"]
    assert summary["inputs"]["cas"] == {
        "kind": "input",
        "long_name": "Casualties | all",
        "units": "people",
        "given": "range 500,000–600,000 (read as a 90% interval)",
        "reading": "LogNormal(90% in [500,000, 600,000])",
        "sources": [],
    }
    assert summary["inputs"]["days"]["value"] == 31.0
    assert summary["inputs"]["start"]["value"] == "2025-03-20"
    assert summary["inputs"]["rate"] == {
        "kind": "constant",
        "long_name": GS_LONG_NAME,
        "units": "people/day",
        "given": "value 1,131",
        "reading": None,
        "sources": ["uagenstaff-2025-12-russia-daily-rate"],
        "value": 1131.0,
    }
    # the inline inputs with draws are summarized as quantities too
    assert {"cas", "killed"} <= set(summary["quantities"])


def test_no_inputs_table_when_every_input_is_cited(tmp_path: Path) -> None:
    text = """\
[inputs.ru]
source = "csis-2025-12-russia-casualties"

[inputs.ua]
source = "csis-2025-12-ukraine-casualties"

[derived]
ratio = "ru / ua"
"""
    out = tmp_path / "out"
    write_report(parse_scenario(text, name="cited.toml"), out, draws=500)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Inputs" not in report
    assert "inputs" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = _section(report, "Sources")
    assert len(rows) == 2
    assert all(
        row.endswith(
            "| CSIS, *Russia's Grinding War in Ukraine* (2026-01-27), "
            "<https://www.csis.org/analysis/russias-grinding-war-ukraine> |"
        )
        for row in rows
    )
