"""``mmsim calibrate``: A, k, impact and sigma from a day of tick data, measured on what resting quotes
experience (the replay's fill rule), with an out-of-sample fit check and, with ``--loop``, the
calibrate-simulate-replay table."""

from __future__ import annotations

import json
import sys
import time

from analytics import Calibration, calibrate, load_calibration
from analytics.calibration import in_memory
from analytics.plots import clock_text
from analytics.quote_fills import fill_rule
from analytics.calibration_loop import LOOP_FACTOR, loop_spreads, loop_table, markdown
from engine import ConfigError
from mmsim.arguments import positive_float, positive_int
from mmsim.cmd_replay import add_fill_arguments, check_data_options, fill_model_for, queue_for
from mmsim.output import add_force_argument, check_out_dir, json_safe, staged_out_dir, write_json
from mmsim.progress import source_progress
from mmsim.tick_inputs import add_tick_arguments, open_tick_source, print_warnings

CALIBRATION_FILE = "calibration.json"
PLOT_FILE = "calibration_fit.png"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="estimate A, k, impact and sigma from tick data",
        description="Measure the fill intensity of resting quotes by replaying hypothetical quotes through the "
                    "replay's fill rule (pegged behind the touch: depth alone; pegged to the mid: the "
                    "Avellaneda-Stoikov delta), fit A exp(-k delta) by maximum likelihood with standard errors "
                    "clustered in time, measure the price impact of the market orders that fill quotes and sigma "
                    "by realised volatility, and check the fit out of sample. Give a LOBSTER message file, or "
                    "--quotes and --trades. The fill rule and the data it replays are mmsim replay's, with the "
                    "same defaults: a LOBSTER file of level 2 and deeper replays with the full book and the "
                    "exact queue (--queue l3).")
    add_tick_arguments(p)
    add_fill_arguments(p)
    p.add_argument("--window-s", type=positive_float, default=1.0,
                   help="decision interval: hypothetical quotes are re-pegged this often, seconds (default 1; use "
                        "the requote interval of the strategy the calibration is for)")
    p.add_argument("--fit-until", default="0.5", metavar="HH:MM|FRACTION",
                   help="the fit check fits on the data before this time (or fraction of the session) and checks "
                        "on the rest (default 0.5)")
    p.add_argument("--tick-size", type=positive_float, default=None,
                   help="price grid step (default: inferred from the quotes)")
    p.add_argument("--touch-levels", type=positive_int, default=7,
                   help="depths measured behind the touch: 0 .. N-1 ticks (default 7, at least 6)")
    p.add_argument("--order-size", type=positive_float, default=100.0,
                   help="size of each hypothetical quote, shares (default 100, as mmsim replay)")
    p.add_argument("--block-s", type=positive_float, default=300.0,
                   help="time blocks the standard errors are clustered by, seconds (default 300)")
    p.add_argument("--sigma-interval-s", type=positive_float, default=10.0,
                   help="sampling interval of the mid for realised volatility, seconds (default 10)")
    p.add_argument("--ewma-halflife-s", type=positive_float, default=1800.0,
                   help="half-life of the EWMA volatility, seconds (default 1800)")
    p.add_argument("--tolerance", type=positive_float, default=0.25,
                   help="relative error the fit check allows (default 0.25)")
    p.add_argument("--loop", action="store_true",
                   help="also run the calibrate-simulate-replay loop: the naive strategy at total spreads from "
                        "the median quoted spread to twice it, replayed and in the calibrated synthetic market")
    p.add_argument("--loop-paths", type=positive_int, default=4,
                   help="synthetic paths of one hour each for --loop (default 4)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"write {CALIBRATION_FILE} (for mmsim run and mmsim replay --calibration) and {PLOT_FILE} "
                        "into DIR")
    add_force_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of the table")
    p.set_defaults(handler=run)


def run(args) -> int:
    start = time.perf_counter()
    if args.out is not None:
        check_out_dir(args.out, args.force)  # refuse a file as --out before the work, but create nothing yet
    check_data_options(args)
    source = open_tick_source(args)
    fit_until = args.fit_until if ":" in args.fit_until else _fraction(args.fit_until)
    with source_progress(source, "mmsim calibrate") as counted:
        data = in_memory(counted)  # read once: calibrate and the loop replay it many times
    queue, levels, _ = queue_for(args)  # after the read: a bad message file is named first

    def replay(tick: float):
        """What the hypothetical quotes replay on and by: the replay's own choice for these options."""
        replayed, fill_model = fill_model_for(args, data, tick, queue, levels)
        return replayed, fill_model, fill_rule(queue, levels, args.post_only)

    result = calibrate(data, window_s=args.window_s, tick_size=args.tick_size, fit_until=fit_until,
                       touch_levels=args.touch_levels, order_size=args.order_size, block_s=args.block_s,
                       sigma_interval_s=args.sigma_interval_s, ewma_halflife_s=args.ewma_halflife_s,
                       tolerance=args.tolerance, replay=replay)
    report = {"command": "calibrate", **result.to_dict(), "files": list(source.files),
              "warnings": print_warnings("calibrate", source)}
    loop = None
    if args.loop:
        params = result.parameters()
        replayed, fill_model, _ = replay(params.tick_size)
        loop = loop_table(replayed, params, loop_spreads(params.median_spread, params.tick_size),
                          window_s=args.window_s, s0=result.summary["first_mid"], paths=args.loop_paths,
                          fill_model=fill_model)
        report["loop"] = {"factor": LOOP_FACTOR, "passed": bool(loop["ok"].all()),
                          "rows": loop.to_dict(orient="records")}
    if args.out is not None:
        with staged_out_dir(args.out, "calibrate", args.force) as stage:  # only now, staged: all or nothing
            result.write_plot(stage / PLOT_FILE)
            report["out"] = str(stage.parent)
            report["wall_s"] = round(time.perf_counter() - start, 3)
            write_json(stage / CALIBRATION_FILE, report)
    else:
        report["wall_s"] = round(time.perf_counter() - start, 3)
    if args.json:
        json.dump(json_safe(report), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(table(result, report["wall_s"], args.out, loop))
    return 0


def _fraction(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"--fit-until {text}: expected HH:MM or a fraction in (0, 1)") from None


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def table(result: Calibration, wall_s: float, out: str | None, loop=None) -> str:
    """The report printed by default (with the loop table when ``loop`` is given)."""
    s, q, t, sig = result.summary, result.quote, result.touch, result.sigma
    mo = result.market_orders

    def row(name, value, se, se_poisson, ci, unit):
        poisson = f"{se_poisson:>9.3g}" if se_poisson is not None else f"{'':>9}"
        return f"{name:<9}{value:>10.4g} {se:>9.3g} {poisson}  [{ci[0]:.4g}, {ci[1]:.4g}]".ljust(62) + unit

    lines = [
        f"mmsim calibrate: {result.name}: {s['duration_s']:,.0f} s, {s['trades']:,} trades, tick {s['tick_size']:g}, "
        f"median spread {s['median_spread']:.4g}, window {s['window_s']:g} s, hypothetical quotes of "
        f"{s['order_size']:g} by the replay's fill rule",
        f"{'':<9}{'estimate':>10} {'SE':>9} {'Poisson':>9}  95% CI (clustered SE, {s['block_s']:g} s blocks)",
        row("A", q.A, q.A_se, q.A_se_poisson, q.A_ci95, "per s per side, delta from the mid (A-S)"),
        row("k", q.k, q.k_se, q.k_se_poisson, q.k_ci95, "per price unit, delta from the mid (A-S)"),
        row("A_touch", t.A, t.A_se, t.A_se_poisson, t.A_ci95, "per s per side, at the touch"),
        row("k_touch", t.k, t.k_se, t.k_se_poisson, t.k_ci95, "per price unit behind the touch (depth alone)"),
        row("impact", result.impact, result.impact_se, None,
            (result.impact - 1.96 * result.impact_se, result.impact + 1.96 * result.impact_se),
            f"mid move {s['horizon_s']:g} s after a fill, price units"),
        row("sigma", sig.sigma, sig.se_robust, None, result.sigma_ci95,
            f"price per sqrt(s) (robust SE; Gaussian {sig.se:.2g}; EWMA {result.sigma_ewma.sigma:.4g})"),
        "fill events per second per side, observed (clustered SE) and fitted:",
    ]
    for label, fit, name in (("touch", t, "behind the touch"), ("quote", q, "from the mid")):
        levels = result.levels[label]
        cells = "  ".join(f"{r.offset:.2f}: {r.rate:.3g} ({r.se:.2g}) {float(fit.rate(r.offset)):.3g}"
                          for r in levels.itertuples())
        lines.append(f"  {name:<17}{cells}")
    touch_obs, touch_fit = float(result.levels["touch"]["rate"].iloc[0]), t.A
    if abs(touch_fit / touch_obs - 1.0) > 0.1:
        lines.append(f"  the exponential law misses the touch itself: observed {touch_obs:.3g}, fitted {touch_fit:.3g} "
                     f"per s per side (see the per-level rates above)")
    lines.append("by side, A and k: " + "; ".join(
        f"{name} {side} {fit.A:.3g}, {fit.k:.3g}" for label, name in (("touch", "touch"), ("quote", "A-S"))
        for side, fit in zip(("bid", "ask"), result.sides[label])))
    sanity = result.sanity
    lines.append("sanity: fitted touch intensity against market orders per s: " + ", ".join(
        f"{side} {v['touch_intensity']:.3g} <= {mo[side]:.3g} {_verdict(v['ok'])}" for side, v in sanity.items()))
    check = result.fit_check
    lines.append(f"fit check out of sample (fit before {clock_text(check.split % 86400.0, False)}, checked after; "
                 f"every offset): {'PASS' if check.passed else 'FAIL'}")
    lines.append(f"  {'anchor':<7}{'offset':>7}{'observed':>10}{'predicted':>11}{'SE':>9}{'z':>7}{'error':>8}  "
                 f"verdict (|error| <= {check.tolerance:.0%})")
    for r in check.table.itertuples():
        lines.append(f"  {r.anchor:<7}{r.offset:>7.2f}{r.observed:>10.4g}{r.predicted:>11.4g}{r.se:>9.2g}"
                     f"{r.z:>+7.1f}{r.rel_error:>+8.0%}  {_verdict(r.ok)}")
    profile = result.profile
    lines.append("per half hour, k_touch: " + " ".join(f"{v:.3g}" for v in profile["touch_k"]))
    lines.append("per half hour, A (A-S): " + " ".join(f"{v:.3g}" for v in profile["quote_A"]))
    if loop is not None:
        lines.append(f"loop: the naive strategy replayed and in the calibrated synthetic market, fill events per "
                     f"hour and 1 s markout within {LOOP_FACTOR:g}x: {'PASS' if loop['ok'].all() else 'FAIL'}")
        lines.append(markdown(loop, result.name.split("_")[0]))
    lines.append(f"wall time {wall_s:.2f} s" + (f"; results in {out}/" if out else ""))
    return "\n".join(lines)


def add_calibration_arguments(parser) -> None:
    """``--calibration FILE`` and ``--time-unit-s``, for commands that simulate (see :func:`apply_calibration`)."""
    parser.add_argument("--calibration", metavar="FILE",
                        help=f"take A, k, sigma and impact from a {CALIBRATION_FILE} written by mmsim calibrate "
                             f"(overrides --A, --k, --sigma, --impact; needs --time-unit-s)")
    parser.add_argument("--time-unit-s", type=positive_float, default=None,
                        help="seconds per simulation time unit, to convert --calibration's per-second figures")


def apply_calibration(args) -> None:
    """With ``--calibration``, set ``args.A``, ``args.k``, ``args.sigma`` and ``args.impact`` from the file,
    converted to the simulation's time unit: ``A`` (a rate) times ``--time-unit-s``, ``sigma`` times its square
    root, ``k`` and ``impact`` as they are."""
    if args.calibration is None:
        if args.time_unit_s is not None:
            raise ConfigError("--time-unit-s goes with --calibration")
        return
    if args.time_unit_s is None:
        raise ConfigError("--calibration needs --time-unit-s: the seconds one simulation time unit lasts (A scales "
                          "with it, sigma with its square root)")
    params = load_calibration(args.calibration).in_time_unit(args.time_unit_s)
    args.A, args.k, args.sigma, args.impact = params.A, params.k, params.sigma, params.impact
