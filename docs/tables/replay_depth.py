"""Regenerates the level-1 / level-10 table of docs/replay.md: ``python docs/tables/replay_depth.py [DATA_DIR]``.

Runs ``mmsim replay --json`` on the GOOG day at level 1 and level 10 (DATA_DIR defaults to
../shared/data/lobster) for two strategies, and prints the markdown table.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from mmsim.cli import main

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared" / "data" / "lobster")
DAY = "GOOG_2012-06-21_34200000_57600000_message_{}.csv"
RUNS = [("1", []), ("10", ["--queue", "conservative"]), ("10", [])]
#: Parameters pinned, so that both depths run the same strategy (the defaults come from the first chunk read).
STRATEGIES = {"naive": ["--spread", "0.3"], "avellaneda-stoikov": ["--k", "20"]}


def replay(level: str, extra: list[str], strategy: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["replay", str(DATA / DAY.format(level)), "--strategy", strategy, *extra, "--json"]) == 0
    return json.loads(out.getvalue())


print("| strategy | data | queue model | fills | at the touch | behind it | through our price | median time in "
      "queue (s) | P&L |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for strategy, params in STRATEGIES.items():
    for level, extra in RUNS:
        r = replay(level, [*params, *extra], strategy)
        f = r["fill_split"]
        median = "-" if f["queue_s_median"] is None else f"{f['queue_s_median']:.2f}"
        print(f"| {strategy} | level {level} | {r['market']['queue']} | {r['fills']:,} | {f['at_touch']:,} | "
              f"{f['behind_touch']:,} | {f['through']:,} | {median} | {r['pnl']:,.0f} |")
