"""Regenerates the Avellaneda-Stoikov replay table of docs/replay.md: ``python docs/tables/replay_as.py [DATA_DIR]``.

``mmsim replay FILE --out DIR`` with the defaults on the AAPL and GOOG level-1 days, with and without
``--requote-on-tick``; the Sharpe ratio is the report's annualised time-series Sharpe ± its standard error.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from analytics.risk import series_ratios
from mmsim.cli import main

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared" / "data" / "lobster")

print("| day | requote | P&L | spread capture | inventory P&L | fills | max abs(q) | final q | quotes sent | "
      "Sharpe ± SE |")
print("|---|---|---|---|---|---|---|---|---|---|")
for day in ("AAPL", "GOOG"):
    for requote, extra in (("timer", []), ("timer + tick", ["--requote-on-tick"])):
        with tempfile.TemporaryDirectory() as tmp:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(["replay", str(DATA / f"{day}_2012-06-21_34200000_57600000_message_1.csv"), *extra,
                             "--out", f"{tmp}/out", "--json"]) == 0
            r = json.loads(out.getvalue())
            marks = pd.read_parquet(Path(tmp) / "out" / r["strategy"] / "marks.parquet")
            ratios = series_ratios(marks, clock="real").iloc[0]
        print(f"| {day} | {requote} | {r['pnl']:,.0f} | {r['spread_capture']:,.0f} | {r['inventory_pnl']:,.0f} | "
              f"{r['fills']:,} | {r['max_abs_inventory']:,.0f} | {r['final_inventory']:,.0f} | "
              f"{r['market']['quotes_sent']:,} | {ratios.ts_sharpe:.1f} ± {ratios.ts_sharpe_se:.1f} |")
