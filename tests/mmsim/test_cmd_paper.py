"""``mmsim paper``: the reproduced tables, their stability, JSON output, engines and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from mmsim.cli import main
from mmsim.paper import PAPER_GAMMAS, run_paper
from strategies import AvellanedaStoikov

REPO = Path(__file__).resolve().parents[2]
KEYS = {"gamma", "strategy", "avg_spread", "profit_mean", "profit_std", "final_q_mean", "final_q_std"}


def paper_json(capsys, *args) -> dict:
    assert main(["paper", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_one_row_per_gamma_and_strategy_with_the_documented_keys(capsys):
    """--json prints one object: rows (gamma, strategy, avg_spread, profit and final q mean/std) and the paper's."""
    report = paper_json(capsys, "--paths", "50", "--gamma", "0.1", "1")
    assert [(r["gamma"], r["strategy"]) for r in report["rows"]] == [
        (0.1, "inventory"), (0.1, "symmetric"), (1.0, "inventory"), (1.0, "symmetric")]
    for row in report["rows"] + report["published"]:
        assert KEYS <= set(row)
    assert report["published"][0] == {"gamma": 0.1, "strategy": "inventory", "avg_spread": 1.29,
                                      "profit_mean": 62.94, "profit_std": 5.89, "final_q_mean": 0.1,
                                      "final_q_std": 2.8}
    assert report["engine"] == "vectorised" and report["fills"] == "step" and "step_rows" not in report


def test_average_spread_equals_the_closed_form_and_symmetric_uses_it():
    """avg_spread = gamma sigma^2 (T + dt) / 2 + (2/gamma) ln(1 + gamma/k) (to rounding); symmetric quotes it."""
    rows = run_paper(PAPER_GAMMAS, paths=20, seed=1)
    for gamma in PAPER_GAMMAS:
        inventory, symmetric = (r for r in rows if r["gamma"] == gamma)
        closed_form = AvellanedaStoikov(gamma=gamma, sigma=2.0, k=1.5).average_spread(1.0, 0.005)
        # ask - bid is computed from prices near 100, so it carries rounding of ~1e-14.
        assert inventory["avg_spread"] == pytest.approx(closed_form, rel=1e-12)
        assert symmetric["avg_spread"] == pytest.approx(inventory["avg_spread"], rel=1e-12)


def test_reproduced_statistics_are_stable_across_5_seeds():
    """Each reproduced column varies across seeds 0-4 by under 2 of its SEs and, except mean final q, under 5%."""
    # 1000 paths a seed; 2 SE is chi-square with 4 df: P < 0.3%. The mean final q is ~0, so no relative bound.
    runs = [run_paper(PAPER_GAMMAS, seed=seed) for seed in range(5)]
    n = 1000
    # SE of a sample std by the delta method: std sqrt((kurtosis - 1) / (4 n)). Measured kurtosis over the paper's
    # six strategies (5000 paths, both fill models): P&L at most 5.1, final q at most 3.1; we use 5.2 and 3.2.
    std_se = {"profit_std": math.sqrt((5.2 - 1) / (4 * n)), "final_q_std": math.sqrt((3.2 - 1) / (4 * n))}
    for i, row in enumerate(runs[0]):
        column = {key: np.array([run[i][key] for run in runs]) for key in
                  ("profit_mean", "profit_std", "final_q_mean", "final_q_std")}
        se = {"profit_mean": column["profit_std"].mean() / math.sqrt(n),
              "final_q_mean": column["final_q_std"].mean() / math.sqrt(n),
              **{key: column[key].mean() * factor for key, factor in std_se.items()}}
        for key, error in se.items():
            assert column[key].std(ddof=1) < 2 * error, (row["gamma"], row["strategy"], key, column[key])
        for key in ("profit_mean", "profit_std", "final_q_std"):
            assert column[key].std(ddof=1) < 0.05 * abs(column[key].mean()), (row["gamma"], key)


def test_exact_fills_are_shown_side_by_side_and_fill_less_than_the_step_recipe(capsys):
    """--fills exact prints both column groups; exact fills give less profit (1 - e^-x < x) by many SEs."""
    assert main(["paper", "--paths", "200", "--fills", "exact"]) == 0
    out = capsys.readouterr().out
    assert out.count("step fills (the paper's)") == 3 and out.count("exact Poisson fills") == 3
    title, header, inventory = next(out.split("\n")[i:i + 3] for i, line in enumerate(out.split("\n"))
                                    if "step fills" in line)
    assert title.index(" | ") == header.index(" | ") == inventory.index(" | ")  # the groups line up
    report = paper_json(capsys, "--paths", "200", "--fills", "exact", "--gamma", "0.1")
    exact, step = report["rows"][0], report["step_rows"][0]
    se = math.hypot(exact["profit_std"], step["profit_std"]) / math.sqrt(200)
    assert step["profit_mean"] - exact["profit_mean"] > 5 * se
    assert exact["fills_mean"] < step["fills_mean"]


def test_the_event_engine_gives_the_vectorised_numbers(capsys):
    """--engine event runs the same model on the same random numbers: the same rows (to summation rounding)."""
    event = paper_json(capsys, "--paths", "15", "--gamma", "0.1", "--engine", "event")["rows"]
    vector = paper_json(capsys, "--paths", "15", "--gamma", "0.1")["rows"]
    for e, v in zip(event, vector):
        assert e.keys() == v.keys()
        assert (e["gamma"], e["strategy"]) == (v["gamma"], v["strategy"])
        for key in KEYS - {"gamma", "strategy"}:
            assert e[key] == pytest.approx(v[key], rel=1e-12, abs=1e-12), key


@pytest.mark.parametrize("gammas, shown", [(["0"], "'0'"), (["-1"], "'-1'"), (["0.1", "-0.5"], "'-0.5'")])
def test_a_non_positive_gamma_exits_2_with_one_clear_line(capsys, gammas, shown):
    """--gamma 0 or negative: exit code 2 and one line on stderr naming --gamma and the value, no traceback."""
    assert main(["paper", "--gamma", *gammas]) == 2
    err = capsys.readouterr().err
    assert f"--gamma: expected a number > 0, got {shown}" in err
    assert err.count("\n") == 1 and "Traceback" not in err
