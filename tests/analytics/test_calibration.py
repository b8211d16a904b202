"""calibrate(): the report, its checks and refusals, and calibration files with their unit conversion.

The real LOBSTER days are calibrated in tests/mmsim/test_calibrate_real_days.py (with the loop)."""

from __future__ import annotations

import json
import math

import pytest

from analytics import calibrate, calibrate_trade_depth, load_calibration
from analytics.calibration import ESTIMATOR, UNITS, VERSION, clock_time, close_after, split_time
from engine import ConfigError, DataError
from feeds import synthetic_ticks

A, K = 5.0, 150.0


@pytest.fixture(scope="module")
def result():
    return calibrate(synthetic_ticks(A, K, duration_s=900, seed=3))


def test_the_report_has_the_headline_figures_what_made_them_and_every_check(result):
    """to_dict() carries A, k, sigma, impact with SEs and intervals, the units, the estimator, version, window and
    fill rule, both fits per side, the out-of-sample check, the sanity check and the half-hour profile."""
    report = result.to_dict()
    assert {"A", "k", "sigma", "impact", "A_se", "k_se", "sigma_se", "impact_se", "A_ci95", "k_ci95", "sigma_ci95",
            "units", "estimator", "version", "window_s", "fill_rule", "quote", "touch", "fit_check", "sanity",
            "profile", "volatility", "data", "market_orders_per_s"} <= set(report)
    assert (report["estimator"], report["version"], report["window_s"]) == (ESTIMATOR, VERSION, 1.0)
    assert {"bid", "ask", "levels"} <= set(report["touch"]) and {"bid", "ask", "levels"} <= set(report["quote"])
    json.dumps(report)  # plain JSON types throughout


def test_the_sigma_interval_uses_the_robust_standard_error(result):
    """The headline sigma SE is the robust one, and the interval is sigma -/+ 1.96 of it."""
    sigma = result.sigma
    assert result.to_dict()["sigma_se"] == sigma.se_robust
    low, high = result.sigma_ci95
    assert (high - low) / 2 == pytest.approx(1.959963984540054 * sigma.se_robust)


def test_a_quote_cannot_fill_more_often_than_market_orders_arrive(result):
    """The fitted touch intensity is below the market-order rate on each side, and the sanity check says so."""
    for i, side in enumerate(("bid", "ask")):
        assert result.sides["touch"][i].A < result.market_orders[side]
        assert result.sanity[side]["ok"]


def test_the_fit_check_verdict_is_every_row_and_no_row_passes_outside_the_tolerance(result):
    table = result.fit_check.table
    assert result.fit_check.passed == bool(table["ok"].all())
    assert (table["ok"] == (table["rel_error"].abs() <= result.fit_check.tolerance)).all()
    assert set(table["anchor"]) == {"touch", "mid"} and (table["anchor"] == "touch").sum() == 7


def test_split_time_takes_a_fraction_or_a_clock_time_inside_the_session():
    """LOBSTER stamps seconds after midnight: 12:00 is 43200; a fraction splits the session's length."""
    assert split_time("12:00", 34200.0, 57600.0) == 43200.0
    assert split_time(0.25, 34200.0, 57600.0) == 34200.0 + 0.25 * 23400.0
    with pytest.raises(ConfigError, match="outside the session"):
        split_time("16:30", 34200.0, 57600.0)
    with pytest.raises(ConfigError, match=r"must be in \(0, 1\)"):
        split_time(1.0, 34200.0, 57600.0)


def test_clock_times_run_from_00_00_to_23_59_and_a_close_must_come_after_trading_starts():
    """A bad clock time or a close at or before the first time traded is refused naming the parameter, which the
    command line shows as its option."""
    assert clock_time("00:00", 86400.0 + 5.0, "close") == 86400.0
    assert clock_time("23:59", 34200.0, "close") == 86340.0
    for text in ("25:00", "24:00", "12:60", "12:99", "-3:00", "9:5", "09:30:00", "", "+9:30"):
        with pytest.raises(ConfigError, match="expected HH:MM") as info:
            clock_time(text, 34200.0, "close")
        assert info.value.params == ("close",)
    assert close_after("16:00", 34200.0, 36000.0) == 57600.0
    for text in ("10:00", "09:59"):  # trading starts at 10:00 (34200 + a 30-minute warm-up)
        with pytest.raises(ConfigError, match="at or before the start of trading") as info:
            close_after(text, 34200.0, 36000.0)
        assert info.value.params == ("close",)


def test_a_window_that_does_not_fit_the_data_many_times_is_refused():
    ticks = synthetic_ticks(A, K, duration_s=300, seed=3)
    with pytest.raises(ConfigError, match="window_s 40: the data span"):
        calibrate(ticks, window_s=40.0)
    with pytest.raises(ConfigError, match="each part of the day must hold at least 10 windows"):
        calibrate(ticks, window_s=10.0, fit_until=0.1)


def saved(tmp_path, **changes):
    obj = {"estimator": ESTIMATOR, "version": VERSION, "A": 2.5, "k": 40.0, "sigma": 0.036, "impact": 0.05,
           "A_se": 0.05, "k_se": 0.3, "sigma_se": 0.001, "tick_size": 0.01, "median_spread": 0.15,
           "units": dict(UNITS)}
    obj.update(changes)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(obj))
    return path


def test_a_saved_calibration_converts_to_another_time_unit(tmp_path):
    """In minutes A and its SE are 60 times larger, sigma and its SE sqrt(60) times, k and the impact unchanged."""
    params = load_calibration(saved(tmp_path))
    minute = params.in_time_unit(60.0)
    assert (minute.A, minute.A_se) == pytest.approx((150.0, 3.0))
    assert (minute.sigma, minute.sigma_se) == pytest.approx((0.036 * math.sqrt(60), 0.001 * math.sqrt(60)))
    assert (minute.k, minute.k_se, minute.impact) == (40.0, 0.3, 0.05)
    back = minute.in_time_unit(1.0)  # converting back to seconds restores the file's figures
    assert (back.A, back.sigma, back.time_unit_s) == pytest.approx((params.A, params.sigma, 1.0))


@pytest.mark.parametrize("changes, message", [
    ({"k": -1.0}, "field 'k' must be a number > 0, got -1.0"),
    ({"A": None}, "field 'A' must be a number > 0, got None"),
    ({"sigma_se": "x"}, "field 'sigma_se' must be a number >= 0"),
    ({"impact": -0.1}, "field 'impact' must be a number >= 0"),
    ({"units": {**UNITS, "A": "per minute per side"}}, "field 'units.A' must be 'per second per side'"),
    ({"estimator": "trade-depth"}, "written by estimator 'trade-depth' version 2; this mmsim reads 'quote-fills'"),
    ({"version": 1}, "written by estimator 'quote-fills' version 1"),
])
def test_a_bad_calibration_file_names_the_field(tmp_path, changes, message):
    """A calibration file with a bad field, or of another estimator or version, is refused naming the file."""
    with pytest.raises(DataError, match=message):
        load_calibration(saved(tmp_path, **changes))


def test_a_missing_or_broken_calibration_file_is_named(tmp_path):
    """A missing file and a file that is not JSON are DataErrors naming the file."""
    with pytest.raises(DataError, match="nope.json: calibration file not found"):
        load_calibration(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{\n  'A': 1\n}")
    with pytest.raises(DataError, match="bad.json: line 2: not valid JSON"):
        load_calibration(tmp_path / "bad.json")


def test_a_calibrations_parameters_are_what_its_saved_file_loads_as(result, tmp_path):
    """Calibration.parameters() gives, per second, the figures load_calibration reads back from its dict."""
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(result.to_dict()))
    assert result.parameters() == load_calibration(path)
    assert result.parameters().time_unit_s == 1.0


def test_the_trade_depth_alternative_still_fits_its_own_model():
    """The old estimator stays as a named alternative: on data drawn from its model it is within 3 SE."""
    old = calibrate_trade_depth(synthetic_ticks(A, K, duration_s=900, seed=3))
    assert abs(old.mle.A - A) < 3 * old.mle.A_se and abs(old.mle.k - K) < 3 * old.mle.k_se
    assert old.to_dict()["estimator"] == "trade-depth"
