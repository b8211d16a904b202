"""mmsim study at a small size, the findings it writes, and the recipe's pieces."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import ConfigError
from mmsim.cli import main
from mmsim.findings import _n, reflow, verdict
from mmsim.study import StudyConfig, markets, regime_sigmas


def test_study_writes_findings_from_its_numbers(tmp_path, capsys):
    """At a small size the study writes findings.md and study.json; the page's numbers are the JSON's."""
    out = tmp_path / "study"
    findings = tmp_path / "findings.md"
    args = ["study", "--paths", "12", "--resamples", "100", "--out", str(out), "--findings", str(findings),
            "--no-reports"]
    assert main(args) == 0
    assert "findings:" in capsys.readouterr().out
    text = findings.read_text(encoding="utf-8")
    numbers = json.loads((out / "study.json").read_text())
    assert "mmsim study --paths 12 --resamples 100 --findings" in text
    for section in ("## 1.", "## 2.", "## 3.", "## Caveats"):
        assert section in text
    assert text.count("**Holds.**") + text.count("**Does not hold.**") + text.count("**Not established.**") == 3
    ratio = numbers["inventory"]["ratio_time"]
    assert f"{_n(ratio['value'])} (95% CI {_n(ratio['low'])} to {_n(ratio['high'])})" in text
    assert not list(out.glob("*/report.html"))
    # The informed market keeps the baseline's mid paths: the variance rate A-S is told is the effective one.
    assert numbers["variance_rate"]["informed"] == numbers["variance_rate"]["baseline"]
    assert numbers["markets"]["informed"]["informed"] == 0.2


def test_regime_sigmas_match_the_baseline_variance():
    """The regimes market's expected integrated variance equals sigma^2 T (Monte Carlo, 4 standard errors)."""
    market = markets(StudyConfig())["regimes"]
    rng = np.random.default_rng(7)
    totals = np.array([market.tick_variances(rng).sum() for _ in range(2000)])
    se = totals.std(ddof=1) / np.sqrt(totals.size)
    assert abs(totals.mean() - 4.0) < 4 * se
    calm, volatile = regime_sigmas(2.0, 3.0, 4.0, 1.0)
    assert volatile == pytest.approx(3 * calm)


def test_verdicts_follow_the_interval():
    """A claim holds only when the whole interval is on its side, fails when wholly on the other side."""
    assert verdict({"low": 0.1, "high": 0.2}, 1.0, "below") == "holds"
    assert verdict({"low": 1.1, "high": 1.2}, 1.0, "below") == "does not hold"
    assert verdict({"low": 0.9, "high": 1.2}, 1.0, "below") == "not established"
    assert verdict({"low": 0.1, "high": 0.2}, 0.0, "above") == "holds"
    assert verdict({"low": None, "high": None}, 0.0, "above") == "not established"


def test_reflow_keeps_tables_and_wraps_text():
    """Paragraphs are wrapped to the width; tables and headings are left as they are."""
    table = "| a | b |\n|---|---|\n| " + "x" * 150 + " | y |"
    text = reflow("# Title\n\n" + "word " * 60 + "\n\n" + table, width=50)
    assert table in text and "# Title" in text
    paragraph = text.split("\n\n")[1]
    assert max(len(line) for line in paragraph.splitlines()) <= 50


def test_study_config_validated():
    """Fewer than two paths, a volatile ratio <= 1 or an informed share outside (0, 1) is a ConfigError naming
    the field."""
    with pytest.raises(ConfigError, match="paths"):
        StudyConfig(paths=1)
    with pytest.raises(ConfigError, match="informed"):
        StudyConfig(informed=1.0)
    with pytest.raises(ConfigError, match="volatile_ratio"):
        StudyConfig(volatile_ratio=1.0)
