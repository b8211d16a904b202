"""``mmsim replay`` end to end on small in-memory days (a stand-in reader), and its error handling.

The tick-file readers (``read_lobster``, ``read_tick_files``, as :mod:`mmsim.tick_inputs` imports them) are replaced
here by a function that returns a :class:`feeds.FrameSource`, so each test builds its day in memory; the readers on
real files are tested in ``test_replay_files.py`` and ``tests/feeds``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.calibration import ESTIMATOR, UNITS, VERSION
from engine import DataError
from feeds import FrameSource, quote_row, tick_frame, trade_row
from mmsim import tick_inputs
from mmsim.cli import main
from mmsim.cmd_replay import ROW
from mmsim.output import MARKER

#: A calibration.json as mmsim calibrate writes it (per-second units).
CALIBRATION = {"estimator": ESTIMATOR, "version": VERSION, "A": 1.2, "k": 35.0, "sigma": 0.02, "A_se": 0.01,
               "k_se": 0.5, "sigma_se": 0.001, "impact": 0.01, "tick_size": 0.01, "median_spread": 0.03,
               "units": dict(UNITS)}
#: The synthetic day lasts about 25 minutes: a 5-minute warm-up leaves 20 to trade.
WARMUP = ["--warmup-min", "5"]
REQUIRED = {"pnl", "spread_capture", "inventory_pnl", "fees", "fills", "final_inventory", "max_abs_inventory",
            "events", "wall_s"}


def synthetic_day(n: int = 3000, seed: int = 7) -> list[dict]:
    """A random-walk book on a cent grid with 1-3 tick spreads and trades at the best, sizes 50-300."""
    rng = np.random.default_rng(seed)
    rows, mid_ticks, t = [], 10_000, 0.0
    for _ in range(n):
        t += rng.exponential(0.5)
        if rng.random() < 0.3:
            side = 1 if rng.random() < 0.5 else -1
            half = 1
            price = (mid_ticks + side * half) / 100
            rows.append(trade_row(t, price, float(rng.integers(50, 300)), side))
        mid_ticks += int(rng.choice([-1, 0, 0, 1]))
        spread = int(rng.integers(1, 4))
        bid = mid_ticks - spread // 2 - (spread % 2)
        rows.append(quote_row(t, bid / 100, (bid + spread) / 100, float(rng.integers(100, 500)),
                              float(rng.integers(100, 500))))
    return rows


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A LOBSTER-looking message file whose reader returns the synthetic day (in 1000-row chunks)."""
    path = tmp_path / "SYN_message_1.csv"
    path.write_text("stand-in\n")
    rows = synthetic_day()

    def read_lobster(message_path, orderbook_path=None, *, chunk_rows=100_000, strict=False):
        return FrameSource.from_rows(rows, chunk_rows=1000, name=str(message_path))

    monkeypatch.setattr(tick_inputs, "read_lobster", read_lobster)
    monkeypatch.setattr(tick_inputs, "read_tick_files", lambda *a, **k: read_lobster(a[0]))
    return path


def replay_json(capsys, *argv) -> dict:
    code = main(["replay", *map(str, argv), "--json", *([] if "--warmup-min" in argv else WARMUP)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def assert_identity(report: dict) -> None:
    """pnl = spread_capture + inventory_pnl - fees, to the rounding of the cash account (which sums price x size
    over every fill, so its error scales with the notional traded)."""
    assert report["pnl"] == pytest.approx(report["spread_capture"] + report["inventory_pnl"] - report["fees"],
                                          abs=1e-12 * (report["notional"] + 1.0))


USER_STRATEGY = '''
from strategies import Strategy, Quote

class Skewed(Strategy):
    def quote(self, state):
        skew = 0.0001 * state.inventory
        return Quote(state.mid - 0.02 - skew, state.mid + 0.02 - skew, 100, 100)
'''


@pytest.mark.parametrize("strategy", ["avellaneda-stoikov", "glft", "naive", "inventory-capped", "user"])
def test_every_strategy_replays_with_the_pnl_identity_and_writes_its_outputs(strategy, data, tmp_path, capsys):
    """Shipped strategies and a user's file.py:Class replay; pnl = spread + inventory - fees; files written."""
    if strategy == "user":
        path = tmp_path / "skewed.py"
        path.write_text(USER_STRATEGY)
        strategy = f"{path}:Skewed"
    out = tmp_path / "out"
    report = replay_json(capsys, data, "--strategy", strategy, "--fee-per-share", "0.001", "--out", out)
    assert REQUIRED <= set(report)
    assert report["fills"] > 0 and report["fees"] > 0
    assert_identity(report)
    name = report["strategy"]
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, name, "report.html", "summary.json"])
    assert sorted(p.name for p in (out / name).iterdir()) == ["fills.parquet", "marks.parquet", "quotes.parquet"]
    saved = json.loads((out / "summary.json").read_text())
    assert saved["pnl"] == report["pnl"] and saved["fills"] == report["fills"]
    assert saved["rows"] == [{"strategy": name, **{k: report[k] for k in ROW}}]
    assert len(pd.read_parquet(out / name / "fills.parquet")) == report["fills"]


def test_glft_takes_k_a_and_sigma_from_the_warm_up_and_keeps_within_its_limit(data, capsys):
    """GLFT's A and sigma are measured on the warm-up (a fit of fill events, the mids' realised volatility); its
    inventory limit withdraws the side that would pass it, so with 100-share fills |q| stays <= 300."""
    report = replay_json(capsys, data, "--strategy", "glft", "--max-inventory", "300")
    params = report["strategy_params"]
    assert (params["A_source"], params["sigma_source"]) == ("warm-up quote fills", "warm-up realised")
    assert params["A"] > 0 and params["sigma"] > 0
    assert report["fills"] > 0 and report["max_abs_inventory"] <= 300


def test_a_close_makes_the_horizon_finite_and_widens_the_quotes_far_from_it(data, capsys):
    """--close gives A-S the paper's horizon: hours from the close its inventory term dwarfs a 60 s rolling one,
    so it quotes wider and fills less; the close is named in the report, on the data's clock."""
    rolling = replay_json(capsys, data, "--strategy", "avellaneda-stoikov")
    to_close = replay_json(capsys, data, "--strategy", "avellaneda-stoikov", "--close", "23:59")
    midnight = rolling["start"] - rolling["start"] % 86400
    assert to_close["strategy_params"]["close"] == midnight + 86340.0
    assert to_close["fills"] < rolling["fills"]


def test_inventory_capped_keeps_within_its_limit(data, capsys):
    """With 100-share fills and a 300-share cap, |inventory| never passes 300 (zero latency)."""
    report = replay_json(capsys, data, "--strategy", "inventory-capped", "--max-inventory", "300")
    assert report["max_abs_inventory"] <= 300


def test_the_same_run_twice_gives_the_same_ledger(data, tmp_path, capsys):
    """A replay has no randomness: two runs write identical fills, quotes and marks."""
    for name in ("a", "b"):
        replay_json(capsys, data, "--latency-ms", "200", "--out", tmp_path / name)
    for table in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "avellaneda-stoikov" / f"{table}.parquet"),
                                      pd.read_parquet(tmp_path / "b" / "avellaneda-stoikov" / f"{table}.parquet"))


def test_fill_on_touch_fills_at_least_as_often_as_the_conservative_queue(data, capsys):
    """The queue rule reaches the model: touch never fills less than conservative on the same day."""
    touch = replay_json(capsys, data, "--strategy", "naive", "--queue", "touch")
    conservative = replay_json(capsys, data, "--strategy", "naive")
    assert touch["market"]["queue"] == "touch"
    assert touch["market"]["fills_at_price"] > conservative["market"]["fills_at_price"]


def test_tick_size_is_inferred_and_k_estimated_on_the_warm_up_which_is_not_traded(data, tmp_path, capsys):
    """The cent grid is found and k measured on the warm-up; nothing is quoted or filled before it ends."""
    report = replay_json(capsys, data, "--out", tmp_path / "o")
    assert report["market"]["tick_size"] == 0.01 and report["market"]["tick_size_source"] == "warm-up"
    assert report["strategy_params"]["k_source"] == "warm-up quote fills" and report["strategy_params"]["k"] > 0
    trade_from = report["warmup"]["trade_from"]
    assert trade_from == pytest.approx(report["start"] + 300.0, abs=1.0)
    for table in ("fills", "quotes"):
        times = pd.read_parquet(tmp_path / "o" / "avellaneda-stoikov" / f"{table}.parquet")["time"]
        assert len(times) and times.min() >= trade_from


def test_naive_spread_defaults_to_the_median_quoted_spread(data, capsys):
    """The synthetic day's spreads are 1, 2 or 3 ticks: the naive default is the median, 2 ticks."""
    report = replay_json(capsys, data, "--strategy", "naive")
    assert report["strategy_params"]["spread"] == pytest.approx(0.02)
    assert report["strategy_params"]["spread_source"] == "warm-up median quoted"
    given = replay_json(capsys, data, "--strategy", "inventory-capped", "--spread", "0.05")
    assert given["strategy_params"]["spread"] == 0.05 and given["strategy_params"]["spread_source"] == "--spread"


def test_calibration_file_gives_k_and_the_starting_sigma(data, tmp_path, capsys):
    """k comes from the file (unless --k is given) and is reported with its source."""
    calibration = tmp_path / "cal.json"
    calibration.write_text(json.dumps(CALIBRATION))
    report = replay_json(capsys, data, "--calibration", calibration)
    assert report["strategy_params"]["k"] == 35.0 and report["strategy_params"]["k_source"] == "calibration"
    assert report["strategy_params"]["calibration"] == {"k": 35.0, "sigma": 0.02, "A": 1.2, "tick_size": 0.01,
                                                        "median_spread": 0.03}  # per second, as saved
    assert report["market"]["tick_size_source"] == "calibration"
    naive = replay_json(capsys, data, "--calibration", calibration, "--strategy", "naive", "--warmup-min", "0")
    assert naive["strategy_params"]["spread"] == pytest.approx(0.03) and naive["warmup"]["trade_from"] is None
    given = replay_json(capsys, data, "--calibration", calibration, "--k", "12")
    assert given["strategy_params"]["k"] == 12.0 and given["strategy_params"]["k_source"] == "--k"


def test_table_output_shows_the_pnl_split(data, capsys):
    """Without --json the command prints the P&L split and the fill counts."""
    assert main(["replay", str(data), "--strategy", "naive", "--tick-size", "0.01", *WARMUP]) == 0
    out = capsys.readouterr().out
    assert "pnl" in out and "spread capture" in out and "fills" in out and "tick 0.01 (--tick-size)" in out


# -- errors: one line on stderr, exit code 2, nothing written ---------------------------------------------------

def fails(capsys, *argv, out_dir: Path | None = None) -> str:
    try:
        code = main(["replay", *map(str, argv), *([] if "--warmup-min" in argv else WARMUP)]
                    + (["--out", str(out_dir)] if out_dir else []))
    except SystemExit as exc:  # usage errors exit from argparse
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    if out_dir is not None:
        assert not out_dir.exists()
    return err


def test_data_options_must_name_one_kind_of_input(data, tmp_path, capsys):
    """PATH with --quotes, --quotes alone, or no data at all are refused."""
    assert "not both" in fails(capsys, data, "--quotes", data, "--trades", data, out_dir=tmp_path / "o1")
    assert "go together" in fails(capsys, "--quotes", data, out_dir=tmp_path / "o2")
    assert "give the data" in fails(capsys, out_dir=tmp_path / "o3")


def test_shipped_model_strategies_not_wired_for_replay_are_refused(data, tmp_path, capsys):
    """as-infinite, whose parameters replay does not convert from the data, exits 2 saying so."""
    for name in ("as-infinite",):
        assert f"strategy {name!r} is not wired for replay" in fails(capsys, data, "--strategy", name,
                                                                    out_dir=tmp_path / name)


def test_a_missing_file_is_named(data, tmp_path, capsys):
    """A data file that does not exist is named in the error."""
    assert "nope.csv: no such file" in fails(capsys, tmp_path / "nope.csv", out_dir=tmp_path / "o")
    assert "ob.csv: no such file" in fails(capsys, data, "--orderbook", tmp_path / "ob.csv")


@pytest.mark.parametrize("text, message", [
    ("{not json", "line 1: not valid JSON"),
    (json.dumps({**CALIBRATION, "k": None}), "field 'k' must be a number > 0"),
    (json.dumps({**CALIBRATION, "k": -2}), "field 'k' must be a number > 0"),
    (json.dumps({**CALIBRATION, "sigma": "x"}), "field 'sigma' must be a number > 0"),
    (json.dumps({**CALIBRATION, "units": {}}), "field 'units.A' must be 'per second per side'"),
    (json.dumps({**CALIBRATION, "estimator": "trade-depth"}), "written by estimator 'trade-depth' version 2"),
    (json.dumps({"k": 3.0}), "written by estimator None version None; this mmsim reads 'quote-fills' version 2"),
    ("[1, 2]", "expected a JSON object")])
def test_a_bad_calibration_file_is_named_with_the_problem(data, tmp_path, capsys, text, message):
    """A bad calibration file (bad JSON, missing or invalid field, not calibrate's) is named with the problem."""
    # These are analytics.load_calibration's checks.
    calibration = tmp_path / "cal.json"
    calibration.write_text(text)
    err = fails(capsys, data, "--calibration", calibration, out_dir=tmp_path / "o")
    assert "cal.json" in err and message in err


def test_out_that_is_a_file_is_refused_before_replaying(data, tmp_path, capsys):
    """--out naming an existing file is a configuration error."""
    target = tmp_path / "file"
    target.write_text("x")
    assert "is a file" in fails(capsys, data, "--out", target)


def test_a_reader_error_mid_replay_leaves_no_partial_output(tmp_path, monkeypatch, capsys):
    """A DataError while the second chunk is read stops the run with the reader's message and creates no --out."""
    path = tmp_path / "X_message_1.csv"
    path.write_text("stand-in\n")

    class Broken(FrameSource):
        def chunks(self):
            yield self._frames[0]
            raise DataError(f"{path}: row 1001: price is not positive")

    rows = synthetic_day(1000)
    monkeypatch.setattr(tick_inputs, "read_lobster", lambda *a, **k: Broken([tick_frame(rows)], name=str(path)))
    err = fails(capsys, path, out_dir=tmp_path / "out")
    assert "X_message_1.csv: row 1001: price is not positive" in err


def test_a_warm_up_longer_than_the_data_or_none_without_defaults_is_refused(data, tmp_path, capsys):
    """A warm-up that covers the whole day leaves nothing to trade; no warm-up and no calibration leaves the
    defaults nowhere to come from: one line each, nothing written."""
    err = fails(capsys, data, "--warmup-min", "60", out_dir=tmp_path / "o1")
    assert "--warmup-min 60: the warm-up covers all the data" in err
    err = fails(capsys, data, "--warmup-min", "0", "--strategy", "naive", out_dir=tmp_path / "o2")
    assert "no warm-up (--warmup-min 0): give --tick-size, --spread or --calibration" in err


@pytest.mark.parametrize("close, message", [
    ("25:00", "--close 25:00: expected HH:MM (00:00 to 23:59)"), ("12:99", "--close 12:99: expected HH:MM"),
    ("-3:00", "--close -3:00: expected HH:MM"), ("noon", "--close noon: expected HH:MM"),
    ("00:05", "--close 00:05: at or before the start of trading (0:05:00)"),  # the warm-up ends 5 min in
    ("00:00", "--close 00:00: at or before the start of trading"),
])
def test_a_close_that_is_no_clock_time_or_comes_before_trading_is_refused(data, tmp_path, capsys, close, message):
    """The synthetic day starts just after midnight and trading after a 5-minute warm-up: a close at or before
    that would leave A-S's horizon over before its first quote."""
    err = fails(capsys, data, "--strategy", "avellaneda-stoikov", f"--close={close}", out_dir=tmp_path / "o")
    assert message in err


def test_a_strategy_that_raises_stops_the_run_without_output(data, tmp_path, capsys):
    """A user strategy error is reported with the strategy's name; nothing is written."""
    path = tmp_path / "bad.py"
    path.write_text("from strategies import Strategy\nclass Bad(Strategy):\n    def quote(self, state):\n"
                    "        raise RuntimeError('boom')\n")
    err = fails(capsys, data, "--strategy", f"{path}:Bad", out_dir=tmp_path / "out")
    assert "Bad" in err and "boom" in err


@pytest.mark.parametrize("option", [["--latency-ms", "-1"], ["--requote-ms", "0"], ["--post-only", "reject"],
                                    ["--queue", "fifo"], ["--tick-size", "0"], ["--fee-bps", "nan"],
                                    ["--warmup-min", "-1"]])
def test_bad_option_values_exit_2(data, tmp_path, capsys, option):
    """Out-of-range or unknown option values are usage errors (exit 2, one line)."""
    fails(capsys, data, *option, out_dir=tmp_path / "o")
