"""``mmsim replay``: replay a day of real ticks (LOBSTER, or generic quotes + trades files) against a strategy."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from analytics.calibration import load_calibration
from analytics.replay_summary import replay_summary
from analytics.report import REPORT_FILE, SUMMARY_FILE, build_report, report_options
from engine import ConfigError, DataError, Fees, Simulation, TradeThroughFills
from engine.montecarlo import MAX_EVENTS_PER_PATH
from feeds import QUOTE, TRADE, ReplayFeed, infer_tick_size
from mmsim.cli import (add_strategy_param_argument, any_float, non_negative_float, positive_float,
                       user_strategy_params)
from mmsim.output import add_force_argument, check_folder_name, check_out_dir, json_safe, staged_out_dir, write_json
from mmsim.progress import report_progress, source_progress
from mmsim.tick_inputs import add_tick_arguments, open_tick_source, print_warnings
from strategies import (SHIPPED, InventoryCapped, Retimed, RollingAvellanedaStoikov, SymmetricSpread,
                        load_user_strategy)

MIN_SPREAD_TICKS = 2
#: Seconds in a day: the span :func:`check_requote` budgets the requote timer for.
DAY_S = 86_400.0
#: Replay runs on the data's clock, in seconds: calibrations (per second) apply unscaled.
REPLAY_TIME_UNIT_S = 1.0
#: The summary figures repeated in summary.json's ``rows`` (the one row ``mmsim report`` reads the strategy from).
ROW = ("pnl", "spread_capture", "inventory_pnl", "fees", "fills", "final_inventory", "max_abs_inventory")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "replay", help="replay real ticks against a strategy",
        description="Replay historical ticks (LOBSTER message + order-book files, or generic quotes and trades "
                    "files) against a strategy's resting quotes: trade-through fills with queue position, "
                    "order-entry latency, post-only quotes on the tick grid, fees. Prints pnl = spread_capture "
                    "+ inventory_pnl - fees.")
    add_tick_arguments(p.add_argument_group("data"))

    s = p.add_argument_group("strategy")
    s.add_argument("--strategy", default="avellaneda-stoikov", metavar="NAME",
                   help=f"{', '.join(SHIPPED)}, or path/to/file.py:ClassName (default avellaneda-stoikov)")
    add_strategy_param_argument(s)
    s.add_argument("--gamma", type=positive_float, default=0.001,
                   help="Avellaneda-Stoikov risk aversion per currency unit (default 0.001)")
    s.add_argument("--k", type=positive_float, default=None,
                   help="fill-intensity decay per price unit (default: --calibration's, else 1 / the mean "
                        "distance of the first chunk's trades from the mid)")
    s.add_argument("--sigma", type=non_negative_float, default=None,
                   help="fixed volatility, price per sqrt(second) (default: realised, estimated online)")
    s.add_argument("--calibration", metavar="FILE",
                   help="calibration.json written by mmsim calibrate: its k, and its sigma as the start of the "
                        "online estimate (per-second units, the replay's clock)")
    s.add_argument("--horizon-s", type=positive_float, default=60.0,
                   help="Avellaneda-Stoikov rolling horizon, seconds (default 60)")
    s.add_argument("--sigma-window-s", type=positive_float, default=300.0,
                   help="time constant of the online volatility estimate, seconds (default 300)")
    s.add_argument("--spread", type=positive_float, default=None,
                   help="naive strategies' total spread, price units (default: the first chunk's median quoted "
                        f"spread on the tick grid, at least {MIN_SPREAD_TICKS} ticks)")
    s.add_argument("--max-inventory", type=positive_float, default=500.0,
                   help="inventory-capped strategy's limit on |q|, shares (default 500)")
    s.add_argument("--order-size", type=positive_float, default=100.0,
                   help="size of each side of the shipped strategies' quotes, shares (default 100)")
    s.add_argument("--requote-ms", type=positive_float, default=100.0,
                   help="requote every this many milliseconds of data time (default 100), and after each fill")
    s.add_argument("--requote-on-tick", action="store_true", help="also requote every time the mid moves")

    m = p.add_argument_group("market rules")
    m.add_argument("--tick-size", type=positive_float, default=None,
                   help="price grid (default: inferred from the first chunk's quotes)")
    m.add_argument("--post-only", choices=["clamp", "withdraw"], default="clamp",
                   help="a side at or through the opposite best: slide it one tick inside (clamp, default) or "
                        "drop it (withdraw)")
    m.add_argument("--queue", choices=["conservative", "touch"], default="conservative",
                   help="fill at our price only after the displayed size ahead has traded (conservative, "
                        "default), or on any trade at our price (touch)")
    m.add_argument("--latency-ms", type=non_negative_float, default=0.0,
                   help="order-entry latency, milliseconds (default 0)")
    m.add_argument("--fee-bps", type=any_float, default=0.0,
                   help="fee per fill in basis points of value, negative for a rebate (default 0)")
    m.add_argument("--fee-per-share", type=any_float, default=0.0,
                   help="fee per share filled, negative for a rebate (default 0)")

    p.add_argument("--out", metavar="DIR", default=None,
                   help="write summary.json, report.html and the ledger (STRATEGY/{fills,quotes,marks}.parquet) here, "
                        "once the run succeeded; mmsim report DIR rebuilds the report")
    add_force_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of the table")
    p.set_defaults(handler=run)


# -- inputs ------------------------------------------------------------------------------------------------------

def read_calibration(path: str) -> dict[str, float]:
    """``A``, ``k`` and ``sigma`` from a ``calibration.json`` written by ``mmsim calibrate``
    (:func:`analytics.load_calibration`), on replay's clock: seconds, the file's own unit, so nothing is scaled.

    Raises
    ------
    DataError
        As for :func:`analytics.load_calibration`: the file and the bad field are named.
    """
    params = load_calibration(path).in_time_unit(REPLAY_TIME_UNIT_S)
    return {"k": params.k, "sigma": params.sigma, "A": params.A}


def _k_from_trade_depths(chunk) -> float:
    """A quick k when none is given: under ``lambda(delta) = A exp(-k delta)`` the depth of trades from the mid
    is Exponential(k), whose maximum-likelihood estimate is 1 / the mean depth. Uses one chunk (bounded memory);
    ``mmsim calibrate``'s fit is the better source."""
    kind = chunk["kind"].to_numpy()
    mid = (0.5 * (chunk["bid"] + chunk["ask"])).where(kind == QUOTE).ffill().to_numpy()  # last quote's
    is_trade = kind == TRADE
    depth = np.abs(chunk["price"].to_numpy()[is_trade] - mid[is_trade])
    depth = depth[np.isfinite(depth)]
    mean = depth.mean() if len(depth) else 0.0
    if not mean > 0:
        raise ConfigError("cannot estimate k from the data (no trades away from the mid in the first chunk): "
                          "give --k or --calibration")
    return float(1.0 / mean)


def _median_spread(chunk, tick_size: float) -> float:
    """The naive strategies' default spread: the market's median quoted spread in one chunk, on the tick grid and
    at least ``MIN_SPREAD_TICKS`` ticks, so they quote about at the touch whatever the instrument's spread (a
    fixed few ticks sits deep inside a 15-tick spread and is first in line for every informed trade)."""
    quotes = chunk[chunk["kind"].to_numpy() == QUOTE]
    spread = np.median((quotes["ask"] - quotes["bid"]).to_numpy()) if len(quotes) else 0.0
    return max(round(spread / tick_size), MIN_SPREAD_TICKS) * tick_size


def build_strategy(args, spread: float | None, calibration: dict[str, float], k: float | None,
                   tick_size: float | None = None):
    """The strategy the options name, retimed to requote every ``--requote-ms`` and after each fill.

    ``spread`` is the naive strategies' total spread (``--spread`` or a default from the data); Avellaneda-Stoikov
    puts its quotes on the ``tick_size`` grid itself, so that a skew smaller than a tick survives."""
    name = args.strategy
    user_params = user_strategy_params(args, [name])
    if name == "avellaneda-stoikov":
        inner = RollingAvellanedaStoikov(gamma=args.gamma, k=k, horizon_s=args.horizon_s, sigma=args.sigma,
                                         sigma_prior=calibration.get("sigma", 0.0),
                                         sigma_window_s=args.sigma_window_s, order_size=args.order_size,
                                         tick_size=tick_size)
    elif name == "naive":
        inner = SymmetricSpread(spread, args.order_size)
    elif name == "inventory-capped":
        inner = InventoryCapped(SymmetricSpread(spread, args.order_size), args.max_inventory)
    elif name in SHIPPED:
        # A shipped model strategy built with its synthetic-market defaults would quote nonsense on real prices.
        raise ConfigError(f"strategy {name!r} is not wired for replay (its parameters are not converted from the "
                          "data): use avellaneda-stoikov, naive, inventory-capped or path/to/file.py:ClassName")
    else:
        inner = load_user_strategy(name, user_params)
    return Retimed(inner, args.requote_ms / 1000.0, args.requote_on_tick, True)


# -- running -------------------------------------------------------------------------------------------------

def replay(source, strategy, fill_model: TradeThroughFills, *, latency_s: float = 0.0, fees: Fees = Fees()):
    """Replay ``source`` against ``strategy``; return the simulation (its ledger, counters and clock)."""
    sim = Simulation(ReplayFeed(source), strategy, fill_model, seed=0, latency_s=latency_s, fees=fees)
    sim.run()
    return sim


def _write_outputs(out: str, sim, report: dict, args, cap: float | None) -> tuple[Path, Path]:
    """Save the results in the layout ``mmsim report`` reads (as ``mmsim run`` does): ``summary.json`` with
    ``rows``, ``config`` and the ``report`` options, the ledger in ``<strategy>/``, and ``report.html`` on the
    real-time clock. Everything is staged, so a failure leaves no partial output behind.

    Returns the folder and the report file."""
    name = report["strategy"]
    options = report_options("real", cap=cap, title=f"mmsim replay: {name} on {report['source']}")
    # The options as given, with the values that defaulted to the data (tick size, k, spread) filled in.
    config = {**{k: v for k, v in vars(args).items() if k not in ("handler", "json")},
              "tick_size": report["market"]["tick_size"], "k": report["strategy_params"]["k"],
              "spread": report["strategy_params"].get("spread", args.spread)}
    with staged_out_dir(out, "replay", args.force) as stage:
        folder = stage.parent
        (stage / name).mkdir()
        sim.ledger.save(stage / name)
        saved = {**report, "out": str(folder), "rows": [{"strategy": name, **{k: report[k] for k in ROW}}],
                 "config": config, "report": options}
        write_json(stage / SUMMARY_FILE, saved)
        with report_progress("mmsim replay: report") as advance:
            build_report([(name, sim.ledger)], stage, config=config, progress=advance, **options)
    return folder, folder / REPORT_FILE


def check_requote(requote_ms: float) -> None:
    """Refuse a requote interval whose timer events alone would exceed what one replay may hold: a day of data
    (LOBSTER times are seconds after midnight, so a file spans less) at most :data:`MAX_EVENTS_PER_PATH`."""
    events = DAY_S / (requote_ms / 1000.0)
    if events > MAX_EVENTS_PER_PATH:
        raise ConfigError(f"--requote-ms {requote_ms:g} makes about {events:.3g} requotes per day of data, more than "
                          f"the {MAX_EVENTS_PER_PATH:.0e} events one replay may hold in memory: use --requote-ms "
                          f"{DAY_S * 1000.0 / MAX_EVENTS_PER_PATH:g} or more")


def run(args) -> int:
    start = time.perf_counter()
    check_requote(args.requote_ms)
    if args.out is not None:
        check_out_dir(args.out, args.force)  # refuse a file as --out before the work, but create nothing yet
    calibration = read_calibration(args.calibration) if args.calibration else {}
    source = open_tick_source(args)
    naive = args.strategy in ("naive", "inventory-capped")
    k = args.k or calibration.get("k")
    k_source = "--k" if args.k else "calibration" if k else None
    first = None
    if args.tick_size is None or (naive and args.spread is None) or (
            args.strategy == "avellaneda-stoikov" and k is None):
        first = next(iter(source.chunks()), None)  # defaults from the data: one chunk, bounded memory
        if first is None or not len(first):
            raise DataError(f"{source.name}: no rows")
    tick_size = args.tick_size or infer_tick_size(first)
    if k is None and args.strategy == "avellaneda-stoikov":
        k, k_source = _k_from_trade_depths(first), "first-chunk trade depths"
    spread = args.spread if args.spread is not None or not naive else _median_spread(first, tick_size)
    strategy = build_strategy(args, spread, calibration, k, tick_size)
    if args.out is not None:
        check_folder_name(strategy.name, (SUMMARY_FILE, REPORT_FILE))  # it names the ledger's folder
    fill_model = TradeThroughFills(tick_size, queue=args.queue, post_only=args.post_only)
    fees = Fees(bps=args.fee_bps, per_unit=args.fee_per_share)

    replay_start = time.perf_counter()
    with source_progress(source, "mmsim replay") as counted:
        sim = replay(counted, strategy, fill_model, latency_s=args.latency_ms / 1000.0, fees=fees)
    replay_s = time.perf_counter() - replay_start
    summary = replay_summary(sim.ledger)
    report = {
        "command": "replay", "source": source.name, "strategy": strategy.name, **summary,
        "events": sim.scheduler.events, "wall_s": round(replay_s, 3),
        "data": dict(source.stats), "warnings": print_warnings("replay", source),
        "market": {"tick_size": tick_size, "tick_size_source": "--tick-size" if args.tick_size else "inferred",
                   "post_only": args.post_only, "queue": args.queue, "latency_ms": args.latency_ms,
                   "fee_bps": args.fee_bps, "fee_per_share": args.fee_per_share, **sim.fill_state.stats},
        "strategy_params": {"requote_ms": args.requote_ms, "requote_on_tick": args.requote_on_tick,
                            "order_size": args.order_size, "k": k, "k_source": k_source,
                            "calibration": calibration or None, **_strategy_params(args, spread)},
    }
    if args.out is not None:
        cap = args.max_inventory if args.strategy == "inventory-capped" else None
        folder, html_path = _write_outputs(args.out, sim, report, args, cap)
        report["out"], report["report_html"] = str(folder), str(html_path)
    report["total_s"] = round(time.perf_counter() - start, 3)

    if args.json:
        json.dump(json_safe(report), sys.stdout)
        sys.stdout.write("\n")
    else:
        _print_report(report)
    return 0


def _strategy_params(args, spread: float | None) -> dict:
    if args.strategy == "avellaneda-stoikov":
        return {"gamma": args.gamma, "horizon_s": args.horizon_s, "sigma": args.sigma,
                "sigma_window_s": args.sigma_window_s}
    if args.strategy in ("naive", "inventory-capped"):
        params = {"spread": spread, "spread_source": "--spread" if args.spread is not None else "median quoted"}
        if args.strategy == "inventory-capped":
            params["max_inventory"] = args.max_inventory
        return params
    return {}


def _print_report(r: dict) -> None:
    d, m = r["data"], r["market"]
    print(f"mmsim replay: {r['strategy']} on {r['source']}: {d.get('quotes', '?')} quotes, {d.get('trades', '?')} "
          f"trades ({d.get('crossed_or_locked_skipped', 0)} crossed/locked skipped), t {r['start']:.3f} to "
          f"{r['end']:.3f} s")
    print(f"  market: tick {m['tick_size']:g} ({m['tick_size_source']}), queue {m['queue']}, post-only "
          f"{m['post_only']} ({m['post_only_clamped']} clamped, {m['post_only_withdrawn']} withdrawn), latency "
          f"{m['latency_ms']:g} ms")
    print(f"  pnl {r['pnl']:.2f} = spread capture {r['spread_capture']:.2f} + inventory {r['inventory_pnl']:.2f} "
          f"- fees {r['fees']:.2f}")
    print(f"  fills {r['fills']} ({r['buys']} buys, {r['sells']} sells; {m['fills_through']} through, "
          f"{m['fills_at_price']} at price, {m['fills_book_through']} book through), volume {r['volume']:g}, "
          f"final inventory {r['final_inventory']:g}, max |inventory| {r['max_abs_inventory']:g}")
    print(f"  {r['events']} events in {r['wall_s']:.2f} s (total {r['total_s']:.2f} s)"
          + (f"; results in {r['out']}/ (report: {r['report_html']})" if "out" in r else ""))
