"""``mmsim run``: compare strategies on the synthetic market over many seeded paths."""

from __future__ import annotations

import argparse
import json
import sys
import time

from analytics.report import REPORT_FILE, SUMMARY_FILE, build_report, report_options
from engine import Fees
from engine.lazy_modules import lazy_module
from feeds import SyntheticMarket
from mmsim.cmd_calibrate import add_calibration_arguments, apply_calibration
from mmsim.arguments import (add_strategy_param_argument, any_float, non_negative_float, non_negative_int,
                             positive_float, positive_int, user_strategy_params)
from mmsim.compare import compare, result_names
from mmsim.output import (add_force_argument, check_folder_name, check_out_dir, json_safe, staged_out_dir,
                          write_csv, write_json)
from mmsim.progress import progress_bar, report_progress
from mmsim.specs import MarketSpec, StrategySpec, build_strategies as build_named
from strategies import SHIPPED

pd = lazy_module("pandas")

DEFAULT_STRATEGIES = ["avellaneda-stoikov", "naive", "inventory-capped"]
#: Events per strategy the report is drawn from (whole paths, the first ones): beyond, only the ledger files and
#: summary.csv cover every path, so that memory stays bounded whatever --paths is.
REPORT_EVENTS = 500_000
#: The files written at the top of --out, beside the strategies' folders.
OUTPUT_FILES = (SUMMARY_FILE, REPORT_FILE, "summary.csv")
COLUMNS = ["strategy", "pnl_mean", "pnl_std", "sharpe", "final_q_mean", "final_q_std", "mean_q2", "fills_mean",
           "avg_spread"]


def add_market_arguments(parser: argparse.ArgumentParser) -> None:
    """The synthetic market's options (defaults: the Avellaneda-Stoikov paper's)."""
    g = parser.add_argument_group("market (defaults: Avellaneda and Stoikov 2008)")
    g.add_argument("--s0", type=positive_float, default=100.0, help="starting mid (default 100)")
    g.add_argument("--T", type=positive_float, default=1.0, help="horizon, time units (default 1)")
    g.add_argument("--sigma", type=non_negative_float, default=2.0,
                   help="volatility, price per sqrt(time unit) (default 2)")
    g.add_argument("--dt", type=positive_float, default=0.005, help="time between mid ticks (default 0.005)")
    g.add_argument("--A", type=non_negative_float, default=140.0,
                   help="market orders per time unit on each side (default 140)")
    g.add_argument("--k", type=positive_float, default=1.5, help="depth decay per price unit (default 1.5)")
    g.add_argument("--increments", choices=["binary", "gaussian", "gbm"], default="binary",
                   help="mid increments: +/- sigma sqrt(dt) (default), Gaussian, or geometric Brownian motion")
    g.add_argument("--sigma-volatile", type=non_negative_float, default=None,
                   help="turn on volatility regimes: sigma of the volatile regime")
    g.add_argument("--to-volatile-rate", type=positive_float, default=1.0,
                   help="switching rate calm -> volatile, per time unit (default 1)")
    g.add_argument("--to-calm-rate", type=positive_float, default=1.0,
                   help="switching rate volatile -> calm, per time unit (default 1)")
    g.add_argument("--impact", type=non_negative_float, default=0.0,
                   help="mid move caused by each market order, in its direction (default 0)")
    g.add_argument("--fills", choices=["exact", "step"], default="exact",
                   help="exact continuous-time fills (default) or the paper's per-step probability")


def market_spec(args) -> MarketSpec:
    """The market the options describe."""
    return MarketSpec(s0=args.s0, T=args.T, sigma=args.sigma, dt=args.dt, A=args.A, k=args.k,
                      increments=args.increments, sigma_volatile=args.sigma_volatile,
                      to_volatile_rate=args.to_volatile_rate, to_calm_rate=args.to_calm_rate, impact=args.impact,
                      fills=args.fills)


def add_strategy_arguments(parser) -> None:
    """The model strategies' options: risk aversion, the k and sigma they assume, the inventory limit, omega."""
    parser.add_argument("--gamma", type=positive_float, default=0.1,
                        help="risk aversion of avellaneda-stoikov, glft and as-infinite (default 0.1)")
    parser.add_argument("--strategy-sigma", type=non_negative_float, default=None,
                        help="sigma the strategy assumes (default: the market's)")
    parser.add_argument("--strategy-k", type=positive_float, default=None,
                        help="k the strategy assumes (default: the market's)")
    parser.add_argument("--max-inventory", type=positive_float, default=5.0,
                        help="limit on |q| of inventory-capped, glft and as-infinite (default 5)")
    parser.add_argument("--omega", type=positive_float, default=None,
                        help="as-infinite discount rate (default: gamma^2 sigma^2 (max-inventory + 1)^2 / 2)")


def strategy_spec(args) -> StrategySpec:
    """The strategy options as a spec (``--spread`` only where the command has it)."""
    return StrategySpec(gamma=args.gamma, strategy_k=args.strategy_k, strategy_sigma=args.strategy_sigma,
                        max_inventory=args.max_inventory, omega=args.omega, spread=getattr(args, "spread", None))


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="compare strategies on the synthetic market",
                       description="Run strategies over the same seeded synthetic paths and compare them. With no "
                                   "options: Avellaneda-Stoikov (gamma 0.1), naive symmetric quoting with the same "
                                   "average spread, and naive quoting capped at |q| <= 5, over 1000 paths.")
    p.add_argument("--strategy", action="append", metavar="NAME",
                   help=f"repeatable: {', '.join(SHIPPED)}, or path/to/file.py:ClassName "
                        f"(default: {' '.join(DEFAULT_STRATEGIES)})")
    add_strategy_param_argument(p)
    p.add_argument("--paths", type=positive_int, default=1000, help="number of paths (default 1000)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed (default 0)")
    add_strategy_arguments(p)
    p.add_argument("--spread", type=positive_float, default=None,
                   help="naive strategies' total spread (default: Avellaneda-Stoikov's time-average spread)")
    p.add_argument("--latency", type=non_negative_float, default=0.0,
                   help="order-entry latency, time units (default 0)")
    p.add_argument("--fee-bps", type=any_float, default=0.0, help="fee in basis points of value, negative for a rebate")
    p.add_argument("--workers", type=positive_int, default=1, help="processes (default 1; results are identical)")
    p.add_argument("--out", default="mmsim-out", help="output directory (default ./mmsim-out)")
    add_force_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of the table")
    add_market_arguments(p)
    add_calibration_arguments(p)
    p.set_defaults(handler=run)


def build_strategies(names: list[str], args, market: SyntheticMarket) -> list:
    """Strategy objects for the names given on the command line (a user's with ``--strategy-param``)."""
    # glft assumes the options' A: with --fills step the market itself has none
    return build_named(names, strategy_spec(args), market, args.A, user_strategy_params(args, names))


def report_paths(market: SyntheticMarket) -> int:
    """How many paths (the first ones) the report is drawn from: those whose ledgers hold about
    :data:`REPORT_EVENTS` events, at least one."""
    return max(1, int(REPORT_EVENTS // market.expected_events))


def run(args) -> int:
    apply_calibration(args)
    market, fill_model = market_spec(args).build()
    strategies = build_strategies(args.strategy or DEFAULT_STRATEGIES, args, market)
    for name in result_names(strategies):  # each names a folder in --out
        check_folder_name(name, OUTPUT_FILES)
    fees = Fees(bps=args.fee_bps)
    check_out_dir(args.out, args.force)
    config = {k: v for k, v in vars(args).items() if k != "handler"}
    options = report_options("synthetic", cap=args.max_inventory, title="mmsim run")
    start = time.perf_counter()
    # Staged: a failed or interrupted run leaves nothing behind. The ledgers stream into the stage as the paths
    # arrive, so memory is bounded whatever --paths is.
    with staged_out_dir(args.out, "run", args.force) as stage:
        out = stage.parent
        with progress_bar(args.paths * len(strategies), "mmsim run") as advance:
            results = compare(market, strategies, fill_model, paths=args.paths, seed=args.seed,
                              latency_s=args.latency, fees=fees, workers=args.workers, progress=advance, out=stage,
                              keep_paths=report_paths(market))
        wall = time.perf_counter() - start
        table = pd.DataFrame([r.summary for r in results])[COLUMNS]
        write_csv(stage / "summary.csv", table)
        shown = results[0].paths_kept
        if shown < args.paths:  # the report draws the first paths; summary.csv has them all
            options["paths"] = shown
            config["report_paths"] = f"the first {shown:,} of {args.paths:,} paths"
        report = {"command": "run", "paths": args.paths, "seed": args.seed, "wall_s": round(wall, 3),
                  "out": str(out), "config": config, "rows": table.to_dict(orient="records"), "report": options}
        write_json(stage / SUMMARY_FILE, report)
        with report_progress("mmsim run: report") as advance:
            build_report([(r.name, r.ledger) for r in results], stage, config=config, progress=advance,
                         **{k: v for k, v in options.items() if k != "paths"})
    html_path = out / REPORT_FILE

    if args.json:
        json.dump(json_safe({**report, "report_html": str(html_path)}), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mmsim run: {args.paths} paths, seed {args.seed}, fills {args.fills}, "
              f"market s0={market.s0:g} T={market.T:g} sigma={market.sigma:g} dt={market.dt:g} "
              f"A={args.A:g} k={market.k:g}")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        print(f"wall time {wall:.2f} s; results in {out}/ (report: {html_path})")
    return 0
