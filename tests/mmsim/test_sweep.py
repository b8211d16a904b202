"""Parameter sweeps: grids, per-cell seeds, executors giving one table, stored cells and resuming."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from mmsim.sweep import SweepConfig, cell_path, parse_grid, run_cell, run_sweep
from engine import ConfigError, DataError

SMALL_MARKET = {"T": 0.2, "impact": 0.01}


def small(grid=(("gamma", (0.05, 0.5)), ("strategy_k", (1.0, 3.0))), **kwargs) -> SweepConfig:
    """A 2 x 2 sweep of a few short paths per cell (milliseconds each)."""
    return SweepConfig(grid, market=SMALL_MARKET, paths=4, seed=7, **kwargs)


def test_parse_grid_keeps_axis_order_and_reads_numbers_and_strategy_names():
    """NAME=V1,V2 axes come back in order, numbers as floats, '-' in names read as '_'."""
    grid = parse_grid(["strategy=glft,as-infinite", "strategy-k=1,1.5", "gamma=0.1"])
    assert grid == (("strategy", ("glft", "as-infinite")), ("strategy_k", (1.0, 1.5)), ("gamma", (0.1,)))


@pytest.mark.parametrize("specs, message", [
    ([], "the sweep has no axis"),
    (["gamma=0.1,0"], "gamma: every value must be > 0, got 0"),
    (["gamma=-1"], "must be > 0"),
    (["volatility=1,2"], "unknown parameter 'volatility'"),
    (["gamma"], "malformed: expected NAME=V1,V2"),
    (["gamma=1,,2"], "empty value"),
    (["gamma=x"], "values must be numbers"),
    (["gamma=1", "gamma=2"], "given twice"),
    (["strategy=naive"], "unknown 'naive'"),
    (["impact=-0.1"], "impact: every value must be >= 0"),
])
def test_bad_grids_are_config_errors_naming_the_problem(specs, message):
    """Empty grids, out-of-range values, unknown names and malformed specs raise ConfigError saying which."""
    with pytest.raises(ConfigError, match=message):
        parse_grid(specs)


def test_cells_vary_the_last_axis_fastest_and_carry_the_base_parameters():
    """Cell i's parameters follow row-major order; base strategy values apply where no axis overrides them."""
    config = small(strategy_params={"gamma": 9.0, "max_inventory": 3.0})
    assert config.size == 4
    assert [config.cell_params(i) for i in range(4)] == [
        {"gamma": 0.05, "strategy_k": 1.0}, {"gamma": 0.05, "strategy_k": 3.0},
        {"gamma": 0.5, "strategy_k": 1.0}, {"gamma": 0.5, "strategy_k": 3.0}]
    assert config.cell_config(3)["strategy_params"] == {"gamma": 0.5, "max_inventory": 3.0, "strategy_k": 3.0}


def test_a_cell_that_cannot_be_built_is_refused_before_any_work():
    """A grid whose cell breaks the market's rules (step fills with impact) names that cell."""
    with pytest.raises(ConfigError, match="grid cell .*impact needs fills exact"):
        SweepConfig((("impact", (0.0, 0.1)),), market={"T": 0.2, "fills": "step"})


def test_a_cell_depends_only_on_the_sweep_seed_and_its_index():
    """Cell 0 of a 1-value grid equals cell 0 of a 2-value grid; another seed changes it."""
    one = run_cell(small((("gamma", (0.05,)),)), 0)
    two = run_cell(small((("gamma", (0.05, 1.0)),)), 0)
    assert one == two
    other = run_cell(SweepConfig((("gamma", (0.05,)),), market=SMALL_MARKET, paths=4, seed=8), 0)
    assert other["pnl_mean"] != one["pnl_mean"]


def test_one_process_several_processes_and_dask_give_the_same_table(tmp_path):
    """The table is identical, bit for bit, run here, on 2 processes and on a 2-worker Dask LocalCluster."""
    pytest.importorskip("distributed")
    config = small()
    here = run_sweep(config, tmp_path / "one", workers=1)
    pool = run_sweep(config, tmp_path / "pool", workers=2)
    dask = run_sweep(config, tmp_path / "dask", workers=2, dask="local")
    assert list(here["cell"]) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(here, pool)
    pd.testing.assert_frame_equal(here, dask)
    assert here["spread_capture_mean"].notna().all()


def test_each_cell_is_a_file_that_records_its_parameters(tmp_path):
    """One JSON file per cell, holding the cell's full configuration and its row; no temporary files left."""
    config = small()
    run_sweep(config, tmp_path, workers=1)
    stored = json.loads(cell_path(tmp_path, 2).read_text())
    assert stored["config"]["grid"] == {"gamma": 0.5, "strategy_k": 1.0}
    assert stored["row"]["cell"] == 2
    assert not list(tmp_path.rglob("*.tmp"))


def test_resume_runs_only_missing_cells_and_equals_an_uninterrupted_sweep(tmp_path):
    """Deleting two cell files and resuming recomputes just those; the table equals the first run's."""
    config = small()
    full = run_sweep(config, tmp_path, workers=1)
    kept = cell_path(tmp_path, 0).stat().st_mtime_ns
    cell_path(tmp_path, 1).unlink()
    cell_path(tmp_path, 3).unlink()
    calls = []
    resumed = run_sweep(config, tmp_path, workers=1, resume=True, progress=lambda f, r: calls.append(f))
    pd.testing.assert_frame_equal(full, resumed)
    assert sum(calls) == 2 and cell_path(tmp_path, 0).stat().st_mtime_ns == kept


def test_a_folder_with_cells_needs_resume_and_the_same_grid(tmp_path):
    """Without resume existing cells are refused; with it, cells of another grid are a clear error. The errors
    name the parameters (resume, out_dir), which the command line shows as its options."""
    run_sweep(small(), tmp_path, workers=1)
    with pytest.raises(ConfigError, match="already holds 4 finished cell.*add resume .* another out_dir") as raised:
        run_sweep(small(), tmp_path, workers=1)
    assert raised.value.params == ("resume", "out_dir")
    other = small((("gamma", (0.05, 0.7)), ("strategy_k", (1.0, 3.0))))
    with pytest.raises(ConfigError, match="different sweep .*gamma was 0.5 there, 0.7 here") as raised:
        run_sweep(other, tmp_path, workers=1, resume=True)
    assert raised.value.params == ("out_dir",)


def test_a_corrupt_cell_file_is_a_data_error(tmp_path):
    """A cell file that is not JSON (never written by mmsim, which writes atomically) is reported by name."""
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / "cell-000000.json").write_text("{not json")
    with pytest.raises(DataError, match="cell-000000.json: not a sweep cell file"):
        run_sweep(small(), tmp_path, workers=1, resume=True)


def test_progress_reports_every_cell_once_and_at_most_one_in_flight_per_worker(tmp_path):
    """progress(finished, running): finished adds up to the cells, running stays <= workers and ends at 0."""
    calls = []
    run_sweep(small(), tmp_path, workers=2, progress=lambda f, r: calls.append((f, r)))
    assert sum(f for f, _ in calls) == 4
    assert max(r for _, r in calls) <= 2 and calls[-1] == (1, 0)


def test_dask_missing_is_a_one_line_config_error(tmp_path, monkeypatch):
    """Without dask.distributed installed, asking for dask says how to install it."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` raise ImportError
    with pytest.raises(ConfigError, match=r"^dask needs dask.distributed, .*pip install 'mmsim\[dask\]'$") as raised:
        run_sweep(small(), tmp_path, dask="local")
    assert raised.value.params == ("dask",)
