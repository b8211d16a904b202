"""``mmsim calibrate``: JSON and table output, the saved calibration feeding ``mmsim run``, and bad input."""

from __future__ import annotations

import json
import math

import pytest

from feeds import QUOTE, TRADE, synthetic_ticks
from mmsim.cli import main
from tests.lobster_files import random_day, write_lobster

A, K = 5.0, 150.0


def write_tick_files(folder, seed: int = 3):
    """Quotes and trades CSV files drawn from the model with known A and K."""
    ticks = synthetic_ticks(A, K, duration_s=600, seed=seed)
    quotes, trades = folder / "quotes.csv", folder / "trades.csv"
    ticks[ticks["kind"] == QUOTE][["ts", "bid", "ask", "bid_size", "ask_size"]].to_csv(quotes, index=False)
    ticks[ticks["kind"] == TRADE][["ts", "price", "size", "side"]].to_csv(trades, index=False)
    return quotes, trades


def calibrate_json(capsys, *args) -> dict:
    assert main(["calibrate", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_estimates_their_errors_the_estimator_and_the_checks(tmp_path, capsys):
    """--json prints one object with A, k, impact, sigma, their SEs, the units, what made it, both fits, the
    out-of-sample check over every offset and the sanity check."""
    quotes, trades = write_tick_files(tmp_path)
    report = calibrate_json(capsys, "--quotes", str(quotes), "--trades", str(trades))
    for name in ("A", "k", "sigma", "impact", "A_se", "k_se", "sigma_se", "impact_se"):
        assert math.isfinite(report[name]) and report[name] > 0, name
    assert report["sigma_se"] == report["volatility"]["realised"]["se_robust"]  # the robust SE is the headline
    assert report["estimator"] == "quote-fills" and report["version"] == 2 and report["window_s"] == 1.0
    assert "conservative" in report["fill_rule"] and report["units"]["impact"] == "price units per market order"
    rows = report["fit_check"]["rows"]
    assert [r["offset"] for r in rows if r["anchor"] == "touch"] == pytest.approx([0.01 * j for j in range(7)])
    assert [r["offset"] for r in rows if r["anchor"] == "mid"] == report["data"]["quote_offsets"]
    assert report["fit_check"]["passed"] == all(r["ok"] for r in rows)
    assert set(report["sanity"]) == {"bid", "ask"}
    assert not (tmp_path / "calibration.json").exists()  # nothing written without --out


def test_out_writes_the_calibration_and_the_plot_which_mmsim_run_converts(tmp_path, capsys):
    """--out writes calibration.json and the PNG; mmsim run --calibration converts the file to its time unit."""
    # mmsim run scales A by the time unit, sigma by its square root and keeps k and the impact.
    quotes, trades = write_tick_files(tmp_path)
    out = tmp_path / "calib"
    report = calibrate_json(capsys, "--quotes", str(quotes), "--trades", str(trades), "--out", str(out))
    assert json.loads((out / "calibration.json").read_text())["A"] == report["A"]
    assert (out / "calibration_fit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob("*.tmp"))

    assert main(["run", "--json", "--paths", "2", "--calibration", str(out / "calibration.json"),
                 "--time-unit-s", "60", "--out", str(tmp_path / "run")]) == 0
    config = json.loads(capsys.readouterr().out)["config"]
    assert config["A"] == pytest.approx(60 * report["A"]) and config["k"] == pytest.approx(report["k"])
    assert config["sigma"] == pytest.approx(math.sqrt(60) * report["sigma"])
    assert config["impact"] == pytest.approx(report["impact"])


@pytest.mark.parametrize("args, message", [
    (["--calibration", "x.json"], "--calibration needs --time-unit-s"),
    (["--time-unit-s", "60"], "--time-unit-s goes with --calibration"),
    (["--calibration", "nope.json", "--time-unit-s", "1"], "nope.json: calibration file not found"),
])
def test_run_refuses_a_calibration_without_its_time_unit(tmp_path, capsys, args, message):
    """mmsim run needs --calibration and --time-unit-s together, and a calibration file that exists."""
    assert main(["run", "--paths", "1", "--out", str(tmp_path / "run"), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_calibration_of_another_estimator_is_refused_with_one_line(tmp_path, capsys):
    """A calibration.json written by the trade-depth estimator (or an older mmsim) is refused: exit 2, one line."""
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"A": 2.894, "k": 45.02, "sigma": 0.036, "A_se": 0.05, "k_se": 0.3, "sigma_se": 0.001,
                               "units": {"A": "per second per side", "k": "per price unit",
                                         "sigma": "price per sqrt(second)"}}))
    assert main(["run", "--paths", "1", "--calibration", str(old), "--time-unit-s", "1",
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "old.json: written by estimator None version None" in err
    assert not (tmp_path / "run").exists()


def rewrite(path, row: int, **fields) -> None:
    """Set fields of data row ``row`` (1-based, header not counted) of a CSV file."""
    lines = path.read_text().splitlines()
    names = lines[0].split(",")
    values = lines[row].split(",")
    for name, value in fields.items():
        values[names.index(name)] = value
    lines[row] = ",".join(values)
    path.write_text("\n".join(lines) + "\n")


def bad_quotes_missing_column(q, t):
    q.write_text("ts,bid\n0.0,99.99\n")
    return "quotes.csv: header (line 1): missing column(s) ask"


def bad_trades_unsorted(q, t):
    rewrite(t, 3, ts="0.0005")
    return "trades.csv: data row 3 (line 4): timestamp 0.0005 is earlier"


def bad_quotes_nan_price(q, t):
    rewrite(q, 2, bid="")
    return "quotes.csv: data row 2 (line 3): missing bid"


def bad_trades_non_positive_price(q, t):
    rewrite(t, 1, price="-100.01")
    return "trades.csv: data row 1 (line 2): price -100.01 is not a positive price"


def bad_quotes_unparseable(q, t):
    rewrite(q, 4, ts="soon")
    return "quotes.csv: data row 4 (line 5): ts 'soon' is not a number of seconds"


def bad_trades_none(q, t):
    t.write_text("ts,price,size,side\n")
    return "trades.csv: no trades at all"


def bad_trades_one_side(q, t):
    lines = t.read_text().splitlines()
    t.write_text("\n".join([lines[0]] + [line for line in lines[1:] if not line.endswith(",-1")]) + "\n")
    return "trades.csv: no trades on the bid side (sells hitting bids)"


def bad_quotes_crossed_strict(q, t):
    rewrite(q, 2, bid="100.02", ask="100.01")
    return "quotes.csv: data row 2 (line 3): crossed or locked quote"


@pytest.mark.parametrize("spoil", [bad_quotes_missing_column, bad_trades_unsorted, bad_quotes_nan_price,
                                   bad_trades_non_positive_price, bad_quotes_unparseable, bad_trades_none,
                                   bad_trades_one_side, bad_quotes_crossed_strict])
def test_bad_tick_files_exit_2_with_one_line_naming_file_and_row_and_write_nothing(tmp_path, capsys, spoil):
    """Every bad-file case: exit code 2, one line on stderr naming the file (and row), no output folder."""
    quotes, trades = write_tick_files(tmp_path)
    expected = spoil(quotes, trades)
    out = tmp_path / "out"
    code = main(["calibrate", "--quotes", str(quotes), "--trades", str(trades), "--strict", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("mmsim calibrate: error: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert not out.exists()


@pytest.mark.parametrize("case, expected", [
    ("bad_row", "message_1.csv: data row 2: price 'x' is not a number"),
    ("no_book", "give it explicitly (--orderbook)"),
])
def test_bad_lobster_files_exit_2_naming_the_file(tmp_path, capsys, case, expected):
    """A malformed LOBSTER message file, or one without its order book, exits 2 with one line and no output."""
    message = tmp_path / "X_2012-06-21_0_1_message_1.csv"
    message.write_text("34200.1,1,1,100,100100,1\n34200.2,4,1,100,x,1\n")
    if case == "bad_row":
        (tmp_path / "X_2012-06-21_0_1_orderbook_1.csv").write_text("100300,50,100100,100\n100300,50,100100,100\n")
    out = tmp_path / "out"
    assert main(["calibrate", str(message), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    ([], "give the data: PATH (a LOBSTER message file) or --quotes Q --trades T"),
    (["m.csv", "--quotes", "q.csv"], "not both"),
    (["--quotes", "q.csv", "--trades", "t.csv", "--orderbook", "b.csv"], "--orderbook goes with a LOBSTER PATH"),
    (["--window-s", "0"], "--window-s: expected a number > 0"),
    (["--window-s", "100"], "--window-s 100: the data span"),
    (["--fit-until", "1.5"], "--fit-until 1.5: a fraction of the session must be in (0, 1)"),
    (["--fit-until", "23:00"], "--fit-until 23:00: outside the session"),
    (["--fit-until", "soon"], "--fit-until soon: expected HH:MM or a fraction in (0, 1)"),
    (["--touch-levels", "3"], "touch_levels must be a whole number >= 6"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, args, message):
    """Inconsistent or out-of-range options give one line on stderr and exit code 2, writing nothing."""
    if args and args[0].startswith(("--window-s", "--fit-until", "--touch-levels")) and args[1] != "0":
        quotes, trades = write_tick_files(tmp_path)  # a 600-second day
        args = ["--quotes", str(quotes), "--trades", str(trades), *args, "--out", str(tmp_path / "out")]
    try:
        code = main(["calibrate", *args])
    except SystemExit as exc:  # argparse's own usage errors exit from inside parse_args
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_a_level_n_file_calibrates_by_the_exact_queue_as_its_replay_does_and_records_it(tmp_path, capsys):
    """A level-5 LOBSTER file replays with the exact queue (l3) by default, in ``mmsim replay`` and so in
    ``mmsim calibrate``; ``--queue conservative`` picks the level-1 rule in both; calibration.json records the
    rule that ran, and the two rules measure different intensities on the same data (the choice matters)."""
    message = str(write_lobster(tmp_path, random_day(4000, 5, seed=1), 5))
    exact = calibrate_json(capsys, message)
    assert exact["fill_rule"].startswith("replay full-depth l3 on level-5 data")
    assert exact["data"]["fill_rule"] == exact["fill_rule"]
    assumed = calibrate_json(capsys, message, "--queue", "conservative")
    assert assumed["fill_rule"].startswith("replay full-depth conservative on level-5 data")
    assert exact["touch"]["A"] != assumed["touch"]["A"] and exact["A"] != assumed["A"]
    assert main(["calibrate", "--queue", "l3", "--quotes", "q.csv", "--trades", "t.csv"]) == 2
    assert "--queue l3 needs LOBSTER files" in capsys.readouterr().err
