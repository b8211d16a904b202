"""``mmsim replay``: replay a day of real ticks (LOBSTER, or generic quotes + trades files) against a strategy."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from pathlib import Path

import attrs
import numpy as np

from analytics.calibration import close_after, load_calibration, on_grid, quote_intensity
from analytics.quote_fills import QUEUE_RULES
from analytics.replay_summary import replay_summary
from analytics.report import REPORT_FILE, SUMMARY_FILE, build_report, report_options
from analytics.volatility import realised_volatility
from engine import ConfigError, DataError, Fees, FillModel, Simulation, TradeThroughFills
from engine.montecarlo import MAX_EVENTS_PER_PATH
from engine.queue_fills import QueueFills
from engine.lazy_modules import lazy_module
from feeds import QUOTE, FrameSource, infer_tick_size
from feeds.book_cache import cached_book
from feeds.lobster_book import BookInMemory, LobsterBookSource, orderbook_levels, replay_feed
from mmsim.arguments import (add_strategy_param_argument, any_float, non_negative_float, positive_float,
                             user_strategy_params)
from mmsim.output import add_force_argument, check_folder_name, check_out_dir, json_safe, staged_out_dir, write_json
from mmsim.progress import report_progress, source_progress
from mmsim.specs import NAIVE_STRATEGIES, StrategySpec, build_replay_strategy
from mmsim.tick_inputs import add_tick_arguments, open_tick_source, print_warnings
from strategies import SHIPPED

pd = lazy_module("pandas")

MIN_SPREAD_TICKS = 2
#: Seconds in a day: the span :func:`check_requote` budgets the requote timer for.
DAY_S = 86_400.0
#: Replay runs on the data's clock, in seconds: calibrations (per second) apply unscaled.
REPLAY_TIME_UNIT_S = 1.0
#: The summary figures repeated in summary.json's ``rows`` (the one row ``mmsim report`` reads the strategy from).
ROW = ("pnl", "spread_capture", "inventory_pnl", "fees", "fills", "final_inventory", "max_abs_inventory")
#: Sampling interval of the warm-up's realised volatility (GLFT's fixed sigma), seconds.
WARMUP_SIGMA_INTERVAL_S = 1.0


def add_parser(sub) -> None:
    p = sub.add_parser(
        "replay", help="replay real ticks against a strategy",
        description="Replay historical ticks (LOBSTER message + order-book files, or generic quotes and trades "
                    "files) against a strategy's resting quotes: our exact place in each queue from order ids "
                    "(LOBSTER level 2 and deeper), or trade-through fills with an assumed queue (level 1), "
                    "order-entry and market-data latency, post-only quotes on the tick grid, fees. Prints pnl = "
                    "spread_capture + inventory_pnl - fees.")
    add_tick_arguments(p.add_argument_group("data"))

    s = p.add_argument_group("strategy")
    s.add_argument("--strategy", default="avellaneda-stoikov", metavar="NAME",
                   help=f"{', '.join(SHIPPED)}, or path/to/file.py:ClassName (default avellaneda-stoikov)")
    add_strategy_param_argument(s)
    s.add_argument("--gamma", type=positive_float, default=0.001,
                   help="Avellaneda-Stoikov risk aversion per currency unit (default 0.001)")
    s.add_argument("--k", type=positive_float, default=None,
                   help="fill-intensity decay per price unit (default: --calibration's, else measured on the "
                        "warm-up by mmsim calibrate's estimator)")
    s.add_argument("--sigma", type=non_negative_float, default=None,
                   help="fixed volatility, price per sqrt(second) (default: realised, estimated online)")
    s.add_argument("--calibration", metavar="FILE",
                   help="calibration.json written by mmsim calibrate (of another day): its k, tick size and "
                        "median spread as defaults, and its sigma as the start of the online estimate (per-second "
                        "units, the replay's clock)")
    s.add_argument("--warmup-min", type=non_negative_float, default=30.0,
                   help="minutes at the start of the data that are replayed but not traded; defaults that come "
                        "from the data (tick size, k, naive spread) are measured on them only (default 30)")
    s.add_argument("--horizon-s", type=positive_float, default=60.0,
                   help="Avellaneda-Stoikov rolling horizon, seconds (default 60)")
    s.add_argument("--close", metavar="HH:MM", default=None,
                   help="Avellaneda-Stoikov with the paper's finite horizon, to this clock time of the data's day "
                        "(for example 16:00), instead of the rolling --horizon-s")
    s.add_argument("--sigma-window-s", type=positive_float, default=300.0,
                   help="time constant of the online volatility estimate, seconds (default 300)")
    s.add_argument("--spread", type=positive_float, default=None,
                   help="naive strategies' total spread, price units (default: the median quoted spread of "
                        f"--calibration or of the warm-up, on the tick grid, at least {MIN_SPREAD_TICKS} ticks)")
    s.add_argument("--max-inventory", type=positive_float, default=500.0,
                   help="inventory-capped and GLFT strategies' limit on |q|, shares (default 500)")
    s.add_argument("--A", type=positive_float, default=None, dest="A",
                   help="GLFT: fill events per second per side at the mid (default: --calibration's, else "
                        "measured on the warm-up with k)")
    s.add_argument("--order-size", type=positive_float, default=100.0,
                   help="size of each side of the shipped strategies' quotes, shares (default 100)")
    s.add_argument("--requote-ms", type=positive_float, default=100.0,
                   help="requote every this many milliseconds of data time (default 100), and after each fill")
    s.add_argument("--requote-on-tick", action="store_true", help="also requote every time the mid moves")

    m = p.add_argument_group("market rules")
    m.add_argument("--tick-size", type=positive_float, default=None,
                   help="price grid (default: --calibration's, else inferred from the warm-up's quotes)")
    add_fill_arguments(m)
    m.add_argument("--latency-ms", type=non_negative_float, default=0.0,
                   help="order-entry latency, milliseconds (default 0)")
    m.add_argument("--feed-latency-ms", type=non_negative_float, default=0.0,
                   help="market-data latency, milliseconds (default 0): the strategy sees the book this late; "
                        "fills happen on the exchange's clock")
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
    """``A``, ``k``, ``sigma``, the tick size and the median spread from a ``calibration.json`` written by
    ``mmsim calibrate`` (:func:`analytics.load_calibration`), on replay's clock: seconds, the file's own unit, so
    nothing is scaled.

    Raises
    ------
    DataError
        As for :func:`analytics.load_calibration`: the file and the bad field are named.
    """
    params = load_calibration(path).in_time_unit(REPLAY_TIME_UNIT_S)
    return {"k": params.k, "sigma": params.sigma, "A": params.A, "tick_size": params.tick_size,
            "median_spread": params.median_spread}


def warmup_rows(source, minutes: float) -> tuple[pd.DataFrame, float]:
    """The rows of the first ``minutes`` of the data (those before its first time + ``minutes``), and that end
    time: read chunk by chunk and no further, so the defaults do not depend on how the file is chunked.

    Raises
    ------
    DataError
        If the data have no rows.
    ConfigError
        If the warm-up covers all the data (nothing would be left to trade).
    """
    frames, end = [], None
    for chunk in source.chunks():
        if not len(chunk):
            continue
        ts = chunk["ts"].to_numpy()
        if end is None:
            end = float(ts[0]) + 60.0 * minutes
        frames.append(chunk[ts < end])
        if ts[-1] >= end:
            return pd.concat(frames, ignore_index=True), end
    if end is None:
        raise DataError(f"{source.name}: no rows")
    raise ConfigError(f"--warmup-min {minutes:g}: the warm-up covers all the data ({source.name}), nothing is "
                      "left to trade")


def warmup_sigma(warm: pd.DataFrame) -> float:
    """The realised volatility of the warm-up's mids sampled every second, price per square-root second."""
    quotes = warm[warm["kind"].to_numpy() == QUOTE]
    mid = (0.5 * (quotes["bid"] + quotes["ask"])).to_numpy()
    return realised_volatility(quotes["ts"].to_numpy(), mid, WARMUP_SIGMA_INTERVAL_S).sigma


def _median_spread(median: float, tick_size: float) -> float:
    """The naive strategies' default spread: a median quoted spread on the tick grid and at least
    ``MIN_SPREAD_TICKS`` ticks, so they quote about at the touch whatever the instrument's spread (a fixed few
    ticks sits deep inside a 15-tick spread and is first in line for every informed trade)."""
    return on_grid(median, tick_size, MIN_SPREAD_TICKS)


def add_fill_arguments(group) -> None:
    """``--post-only`` and ``--queue``: the fill rule, shared by ``mmsim replay`` and ``mmsim calibrate`` (whose
    hypothetical quotes are matched by the rule the replay will use)."""
    group.add_argument("--post-only", choices=["clamp", "withdraw"], default="clamp",
                   help="a side at or through the opposite best: slide it one tick inside (clamp, default) or "
                        "drop it (withdraw)")
    group.add_argument("--queue", choices=tuple(QUEUE_RULES), default=None,
                   help="l3: our exact place in the queue from the book rebuilt by order id (the default for "
                        "LOBSTER files of level 2 and deeper); conservative: fill at our price only after the "
                        "displayed size ahead has traded (the default for level-1 data); touch: on any trade at "
                        "our price")


def check_data_options(args) -> None:
    """Refuse ``--queue l3`` without LOBSTER files, and a ``--cache-dir`` that is not a folder or that these
    data would not use (they replay as ticks), before any work."""
    if args.queue == "l3" and args.path is None:
        raise ConfigError("--queue l3 needs LOBSTER files (order ids): give PATH, or --queue conservative")
    cache = args.cache_dir
    if cache is None:
        return
    if not cache or Path(cache).exists() and not Path(cache).is_dir():
        raise ConfigError(f"--cache-dir {cache!r} is not a folder")
    if args.path is None or (args.queue != "l3" and data_levels(args) == 1):
        raise ConfigError("--cache-dir keeps level-N LOBSTER days (or any LOBSTER day with --queue l3): these "
                          "data replay as ticks, read as they come")


def queue_for(args) -> tuple[str, int, str]:
    """The queue rule (``--queue``, else the data's default: ``l3`` for LOBSTER files of level 2 and deeper,
    ``conservative`` otherwise), the data's levels, and where the rule came from."""
    levels = data_levels(args)
    queue = args.queue or ("l3" if levels > 1 else "conservative")
    return queue, levels, "--queue" if args.queue else f"level-{levels} data"


@attrs.define
class SharedDay:
    """What several replays of one day with the same data options share (the strategies of a ``mmsim study
    --real`` cell): the full book read and checked once, held in memory (:class:`BookInMemory`), and the
    warm-up's fill-intensity fit, which depends on the day and the fill rule, not on the strategy. Results are
    those of replaying each strategy on its own."""

    books: dict = attrs.Factory(dict)
    fits: dict = attrs.Factory(dict)

    @staticmethod
    def get(store: dict | None, key, make):
        """``store[key]``, made by ``make()`` the first time; just ``make()`` without a store."""
        if store is None:
            return make()
        if key not in store:
            store[key] = make()
        return store[key]


def data_defaults(args, warm: pd.DataFrame | None, name: str, calibration: dict, naive: bool,
                  fills=None, warm_end: float | None = None, fits: dict | None = None) -> dict:
    """The tick size, naive spread and ``k`` the options leave to the data, with where each came from: the
    options, else ``--calibration`` (another day), else the warm-up (the first ``--warmup-min`` minutes, which
    are not traded: ``warm`` holds their rows, None without a warm-up, and ``warm_end`` is when it ends). Never
    from data after the warm-up: a decision at time t uses only data before t.

    ``k`` and ``A`` come from hypothetical quotes replayed on the warm-up by the replay's own fill rule:
    ``fills(ticks, tick_size, until)`` returns the source and fill model (see :func:`fill_model_for`); ``fits``
    (a :class:`SharedDay`'s) keeps the fit for the next replay of the same day."""
    glft = args.strategy == "glft"
    out = {"tick_size": (args.tick_size, "--tick-size"), "spread": (args.spread, "--spread"), "k": (args.k, "--k"),
           "A": (getattr(args, "A", None), "--A"), "sigma": (args.sigma, "--sigma")}
    for option, key in (("tick_size", "tick_size"), ("spread", "median_spread"), ("k", "k"), ("A", "A"),
                        ("sigma", "sigma")):
        if out[option][0] is None and calibration.get(key) is not None:
            out[option] = (calibration[key], "calibration")
    needed = {"tick_size": True, "spread": naive, "k": args.strategy == "avellaneda-stoikov" or glft,
              "A": glft, "sigma": glft}
    missing = [option for option in needed if needed[option] and out[option][0] is None]
    if missing:
        if warm is None:
            options = ", ".join("--" + m.replace("_", "-") for m in missing)
            raise ConfigError(f"no warm-up (--warmup-min 0): give {options} or --calibration")
        quotes = warm[warm["kind"].to_numpy() == QUOTE]
        if out["tick_size"][0] is None:
            out["tick_size"] = (infer_tick_size(warm), "warm-up")
        tick = out["tick_size"][0]
        median = float(np.median((quotes["ask"] - quotes["bid"]).to_numpy())) if len(quotes) else 0.0
        if needed["spread"] and out["spread"][0] is None:
            out["spread"] = (median, "warm-up median quoted")
        if needed["k"] and out["k"][0] is None or needed["A"] and out["A"][0] is None:
            def fit_warmup():
                replayed, fill_model = fills(FrameSource([warm], name=f"{name} warm-up"), tick, warm_end)
                return quote_intensity(replayed, tick_size=tick, median_spread=max(median, tick),
                                       window_s=args.requote_ms / 1000.0, order_size=args.order_size,
                                       fill_model=fill_model)

            fit = SharedDay.get(fits, (tick, median, warm_end, args.requote_ms, args.order_size, args.queue,
                                       args.post_only), fit_warmup)
            # k and A are one fit: a k given alone keeps its own value, and A comes from the fit all the same.
            out["k"] = out["k"] if out["k"][0] is not None else (fit.k, "warm-up quote fills")
            if needed["A"] and out["A"][0] is None:
                out["A"] = (fit.A, "warm-up quote fills")
        if needed["sigma"] and out["sigma"][0] is None:
            out["sigma"] = (warmup_sigma(warm), "warm-up realised")
    if naive and out["spread"][1] != "--spread":
        out["spread"] = (_median_spread(out["spread"][0], out["tick_size"][0]), out["spread"][1])
    return {option: (value, source if value is not None else None) for option, (value, source) in out.items()}


def strategy_spec(args, defaults: dict, calibration: dict[str, float], close: float | None) -> StrategySpec:
    """The strategy options as a spec, with the values they left to the data (``defaults``: tick size, naive
    spread, ``k``, ``A`` and ``sigma``, see :func:`data_defaults`) and the finite horizon's ``close`` filled in.

    Avellaneda-Stoikov estimates sigma online unless ``--sigma`` fixes it (a calibration's sigma only starts the
    estimate); GLFT takes a fixed one (``--sigma``, else the calibration's or the warm-up's)."""
    sigma = defaults["sigma"][0] if args.strategy == "glft" else args.sigma
    return StrategySpec(gamma=args.gamma, strategy_k=defaults["k"][0], strategy_sigma=sigma,
                        strategy_A=defaults["A"][0], max_inventory=args.max_inventory, spread=defaults["spread"][0],
                        order_size=args.order_size, tick_size=defaults["tick_size"][0], horizon_s=args.horizon_s,
                        sigma_window_s=args.sigma_window_s, sigma_prior=calibration.get("sigma"), close=close)


def build_strategy(args, spec: StrategySpec):
    """The strategy ``--strategy`` names, set up by ``spec`` (see :func:`mmsim.specs.build_replay_strategy`):
    requoting every ``--requote-ms`` and after each fill. (It sends nothing before the end of the warm-up: that
    is the run's ``trade_from``, see :func:`replay`.)"""
    return build_replay_strategy(args.strategy, spec, requote_s=args.requote_ms / 1000.0,
                                 requote_on_tick=args.requote_on_tick,
                                 user_params=user_strategy_params(args, [args.strategy]))


# -- running -------------------------------------------------------------------------------------------------

def replay(source, strategy, fill_model: FillModel, *, latency_s: float = 0.0, feed_latency_s: float = 0.0,
           fees: Fees = Fees(), trade_from: float = -math.inf):
    """Replay ``source`` (a tick source, or a :class:`feeds.lobster_book.LobsterBookSource` for the full book)
    against ``strategy``, trading from ``trade_from`` (the end of the warm-up); return the simulation (its
    ledger, counters and clock)."""
    sim = Simulation(replay_feed(source), strategy, fill_model, seed=0, latency_s=latency_s,
                     feed_latency_s=feed_latency_s, fees=fees, trade_from=trade_from)
    sim.run()
    return sim


def data_levels(args) -> int:
    """The book depth of the data: a LOBSTER order-book file's levels (its columns, or failing the file, the
    message file's name ``..._message_N.csv``); 1 for generic quotes files."""
    if args.path is None:
        return 1
    path = Path(args.path)
    stem, sep, level = path.name.rpartition("_message_")
    book = Path(args.orderbook) if args.orderbook else path.with_name(f"{stem}_orderbook_{level}")
    if book.is_file():
        return orderbook_levels(book)
    return int(level.removesuffix(".csv")) if sep and level.removesuffix(".csv").isdigit() else 1


def fill_model_for(args, source, tick_size: float, queue: str, levels: int, until: float | None = None,
                   books: dict | None = None):
    """The source to replay and the fill model the queue rule names: the one place that picks them, for the
    replay and for the hypothetical quotes of its warm-up and of ``mmsim calibrate``. LOBSTER files deeper than
    level 1 (or any with ``l3``) replay message by message with the full book (up to ``until`` when given), so
    hidden executions are known as such whatever the model; level-1 and generic files replay as ticks
    (``source``). ``books`` (a :class:`SharedDay`'s) keeps the full book, read once, for the next replay."""
    if args.path is None or (levels == 1 and queue != "l3"):
        return source, TradeThroughFills(tick_size, queue=queue, post_only=args.post_only)

    def read():
        return LobsterBookSource(args.path, args.orderbook, chunk_rows=args.chunk_rows, until=until)

    # Replayed once, the book is streamed, or loaded from --cache-dir where it was kept, read and checked, by an
    # earlier run; shared by the replays of a study cell, it is read and checked once.
    cache = args.cache_dir

    def whole():
        return cached_book(read(), cache) if cache else BookInMemory(read())

    if books is not None:
        book = SharedDay.get(books, (args.path, args.orderbook, args.chunk_rows, until), whole)
    else:
        book = whole() if cache else read()
    if queue == "l3":
        return book, QueueFills(tick_size, post_only=args.post_only)
    return book, TradeThroughFills(tick_size, queue=queue, post_only=args.post_only)


def queue_summary(sim) -> dict:
    """How the fills split (at the touch, behind it, through our price) and how long queue fills waited."""
    stats, waits = sim.fills.stats, np.asarray(sim.fills.queue_s)
    return {"at_touch": stats["fills_at_touch"], "behind_touch": stats["fills_behind_touch"],
            "through": stats["fills_through"], "queue_fills": len(waits),
            "queue_s_median": float(np.median(waits)) if len(waits) else None,
            "queue_s_mean": float(waits.mean()) if len(waits) else None}


def _write_outputs(out: str, sim, report: dict, args, cap: float | None) -> tuple[Path, Path]:
    """Save the results in the layout ``mmsim report`` reads (as ``mmsim run`` does): ``summary.json`` with
    ``rows``, ``config`` and the ``report`` options, the ledger in ``<strategy>/``, and ``report.html`` on the
    real-time clock. Everything is staged, so a failure leaves no partial output behind.

    Returns the folder and the report file."""
    name = report["strategy"]
    options = report_options("real", cap=cap, title=f"mmsim replay: {name} on {report['source']}")
    # The options as given, with the values that defaulted to the data (tick size, k, spread) filled in.
    config = {**{k: v for k, v in vars(args).items() if k not in ("handler", "json")},
              "tick_size": report["market"]["tick_size"], "queue": report["market"]["queue"],
              "k": report["strategy_params"]["k"],
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


def replay_run(args, *, show_progress: bool = True, shared: SharedDay | None = None):
    """Replay the data the options name against the strategy they name: the work of ``mmsim replay`` without
    its output. Returns ``(sim, report)``: the simulation (ledger, counters) and the JSON-ready report.

    ``mmsim study --real`` runs its strategies through here, so that they meet the data exactly as a replay
    does (the same warm-up, defaults from the data, queue model, fill model, latency and fees), with one
    ``shared`` per day so the day's full book and warm-up fit are made once."""
    check_requote(args.requote_ms)
    check_data_options(args)
    calibration = read_calibration(args.calibration) if args.calibration else {}
    source = open_tick_source(args)
    naive = args.strategy in NAIVE_STRATEGIES
    warm, trade_from = warmup_rows(source, args.warmup_min) if args.warmup_min > 0 else (None, None)
    queue, levels, queue_source = queue_for(args)  # after the first read: a bad message file is named first
    books, fits = (None, None) if shared is None else (shared.books, shared.fits)
    defaults = data_defaults(args, warm, source.name, calibration, naive,
                             lambda ticks, tick, until: fill_model_for(args, ticks, tick, queue, levels, until),
                             trade_from, fits)
    (tick_size, tick_source), (spread, spread_source), (k, k_source) = (
        defaults["tick_size"], defaults["spread"], defaults["k"])
    if args.close is None:
        close = None
    else:
        first = _first_time(source, warm)
        close = close_after(args.close, first, first if trade_from is None else trade_from)
    strategy = build_strategy(args, strategy_spec(args, defaults, calibration, close))
    if args.out is not None:
        check_folder_name(strategy.name, (SUMMARY_FILE, REPORT_FILE))  # it names the ledger's folder
    replayed, fill_model = fill_model_for(args, source, tick_size, queue, levels, books=books)
    fees = Fees(bps=args.fee_bps, per_unit=args.fee_per_share)

    replay_start = time.perf_counter()
    progress = source_progress(replayed, "mmsim replay") if show_progress else contextlib.nullcontext(replayed)
    with progress as counted:
        sim = replay(counted, strategy, fill_model, latency_s=args.latency_ms / 1000.0,
                     feed_latency_s=args.feed_latency_ms / 1000.0, fees=fees,
                     trade_from=-math.inf if trade_from is None else trade_from)
    replay_s = time.perf_counter() - replay_start
    summary = replay_summary(sim.ledger)
    report = {
        "command": "replay", "source": source.name, "strategy": strategy.name, **summary,
        "events": sim.scheduler.events, "requotes_skipped": sim.requotes_skipped, "wall_s": round(replay_s, 3),
        "data": {**replayed.stats, **({"levels": levels} if hasattr(replayed, "levels") else {})},
        "warnings": print_warnings("replay", source),
        "warmup": {"minutes": args.warmup_min, "trade_from": trade_from},
        "market": {"tick_size": tick_size, "tick_size_source": tick_source,
                   "post_only": args.post_only, "queue": queue,
                   "queue_source": queue_source,
                   "latency_ms": args.latency_ms, "feed_latency_ms": args.feed_latency_ms,
                   "fee_bps": args.fee_bps, "fee_per_share": args.fee_per_share, **sim.fills.stats},
        "fill_split": queue_summary(sim),
        "strategy_params": {"requote_ms": args.requote_ms, "requote_on_tick": args.requote_on_tick,
                            "order_size": args.order_size, "k": k, "k_source": k_source,
                            "calibration": calibration or None,
                            **_strategy_params(args, spread, spread_source, defaults, close)},
    }
    return sim, report


def _first_time(source, warm: pd.DataFrame | None) -> float:
    """The time of the data's first row (from the warm-up rows when read already)."""
    if warm is not None and len(warm):
        return float(warm["ts"].iloc[0])
    for chunk in source.chunks():
        if len(chunk):
            return float(chunk["ts"].iloc[0])
    raise DataError(f"{source.name}: no rows")


def run(args) -> int:
    start = time.perf_counter()
    if args.out is not None:
        check_out_dir(args.out, args.force)  # refuse a file as --out before the work, but create nothing yet
    sim, report = replay_run(args)
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


def _strategy_params(args, spread: float | None, spread_source: str, defaults: dict, close: float | None) -> dict:
    if args.strategy == "avellaneda-stoikov":
        return {"gamma": args.gamma, "horizon_s": args.horizon_s, "sigma": args.sigma,
                "sigma_window_s": args.sigma_window_s, "close": close}
    if args.strategy == "glft":
        return {"gamma": args.gamma, "max_inventory": args.max_inventory, "A": defaults["A"][0],
                "A_source": defaults["A"][1], "sigma": defaults["sigma"][0], "sigma_source": defaults["sigma"][1]}
    if args.strategy in ("naive", "inventory-capped"):
        params = {"spread": spread, "spread_source": spread_source}
        if args.strategy == "inventory-capped":
            params["max_inventory"] = args.max_inventory
        return params
    return {}


def _print_report(r: dict) -> None:
    d, m, f = r["data"], r["market"], r["fill_split"]
    rows = f"{d['rows']} messages (level {d['levels']})" if "levels" in d else f"{d.get('quotes', '?')} quotes"
    print(f"mmsim replay: {r['strategy']} on {r['source']}: {rows}, {d.get('trades', '?')} "
          f"trades ({d.get('crossed_or_locked_skipped', 0)} crossed/locked skipped), t {r['start']:.3f} to "
          f"{r['end']:.3f} s")
    print(f"  market: tick {m['tick_size']:g} ({m['tick_size_source']}), queue {m['queue']} ({m['queue_source']}), "
          f"post-only {m['post_only']} ({m['post_only_clamped']} clamped, {m['post_only_withdrawn']} withdrawn), "
          f"latency {m['latency_ms']:g} ms, feed latency {m['feed_latency_ms']:g} ms")
    print(f"  pnl {r['pnl']:.2f} = spread capture {r['spread_capture']:.2f} + inventory {r['inventory_pnl']:.2f} "
          f"- fees {r['fees']:.2f}")
    print(f"  fills {r['fills']} ({r['buys']} buys, {r['sells']} sells; {m['fills_at_touch']} at the touch, "
          f"{m['fills_behind_touch']} behind it, {m['fills_through']} through our price), volume {r['volume']:g}, "
          f"final inventory {r['final_inventory']:g}, max |inventory| {r['max_abs_inventory']:g}")
    if f["queue_fills"]:
        print(f"  time in queue before a fill at our price: median {f['queue_s_median']:.3g} s, "
              f"mean {f['queue_s_mean']:.3g} s over {f['queue_fills']} fills")
    print(f"  {r['events']} events in {r['wall_s']:.2f} s (total {r['total_s']:.2f} s)"
          + (f"; results in {r['out']}/ (report: {r['report_html']})" if "out" in r else ""))
