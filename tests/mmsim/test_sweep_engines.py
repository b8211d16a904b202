"""Sweep cells on the vectorised engine: the event engine's rows, the choice of engine, fallbacks said once,
one table however the work is split, and the engine stored with each cell."""

from __future__ import annotations

import json
import math
import textwrap

import pandas as pd
import pytest

from analytics import attribute, path_metrics
from engine import ConfigError, run_paths, run_vectorised
from mmsim.cli import main
from mmsim.sweep import SweepConfig, cell_path, cell_seed, run_cell, run_sweep

STEP_MARKET = {"T": 0.2, "fills": "step", "increments": "gaussian", "sigma_volatile": 4.0}

USER_STRATEGIES = '''
from strategies import AvellanedaStoikov, Quote, Strategy

class FloatOnly(Strategy):
    """Written for one path: branches on the inventory, so it cannot quote arrays of paths."""
    def __init__(self, width: float = 1.0):
        self.width = width
    def quote(self, state):
        skew = 0.1 if state.inventory > 0 else -0.1
        return Quote(state.mid - self.width - skew, state.mid + self.width - skew)

class PerStep(AvellanedaStoikov):
    """Avellaneda-Stoikov requoting on ticks only: the model of the vectorised engine with exact fills."""
    requote_on_fill = False
'''


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(USER_STRATEGIES))
    return path


def test_step_fill_cells_run_vectorised_and_give_the_event_engines_rows_bit_for_bit():
    """Every shipped strategy, regimes and Gaussian steps: the auto sweep runs each cell on the vectorised engine,
    and each row (metrics and attribution) equals the event engine's exactly."""
    grid = (("strategy", ("avellaneda-stoikov", "glft", "as-infinite")), ("gamma", (0.1, 1.0)))
    auto = SweepConfig(grid, market=STEP_MARKET, paths=6, seed=5)
    event = SweepConfig(grid, market=STEP_MARKET, paths=6, seed=5, engine="event")
    assert {auto.cell_engine(i) for i in range(auto.size)} == {"vectorised"} and auto.fallbacks() == []
    for i in range(auto.size):
        vector_row, event_row = run_cell(auto, i), run_cell(event, i)
        assert vector_row["fills_mean"] > 0
        assert vector_row == event_row, i


def _per_path(config: SweepConfig) -> pd.DataFrame:
    """Cell 0's per-path P&L, fills and spread capture, from the ledger of the engine the cell runs on."""
    market, fill_model, strategy = config.build(0)
    seed = cell_seed(config.seed, 0)
    if config.cell_engine(0) == "vectorised":
        ledger = run_vectorised(market, strategy, fill_model, paths=config.paths, seed=seed, record=True).ledger
    else:
        ledger = run_paths(market, strategy, fill_model, paths=config.paths, seed=seed)
    return pd.concat([path_metrics(ledger)[["pnl", "fills"]], attribute(ledger)[["spread_capture"]]], axis=1)


def test_exact_fills_agree_within_4_standard_errors_for_a_strategy_that_requotes_on_ticks(user_file):
    """A user's tick-only Avellaneda-Stoikov with exact fills runs vectorised; its cell agrees with the event
    engine's on pnl_mean, fills_mean and spread_capture_mean within 4 SE of the difference."""
    # 300 paths of T = 0.2. Both engines draw the same mid paths (path_seed) but different fills, so the two
    # means are positively correlated and Var(a - b) <= Var(a) + Var(b): the SE of the difference is at most
    # hypot(std_a, std_b) / sqrt(300), which we use (std of the per-path values of each engine). The shipped
    # Avellaneda-Stoikov on the event engine (requoting after every fill: another model) is 5 to 8 of these SEs
    # away from this cell on each column (seeds 2 and 3), so the check does tell the models apart.
    paths = 300
    configs = {engine: SweepConfig((("sigma", (2.0,)),), strategy=f"{user_file}:PerStep", market={"T": 0.2},
                                   paths=paths, seed=2, engine=engine) for engine in ("auto", "event")}
    assert configs["auto"].cell_engine(0) == "vectorised"
    rows = {engine: run_cell(config, 0) for engine, config in configs.items()}
    values = {engine: _per_path(config) for engine, config in configs.items()}
    for column in ("pnl", "fills", "spread_capture"):
        v, e = values["auto"][column], values["event"][column]
        assert rows["auto"][f"{column}_mean"] == pytest.approx(v.mean(), rel=1e-12)  # the row is these paths' mean
        se = math.hypot(v.std(ddof=1), e.std(ddof=1)) / math.sqrt(paths)
        assert abs(rows["auto"][f"{column}_mean"] - rows["event"][f"{column}_mean"]) < 4 * se, (column, rows, se)


def test_exact_fills_with_a_strategy_that_requotes_on_fills_stay_on_the_event_engine_and_say_why_once(user_file):
    """The shipped strategies requote after each fill: with exact fills auto keeps every cell on the event
    engine, one line names both strategies and the reason; forcing the vectorised engine is refused."""
    grid = (("strategy", ("glft", "avellaneda-stoikov")), ("gamma", (0.1, 1.0)))
    config = SweepConfig(grid, market={"T": 0.2}, paths=2)
    assert {config.cell_engine(i) for i in range(config.size)} == {"event"}
    lines = config.fallbacks()
    assert len(lines) == 1 and lines[0].startswith("glft, avellaneda-stoikov run on the event engine: the strategy "
                                                   "requotes after each fill and ExponentialFills fills between ticks")
    with pytest.raises(ConfigError, match=r"grid cell \{'strategy': 'glft', 'gamma': 0.1\}: the vectorised engine "
                                          r"cannot run glft here: the strategy requotes after each fill"):
        SweepConfig(grid, market={"T": 0.2}, paths=2, engine="vectorised")
    with pytest.raises(ConfigError, match=r"grid cell \{'impact': 0.1\}: .*does not model price impact"):
        SweepConfig((("impact", (0.0, 0.1)),), strategy=f"{user_file}:PerStep", market={"T": 0.2}, paths=2,
                    engine="vectorised")
    with pytest.raises(ConfigError, match="engine must be one of auto, event, vectorised, got 'fast'"):
        SweepConfig(grid, paths=2, engine="fast")


def test_a_float_only_user_strategy_falls_back_to_the_event_engine_said_once_on_stderr(tmp_path, user_file, capsys):
    """A user's class that cannot quote arrays runs every cell on the event engine (2 workers, 4 cells): one line
    on stderr names it and why; a tick-only subclass on the same grid runs vectorised and says nothing."""
    out = tmp_path / "out"
    args = ["sweep", "--strategy", f"{user_file}:FloatOnly", "--strategy-param", "width=0.8", "--grid", "sigma=1,2",
            "--grid", "k=1,1.5", "--fills", "step", "--T", "0.1", "--paths", "3", "--workers", "2", "--json"]
    assert main([*args, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == (f"mmsim sweep: {user_file}:FloatOnly runs on the event engine: its quote fails on arrays "
                            "of paths (ValueError('The truth value of an array with more than one element is "
                            "ambiguous. Use a.any() or a.all()'))\n")
    report = json.loads(captured.out)
    assert report["engines"] == {"vectorised": 0, "event": 4}
    assert report["rows"][0]["avg_spread"] == pytest.approx(1.6)  # twice the width given
    assert main(["sweep", "--strategy", f"{user_file}:PerStep", *args[5:], "--out", str(tmp_path / "b")]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and json.loads(captured.out)["engines"] == {"vectorised": 4, "event": 0}


def test_a_users_strategy_takes_no_strategy_parameter_axis(user_file):
    with pytest.raises(ConfigError, match="grid gamma: a user's strategy .* vary market parameters only"):
        SweepConfig((("gamma", (0.1, 1.0)),), strategy=f"{user_file}:PerStep", paths=2)


def test_vectorised_cells_give_one_table_however_the_work_is_split_and_resumed(tmp_path):
    """One process, two processes, and a resume after losing cells: the same table bit for bit, equal to the
    event engine's."""
    config = SweepConfig((("gamma", (0.1, 1.0)), ("sigma", (1.0, 3.0))), market=STEP_MARKET, paths=5, seed=11)
    one = run_sweep(config, tmp_path / "one", workers=1)
    two = run_sweep(config, tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    cell_path(tmp_path / "two", 1).unlink()
    cell_path(tmp_path / "two", 2).unlink()
    pd.testing.assert_frame_equal(one, run_sweep(config, tmp_path / "two", workers=2, resume=True), check_exact=True)
    event = SweepConfig(config.grid, market=STEP_MARKET, paths=5, seed=11, engine="event")
    pd.testing.assert_frame_equal(one, run_sweep(event, tmp_path / "event", workers=1), check_exact=True)


def test_each_cell_stores_its_engine_and_resume_refuses_another(tmp_path, capsys):
    """The engine a cell ran on is in its file; resuming with an engine that would run it otherwise is one line,
    exit 2, naming the difference; the same engine (auto resolving to it) resumes."""
    base = ["sweep", "--grid", "gamma=0.1,1", "--fills", "step", "--T", "0.1", "--paths", "2", "--workers", "1",
            "--out", str(tmp_path)]
    assert main(base) == 0
    assert json.loads(cell_path(tmp_path, 0).read_text())["config"]["engine"] == "vectorised"
    capsys.readouterr()
    assert main([*base, "--resume", "--engine", "event"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'engine was "vectorised" there, "event" here' in err
    assert main([*base, "--resume", "--engine", "vectorised"]) == 0


def test_cells_stored_before_sweeps_chose_an_engine_resume_on_the_event_engine(tmp_path, capsys):
    """A cell file without "engine" ran on the event engine (the only one then): it resumes with --engine event,
    and auto, which would run it vectorised, says so in one line."""
    base = ["sweep", "--grid", "gamma=0.1,1", "--fills", "step", "--T", "0.1", "--paths", "2", "--workers", "1",
            "--out", str(tmp_path), "--engine", "event"]
    assert main(base) == 0
    for index in (0, 1):
        stored = json.loads(cell_path(tmp_path, index).read_text())
        del stored["config"]["engine"]
        cell_path(tmp_path, index).write_text(json.dumps(stored))
    capsys.readouterr()
    assert main([*base, "--resume"]) == 0
    assert main([*base[:-1], "auto", "--resume"]) == 2
    assert 'engine was "event" there, "vectorised" here' in capsys.readouterr().err


def test_a_refused_folder_is_one_line_even_when_cells_would_fall_back(tmp_path, capsys):
    """The fallback note comes when the first cell starts: a sweep refused before that says only why."""
    args = ["sweep", "--grid", "gamma=0.1", "--T", "0.05", "--paths", "2", "--workers", "1", "--out", str(tmp_path)]
    assert main(args) == 0
    assert capsys.readouterr().err.startswith("mmsim sweep: avellaneda-stoikov runs on the event engine")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds 1 finished cell" in err
