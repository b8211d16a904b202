"""``mmsim replay --out DIR`` writes report.html on the real-time clock, and ``mmsim report DIR`` rebuilds it."""

from __future__ import annotations

import json

import pytest

from analytics.report import FIGURES
from engine import BUY, SELL
from feeds import quote_row, trade_row
from mmsim.cli import main


def figure_ids(html: str) -> list[str]:
    return [part.split("'", 1)[0] for part in html.split("<figure id='fig-")[1:]]


@pytest.fixture
def tick_files(tmp_path):
    """A hand-built day as generic quotes and trades CSV files: a cent-grid book over ten minutes that moves
    a tick at a time, with trades at the best on alternating sides."""
    quotes, trades = [], []
    for i in range(600):
        mid_ticks = 10_000 + (i // 20) % 5  # a slow walk up and down, so the equity curve moves
        q = quote_row(float(i), (mid_ticks - 1) / 100, (mid_ticks + 1) / 100, 200, 200)
        quotes.append(f"{q['ts']},{q['bid']},{q['ask']},{q['bid_size']},{q['ask_size']}")
        if i % 3 == 1:
            side = BUY if i % 2 else SELL
            t = trade_row(i + 0.5, (mid_ticks + side) / 100, 300, side)
            trades.append(f"{t['ts']},{t['price']},{t['size']},{t['side']}")
    q_path, t_path = tmp_path / "quotes.csv", tmp_path / "trades.csv"
    q_path.write_text("ts,bid,ask,bid_size,ask_size\n" + "\n".join(quotes) + "\n")
    t_path.write_text("ts,price,size,side\n" + "\n".join(trades) + "\n")
    return q_path, t_path


def test_replay_writes_a_real_clock_report_that_mmsim_report_rebuilds(tick_files, tmp_path, capsys):
    """A replay's report.html has every real-clock figure and `mmsim report DIR` writes the same figures again."""
    # Equity curve and position come first; summary.json records the real clock.
    out = tmp_path / "out"
    quotes, trades = tick_files
    assert main(["replay", "--quotes", str(quotes), "--trades", str(trades), "--strategy", "naive",
                 "--spread", "0.02", "--tick-size", "0.01", "--warmup-min", "0", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["fills"] > 0 and printed["report_html"] == str(out / "report.html")
    first = (out / "report.html").read_text(encoding="utf-8")
    assert figure_ids(first) == list(FIGURES["real"])
    assert figure_ids(first)[:2] == ["equity-curve", "position"]
    assert json.loads((out / "summary.json").read_text())["report"]["clock"] == "real"

    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert figure_ids((out / "report.html").read_text(encoding="utf-8")) == figure_ids(first)


def test_a_failed_report_leaves_no_partial_output(tick_files, tmp_path, capsys, monkeypatch):
    """An error while the report is built (after the replay) leaves neither the ledger nor summary.json."""
    import mmsim.cmd_replay

    def broken(*args, **kwargs):
        raise mmsim.cmd_replay.ConfigError("report failed")

    monkeypatch.setattr(mmsim.cmd_replay, "build_report", broken)
    out = tmp_path / "out"
    quotes, trades = tick_files
    assert main(["replay", "--quotes", str(quotes), "--trades", str(trades), "--tick-size", "0.01",
                 "--k", "50", "--warmup-min", "0", "--out", str(out)]) == 2
    assert "report failed" in capsys.readouterr().err
    assert not out.exists()
