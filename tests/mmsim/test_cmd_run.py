"""``mmsim run``: the comparison table, JSON output, user strategies and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from feeds import SyntheticMarket
from mmsim.cli import main
from strategies import AvellanedaStoikov

USER_STRATEGY = '''
from strategies import Quote, Strategy

class Skewed(Strategy):
    def quote(self, state):
        skew = 0.05 * state.inventory
        return Quote(bid=state.mid - 0.7 - skew, ask=state.mid + 0.7 - skew)
'''


def run_json(capsys, *args) -> dict:
    assert main(["run", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_output_has_one_row_per_strategy_with_the_documented_keys(tmp_path, capsys):
    """--json prints one object whose rows carry the documented keys; the output folder is written."""
    report = run_json(capsys, "--paths", "20", "--out", str(tmp_path))
    assert [r["strategy"] for r in report["rows"]] == ["avellaneda-stoikov", "naive", "inventory-capped"]
    for row in report["rows"]:
        assert {"strategy", "pnl_mean", "pnl_std", "sharpe", "final_q_mean", "final_q_std", "fills_mean",
                "avg_spread"} <= set(row)
    assert (tmp_path / "summary.json").is_file() and (tmp_path / "summary.csv").is_file()
    assert (tmp_path / "naive" / "fills.parquet").is_file()
    assert not list(tmp_path.rglob("*.tmp"))


def test_avellaneda_stoikov_carries_much_less_inventory_risk_than_naive(tmp_path, capsys):
    """On the default market A-S's std of final inventory is well under half the naive strategy's."""
    rows = {r["strategy"]: r for r in run_json(capsys, "--paths", "200", "--out", str(tmp_path))["rows"]}
    # With 200 paths the std estimates have ~5% relative SE; the true ratio is ~0.37, far from 0.5.
    assert rows["avellaneda-stoikov"]["final_q_std"] < 0.5 * rows["naive"]["final_q_std"]
    # Not statistical: A-S's spread gamma sigma^2 (T - t) + const does not depend on the path. Set at each tick and
    # held, its time average is the naive spread, spread((T + dt) / 2); a requote on a fill mid-step only narrows
    # it towards the continuous value, so every path's average is within gamma sigma^2 dt / 2 of the naive one.
    market, strategy = SyntheticMarket(), AvellanedaStoikov()
    bound = 0.5 * strategy.gamma * strategy.sigma**2 * market.dt
    gap = rows["naive"]["avg_spread"] - rows["avellaneda-stoikov"]["avg_spread"]
    assert -1e-12 <= gap <= bound + 1e-12, (gap, bound)


def test_a_user_subclass_runs_from_a_file(tmp_path, capsys):
    """--strategy path/to/file.py:ClassName runs the user's own strategy."""
    path = tmp_path / "skewed.py"
    path.write_text(USER_STRATEGY)
    report = run_json(capsys, "--paths", "5", "--strategy", f"{path}:Skewed", "--strategy", "naive",
                      "--out", str(tmp_path / "out"))
    assert [r["strategy"] for r in report["rows"]] == ["Skewed", "naive"]
    assert report["rows"][0]["fills_mean"] > 0


def test_same_seed_gives_the_same_table(tmp_path, capsys):
    """Two runs with one seed print identical rows."""
    a = run_json(capsys, "--paths", "10", "--seed", "3", "--out", str(tmp_path / "a"))["rows"]
    b = run_json(capsys, "--paths", "10", "--seed", "3", "--out", str(tmp_path / "b"))["rows"]
    assert a == b


@pytest.mark.parametrize("args, message", [
    (["--gamma", "0"], "--gamma: expected a number > 0, got '0'"),
    (["--gamma", "-1"], "--gamma: expected a number > 0"),
    (["--k", "0"], "--k: expected a number > 0"),
    (["--sigma", "-0.5"], "--sigma: expected a number >= 0"),
    (["--A", "-3"], "--A: expected a number >= 0"),
    (["--paths", "0"], "--paths: expected a whole number >= 1"),
    (["--sigma", "nan"], "--sigma: expected a number >= 0, got 'nan'"),
    (["--gamma", "inf"], "--gamma: expected a number > 0, got 'inf'"),
    (["--strategy", "bogus"], "unknown strategy 'bogus'"),
    (["--strategy", "/no/such.py:X"], "strategy file '/no/such.py' does not exist"),
    (["--dt", "0.3"], "whole number of steps"),
])
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, args, message):
    """Invalid parameters give one line on stderr naming the problem, exit code 2, and no output folder."""
    out = tmp_path / "out"
    assert main(["run", "--paths", "3", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_missing_class_and_raising_strategy_exit_2_naming_them(tmp_path, capsys):
    """A file without the class, and a strategy that raises mid-run, exit 2 with one line naming them."""
    path = tmp_path / "bad.py"
    path.write_text("from strategies import Strategy\nclass Bad(Strategy):\n"
                    "    def quote(self, state):\n        raise ZeroDivisionError('oops')\n")
    assert main(["run", "--paths", "2", "--strategy", f"{path}:Nope", "--out", str(tmp_path / "o")]) == 2
    assert "has no class 'Nope'" in capsys.readouterr().err
    assert main(["run", "--paths", "2", "--strategy", f"{path}:Bad", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "strategy Bad raised in quote at t=0: ZeroDivisionError('oops')" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_console_script_exits_2_without_traceback():
    """The installed command itself prints one line and exits 2 on bad input."""
    proc = subprocess.run([sys.executable, "-m", "mmsim", "run", "--gamma", "-1"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_glft_and_as_infinite_run_by_name_and_stay_within_the_limit(tmp_path, capsys):
    """--strategy glft / as-infinite build from the CLI options; no final |q| exceeds --max-inventory."""
    report = run_json(capsys, "--strategy", "glft", "--strategy", "as-infinite", "--max-inventory", "3",
                      "--paths", "20", "--out", str(tmp_path))
    assert [r["strategy"] for r in report["rows"]] == ["glft", "as-infinite"]
    for name in ("glft", "as-infinite"):
        marks = pd.read_parquet(tmp_path / name / "marks.parquet")
        assert marks["inventory"].abs().max() <= 3
