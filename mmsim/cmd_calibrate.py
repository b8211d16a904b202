"""``mmsim calibrate``: A, k and sigma by maximum likelihood from a day of tick data, with a fit check."""

from __future__ import annotations

import json
import sys
import time

from analytics import Calibration, calibrate, load_calibration
from engine import ConfigError
from mmsim.cli import positive_float
from mmsim.output import add_force_argument, check_out_dir, json_safe, staged_out_dir, write_json
from mmsim.progress import source_progress
from mmsim.tick_inputs import add_tick_arguments, open_tick_source, print_warnings

CALIBRATION_FILE = "calibration.json"
PLOT_FILE = "calibration_fit.png"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="estimate A, k and sigma from tick data",
        description="Estimate the fill intensity A exp(-k delta) (A per second per side, k per price unit) by maximum "
                    "likelihood from the deepest trade per window, and sigma (price per sqrt second) by realised "
                    "volatility, with standard errors, the least-squares fit other tools use, and a check of "
                    "predicted against empirical fill probabilities. Give a LOBSTER message file, or --quotes and "
                    "--trades.")
    add_tick_arguments(p)
    p.add_argument("--window-s", type=positive_float, default=1.0,
                   help="window of the likelihood and of the fit check, seconds (default 1)")
    p.add_argument("--tick-size", type=positive_float, default=None,
                   help="price grid step (default: inferred from the quotes)")
    p.add_argument("--sigma-interval-s", type=positive_float, default=10.0,
                   help="sampling interval of the mid for realised volatility, seconds (default 10)")
    p.add_argument("--ewma-halflife-s", type=positive_float, default=1800.0,
                   help="half-life of the EWMA volatility, seconds (default 1800)")
    p.add_argument("--tolerance", type=positive_float, default=0.25,
                   help="relative error the fit check allows (default 0.25)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"write {CALIBRATION_FILE} (for mmsim run --calibration) and {PLOT_FILE} into DIR")
    add_force_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of the table")
    p.set_defaults(handler=run)


def run(args) -> int:
    start = time.perf_counter()
    if args.out is not None:
        check_out_dir(args.out, args.force)  # refuse a file as --out before the work, but create nothing yet
    source = open_tick_source(args)
    with source_progress(source, "mmsim calibrate") as counted:
        result = calibrate(counted, window_s=args.window_s, tick_size=args.tick_size,
                           sigma_interval_s=args.sigma_interval_s, ewma_halflife_s=args.ewma_halflife_s,
                           tolerance=args.tolerance)
    report = {"command": "calibrate", **result.to_dict(), "files": list(source.files),
              "warnings": print_warnings("calibrate", source)}
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
        print(table(result, report["wall_s"], args.out))
    return 0


def table(result: Calibration, wall_s: float, out: str | None) -> str:
    """The short report printed by default."""
    mle, ls, fit, summary = result.mle, result.least_squares, result.fit, result.summary
    sig = result.sigma

    def row(name, value, se, ci, ls_value, ls_se, unit):
        ls_text = f"{ls_value:>10.4g} {ls_se:>9.3g}" if ls_value is not None else f"{'':>10} {'':>9}"
        return (f"{name:<7}{value:>10.4g} {se:>9.3g}  [{ci[0]:.4g}, {ci[1]:.4g}]".ljust(48)
                + f"{ls_text}   {unit}")

    lines = [
        f"mmsim calibrate: {result.name}: {summary['duration_s']:,.0f} s, {summary['trades']:,} trades "
        f"({summary['orders']:,} market orders, {summary['orders_inside_spread']:,} inside the spread), "
        f"tick {summary['tick_size']:g}, window {summary['window_s']:g} s",
        f"{'':<7}{'MLE':>10} {'SE':>9}  95% CI".ljust(48) + f"{'LS':>10} {'LS SE':>9}   units",
        row("A", mle.A, mle.A_se, mle.A_ci95, ls.A, ls.A_se, "per second per side"),
        row("k", mle.k, mle.k_se, mle.k_ci95, ls.k, ls.k_se, "per price unit"),
        row("sigma", sig.sigma, sig.se, sig.ci95, None, None,
            f"price per sqrt(s) (realised, {sig.interval_s:g} s returns; EWMA {result.sigma_ewma.sigma:.4g})"),
        f"fit check: {'PASS' if fit.passed else 'FAIL'}: P(fill within {summary['window_s']:g} s) by depth, worst "
        f"relative error {fit.max_rel_error:.0%} over {int(fit.table['checked'].sum())} depths (tolerance "
        f"{fit.tolerance:.0%})",
        f"beyond the touch: {fit.beyond_touch_empirical:.1%} of orders went a tick past it, the model says "
        f"{fit.beyond_touch_predicted:.1%}",
        f"wall time {wall_s:.2f} s" + (f"; results in {out}/" if out else ""),
    ]
    return "\n".join(lines)


def add_calibration_arguments(parser) -> None:
    """``--calibration FILE`` and ``--time-unit-s``, for commands that simulate (see :func:`apply_calibration`)."""
    parser.add_argument("--calibration", metavar="FILE",
                        help=f"take A, k and sigma from a {CALIBRATION_FILE} written by mmsim calibrate (overrides "
                             f"--A, --k, --sigma; needs --time-unit-s)")
    parser.add_argument("--time-unit-s", type=positive_float, default=None,
                        help="seconds per simulation time unit, to convert --calibration's per-second figures")


def apply_calibration(args) -> None:
    """With ``--calibration``, set ``args.A``, ``args.k`` and ``args.sigma`` from the file, converted to the
    simulation's time unit: ``A`` (a rate) times ``--time-unit-s``, ``sigma`` times its square root, ``k`` as is."""
    if args.calibration is None:
        if args.time_unit_s is not None:
            raise ConfigError("--time-unit-s goes with --calibration")
        return
    if args.time_unit_s is None:
        raise ConfigError("--calibration needs --time-unit-s: the seconds one simulation time unit lasts (A scales "
                          "with it, sigma with its square root)")
    params = load_calibration(args.calibration).in_time_unit(args.time_unit_s)
    args.A, args.k, args.sigma = params.A, params.k, params.sigma
