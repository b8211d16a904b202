"""The run report: every analysis of a run's ledgers in one self-contained ``report.html`` (images embedded).

:func:`build_report` takes generic inputs, a list of ``(strategy name, Ledger)`` and the kind of clock, so the
synthetic Monte Carlo (``mmsim run``: many short paths, abstract time) and a replay (one long path, seconds) share
it. :func:`rebuild_report` makes the same file again from a results folder saved on disk.

A results folder holds ``summary.json`` and one sub-folder per strategy with the ledger's parquet files
(:meth:`engine.Ledger.save`). ``summary.json`` is read for ``rows[*].strategy`` (the strategies, in order),
``config`` (shown in the report) and ``report``, the options of :func:`build_report` (:func:`report_options`).
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from analytics import plots
from analytics.attribution import COMPONENTS, attribute, attribution_summary
from analytics.markouts import DEFAULT_HORIZONS, adverse_selection_cost, check_horizons, markout_curve, markouts
from analytics.metrics import path_metrics, summarize
from analytics.risk import REAL_INTERVAL_S, check_clock, inventory_distribution, path_risk, pnl_grid, risk_summary
from analytics.series import inventory_steps
from engine import ConfigError, DataError, Ledger
from engine.ledger import write_atomic
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

REPORT_FILE = "report.html"
SUMMARY_FILE = "summary.json"
#: Figures in every report, by id, in order; a real-time clock adds the equity curve.
FIGURES = {
    "synthetic": ("pnl-distribution", "inventory-paths", "inventory-histogram", "quotes-vs-mid", "attribution",
                  "markouts"),
    "real": ("equity-curve", "position", "pnl-distribution", "inventory-histogram", "quotes-vs-mid",
             "attribution", "markouts"),
}
#: Paths drawn in the inventory figure of a synthetic run, and the window of the quotes figure on a real clock.
INVENTORY_PATHS_SHOWN = 4
QUOTE_WINDOW_S = 300.0


def cost_column(horizon: float) -> str:
    """Name of the adverse-selection cost column at ``horizon`` in :attr:`Analysis.per_path`."""
    return f"adverse_cost_{horizon:g}"


@attrs.frozen
class Analysis:
    """Everything computed for one strategy's ledger.

    Attributes
    ----------
    name : str
        Strategy name.
    ledger : Ledger
        Its tables.
    per_path : DataFrame
        Indexed by path: :func:`analytics.path_metrics`, :func:`analytics.risk.path_risk`, the attribution
        components and residual, and the adverse-selection cost at each horizon (:func:`cost_column`).
    attribution : DataFrame
        :func:`analytics.attribution.attribution_summary`.
    markouts : DataFrame
        :func:`analytics.markouts.markouts`, one row per fill.
    curve : DataFrame
        :func:`analytics.markouts.markout_curve`.
    summary : dict
        One row of the report's tables: :func:`analytics.summarize`, :func:`analytics.risk.risk_summary`,
        ``pnl_se``, the mean of each attribution component and of each adverse-selection cost.
    """

    name: str
    ledger: Ledger
    per_path: pd.DataFrame
    attribution: pd.DataFrame
    markouts: pd.DataFrame
    curve: pd.DataFrame
    summary: dict


def analyse(name: str, ledger: Ledger, *, clock: str = "synthetic", cap: float | None = None,
            horizons: Sequence[float] | None = None, interval: float | None = None) -> Analysis:
    """Compute every metric of the report for one strategy.

    Parameters
    ----------
    name : str
        Strategy name.
    ledger : Ledger
        Its tables.
    clock : {"synthetic", "real"}
        Kind of clock (see :mod:`analytics.risk`).
    cap : float, optional
        Inventory limit for the time-at-cap metric.
    horizons : sequence of float, optional
        Markout horizons (default :data:`analytics.markouts.DEFAULT_HORIZONS` of the clock).
    interval : float, optional
        Sampling interval of the P&L time series (default :func:`analytics.risk.default_interval`).

    Returns
    -------
    Analysis
    """
    check_clock(clock)
    horizons = check_horizons(DEFAULT_HORIZONS[clock] if horizons is None else horizons)
    metrics = path_metrics(ledger)
    attribution = attribute(ledger)
    marked = markouts(ledger, horizons)
    cost = adverse_selection_cost(marked, metrics.index)
    cost.columns = [cost_column(h) for h in cost.columns]
    per_path = (metrics.join(path_risk(ledger, cap=cap, clock=clock, interval=interval))
                .join(attribution.drop(columns="pnl")).join(cost))
    table = attribution_summary(attribution)
    summary = {"strategy": name, **summarize(metrics), "pnl_se": float(table.loc["pnl", "se"]),
               **risk_summary(per_path), **{c: float(table.loc[c, "mean"]) for c in COMPONENTS},
               "residual_max": float(attribution["residual"].abs().max()),
               **{c: float(per_path[c].mean()) for c in cost.columns}}
    return Analysis(name, ledger, per_path, table, marked, markout_curve(marked), summary)


# -- figures -------------------------------------------------------------------------------------------------


def _step_arrays(steps: pd.DataFrame, ends: pd.Series, path: int) -> tuple[np.ndarray, np.ndarray]:
    """One path's inventory as step arrays that reach the path's end."""
    rows = steps[steps["path"] == path]
    t = np.append(rows["time"].to_numpy(), ends[path])
    q = rows["inventory"].to_numpy()
    return t, np.append(q, q[-1])


def _window(frame: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    """Rows with ``lo <= time <= hi``, plus the row in force at ``lo`` (moved to ``lo``) so steps start there."""
    before = frame[frame["time"] < lo].tail(1).assign(time=lo)
    return pd.concat([before, frame[(frame["time"] >= lo) & (frame["time"] <= hi)]])


def _quotes_figure(analysis: Analysis, clock: str):
    ledger = analysis.ledger
    path = int(ledger.marks["path"].iloc[0])
    marks, quotes, fills = (t[t["path"] == path] for t in (ledger.marks, ledger.quotes, ledger.fills))
    start, end = float(marks["time"].iloc[0]), float(marks["time"].iloc[-1])
    where = "the day" if clock == "real" else f"path {path}"  # a real clock's path is a replayed day
    if clock == "real" and end - start > QUOTE_WINDOW_S:
        middle = 0.5 * (start + end)
        lo, hi = middle - QUOTE_WINDOW_S / 2, middle + QUOTE_WINDOW_S / 2
        what = f"{QUOTE_WINDOW_S / 60:g} minutes in the middle of {where}"
    else:
        lo, hi = start, end
        what = where
    steps, _, ends = inventory_steps(ledger)
    t, q = _step_arrays(steps, ends, path)
    inventory = _window(pd.DataFrame({"time": t, "q": q}), lo, hi)
    fig = plots.quotes_vs_mid(_window(marks, lo, hi), _window(quotes, lo, hi),
                              fills[(fills["time"] >= lo) & (fills["time"] <= hi)],
                              (inventory["time"].to_numpy(), inventory["q"].to_numpy()), clock,
                              f"Quotes against the mid: {analysis.name}, {what}")
    return fig, (f"The mid, the bid and ask of {html.escape(analysis.name)} while they were live, and its fills "
                 f"({what}); the inventory below.")


def figures(analyses: Sequence[Analysis], clock: str, cap: float | None = None) -> dict[str, tuple]:
    """Every figure of the report for these analyses: ``{id: (Figure, caption)}`` in :data:`FIGURES` order."""
    check_clock(clock)
    out = {}
    if clock == "synthetic":
        samples = {a.name: a.per_path["pnl"].to_numpy() for a in analyses}
        out["pnl-distribution"] = (
            plots.pnl_distribution(samples, "final P&L per path (currency units)", "paths",
                                   "Distribution of the final P&L across paths"),
            "Final mark-to-market P&L of every path, per strategy (dashed: the mean).")
    else:
        samples = {a.name: np.concatenate([np.diff(m) for _, m in pnl_grid(a.ledger.marks, clock,
                                                                           REAL_INTERVAL_S).values()])
                   for a in analyses}
        out["pnl-distribution"] = (
            plots.pnl_distribution(samples, f"P&L change over {REAL_INTERVAL_S:g} s (currency units)",
                                   "intervals", f"Distribution of {REAL_INTERVAL_S:g}-second P&L changes"),
            f"Changes of the mark-to-market P&L over consecutive {REAL_INTERVAL_S:g}-second intervals.")
        series = {}
        for a in analyses:
            marks = a.ledger.marks
            first = marks[marks["path"] == marks["path"].iloc[0]]
            series[a.name] = (first["time"].to_numpy(), (first["mtm"] - first["mtm"].iloc[0]).to_numpy())
        out["equity-curve"] = (plots.equity_curve(series, clock, "Equity curve: mark-to-market P&L over the day"),
                               "Mark-to-market P&L (cash + inventory x mid) against clock time.")

    runs = {}
    for a in analyses:
        steps, _, ends = inventory_steps(a.ledger)
        shown = ends.index[:1 if clock == "real" else INVENTORY_PATHS_SHOWN]
        runs[a.name] = [_step_arrays(steps, ends, p) for p in shown]
    key = "position" if clock == "real" else "inventory-paths"
    title = "Position over the day" if clock == "real" else "Inventory on the first paths (same markets for all)"
    out[key] = (plots.inventory_paths(runs, clock, title, cap),
                "Inventory against time" + (" over the day." if clock == "real" else
                                           f" on the first {INVENTORY_PATHS_SHOWN} paths, which every strategy "
                                           "meets with the same random numbers."))
    shares = {a.name: inventory_distribution(a.ledger) for a in analyses}
    out["inventory-histogram"] = (plots.inventory_histogram(shares, "Time spent at each inventory level"),
                                  "Share of time at each inventory level, pooled over paths.")
    out["quotes-vs-mid"] = _quotes_figure(analyses[0], clock)
    per = "over the day" if clock == "real" else "mean per path"
    out["attribution"] = (
        plots.attribution_bars({a.name: a.attribution for a in analyses}, f"P&L, {per} (currency units)",
                               "Where the P&L came from"),
        "Spread capture (edge against the mid at each fill), inventory P&L (inventory x mid changes) and fees "
        "add up to the P&L." + ("" if clock == "real" else " Error bars: 95% confidence intervals."))
    out["markouts"] = (plots.markout_curves({a.name: a.curve for a in analyses}, clock,
                                            "Markouts: mid move after our fills, against us"),
                       "Average move of the mid against us after a fill, per unit, by side (band: 95% "
                       "confidence interval). Positive: adverse selection.")
    return {k: out[k] for k in FIGURES[clock]}


# -- HTML ----------------------------------------------------------------------------------------------------


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, (int, np.integer)):
        return str(value)
    x = float(value)
    if np.isnan(x):
        return "&ndash;"
    if np.isinf(x):
        return "&infin;" if x > 0 else "-&infin;"
    return plots.readable(x, digits)


def _pm(mean: float, se: float) -> str:
    if se is None or not np.isfinite(se):
        return _fmt(mean)
    return f"{_fmt(mean)} &plusmn; {_fmt(1.96 * se, 2)}"


def _se(value: float, se: float) -> str:
    """``value ± one standard error``."""
    if se is None or not np.isfinite(se):
        return _fmt(value)
    return f"{_fmt(value)} &plusmn; {_fmt(se, 2)}"


def _sortino(value: float) -> str:
    """The Sortino ratio; infinite only when no path lost, which is what it then says."""
    return "n/a, no losing path" if value == np.inf else _fmt(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tables(analyses: Sequence[Analysis], clock: str, horizons: Sequence[float], cap: float | None) -> str:
    s = [a.summary for a in analyses]
    name = [html.escape(a.name) for a in analyses]
    ts = "Sharpe, time series (annualised)" if clock == "real" else "Sharpe, time series (per path)"
    ts += " &plusmn; SE"
    parts = ["<h2>Performance</h2>", _table(
        ["strategy", "paths", "P&amp;L mean &plusmn; 95% CI", "P&amp;L std", "Sharpe across paths",
         "Sortino across paths", ts, "max drawdown (mean)", "fills per path", "fill ratio", "turnover per path"],
        [[n, _fmt(r["paths"]), _pm(r["pnl_mean"], r["pnl_se"]), _fmt(r["pnl_std"]), _fmt(r["sharpe"]),
          _sortino(r["sortino"]), _se(r["ts_sharpe"], r["ts_sharpe_se"]), _fmt(r["max_drawdown"]),
          _fmt(r["fills_mean"]), _fmt(r["fill_ratio"]), _fmt(r["turnover"])] for n, r in zip(name, s)])]
    cap_head = f"time at |q| &ge; {cap:g}" if cap is not None else "time at cap"
    parts += ["<h2>Inventory risk</h2>", _table(
        ["strategy", "variance of final q (across paths)", "time-averaged variance of q", "mean of final q",
         cap_head],
        [[n, _fmt(r["inventory_var_final"]), _fmt(r["inventory_var_time"]), _fmt(r["final_q_mean"]),
          "&ndash;" if cap is None else f"{100 * r['time_at_cap']:.3g}%"] for n, r in zip(name, s)])]
    rows = []
    for n, a in zip(name, analyses):
        t = a.attribution
        rows.append([n, *(_pm(t.loc[c, "mean"], t.loc[c, "se"]) for c in (*COMPONENTS, "pnl")),
                     _fmt(a.summary["residual_max"], 2)])
    per = "over the day" if clock == "real" else "mean per path &plusmn; 95% CI"
    parts += [f"<h2>P&amp;L attribution ({per})</h2>", _table(
        ["strategy", "spread capture", "inventory P&amp;L", "fees", "P&amp;L", "largest |residual|"], rows)]
    unit = "s" if clock == "real" else ""
    hs = [f"{h:g}{unit}" for h in horizons]
    curve_rows = []
    for n, a in zip(name, analyses):
        c = a.curve[a.curve["side"] == "all"].set_index("horizon")
        curve_rows.append([n, "per unit (mean)", *(_pm(c.loc[h, "mean"], c.loc[h, "se"]) for h in horizons)])
        curve_rows.append([n, "cost per path", *(_fmt(a.summary[cost_column(h)]) for h in horizons)])
    parts += ["<h2>Adverse selection (markouts: mid move against us after each fill)</h2>",
              _table(["strategy", "measure", *(f"h = {h}" for h in hs)], curve_rows)]
    return "\n".join(parts)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1080px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.55em; }
td { text-align: right; } td:first-child { text-align: left; } th { background: #f4f4f4; }
figure { margin: 1.4em 0; } figure img { max-width: 100%; } figcaption { font-size: 0.9em; color: #555; }
.note { font-size: 0.85em; color: #555; }
"""


def render_html(analyses: Sequence[Analysis], figs: Mapping[str, tuple], *, clock: str, title: str,
                horizons: Sequence[float], cap: float | None = None, config: Mapping | None = None,
                progress: Callable[[int], None] | None = None) -> str:
    """The report page: tables, then the figures as embedded PNG images (``progress(figures drawn)`` after
    each), then the run's configuration."""
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p class='note'>Clock: {'real time (seconds)' if clock == 'real' else 'synthetic time units'}; "
            f"strategies: {', '.join(html.escape(a.name) for a in analyses)}. Definitions of every figure: "
            "docs/analytics.md.</p>",
            _tables(analyses, clock, horizons, cap), "<h2>Figures</h2>"]
    return _page(title, body, figs, config, progress)


def _page(title: str, body: list[str], figs: Mapping[str, tuple], config: Mapping | None,
          progress: Callable[[int], None] | None = None) -> str:
    """The HTML page: ``body``, then the figures as embedded PNG images, then the configuration."""
    body = list(body)
    for drawn, (key, (fig, caption)) in enumerate(figs.items(), 1):
        data = base64.b64encode(plots.png_bytes(fig)).decode("ascii")
        body.append(f"<figure id='fig-{key}'><img alt='{key}' src='data:image/png;base64,{data}'>"
                    f"<figcaption>{caption}</figcaption></figure>")
        if progress is not None:
            progress(drawn)
    if config:
        rows = [[html.escape(str(k)), html.escape(json.dumps(v))] for k, v in config.items()]
        body += ["<h2>Configuration</h2>", _table(["option", "value"], rows)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def report_options(clock: str = "synthetic", cap: float | None = None, title: str | None = None,
                   horizons: Sequence[float] | None = None, interval: float | None = None) -> dict:
    """The ``report`` entry of ``summary.json``: the options :func:`rebuild_report` passes to
    :func:`build_report`."""
    return {"clock": check_clock(clock), "cap": cap, "title": title,
            "horizons": None if horizons is None else list(check_horizons(horizons)), "interval": interval}


def build_report(results: Sequence[tuple[str, Ledger]], out_dir: str | os.PathLike, *, clock: str = "synthetic",
                 cap: float | None = None, title: str | None = None, config: Mapping | None = None,
                 horizons: Sequence[float] | None = None, interval: float | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Analyse each strategy's ledger and write ``report.html`` into ``out_dir`` (atomically).

    Parameters
    ----------
    results : sequence of (str, Ledger)
        Strategy name and its ledger, in display order.
    out_dir : path
        Existing folder to write into.
    clock : {"synthetic", "real"}
        ``"synthetic"``: many short paths in the synthetic market's time unit; ``"real"``: seconds, typically
        one long path (a replayed day): the report adds the equity curve and shows the position over the day.
    cap : float, optional
        Inventory limit for the time-at-cap metric and the inventory figure.
    title : str, optional
        Page title.
    config : mapping, optional
        Options of the run, listed at the end.
    horizons, interval
        As for :func:`analyse`.
    progress : callable, optional
        Called with ``(steps done, steps in all)`` as the report is built: a step per strategy analysed and per
        figure drawn (for a progress bar).

    Returns
    -------
    Path
        The report file.

    Raises
    ------
    ConfigError
        If ``results`` is empty, a name repeats or an option is invalid.
    """
    check_clock(clock)
    if not results:
        raise ConfigError("build_report needs at least one (name, ledger) pair")
    names = [name for name, _ in results]
    if len(set(names)) != len(names):
        raise ConfigError(f"strategy names must be unique, got {names!r}")
    horizons = check_horizons(DEFAULT_HORIZONS[clock] if horizons is None else horizons)
    steps = len(results) + len(FIGURES[clock])
    tick = (lambda done: progress(done, steps)) if progress is not None else None
    analyses = []
    for name, ledger in results:
        analyses.append(analyse(name, ledger, clock=clock, cap=cap, horizons=horizons, interval=interval))
        if tick is not None:
            tick(len(analyses))
    figs = figures(analyses, clock, cap)
    text = render_html(analyses, figs, clock=clock, title=title or "mmsim report", horizons=horizons, cap=cap,
                       config=config,
                       progress=None if tick is None else lambda drawn: tick(len(results) + drawn))
    path = Path(out_dir) / REPORT_FILE
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path


def load_results(directory: str | os.PathLike) -> tuple[list[tuple[str, Ledger]], dict, dict]:
    """Read a results folder: the ``(name, Ledger)`` pairs, the report options and the run's config.

    Raises
    ------
    DataError
        If ``summary.json`` is missing, unreadable or names no strategy, or a ledger file is missing.
    """
    directory = Path(directory)
    summary_path = directory / SUMMARY_FILE
    if not summary_path.is_file():
        raise DataError(f"{summary_path}: missing (is {str(directory)!r} a folder written by mmsim run?)")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{summary_path}: not readable JSON ({exc})") from None
    rows = summary.get("rows") if isinstance(summary, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) and "strategy" in r for r in rows):
        raise DataError(f"{summary_path}: expected a non-empty 'rows' list whose entries name a 'strategy'")
    options = summary.get("report") or {}
    if not isinstance(options, dict):
        raise DataError(f"{summary_path}: 'report' must be an object")
    for key, kind in _SAVED_OPTIONS.items():
        value = options.get(key)
        if value is not None and not _is(value, kind):
            raise DataError(f"{summary_path}: 'report' field {key!r} is {value!r}: expected {kind}")
    config = summary.get("config") or {}
    if not isinstance(config, dict):
        raise DataError(f"{summary_path}: 'config' must be an object")
    # A large run's report is drawn from its first paths ("paths"): read only those.
    results = [(str(r["strategy"]), Ledger.load(directory / str(r["strategy"]), paths=options.get("paths")))
               for r in rows]
    return results, options, config


#: The report options summary.json may hold, and what each must be (any may be null). ``paths``: the report is
#: drawn from that many first paths (a large run's), so only those are read.
_SAVED_OPTIONS = {"clock": "text", "title": "text", "cap": "a number", "interval": "a number",
                  "horizons": "a list of numbers", "paths": "a whole number"}


def _is(value, kind: str) -> bool:
    """Whether a value read from JSON is ``kind``: text, a number (not a boolean) or a list of numbers."""
    if kind == "a list of numbers":
        return isinstance(value, list) and all(_is(v, "a number") for v in value)
    if kind == "a number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "a whole number":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return isinstance(value, str)


def rebuild_report(directory: str | os.PathLike, progress: Callable[[int, int], None] | None = None) -> Path:
    """Write ``report.html`` again from the results saved in ``directory`` (see the module notes); ``progress``
    as for :func:`build_report`.

    Raises
    ------
    DataError
        As for :func:`load_results`.
    """
    results, options, config = load_results(directory)
    try:
        return build_report(results, directory, config=config, progress=progress,
                            **{k: v for k, v in options.items() if k in _SAVED_OPTIONS and k != "paths"})
    except ConfigError as exc:  # saved options out of range (a clock that is not one), a ledger without marks
        raise DataError(f"{directory}: {exc}", params=exc.params) from None


#: Metrics drawn as heatmaps in a sweep report.
SWEEP_HEATMAPS = ("pnl_mean", "pnl_std", "sharpe", "mean_q2", "fills_mean", "avg_spread")
#: At most this many slices of the grid's further axes get their own figure.
SWEEP_SLICES_SHOWN = 6


def build_sweep_report(table: pd.DataFrame, names: Sequence[str], out_dir: str | os.PathLike, *,
                       title: str = "mmsim sweep", config: Mapping | None = None) -> Path:
    """Write ``report.html`` for a sweep table (one row per cell, as ``mmsim sweep`` writes it).

    One figure per combination of the further axes' values (the first :data:`SWEEP_SLICES_SHOWN`), with a heatmap
    of each metric of :data:`SWEEP_HEATMAPS` over the first two grid axes (x the first, y the second; a one-axis
    grid gives a single row); then the whole table.

    Parameters
    ----------
    table : DataFrame
        The sweep table: the grid's parameter columns and the metric columns.
    names : sequence of str
        The grid's parameter names, in axis order.
    out_dir : path
        Existing folder to write into.
    title : str
        Page title.
    config : mapping, optional
        Options of the sweep, listed at the end.

    Returns
    -------
    Path
        The report file.
    """
    names = list(names)
    x, y, rest = names[0], (names[1] if len(names) > 1 else None), names[2:]
    slices = list(table.groupby(rest, sort=False)) if rest else [((), table)]
    figs = {}
    for n, (key, part) in enumerate(slices[:SWEEP_SLICES_SHOWN]):
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{r} = {plots.tick_text(v)}" for r, v in zip(rest, key))
        panels = {metric: (part.pivot(index=y, columns=x, values=metric) if y is not None
                           else part.set_index(x)[[metric]].T.rename(index={metric: ""}))
                  for metric in SWEEP_HEATMAPS}
        caption = (f"Each cell's mean P&amp;L, its standard deviation, Sharpe across paths, time-averaged q^2, "
                   f"fills per path and average quoted spread{' at ' + html.escape(where) if where else ''}.")
        figs[f"heatmaps-{n}"] = (plots.heatmaps(panels, x, y or "", where or title), caption)
    note = (f"<p class='note'>{len(table)} cells; heatmaps of the first {SWEEP_SLICES_SHOWN} of {len(slices)} "
            f"slices.</p>" if len(slices) > SWEEP_SLICES_SHOWN else f"<p class='note'>{len(table)} cells.</p>")
    rows = [[_fmt(v) if not isinstance(v, str) else html.escape(v) for v in r] for r in table.itertuples(index=False)]
    body = [f"<h1>{html.escape(title)}</h1>", note, "<h2>Cells</h2>", _table(list(table.columns), rows),
            "<h2>Heatmaps</h2>"]
    text = _page(title, body, figs, config)
    path = Path(out_dir) / REPORT_FILE
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path
