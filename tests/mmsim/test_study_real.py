"""``mmsim study --real``: days found, the walk-forward cells, the same table on one process or two, the findings
section written in place, bad input refused. On the examples' five-minute day: a one-minute warm-up, 30 s blocks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import DataError, MarketState
from mmsim.cli import main
from mmsim.real_days import find_days
from mmsim.real_findings import SECTION, write_section
from mmsim.cmd_replay import replay_run
from mmsim.real_study import STRATEGIES, replay_args
from strategies.rolling_as import RollingAvellanedaStoikov

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SMALL = ["--warmup-min", "1", "--block-s", "30", "--skews", "0.5,1", "--resamples", "200"]


def study(tmp_path, capsys, *extra, out="out") -> dict:
    day = tmp_path / "day"
    if not day.exists():
        day.mkdir()
        for name in ("quotes.csv", "trades.csv"):
            shutil.copy(EXAMPLES / name, day / f"EX_{name}")
    code = main(["study", "--real", str(day), *SMALL, "--out", str(tmp_path / out), "--json", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def numbers(value) -> str:
    """The study's numbers without the wall times (which are measured, not computed)."""
    if isinstance(value, dict):
        value = {k: numbers(v) for k, v in value.items() if not k.startswith("wall_s")}
        return json.dumps(value)
    return json.dumps(value)


def test_one_process_and_two_give_the_same_numbers_and_resume_changes_nothing(tmp_path, capsys):
    """Every cell is a deterministic replay, stored as it finishes; the numbers do not depend on how the cells
    were run, and a resumed study that finds every cell done gives the same numbers again."""
    page = str(tmp_path / "findings.md")
    one = study(tmp_path, capsys, "--findings", page, out="one")
    two = study(tmp_path, capsys, "--workers", "2", out="two")
    again = study(tmp_path, capsys, "--resume", "--findings", page, out="one")  # its own page: replaced
    saved = json.loads((tmp_path / "one" / "study-real.json").read_text())
    for key in ("days", "regimes", "claims", "frontier"):
        assert numbers(one[key]) == numbers(two[key]) == numbers(again[key]) == numbers(saved[key])
    assert sorted(p.name for p in (tmp_path / "two" / "cells").iterdir()) == ["cell-000000.json",
                                                                              "cell-000001.json"]
    assert (tmp_path / "one" / "report.html").stat().st_size > 0
    text = Path(page).read_text()  # the page describes this run: 30 s blocks of one generic day
    assert "the units are 30-second blocks" in text and "Per 30-second block" in text and "five-minute" not in text
    assert "(quotes + trades files; one day per stock)" in text and "LOBSTER" not in text
    day = one["days"]["EX"]
    assert set(day["strategies"]) == set(STRATEGIES)
    # Traded from 14:31 to the last row (14:34:59.x): seven whole 30 s blocks; the partial eighth is dropped.
    assert sum(day["blocks"].values()) == 7
    assert {p["skew_ticks"] for p in one["frontier"]} == {0.5, 1.0}
    for verdicts in (c["verdicts"] for c in one["claims"].values()):
        assert set(verdicts.values()) <= {"holds", "does not hold", "not established"}


def test_cells_walk_forward_and_the_naive_benchmarks_copy_a_s(tmp_path, capsys):
    """Nothing trades in the warm-up; naive quotes A-S rolling's average spread and the capped one stops at the
    largest |q| A-S reached (benchmarks, after the fact by design), while GLFT's limit is the one given before
    trading, whatever A-S did; the gamma of a skew makes A-S's quotes move by that skew for one lot at the
    warm-up's sigma."""
    study(tmp_path, capsys, "--glft-lots", "3", out="o")
    cell = json.loads((tmp_path / "o" / "cells" / "cell-000001.json").read_text())["row"]
    assert cell["edges"][0] == cell["trade_from"]
    runs = cell["strategies"]
    assert runs["naive"]["params"]["spread"] == pytest.approx(runs["as-rolling"]["avg_spread"])
    reach = max(runs["as-rolling"]["max_abs_q"], 100.0)
    assert runs["naive-capped"]["params"]["max_inventory"] == reach
    assert runs["naive-capped"]["max_abs_q"] <= reach
    assert reach != 300.0  # else the next line could not tell the given limit from the hindsight one
    assert runs["glft"]["params"]["max_inventory"] == 300.0 == cell["setup"]["glft_lots"] * 100.0
    assert runs["glft"]["max_abs_q"] <= 300.0
    for run in runs.values():
        # The blocks hold the fills up to the last edge (the partial block at the end is dropped).
        assert sum(run["blocks"]["fills"]) <= run["fills"]
    # The cell's A-S replay, as the cell ran it: nothing quoted or filled in the warm-up.
    day = find_days([str(tmp_path / "day")])[0]
    sim, _ = replay_run(replay_args(day, ("--warmup-min", "1"), ["--strategy", "avellaneda-stoikov", "--gamma",
                                                                  repr(cell["gamma"])]), show_progress=False)
    quotes, fills = sim.ledger.quotes, sim.ledger.fills
    assert len(quotes) and len(fills)
    assert quotes["time"].min() >= cell["trade_from"] and fills["time"].min() >= cell["trade_from"]
    # The skew's defining property, on the quotes A-S posts at the warm-up's sigma: one lot long moves both
    # quotes down by the requested ticks (skew 1 here; a whole-tick shift survives the rounding to the grid).
    strategy = RollingAvellanedaStoikov(gamma=cell["gamma"], k=runs["as-rolling"]["params"]["k"],
                                        sigma=cell["sigma_warmup"], horizon_s=60.0, order_size=100.0,
                                        tick_size=cell["tick_size"])
    flat, long = (strategy.quote(MarketState(time=cell["trade_from"], mid=100.005, inventory=q)) for q in (0, 100))
    for side in ("bid", "ask"):
        moved = (getattr(flat, side) - getattr(long, side)) / cell["tick_size"]
        assert moved == pytest.approx(cell["skew_ticks"], abs=1e-6)


def test_the_findings_section_replaces_its_own_and_keeps_every_other_line(tmp_path):
    page = tmp_path / "findings.md"
    page.write_text("# Findings\n\n## 1. Synthetic\ntext\n\n## Real days\nold\n\n## Caveats\nkept\n")
    write_section(page, f"{SECTION}\n\nnew\n")
    assert page.read_text() == "# Findings\n\n## 1. Synthetic\ntext\n\n## Real days\n\nnew\n\n## Caveats\nkept\n"
    other = tmp_path / "other.md"
    other.write_text("# Mine\nline\n")
    write_section(other, f"{SECTION}\n\nnew\n")
    assert other.read_text() == "# Mine\nline\n\n## Real days\n\nnew\n"


def test_the_synthetic_study_keeps_the_real_days_section_of_its_findings_page(tmp_path, capsys):
    """mmsim study --findings FILE rewrites its own sections and carries the Real days section over unchanged."""
    page = tmp_path / "findings.md"
    page.write_text(f"# old synthetic text\n\nGenerated by `mmsim study`\n\n{SECTION}\n\nreal numbers\n")
    assert main(["study", "--paths", "20", "--resamples", "100", "--no-reports", "--out", str(tmp_path / "o"),
                 "--findings", str(page)]) == 0
    text = page.read_text()
    assert "old synthetic text" not in text and "## 1. " in text
    assert text.endswith(f"\n\n{SECTION}\n\nreal numbers\n")


def test_days_are_found_in_folders_and_globs_deepest_lobster_level_first(tmp_path):
    folder = tmp_path / "d1"
    folder.mkdir()
    for name in ("GOOG_2012-06-21_1_2_message_1.csv", "GOOG_2012-06-21_1_2_message_10.csv",
                 "GOOG_2012-06-21_1_2_orderbook_10.csv", "X_quotes.csv", "X_trades.csv", "notes.txt"):
        (folder / name).write_text("")
    days = find_days([str(folder)])
    assert [d.name for d in days] == ["GOOG 2012-06-21", "X"]
    assert days[0].argv[0].endswith("message_10.csv")
    assert days[1].argv == ("--quotes", str(folder / "X_quotes.csv"), "--trades", str(folder / "X_trades.csv"))
    assert [d.name for d in find_days([str(folder / "X_*")])] == ["X"]
    assert find_days([str(tmp_path / "d*")]) == days  # a glob of folders
    # The test runs in tmp_path (conftest): a folder named relative to here is stored absolute, for cells run elsewhere
    assert find_days(["d1"]) == find_days(["d*"]) == days
    (folder / "Y_quotes.csv").write_text("")
    with pytest.raises(DataError, match="no trades file Y_trades.csv"):
        find_days([str(folder)])


@pytest.mark.parametrize("argv, message", [
    (["--real", "nowhere"], "nowhere: no such file or folder"),
    (["--real", "{examples}/quotes.csv", "--paths", "10"], "--paths goes with the synthetic study, not --real"),
    (["--real", "{examples}/make_example_ticks.py"], "neither a LOBSTER message file"),
    (["--resume"], "--resume goes with --real"),
    (["--real", "{examples}", "--skews", "0,1"], "expected distinct numbers > 0"),
    (["--real", "{examples}", "--warmup-min", "1", "--close", "24:00"],
     "--close 24:00: expected HH:MM (00:00 to 23:59)"),
    (["--real", "{examples}", "--warmup-min", "1", "--close", "14:31"],  # the example day opens at 14:30
     "--close 14:31: at or before the start of trading (14:31:00)"),
    (["--real", "{examples}", "--glft-lots", "0"], "--glft-lots: expected a number > 0"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    argv = [a.replace("{examples}", str(EXAMPLES)) for a in argv]
    assert main(["study", *argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_a_bad_second_day_is_refused_before_anything_is_written(tmp_path, capsys):
    """Every day is opened and its warm-up read before the runner claims --out: a corrupt day anywhere in the
    list is one line, exit 2, and no output folder (not even the first day's cells)."""
    days = tmp_path / "days"
    days.mkdir()
    for name in ("quotes.csv", "trades.csv"):
        shutil.copy(EXAMPLES / name, days / f"A_{name}")
    (days / "B_quotes.csv").write_text("ts,bid,ask,bid_size,ask_size\n1.0,oops,10.01,100,100\n")
    shutil.copy(EXAMPLES / "trades.csv", days / "B_trades.csv")
    assert main(["study", "--real", str(days), *SMALL, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "B_quotes.csv" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
