"""Write ``quotes.csv`` and ``trades.csv`` beside this script: the small generic tick files the README's
``mmsim replay --quotes ... --trades ...`` example reads.

    python examples/make_example_ticks.py

Five minutes of a synthetic book (:func:`feeds.synthetic_ticks`: a one-cent tick around $100, the best bid moving
twice a second, 5 market orders per second per side whose depth decays with k = 150 per dollar), stamped from
2024-01-02 14:30:00 UTC. Not market data: they are there to try the commands on files in the generic format.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from feeds import QUOTE, TRADE, synthetic_ticks

START = pd.Timestamp("2024-01-02T14:30:00Z")
HERE = Path(__file__).resolve().parent


def example_ticks() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quotes (``ts, bid, ask``) and trades (``ts, price, size, side``) frames, ``ts`` as ISO-8601 text."""
    ticks = synthetic_ticks(5.0, 150.0, duration_s=300, seed=1)
    ts = (START + pd.to_timedelta(ticks["ts"], unit="s")).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    quote, trade = (ticks["kind"] == QUOTE).to_numpy(), (ticks["kind"] == TRADE).to_numpy()
    quotes = pd.DataFrame({"ts": ts[quote], "bid": ticks["bid"][quote].round(2), "ask": ticks["ask"][quote].round(2)})
    trades = pd.DataFrame({"ts": ts[trade], "price": ticks["price"][trade].round(2), "size": ticks["size"][trade],
                           "side": np.where(ticks["side"][trade] > 0, "buy", "sell")})
    return quotes, trades


def write_example_ticks(folder: Path = HERE) -> tuple[Path, Path]:
    """Write ``quotes.csv`` and ``trades.csv`` into ``folder``; return their paths."""
    paths = folder / "quotes.csv", folder / "trades.csv"
    for frame, path in zip(example_ticks(), paths):
        frame.to_csv(path, index=False, lineterminator="\n")
    return paths


if __name__ == "__main__":
    for written in write_example_ticks():
        print(f"wrote {written}")
