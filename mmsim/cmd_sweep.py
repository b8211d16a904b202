"""``mmsim sweep``: a strategy over a grid of strategy and market parameters, resumable, on processes or Dask."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analytics.report import build_sweep_report
from mmsim.arguments import add_strategy_param_argument, non_negative_int, positive_int, user_strategy_params
from mmsim.cmd_run import add_market_arguments, add_strategy_arguments, market_spec, strategy_spec
from mmsim.output import (add_force_argument, claim_out_dir, finish_out_dir, json_safe, prepare_out_dir, write_csv,
                          write_json, write_parquet)
from mmsim.progress import cell_progress
from mmsim.specs import MODEL_STRATEGIES
from mmsim.sweep import (CELLS_DIR, ENGINES, GRID_PARAMETERS, SweepConfig, cell_path, finished_cells,
                         is_user_strategy, parse_grid, run_sweep)

TABLE_FILE = "sweep.parquet"
#: A Dask scheduler address: scheme://host:port (host a name, an IPv4 address or a bracketed IPv6 one).
_DASK_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):\d{1,5}")


def dask_address(text: str) -> str:
    """``--dask``: ``local`` or a scheduler address, checked before any work (Dask's own error is a traceback)."""
    if text == "local" or _DASK_ADDRESS.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(f"expected local or a scheduler address like tcp://HOST:PORT, got {text!r}")


def sweep_strategy(text: str) -> str:
    """``--strategy``: a model strategy's name or a user's ``path/to/file.py:ClassName`` (loaded with the sweep)."""
    if text in MODEL_STRATEGIES or is_user_strategy(text):
        return text
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(MODEL_STRATEGIES)} or path/to/file.py:ClassName, "
                                     f"got {text!r}")


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run a strategy over a parameter grid (resumable; processes or Dask)",
                       description="Run a strategy over every cell of a grid of strategy and market parameters, "
                                   "each cell over --paths seeded paths, and write one table (sweep.parquet) and "
                                   "a report with heatmaps. Each finished cell is stored at once under "
                                   "OUT/cells/, so an interrupted sweep continues with --resume.")
    p.add_argument("--grid", action="append", metavar="NAME=V1,V2,...",
                   help=f"repeatable, one axis each (the last varies fastest); NAME is one of "
                        f"{', '.join(GRID_PARAMETERS)}")
    p.add_argument("--strategy", type=sweep_strategy, default="avellaneda-stoikov",
                   help=f"strategy of every cell unless the grid has a strategy axis: {', '.join(MODEL_STRATEGIES)} "
                        "(default avellaneda-stoikov), or path/to/file.py:ClassName (vary market parameters only)")
    add_strategy_param_argument(p)
    p.add_argument("--paths", type=positive_int, default=100, help="paths per cell (default 100)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="the sweep's seed (default 0)")
    add_strategy_arguments(p.add_argument_group("strategy (base values; a grid axis overrides)"))
    x = p.add_argument_group("execution")
    x.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (default): each cell on the vectorised engine where it gives the event engine's "
                        "results (step fills, no price impact), else on the event engine (said once on stderr); "
                        "or force one engine")
    x.add_argument("--workers", type=positive_int, default=None,
                   help="local processes, or workers of --dask local (default: every core)")
    x.add_argument("--dask", metavar="local|tcp://HOST:PORT", default=None, type=dask_address,
                   help="run on Dask: 'local' starts a loopback LocalCluster, an address uses a running scheduler "
                        "(needs pip install 'mmsim[dask]')")
    x.add_argument("--resume", action="store_true", help="skip the cells already finished in --out")
    p.add_argument("--out", default="mmsim-sweep", help="output directory (default ./mmsim-sweep)")
    add_force_argument(p)
    p.add_argument("--csv", action="store_true", help="also write the table as sweep.csv")
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of the table")
    add_market_arguments(p)
    p.set_defaults(handler=run)


def config_from_args(args) -> SweepConfig:
    """The sweep the options describe (validated: every cell's market and strategy can be built)."""
    grid = parse_grid(args.grid or [])
    names = dict(grid).get("strategy", (args.strategy,))
    return SweepConfig(grid, strategy=args.strategy, market=market_spec(args), strategy_params=strategy_spec(args),
                       paths=args.paths, seed=args.seed, engine=args.engine,
                       user_params=user_strategy_params(args, names))


def run_cells(config, args, command: str, notes: Sequence[str] = ()):
    """Run the cells of ``config`` (a sweep, or the real-day study) into ``--out`` with the options ``--workers``,
    ``--dask``, ``--resume`` and ``--force``, with a progress bar. Returns ``(out, table, resumed cells, wall s)``.
    ``notes`` are said on stderr, one line each, when the first cell starts (so not when the folder or the options
    are refused, which is one line of its own).

    The folder is claimed at once, so a run killed part-way leaves a folder ``--resume`` may continue; one that
    stopped before finishing a cell leaves no empty folder behind, and finished cells are kept."""
    existed = Path(args.out).exists()
    out = prepare_out_dir(args.out, args.force)
    try:
        claim_out_dir(out, command)
        already = len(finished_cells(config, out)) if args.resume else 0
        start = time.perf_counter()
        unsaid = list(notes)
        with cell_progress(config.size, already, f"mmsim {command}") as advance:
            def progress(finished: int, running: int) -> None:
                while unsaid:  # before the bar, which waits half a second before it is drawn
                    print(f"mmsim {command}: {unsaid.pop(0)}", file=sys.stderr)
                advance(finished, running)

            table = run_sweep(config, out, workers=args.workers, dask=args.dask, resume=args.resume,
                              progress=progress)
        wall = time.perf_counter() - start
    except BaseException:
        if not existed and not list((out / CELLS_DIR).glob("cell-*.json")):
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out, table, already, wall


def run(args) -> int:
    config = config_from_args(args)
    out, table, already, wall = run_cells(config, args, "sweep", notes=config.fallbacks())
    vectorised = sum(config.cell_engine(i) == "vectorised" for i in range(config.size))

    write_parquet(out / TABLE_FILE, table)
    if args.csv:
        write_csv(out / "sweep.csv", table)
    settings = {k: v for k, v in vars(args).items() if k != "handler"}
    html_path = build_sweep_report(table, config.names, out, title="mmsim sweep", config=settings)
    summary = {"command": "sweep", "cells": config.size, "resumed_cells": already, "wall_s": round(wall, 3),
               "executor": f"dask {args.dask}" if args.dask else "processes",
               "engines": {"vectorised": vectorised, "event": config.size - vectorised}, "out": str(out),
               "sweep": config.to_dict(), "rows": table.to_dict(orient="records")}
    write_json(out / "sweep.json", summary)
    written = [TABLE_FILE, "sweep.json", html_path.name, *(["sweep.csv"] if args.csv else []),
               *(str(cell_path(out, i).relative_to(out)) for i in range(config.size))]
    finish_out_dir(out, "sweep", written)
    if args.json:
        json.dump(json_safe({**summary, "report_html": str(html_path)}), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mmsim sweep: {args.strategy if 'strategy' not in config.names else 'strategies'} over "
              f"{config.size} cells x {args.paths} paths, seed {args.seed} ({already} resumed; {vectorised} on "
              f"the vectorised engine, {config.size - vectorised} on the event engine)")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print(f"wall time {wall:.2f} s; table {out / TABLE_FILE}; report {html_path}")
    return 0
