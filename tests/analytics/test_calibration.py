"""calibrate(): the report, real LOBSTER days, and calibration files with their unit conversion."""

from __future__ import annotations

import json
import math

import pytest

from analytics import calibrate, load_calibration
from analytics.calibration import UNITS
from engine import DataError
from feeds import read_lobster, synthetic_ticks

A, K = 5.0, 150.0


def test_the_report_has_the_headline_figures_units_and_the_comparison():
    """to_dict() carries A, k, sigma with SEs and intervals, the units, the LS fit and the fit check."""
    result = calibrate(synthetic_ticks(A, K, duration_s=900, seed=3))
    report = result.to_dict()
    assert {"A", "k", "sigma", "A_se", "k_se", "sigma_se", "A_ci95", "k_ci95", "sigma_ci95", "units",
            "least_squares", "fit_check", "volatility", "data"} <= set(report)
    assert report["units"]["A"] == "per second per side" and report["units"]["k"] == "per price unit"
    assert report["units"]["sigma"] == "price per sqrt(second)"
    assert report["fit_check"]["passed"] and report["A_ci95"][0] < A < report["A_ci95"][1]
    json.dumps(report)  # plain JSON types throughout


@pytest.mark.parametrize("ticker", ["AAPL", "GOOG"])
def test_real_lobster_days_give_precise_positive_estimates_that_pass_the_fit_check(lobster_dir, ticker):
    """On a real NASDAQ day: finite positive A, k, sigma, each SE under 5% of its estimate, and the check passes."""
    result = calibrate(read_lobster(lobster_dir / f"{ticker}_2012-06-21_34200000_57600000_message_1.csv"))
    for value, se in ((result.mle.A, result.mle.A_se), (result.mle.k, result.mle.k_se),
                      (result.sigma.sigma, result.sigma.se)):
        assert math.isfinite(value) and value > 0 and 0 < se < 0.05 * value, (value, se)
    assert result.fit.passed, result.fit.table
    assert result.summary["tick_size"] == pytest.approx(0.01)


def saved(tmp_path, **changes):
    obj = {"A": 2.5, "k": 40.0, "sigma": 0.036, "A_se": 0.05, "k_se": 0.3, "sigma_se": 0.001, "units": dict(UNITS)}
    obj.update(changes)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(obj))
    return path


def test_a_saved_calibration_converts_to_another_time_unit(tmp_path):
    """In minutes A and its SE are 60 times larger, sigma and its SE sqrt(60) times, k unchanged."""
    params = load_calibration(saved(tmp_path))
    minute = params.in_time_unit(60.0)
    assert (minute.A, minute.A_se) == pytest.approx((150.0, 3.0))
    assert (minute.sigma, minute.sigma_se) == pytest.approx((0.036 * math.sqrt(60), 0.001 * math.sqrt(60)))
    assert (minute.k, minute.k_se) == (40.0, 0.3)
    back = minute.in_time_unit(1.0)  # converting back to seconds restores the file's figures
    assert (back.A, back.sigma, back.time_unit_s) == pytest.approx((params.A, params.sigma, 1.0))


@pytest.mark.parametrize("changes, message", [
    ({"k": -1.0}, "field 'k' must be a number > 0, got -1.0"),
    ({"A": None}, "field 'A' must be a number > 0, got None"),
    ({"sigma_se": "x"}, "field 'sigma_se' must be a number >= 0"),
    ({"units": {**UNITS, "A": "per minute per side"}}, "field 'units.A' must be 'per second per side'"),
])
def test_a_bad_calibration_file_names_the_field(tmp_path, changes, message):
    """A calibration file with a bad field is refused naming the file and the field."""
    with pytest.raises(DataError, match=message):
        load_calibration(saved(tmp_path, **changes))


def test_a_missing_or_broken_calibration_file_is_named(tmp_path):
    """A missing file and a file that is not JSON are DataErrors naming the file."""
    with pytest.raises(DataError, match="nope.json: calibration file not found"):
        load_calibration(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{\n  'A': 1\n}")
    with pytest.raises(DataError, match="bad.json: line 2: not valid JSON"):
        load_calibration(tmp_path / "bad.json")


def test_a_calibrations_parameters_are_what_its_saved_file_loads_as(tmp_path):
    """Calibration.parameters() gives, per second, the A, k, sigma and SEs load_calibration reads from its dict."""
    result = calibrate(synthetic_ticks(A=1.0, k=40.0, duration_s=600.0))
    saved_dict = {key: value for key, value in result.to_dict().items()
                  if key in ("A", "k", "sigma", "A_se", "k_se", "sigma_se", "units")}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(saved_dict))
    assert result.parameters() == load_calibration(path)
    assert result.parameters().time_unit_s == 1.0
