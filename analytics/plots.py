"""Every plot mmsim draws, in one place. Headless: figures are plain ``matplotlib.figure.Figure`` objects drawn
by the Agg canvas, so no display, GUI toolkit or pyplot state is involved.

Each function takes data already computed by :mod:`analytics` (one entry per strategy, in display order) and
returns a Figure; :func:`png_bytes` renders one. Units follow the run's clock: the synthetic market's abstract
time unit, or seconds shown as clock time (h:mm:ss) on a real-time clock.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from analytics.attribution import COMPONENTS
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours by strategy position (colour-blind-safe Okabe-Ito order).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH_IN = 10.0
DPI = 100
_STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
          "legend.frameon": True, "legend.framealpha": 0.85, "legend.edgecolor": "none",
          "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}
#: Inventory levels below this share of time lie off the histogram's axis.
VISIBLE_SHARE = 5e-4
COMPONENT_LABELS = {"spread_capture": "spread capture", "inventory_pnl": "inventory P&L", "fees": "- fees",
                    "pnl": "total P&L"}


def _mpl():
    """matplotlib with the parts used here, imported on first use: it costs ~0.3 s, and ``import analytics``
    (what a replay or a Monte Carlo run needs) draws nothing."""
    import matplotlib
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.ticker
    return matplotlib


def colour(i: int) -> str:
    """Colour of the ``i``-th strategy."""
    return PALETTE[i % len(PALETTE)]


_CLOCK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def clock_text(seconds: float, with_seconds: bool = True) -> str:
    """``H:MM:SS`` (or ``H:MM``) for a time in seconds."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if with_seconds else f"{hours}:{minutes:02d}"


#: Half-width of the window shown around a collapsed time axis (every point at one instant), seconds or units.
_COLLAPSED_HALF_SPAN = 1.0


def time_limits(lo: float, hi: float) -> tuple[float, float]:
    """The x limits of a time axis from ``lo`` to ``hi``, never collapsed or infinite.

    Matplotlib widens a zero-width range by a fraction of the value itself: at epoch seconds (about 1.3e9) that
    is tens of millions of seconds, and one tick a second makes it draw for minutes. So a collapsed (or not
    finite) range becomes a fixed window of +/- :data:`_COLLAPSED_HALF_SPAN` around the instant."""
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        lo = hi = lo if np.isfinite(lo) else hi if np.isfinite(hi) else 0.0
    if hi - lo <= 1e-9 * max(1.0, abs(lo)):
        middle = 0.5 * (lo + hi)
        return middle - _COLLAPSED_HALF_SPAN, middle + _COLLAPSED_HALF_SPAN
    return lo, hi


def set_time_axis(ax, clock: str, lo: float, hi: float) -> None:
    """Label the x axis with the run's time: raw units on a synthetic clock, ``H:MM(:SS)`` on a real one, with
    ticks on round clock steps (seconds to hours) so that at most 8 fit between ``lo`` and ``hi``. The limits
    are set here (see :func:`time_limits`): the axis never autoscales to a range the ticks cannot cover."""
    lo, hi = time_limits(lo, hi)
    ax.set_xlim(lo, hi)
    if clock != "real":
        ax.set_xlabel("time (synthetic time units)")
        return
    span = hi - lo
    # Round clock steps up to two hours, then whole hours: at most 8 ticks whatever the span (days of data).
    step = next((s for s in _CLOCK_STEPS_S if span / s <= 8), 3600 * math.ceil(span / 8 / 3600))
    with_seconds = step < 60
    ax.xaxis.set_major_locator(_mpl().ticker.MultipleLocator(step))
    ax.xaxis.set_major_formatter(_mpl().ticker.FuncFormatter(lambda x, _: clock_text(x, with_seconds)))
    ax.set_xlabel("clock time (h:mm:ss)" if with_seconds else "clock time (h:mm)")


def horizon_label(clock: str) -> str:
    """Axis label of markout horizons."""
    return "horizon after the fill (seconds)" if clock == "real" else "horizon after the fill (time units)"


def _styled(plot):
    """Run a plot function under the module's style (rcParams are read as each artist is created)."""
    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with _mpl().rc_context(_STYLE):
            return plot(*args, **kwargs)
    return wrapper


def _figure(height: float, width: float = WIDTH_IN) -> Figure:
    matplotlib = _mpl()
    fig = matplotlib.figure.Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    matplotlib.backends.backend_agg.FigureCanvasAgg(fig)
    return fig


def _legend(ax, **options) -> None:
    """A legend, when something on the axes has a label (a short replay can leave a panel without any)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def png_bytes(fig: Figure) -> bytes:
    """The figure rendered as PNG."""
    buffer = io.BytesIO()
    with _mpl().rc_context(_STYLE):
        fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


@_styled
def pnl_distribution(samples: Mapping[str, np.ndarray], xlabel: str, ylabel: str, title: str) -> Figure:
    """Overlaid histograms of one P&L sample per strategy, on shared bins, with each mean marked.

    Parameters
    ----------
    samples : mapping
        Strategy name -> values (final P&L per path, or P&L changes per interval on one long path).
    xlabel, ylabel, title : str
        Axis labels (with units) and title.
    """
    fig = _figure(4.2)
    ax = fig.subplots()
    values = [np.asarray(v, dtype=float) for v in samples.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.empty(0)
    bins = np.histogram_bin_edges(finite, bins=min(60, max(10, int(np.sqrt(finite.size))))) if finite.size else 10
    for i, (name, v) in enumerate(samples.items()):
        v = np.asarray(v, dtype=float)
        v = v[np.isfinite(v)]
        if not v.size:
            continue
        std = v.std(ddof=1) if v.size > 1 else 0.0
        ax.hist(v, bins=bins, histtype="stepfilled", alpha=0.25, color=colour(i))
        ax.hist(v, bins=bins, histtype="step", linewidth=1.6, color=colour(i),
                label=f"{name}: mean {v.mean():.3g}, std {std:.3g}")
        ax.axvline(v.mean(), color=colour(i), linestyle="--", linewidth=1.2)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    _legend(ax, loc="upper left")
    return fig


@_styled
def inventory_paths(paths: Mapping[str, Sequence[tuple[np.ndarray, np.ndarray]]], clock: str, title: str,
                    cap: float | None = None) -> Figure:
    """Inventory against time on a few paths, one panel per strategy (shared axes, so they compare).

    Parameters
    ----------
    paths : mapping
        Strategy name -> list of ``(times, inventory)`` step functions (value from each time to the next).
    clock : {"synthetic", "real"}
        Time axis unit.
    title : str
        Figure title.
    cap : float, optional
        Inventory limit, drawn as dotted lines at +/- cap.
    """
    n = max(len(paths), 1)
    fig = _figure(1.9 * n + 0.8)
    axes = np.atleast_1d(fig.subplots(n, 1, sharex=True, sharey=True, squeeze=False)[:, 0])
    shades = (1.0, 0.75, 0.55, 0.4, 0.3, 0.22, 0.16, 0.12)
    for i, (ax, (name, runs)) in enumerate(zip(axes, paths.items())):
        for j, (t, q) in enumerate(runs):
            ax.step(t, q, where="post", color=colour(i), linewidth=1.1, alpha=shades[j % len(shades)])
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        if cap is not None:
            for level in (cap, -cap):
                ax.axhline(level, color="0.3", linewidth=0.9, linestyle=":")
        shown = f"{len(runs)} path" + ("s" if len(runs) != 1 else "")
        ax.set_title(f"{name} ({shown})", loc="left")
        ax.set_ylabel("inventory (units)")
    times = [np.asarray(t) for runs in paths.values() for t, _ in runs]
    if times:
        set_time_axis(axes[-1], clock, min(t.min() for t in times), max(t.max() for t in times))
    if cap is not None:
        axes[0].plot([], [], color="0.3", linestyle=":", label=f"inventory cap +/-{cap:g}")
        _legend(axes[0], loc="upper right")
    fig.suptitle(title)
    return fig


@_styled
def inventory_histogram(shares: Mapping[str, pd.Series], title: str) -> Figure:
    """Share of time spent at each inventory level, bars side by side per strategy.

    Parameters
    ----------
    shares : mapping
        Strategy name -> Series indexed by inventory level, values the share of time (summing to 1). The axis
        shows the levels holding at least :data:`VISIBLE_SHARE` of the time.
    """
    fig = _figure(4.0)
    ax = fig.subplots()
    n = max(len(shares), 1)
    width = 0.85 / n
    levels = sorted(set().union(*[s.index for s in shares.values()])) if shares else []
    integer = all(float(x).is_integer() for x in levels)
    for i, (name, share) in enumerate(shares.items()):
        x, y = share.index.to_numpy(dtype=float), 100 * share.to_numpy()
        if integer:  # whole units: one bar per level, strategies side by side
            ax.bar(x + (i - (n - 1) / 2) * width, y, width=width, color=colour(i), alpha=0.85, label=name)
        else:  # binned levels (fractional fills): outlines, which stay readable when they overlap
            step = np.diff(x).min() if x.size > 1 else 1.0
            edges = np.append(x - step / 2, x[-1] + step / 2)
            ax.stairs(y, edges, color=colour(i), linewidth=1.5, label=name)
            ax.stairs(y, edges, color=colour(i), alpha=0.2, fill=True)
    visible = [x for share in shares.values() for x, v in share.items() if v >= VISIBLE_SHARE]
    if visible:  # the far tails hold almost no time; let the bulk fill the axis
        ax.set_xlim(min(visible) - 1, max(visible) + 1)
    ax.set(xlabel="inventory (units)", ylabel="share of time (%)", title=title)
    _legend(ax)
    return fig


@_styled
def quotes_vs_mid(marks: pd.DataFrame, quotes: pd.DataFrame, fills: pd.DataFrame,
                  inventory: tuple[np.ndarray, np.ndarray], clock: str, title: str) -> Figure:
    """One path: the mid, our bid and ask as they were live, our fills, and the inventory below.

    Parameters
    ----------
    marks, quotes, fills : DataFrame
        The path's rows (already cut to the window shown).
    inventory : (ndarray, ndarray)
        Times and inventory of the path as a step function.
    """
    fig = _figure(5.6)
    ax, ax_q = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    ax.step(marks["time"], marks["mid"], where="post", color="0.15", linewidth=1.3, label="mid")
    ax.step(quotes["time"], quotes["bid"], where="post", color="#0072B2", linewidth=1.0, label="our bid")
    ax.step(quotes["time"], quotes["ask"], where="post", color="#D55E00", linewidth=1.0, label="our ask")
    bought, sold = fills[fills["side"] == 1], fills[fills["side"] == -1]
    ax.scatter(bought["time"], bought["price"], marker="^", s=30, color="#0072B2", edgecolor="white",
               linewidth=0.5, zorder=3, label=f"bid filled (bought, {len(bought)})")
    ax.scatter(sold["time"], sold["price"], marker="v", s=30, color="#D55E00", edgecolor="white",
               linewidth=0.5, zorder=3, label=f"ask filled (sold, {len(sold)})")
    ax.set(ylabel="price (currency units)")
    fig.suptitle(title)
    # Above the axes: the prices wander over the whole panel, so no corner inside it stays free.
    _legend(ax, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=5, fontsize=9)
    ax_q.step(inventory[0], inventory[1], where="post", color=colour(0), linewidth=1.1)
    ax_q.axhline(0.0, color="0.3", linewidth=0.8)
    ax_q.set(ylabel="inventory (units)")
    set_time_axis(ax_q, clock, float(marks["time"].min()), float(marks["time"].max()))
    return fig


def readable(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, but a large amount (a day's P&L in dollars, shares traded) in
    whole units with thousands separators rather than in scientific notation: 22,503 not 2.25e+04."""
    if 10 ** digits <= abs(x) < 1e15:  # where the g format would switch to scientific notation
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


@_styled
def attribution_bars(summaries: Mapping[str, pd.DataFrame], ylabel: str, title: str) -> Figure:
    """The P&L attribution as grouped bars: spread capture, inventory P&L, minus fees and their sum, per strategy.

    Parameters
    ----------
    summaries : mapping
        Strategy name -> :func:`analytics.attribution.attribution_summary` (``mean`` and ``se`` are drawn;
        error bars are +/- 1.96 standard errors when the SE is known).
    """
    fig = _figure(4.2)
    ax = fig.subplots()
    parts = [*COMPONENTS, "pnl"]
    x = np.arange(len(parts))
    n = max(len(summaries), 1)
    width = 0.8 / n
    for i, (name, table) in enumerate(summaries.items()):
        sign = np.array([-1.0 if p == "fees" else 1.0 for p in parts])
        mean = table.loc[parts, "mean"].to_numpy() * sign
        se = table.loc[parts, "se"].to_numpy()
        err = None if np.all(np.isnan(se)) else 1.96 * np.nan_to_num(se)
        bars = ax.bar(x + (i - (n - 1) / 2) * width, mean, width=width, color=colour(i), label=name, yerr=err,
                      capsize=3, error_kw={"elinewidth": 1, "ecolor": "0.25"})
        ax.bar_label(bars, fmt=readable, fontsize=8, padding=2)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xticks(x, [COMPONENT_LABELS[p] for p in parts])
    ax.set(ylabel=ylabel, title=title)
    _legend(ax)
    return fig


@_styled
def markout_curves(curves: Mapping[str, pd.DataFrame], clock: str, title: str) -> Figure:
    """Average markout per unit against the horizon, one panel per side, a line (+/- 1.96 SE band) per strategy.

    Parameters
    ----------
    curves : mapping
        Strategy name -> :func:`analytics.markouts.markout_curve`.
    """
    fig = _figure(4.2)
    axes = fig.subplots(1, 2, sharey=True)
    sides = (("bid", "bid fills (we bought)"), ("ask", "ask fills (we sold)"))
    positive = [h for c in curves.values() for h in c["horizon"] if h > 0]
    for ax, (side, label) in zip(axes, sides):
        for i, (name, curve) in enumerate(curves.items()):
            part = curve[curve["side"] == side].sort_values("horizon")
            h, mean, se = part["horizon"].to_numpy(), part["mean"].to_numpy(), part["se"].to_numpy()
            ax.plot(h, mean, marker="o", markersize=4, color=colour(i), label=name)
            if np.isfinite(se).any():
                ax.fill_between(h, mean - 1.96 * se, mean + 1.96 * se, color=colour(i), alpha=0.15, linewidth=0)
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        if positive:
            # Horizons span decades; symlog keeps h = 0 on the axis. Ticks at the horizons measured.
            ax.set_xscale("symlog", linthresh=min(positive), linscale=0.5)
            ticks = sorted({0.0, *positive})
            ax.set_xticks(ticks, [f"{h:g}" for h in ticks])
            ax.set_xticks([], minor=True)
            ax.set_xlim(0.0, max(positive) * 1.15)
        ax.set_title(label, loc="left")
        ax.set_xlabel(horizon_label(clock))
    axes[0].set_ylabel("mid move against us per unit (currency units)")
    _legend(axes[0])
    fig.suptitle(title)
    return fig


@_styled
def equity_curve(series: Mapping[str, tuple[np.ndarray, np.ndarray]], clock: str, title: str) -> Figure:
    """Mark-to-market P&L against time for one path per strategy.

    Parameters
    ----------
    series : mapping
        Strategy name -> ``(times, pnl)``.
    """
    fig = _figure(4.2)
    ax = fig.subplots()
    for i, (name, (t, pnl)) in enumerate(series.items()):
        ax.step(t, pnl, where="post", color=colour(i), linewidth=1.3, label=name)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set(ylabel="mark-to-market P&L (currency units)", title=title)
    times = [np.asarray(t) for t, _ in series.values() if len(t)]
    if times:
        set_time_axis(ax, clock, min(t.min() for t in times), max(t.max() for t in times))
    _legend(ax)
    return fig


@_styled
def calibration_fit(title: str, depth: np.ndarray, rate: np.ndarray, curves: Mapping[str, np.ndarray],
                    check: pd.DataFrame, tolerance: float, window_s: float, verdict: str) -> Figure:
    """The fit of a calibration, in two panels.

    Parameters
    ----------
    depth, rate : ndarray
        Depths from the mid (price units) and the empirical rate of orders reaching each, per second per side.
    curves : mapping
        Label -> fitted rate at ``depth``, drawn solid, dashed, dotted, in order.
    check : DataFrame
        The fit check's table: ``depth``, ``empirical``, ``predicted``, ``checked``.
    tolerance, window_s : float
        The check's relative tolerance and window (seconds).
    verdict : str
        The check's verdict, for the right panel's title.
    """
    fig = _figure(4.2, 11.0)
    left, right = fig.subplots(1, 2)
    seen = rate > 0
    left.semilogy(depth[seen], rate[seen], "o", markersize=3, color="0.3", label="empirical")
    for i, (label, fitted) in enumerate(curves.items()):
        left.semilogy(depth, fitted, ("-", "--", ":")[i % 3], color=colour(i), label=label)
    left.set_ylim(bottom=max(rate[seen].min() * 0.3, 1e-8))
    left.set(xlabel="depth from the mid (price units)", ylabel="orders reaching the depth, per second per side",
             title=f"{title}: fill rate by depth")
    _legend(left)

    checked = check["checked"].to_numpy()
    right.semilogy(check["depth"], check["empirical"], "o", markersize=3, color="0.3", label="empirical")
    right.semilogy(check["depth"], check["predicted"], "-", color=colour(0), label="MLE prediction")
    band = np.where(checked, check["predicted"], np.nan)
    right.fill_between(check["depth"], band * (1 - tolerance), band * (1 + tolerance), color=colour(0), alpha=0.15,
                       linewidth=0, label=f"checked depths, +/-{tolerance:.0%}")
    right.set(xlabel="depth from the mid (price units)", ylabel=f"P(fill within {window_s:g} s)",
              title=f"fit check: {verdict}")
    _legend(right)
    return fig


@_styled
def quote_fill_rates(title: str, panels: Mapping[str, tuple[pd.DataFrame, np.ndarray, str]]) -> Figure:
    """Fill rates of hypothetical quotes by offset, observed (with 2-SE bars) against the fitted exponential, one
    log-scale panel each.

    Parameters
    ----------
    panels : mapping
        Panel title -> (level table with ``offset``, ``rate``, ``se``; the fitted rate at those offsets; the
        x-axis label).
    """
    fig = _figure(4.2, 11.0)
    for ax, (name, (levels, fitted, xlabel)) in zip(fig.subplots(1, len(panels)), panels.items()):
        ax.errorbar(levels["offset"], levels["rate"], yerr=2 * levels["se"], fmt="o", markersize=3, color="0.3",
                    label="observed (2 SE, clustered)")
        ax.semilogy(levels["offset"], fitted, "-", color=colour(0), label="A exp(-k x)")
        ax.set(xlabel=xlabel, ylabel="fill events per second per side", title=f"{title}: {name}")
        ax.legend()
    return fig


def tick_text(value) -> str:
    """A grid value as an axis label: floats compactly (%g), anything else as is."""
    return f"{value:g}" if isinstance(value, float) else str(value)


@_styled
def heatmaps(panels: Mapping[str, pd.DataFrame], xlabel: str, ylabel: str, title: str) -> Figure:
    """Metrics over two grid axes, one panel each: every DataFrame indexed by the y axis' values (drawn bottom to
    top) with the x axis' values as columns, drawn as coloured cells (each panel its own colour scale) with the
    value written in each cell (a missing value is left blank).

    Parameters
    ----------
    panels : mapping
        Panel title (the metric) -> its values over the grid.
    xlabel, ylabel, title : str
        Axis labels (the grid parameters) and the figure's title.
    """
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    first = next(iter(panels.values()))
    height = 0.9 + rows * (0.9 + 0.32 * max(2, first.shape[0]))
    fig = _figure(height)
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax, (name, values) in zip(axes, panels.items()):
        data = values.to_numpy(dtype=float)
        finite = data[np.isfinite(data)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        image = ax.imshow(np.ma.masked_invalid(data), origin="lower", aspect="auto", cmap="viridis", vmin=lo,
                          vmax=hi)
        ax.grid(False)
        ax.set_xticks(range(data.shape[1]), [tick_text(v) for v in values.columns])
        ax.set_yticks(range(data.shape[0]), [tick_text(v) for v in values.index])
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):  # dark text on the light (high) end of viridis, light text on the dark end
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                        color="black" if v > 0.5 * (lo + hi) else "white")
        fig.colorbar(image, ax=ax)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=name)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


@_styled
def frontier(panels: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, bool]]], xlabels:
             Sequence[str], title: str) -> Figure:
    """Mean P&L against risk measures: one row of panels per day, one panel per risk measure.

    Parameters
    ----------
    panels : mapping
        Row title -> strategy name -> ``(x per measure (2-D: measures x points), y, labels, curve)``: the points
        of one strategy (``labels`` annotate them), joined by a line when ``curve``.
    xlabels : sequence of str
        The risk measures' axis labels (with units).
    title : str
        Figure title.
    """
    rows = max(len(panels), 1)
    fig = _figure(3.2 * rows + 0.6)
    axes = fig.subplots(rows, len(xlabels), squeeze=False)
    for r, (row_title, strategies) in enumerate(panels.items()):
        for c, xlabel in enumerate(xlabels):
            ax = axes[r, c]
            for i, (name, (xs, y, labels, curve)) in enumerate(strategies.items()):
                x = np.asarray(xs[c], dtype=float)
                ax.plot(x, y, marker="o" if curve else "s", linestyle="-" if curve else "none", color=colour(i),
                        label=name, markersize=5)
                for xi, yi, text in zip(x, y, labels):
                    ax.annotate(text, (xi, yi), textcoords="offset points", xytext=(4, 3), fontsize=7,
                                color=colour(i))
            if (np.asarray([v for s in strategies.values() for v in np.ravel(s[0][c])]) > 0).all():
                ax.set_xscale("log")
            ax.set(xlabel=xlabel, ylabel="P&L over the traded session (currency units)")
            ax.set_title(row_title, loc="left")
    _legend(axes[0, 0], fontsize=7)
    fig.suptitle(title)
    return fig


@_styled
def interval_bars(groups: Mapping[str, Mapping[str, tuple[float, float, float]]], ylabel: str, title: str) -> Figure:
    """Grouped bars with 95% intervals: one group per key of ``groups`` (a regime), one bar per strategy.

    Parameters
    ----------
    groups : mapping
        Group -> strategy -> ``(value, low, high)``.
    ylabel, title : str
        Axis label (with units) and title.
    """
    fig = _figure(4.0)
    ax = fig.subplots()
    names = list(dict.fromkeys(s for g in groups.values() for s in g))
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        x = np.arange(len(groups)) + (i - (len(names) - 1) / 2) * width
        values = np.array([groups[g].get(name, (np.nan,) * 3) for g in groups], dtype=float).reshape(-1, 3)
        err = np.abs(np.vstack([values[:, 0] - values[:, 1], values[:, 2] - values[:, 0]]))
        ax.bar(x, values[:, 0], width, color=colour(i), label=name, yerr=err, capsize=3,
               error_kw={"linewidth": 1.0})
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xticks(np.arange(len(groups)), list(groups))
    ax.set(ylabel=ylabel, title=title)
    _legend(ax, fontsize=7)
    return fig
