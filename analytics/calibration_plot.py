"""The fit plot of a calibration: fill rate against depth (log scale), and the fill-probability check."""

from __future__ import annotations

import os

import numpy as np

from analytics.calibration import Calibration
from analytics.intensity import empirical_rates, model_rates
from engine.ledger import write_atomic


def plot_calibration(result: Calibration):
    """A two-panel matplotlib figure (Agg backend, no display).

    Left: the rate, per second per side, of market orders reaching each depth from the mid, empirical (dots)
    against the fitted model seen through the spread (line), ``A exp(-k delta)`` itself (dashed) and the
    least-squares line (dotted), on a log scale. Right: predicted against empirical probability that a quote
    at each depth fills within the window, with the checked depths marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    data, mle, ls, check = result.data, result.mle, result.least_squares, result.fit
    depths, rate = empirical_rates(data)
    x = depths * data.half_tick
    shown = rate > 0
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.semilogy(x[shown], rate[shown], "o", ms=3, color="0.3", label="empirical")
    left.semilogy(x, model_rates(data, mle, depths), "-", color="C0", label="MLE, seen through the spread")
    left.semilogy(x, mle.rate(x), "--", color="C0", lw=1,
                  label=f"MLE A exp(-k d): A={mle.A:.3g}/s, k={mle.k:.3g}")
    left.semilogy(x, ls.rate(x), ":", color="C3", label=f"least squares: A={ls.A:.3g}/s, k={ls.k:.3g}")
    left.set_ylim(bottom=max(rate[shown].min() * 0.3, 1e-8))
    left.set_xlabel("depth from the mid (price units)")
    left.set_ylabel("orders reaching the depth, per second per side")
    left.set_title(f"{result.name}: fill rate by depth")
    left.legend(fontsize=8)

    table = check.table
    checked = table["checked"].to_numpy()
    right.semilogy(table["depth"], table["empirical"], "o", ms=3, color="0.3", label="empirical")
    right.semilogy(table["depth"], table["predicted"], "-", color="C0", label="MLE prediction")
    band = np.where(checked, table["predicted"], np.nan)
    right.fill_between(table["depth"], band * (1 - check.tolerance), band * (1 + check.tolerance), color="C0",
                       alpha=0.15, label=f"checked depths, +/-{check.tolerance:.0%}")
    right.set_xlabel("depth from the mid (price units)")
    right.set_ylabel(f"P(fill within {data.window_s:g} s)")
    right.set_title(f"fit check: {'pass' if check.passed else 'FAIL'} (worst {check.max_rel_error:.0%})")
    right.legend(fontsize=8)
    return fig


def write_fit_plot(path: str | os.PathLike, result: Calibration) -> None:
    """Write :func:`plot_calibration` as a PNG, atomically."""
    fig = plot_calibration(result)
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
