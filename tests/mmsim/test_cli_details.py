"""The smaller command-line cases of issue 15 (item 11), each as a user meets it: the command, its exit code, what
it prints on stderr, and what is on disk afterwards."""

from __future__ import annotations

import json
import sys
import warnings

import pytest

from mmsim.cli import main
from mmsim.output import MARKER
from tests.conftest import REPO

QUOTES, TRADES = REPO / "examples" / "quotes.csv", REPO / "examples" / "trades.csv"
EXAMPLE = ["--quotes", str(QUOTES), "--trades", str(TRADES)]
#: The example day is five minutes long: replay it after a one-minute warm-up (the default is 30 minutes).
REPLAY_EXAMPLE = [*EXAMPLE, "--warmup-min", "1"]

# A LOBSTER pair of four messages written in dollars (LOBSTER writes dollars x 10000).
DOLLAR_MESSAGES = ("34200.0,1,1,100,100.01,-1\n34200.5,1,2,100,99.99,1\n34201.0,4,1,50,100.01,-1\n"
                   "34202.0,1,3,100,100.02,-1\n")
DOLLAR_BOOK = "100.01,100,99.99,100\n100.01,100,99.99,200\n100.01,50,99.99,200\n100.01,50,99.99,200\n"

USER = '''
import numpy as np
from strategies import Quote, Strategy

class Wide(Strategy):
    """Symmetric quotes of a given total width; a numpy 0/0 on every quote (a RuntimeWarning)."""
    def __init__(self, width: float = 2.0, label="wide"):
        if width <= 0:
            raise ValueError("width must be > 0")
        self.width, self.name = width, label
    def quote(self, state):
        np.array([0.0]) / np.array([0.0])
        return Quote(state.mid - self.width / 2, state.mid + self.width / 2)
'''


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def lobster_pair(folder, messages: str, book: str):
    message = folder / "X_2012-06-21_34200000_57600000_message_1.csv"
    message.write_text(messages)
    message.with_name(message.name.replace("message", "orderbook")).write_text(book)
    return message


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out.startswith("mmsim ") and err == ""


def test_a_seven_column_lobster_file_is_named_as_such(tmp_path, capsys):
    """It used to read the first column as an index and complain about decreasing timestamps."""
    message = lobster_pair(tmp_path, "".join(line + ",0\n" for line in DOLLAR_MESSAGES.splitlines()), DOLLAR_BOOK)
    code, out, err = run(capsys, "replay", message, "--out", tmp_path / "out")
    assert code == 2 and out == ""
    assert err == (f"mmsim replay: error: {message}: data row 1: expected 6 fields (time, type, order_id, size, "
                   "price, direction), found 7: not a LOBSTER message file\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["/dev/null"], ["--quotes", "/dev/null", "--trades", str(TRADES)]])
def test_dev_null_is_not_a_regular_file_rather_than_missing(capsys, argv):
    code, _, err = run(capsys, "replay", *argv)
    assert code == 2 and err == "mmsim replay: error: /dev/null: not a regular file\n"


def test_a_negative_number_in_exponent_notation_is_a_value(capsys):
    """--fee-per-share -1e6 was taken for an option; it is a (huge) rebate per share."""
    code, out, err = run(capsys, "replay", *REPLAY_EXAMPLE, "--strategy", "naive", "--fee-per-share", "-1e6", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["market"]["fee_per_share"] == -1e6 and report["fees"] == pytest.approx(-1e6 * report["volume"])


def test_lobster_prices_in_dollars_get_a_warning(tmp_path, capsys):
    message = lobster_pair(tmp_path, DOLLAR_MESSAGES, DOLLAR_BOOK)
    # Two seconds of data: no warm-up, the options the naive strategy needs given.
    code, out, err = run(capsys, "replay", message, "--strategy", "naive", "--warmup-min", "0", "--tick-size",
                         "0.000001", "--spread", "0.000002", "--json")
    assert code == 0
    warning = (f"{message}: prices look like dollars (the first is 100.01), but LOBSTER writes dollars x 10000: "
               "they read as 0.010001, on a tick of 1e-06 or less; multiply them by 10000")
    assert json.loads(out)["warnings"] == [warning] and err == f"mmsim replay: warning: {warning}\n"


def test_numpy_and_matplotlib_warnings_stay_off_the_terminal(tmp_path, capsys):
    """A strategy doing 0/0 (numpy RuntimeWarning) over a one-minute replay whose P&L-change histogram is empty
    (matplotlib: a legend with nothing to show): stderr stays empty, the report is written."""
    (tmp_path / "wide.py").write_text(USER)
    quotes, trades = tmp_path / "q.csv", tmp_path / "t.csv"
    quotes.write_text("".join(QUOTES.read_text().splitlines(keepends=True)[:60]))
    trades.write_text("".join(TRADES.read_text().splitlines(keepends=True)[:60]))
    with warnings.catch_warnings():  # as outside pytest, which records warnings instead of printing them
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: sys.stderr.write(
            warnings.formatwarning(message, category, filename, lineno, line))
        code, _, err = run(capsys, "replay", "--quotes", quotes, "--trades", trades, "--strategy",
                           f"{tmp_path / 'wide.py'}:Wide", "--warmup-min", "0", "--tick-size", "0.01",
                           "--out", tmp_path / "out")
    assert code == 0 and err == ""
    assert (tmp_path / "out" / "report.html").is_file()


@pytest.mark.parametrize("command", ["run", "replay"])
def test_strategy_params_reach_a_user_strategy_constructor(tmp_path, capsys, command):
    (tmp_path / "wide.py").write_text(USER)
    data = REPLAY_EXAMPLE if command == "replay" else ["--paths", "2", "--T", "0.2"]
    code, out, err = run(capsys, command, *data, "--strategy", f"{tmp_path / 'wide.py'}:Wide",
                         "--strategy-param", "width=0.06", "--strategy-param", "label='narrow'", "--json",
                         "--out", tmp_path / "out")
    assert code == 0, err
    report = json.loads(out)
    if command == "run":
        assert report["rows"][0]["strategy"] == "narrow" and report["rows"][0]["avg_spread"] == pytest.approx(0.06)
    else:
        assert report["strategy"] == "narrow"


@pytest.mark.parametrize("params, message", [
    (["widht=1"], "--strategy-param widht: {spec} has no parameter 'widht' (it takes: width, label)"),
    (["width=wide"], "--strategy-param width=wide: expected a number, got 'wide'"),
    (["width=-1"], "strategy '{spec}' could not be created with width=-1.0: ValueError('width must be > 0')"),
    (["width"], "--strategy-param 'width': expected NAME=VALUE, NAME a constructor parameter"),
    (["width=1", "width=2"], "--strategy-param width is given twice"),
])
def test_bad_strategy_params_are_one_line_naming_the_parameter(tmp_path, capsys, params, message):
    (tmp_path / "wide.py").write_text(USER)
    spec = f"{tmp_path / 'wide.py'}:Wide"
    argv = ["run", "--paths", "2", "--strategy", spec, "--out", tmp_path / "out"]
    code, out, err = run(capsys, *argv, *(x for p in params for x in ("--strategy-param", p)))
    assert code == 2 and err == f"mmsim run: error: {message.format(spec=spec)}\n"
    assert not (tmp_path / "out").exists()


def test_strategy_params_need_a_user_strategy(capsys):
    code, _, err = run(capsys, "replay", *REPLAY_EXAMPLE, "--strategy", "naive", "--strategy-param", "width=1")
    assert code == 2 and "--strategy-param goes with a path/to/file.py:ClassName strategy" in err


class RecordedBar:
    """Stands in for tqdm: records each bar's description, unit, total and final count."""

    bars: list = []

    def __init__(self, total=None, initial=0, desc="", unit="", disable=False, **_):
        self.total, self.n, self.desc, self.unit, self.disable = total, initial, desc, unit, disable
        RecordedBar.bars.append(self)

    def update(self, n=1):
        self.n += n

    def close(self):
        pass


@pytest.mark.parametrize("command", [["replay", *REPLAY_EXAMPLE, "--strategy", "naive"], ["calibrate", *EXAMPLE]])
def test_replays_calibrations_and_reports_show_progress_on_a_terminal(tmp_path, capsys, monkeypatch, command):
    """On a terminal, reading the data advances a bar of its rows (counted beforehand: the files' lines, headers
    included) and drawing the report one of its steps (the strategy analysed, then each figure)."""
    from mmsim import progress

    monkeypatch.setattr(progress, "tqdm", RecordedBar)
    monkeypatch.setattr(progress, "_shown", lambda: True)
    RecordedBar.bars = []
    code, out, err = run(capsys, *command, "--out", tmp_path / "out", "--json")
    assert code == 0, err
    rows = sum(len(p.read_text().splitlines()) for p in (QUOTES, TRADES))
    data, *report = RecordedBar.bars
    assert (data.desc, data.unit, data.total) == (f"mmsim {command[0]}", "row", rows)
    assert data.n == rows - 2  # every data row read, the two header lines not
    if command[0] == "replay":
        assert [(b.desc, b.n, b.total) for b in report] == [("mmsim replay: report", 8, 8)]  # 1 + 7 figures



def test_a_replay_whose_ticks_share_one_instant_writes_its_report(tmp_path, capsys):
    """Issue 15 item 4 as a user meets it: every row at one epoch instant gave a zero-length time axis that took
    minutes to draw; the report is now drawn at once (the axes themselves: tests/analytics/test_plots.py)."""
    stamp = "2024-01-02T14:30:00Z"
    (tmp_path / "q.csv").write_text(f"ts,bid,ask\n{stamp},9.99,10.01\n{stamp},9.98,10.01\n")
    (tmp_path / "t.csv").write_text(f"ts,price,size,side\n{stamp},10.01,5,buy\n")
    code, out, err = run(capsys, "replay", "--quotes", tmp_path / "q.csv", "--trades", tmp_path / "t.csv",
                         "--strategy", "naive", "--tick-size", "0.01", "--spread", "0.02", "--warmup-min", "0",
                         "--out", tmp_path / "out")
    assert code == 0 and err == ""
    assert {p.name for p in (tmp_path / "out").iterdir()} == {MARKER, "naive", "summary.json", "report.html"}
