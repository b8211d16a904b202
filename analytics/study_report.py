"""``report.html`` of the real-day study: the frontier, the regimes with intervals, inventory paths, markouts.

It reads the study's numbers and cells as plain JSON-ready mappings (what ``mmsim study --real`` stores), so
it needs nothing from ``mmsim``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from analytics import plots
from analytics.report import REPORT_FILE, _page, _table
from engine.ledger import write_atomic
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

REGIME_ORDER = ("all", "calm", "normal", "volatile")
#: The strategies drawn as curves over the risk-aversion grid on the frontier; the others are points.
CURVES = ("as-rolling", "as-close", "glft")


def _frontier(numbers: Mapping) -> dict:
    panels: dict = {}
    points = pd.DataFrame(numbers["frontier"])
    for day, part in points.groupby("day", sort=True):
        row = panels[day] = {}
        for name, s in part.groupby("strategy", sort=False):
            s = s.sort_values("skew_ticks")
            if name in CURVES:
                labels = [f"{v:g}t" for v in s["skew_ticks"]]
            else:
                labels = [f"${v:.3f}" for v in s["avg_spread"]]
            row[name] = ((s["var_q"].to_numpy(), s["q95"].to_numpy()), s["pnl"].to_numpy(), labels, name in CURVES)
    return panels


def _bars(numbers: Mapping, metric: str) -> dict:
    out = {}
    for regime in REGIME_ORDER:
        r = numbers["regimes"].get(regime, {})
        out[f"{regime} ({r.get('blocks', 0)} blocks)"] = {
            s: (e[metric]["value"], e[metric]["low"], e[metric]["high"]) for s, e in r.items() if s != "blocks"}
    return out


def build_study_report(numbers: Mapping, rows: Sequence[Mapping], out_dir: str | os.PathLike, *,
                       title: str = "mmsim study --real", config: Mapping | None = None) -> Path:
    """Write ``<out_dir>/report.html`` for the real-day study.

    Parameters
    ----------
    numbers : mapping
        :func:`mmsim.real_findings.study_numbers` (as JSON values).
    rows : sequence of mapping
        The cells' results; the first day's headline cell gives the inventory paths and markout curves.
    out_dir : path
        Existing folder.
    title : str
        Page title.
    config : mapping, optional
        Listed at the end.

    Returns
    -------
    Path
        The report file.
    """
    head = sorted((r for r in rows if r["skew_ticks"] == numbers["headline_skew"]), key=lambda r: r["day"])
    figs = {
        "frontier": (plots.frontier(_frontier(numbers), ["inventory variance (shares^2)",
                                                         "95th percentile of |inventory| (shares)"],
                                    "Mean P&L against inventory risk"),
                     "Each day's P&amp;L over the traded session against the time-weighted inventory variance and "
                     "the 95th percentile of |inventory|. A-S and GLFT are curves over the risk-aversion grid "
                     "(labels: the one-lot skew in ticks); naive and naive-capped are points at the spread each "
                     "A-S cell quoted on average (labels: the total spread, $)."),
        "regime-pnl": (plots.interval_bars(_bars(numbers, "pnl"), "P&L per 5-minute block (currency units)",
                                           "P&L per block by volatility regime"),
                       "Mean P&amp;L per block with 95% block-bootstrap intervals, headline skew, days pooled."),
        "regime-sharpe": (plots.interval_bars(_bars(numbers, "sharpe"), "Sharpe ratio per block (mean / std)",
                                              "Sharpe ratio by volatility regime"),
                          "Sharpe ratio of the block P&amp;Ls (per block, not annualised) with 95% intervals."),
    }
    for row in head:
        strategies = row["strategies"]
        paths = {s: [(np.asarray(v["path"]["time"]), np.asarray(v["path"]["inventory"]))] for s, v in
                 strategies.items()}
        key = row["day"].replace(" ", "-")
        figs[f"inventory-{key}"] = (plots.inventory_paths(paths, "real", f"Inventory (shares), {row['day']}"),
                                    f"Inventory in shares through the traded session of {html.escape(row['day'])}"
                                    ", one panel per strategy (time of day on the axis).")
        curves = {s: pd.DataFrame(v["markout"]) for s, v in strategies.items()}
        figs[f"markouts-{key}"] = (plots.markout_curves(curves, "real", f"Markouts, {row['day']}"),
                                   "Mean mid move against the fill per share ($) at 0 to 60 s after it, with "
                                   "+/-1.96 SE bands (fills treated as independent: a guide).")
    claims = []
    for s, c in numbers["claims"].items():
        for key, text in (("inventory", "inventory variance below naive's"), ("adverse", "less adverse selection"),
                          ("sharpe", "steadier Sharpe, calm to volatile")):
            claims.append([html.escape(s), text, c["verdicts"][key]])
    days = [[html.escape(d), f"{v['gamma']:.3g}", f"{v['wall_s_per_cell']:.1f}", html.escape(str(v["queue"])),
             " / ".join(str(v["blocks"][r]) for r in REGIME_ORDER[1:])] for d, v in numbers["days"].items()]
    body = [f"<h1>{html.escape(title)}</h1>",
            "<h2>Claims</h2>", _table(["strategy", "claim", "verdict"], claims),
            "<h2>Days</h2>", _table(["day", "gamma (per $)", "wall s per cell", "queue model",
                                     "blocks calm / normal / volatile"], days),
            "<h2>Figures</h2>"]
    text = _page(title, body, figs, config)
    path = Path(out_dir) / REPORT_FILE
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path
