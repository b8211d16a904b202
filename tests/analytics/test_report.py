"""The HTML report: builds headless, embeds every figure, and adapts to the clock."""

from __future__ import annotations

import base64
import json
import re

import pytest

from analytics import analyse, build_report, rebuild_report
from analytics.markouts import DEFAULT_HORIZONS
from analytics.report import FIGURES, REPORT_FILE, _fmt, _tables, load_results, report_options
from engine import ConfigError, DataError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def embedded_figures(html: str) -> dict[str, bytes]:
    """Figure id -> decoded PNG, for every <figure> of the page."""
    found = re.findall(r"<figure id='fig-([\w-]+)'><img alt='[\w-]+' src='data:image/png;base64,([^']+)'>", html)
    return {key: base64.b64decode(data) for key, data in found}


def test_synthetic_report_has_every_figure_and_table(small_runs, tmp_path):
    """A synthetic run's report embeds each figure of FIGURES['synthetic'] as a PNG, plus the metric tables."""
    path = build_report(small_runs, tmp_path, cap=2.0, title="test run", config={"paths": 6})
    assert path == tmp_path / REPORT_FILE
    html = path.read_text(encoding="utf-8")
    figures = embedded_figures(html)
    assert list(figures) == list(FIGURES["synthetic"])
    assert all(png.startswith(PNG_SIGNATURE) and len(png) > 5000 for png in figures.values())
    for heading in ("Performance", "Inventory risk", "P&amp;L attribution", "Adverse selection", "Configuration"):
        assert f"<h2>{heading}" in html
    # Self-contained: every src is an embedded image, and nothing is linked in.
    assert set(re.findall(r"src='([a-z]+):", html)) == {"data"} and "<link" not in html and "<script" not in html


def test_real_clock_report_adds_equity_curve_and_position(day_run, tmp_path):
    """A real-time (replay-like) run gets the equity curve and the position over the day, annualised Sharpe."""
    html = build_report(day_run, tmp_path, clock="real").read_text(encoding="utf-8")
    assert list(embedded_figures(html)) == list(FIGURES["real"])
    assert "annualised" in html and "h = 60s" in html


def test_analysis_summary_matches_parts(small_runs):
    """The summary row agrees with the attribution and risk tables it is built from."""
    name, ledger = small_runs[1]
    a = analyse(name, ledger, cap=2.0)
    assert a.summary["spread_capture"] == pytest.approx(a.per_path["spread_capture"].mean())
    assert a.summary["pnl_mean"] == pytest.approx(a.attribution.loc["pnl", "mean"])
    assert a.summary["residual_max"] < 1e-9
    assert a.summary["time_at_cap"] == pytest.approx(a.per_path["time_at_cap"].mean())


def test_build_report_rejects_bad_input(small_runs, tmp_path):
    """No results, a repeated name or an unknown clock are ConfigErrors; no file is left behind."""
    with pytest.raises(ConfigError, match="at least one"):
        build_report([], tmp_path)
    with pytest.raises(ConfigError, match="unique"):
        build_report([small_runs[0], small_runs[0]], tmp_path)
    with pytest.raises(ConfigError, match="clock"):
        build_report(small_runs, tmp_path, clock="wall")
    assert not list(tmp_path.iterdir())


def test_rebuild_from_saved_results(small_runs, tmp_path):
    """rebuild_report reads summary.json and the saved ledgers and writes the same figures again."""
    for name, ledger in small_runs:
        ledger.save(tmp_path / name)
    summary = {"rows": [{"strategy": name} for name, _ in small_runs],
               "report": report_options(cap=2.0, title="saved"), "config": {"seed": 1}}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    html = rebuild_report(tmp_path).read_text(encoding="utf-8")
    assert list(embedded_figures(html)) == list(FIGURES["synthetic"])
    assert "<title>saved</title>" in html


def test_load_results_errors(tmp_path):
    """A folder without summary.json, or with one that names no strategy, is a DataError naming the file."""
    with pytest.raises(DataError, match="summary.json: missing"):
        load_results(tmp_path)
    (tmp_path / "summary.json").write_text("{not json")
    with pytest.raises(DataError, match="not readable JSON"):
        load_results(tmp_path)
    (tmp_path / "summary.json").write_text(json.dumps({"rows": []}))
    with pytest.raises(DataError, match="'rows'"):
        load_results(tmp_path)


def test_large_amounts_are_shown_in_whole_units_not_scientific_notation():
    """A day's P&L reads 22,503, not 2.25e+04; small figures keep their significant digits."""
    from analytics.plots import readable

    assert readable(22502.98) == "22,503" and readable(-27308.97, 4) == "-27,309"
    assert readable(4805.99, 4) == "4806" and readable(0.013354) == "0.0134"


def test_sortino_without_a_losing_path_says_so_instead_of_infinity(make_ledger):
    """Two paths that both gain: the Sortino across paths is infinite and the table says 'n/a, no losing path'."""
    marks = [(p, float(t), 100.0, 0.0, m, m) for p, gains in ((0, (0.0, 1.0, 2.0)), (1, (0.0, 2.0, 3.0)))
             for t, m in enumerate(gains)]
    a = analyse("winner", make_ledger(marks=marks))
    assert a.summary["sortino"] == float("inf")
    html = _tables([a], "synthetic", DEFAULT_HORIZONS["synthetic"], None)
    assert "n/a, no losing path" in html and "&infin;" not in html


def test_one_day_sharpe_is_printed_with_its_standard_error(day_run):
    """On one real-clock path the annualised time-series Sharpe is followed by ± its standard error."""
    a = analyse(*day_run[0], clock="real")
    se = a.summary["ts_sharpe_se"]
    assert se > 0
    assert f"{_fmt(a.summary['ts_sharpe'])} &plusmn; {_fmt(se, 2)}" in _tables([a], "real", DEFAULT_HORIZONS["real"],
                                                                                None)
