"""``mmsim study --real DAY ...``: the Avellaneda-Stoikov claims on replayed days (see :mod:`mmsim.real_study`)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from mmsim.sweep import cell_path
from engine import ConfigError
from mmsim.arguments import any_float, non_negative_float, positive_float
from mmsim.cmd_sweep import dask_address, run_cells
from mmsim.output import finish_out_dir, json_safe, write_json
from mmsim.real_days import find_days
from mmsim.real_findings import CHALLENGERS, LABELS, render_section, study_numbers, write_section
from mmsim.real_study import DEFAULT_GLFT_LOTS, DEFAULT_SKEWS, REGIME_THRESHOLDS, RealStudy

NUMBERS_FILE = "study-real.json"
#: Replay options the study forwards to every replay when given (else replay's defaults hold): dest, type, help.
FORWARDED = (
    ("warmup_min", positive_float, "minutes replayed but not traded, on which everything is calibrated (replay's "
                                   "default 30)"),
    ("order_size", positive_float, "shares per side of every strategy's quotes (replay's default 100)"),
    ("latency_ms", non_negative_float, "order-entry latency, ms (replay's default 0)"),
    ("fee_bps", any_float, "fee per fill, basis points of value; negative for a rebate (replay's default 0)"),
    ("fee_per_share", any_float, "fee per share; negative for a rebate (replay's default 0)"),
    ("requote_ms", positive_float, "requote timer, ms (replay's default 100)"),
)


def skews(text: str) -> tuple[float, ...]:
    """``--skews 0.1,0.3,1,3``."""
    try:
        values = tuple(float(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers > 0 separated by commas, got {text!r}") from None
    if not all(v > 0 and v != float("inf") for v in values) or len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"expected distinct numbers > 0 separated by commas, got {text!r}")
    return values


def add_arguments(p) -> None:
    """The ``--real`` options of ``mmsim study``."""
    r = p.add_argument_group("real days (--real)")
    r.add_argument("--real", nargs="+", metavar="DAY",
                   help="run the study on replayed days instead of the synthetic markets: LOBSTER message files, "
                        "generic PREFIXquotes.csv files (PREFIXtrades.csv beside them), folders or globs of them")
    r.add_argument("--skews", type=skews, default=DEFAULT_SKEWS, metavar="S1,S2,...",
                   help="risk-aversion grid as the one-lot skew of A-S, in ticks, at the warm-up's volatility "
                        f"(default {','.join(f'{s:g}' for s in DEFAULT_SKEWS)}; the claims use the cell nearest 1)")
    r.add_argument("--close", default="16:00", metavar="HH:MM", help="end of A-S's finite horizon (default 16:00)")
    r.add_argument("--block-s", type=positive_float, default=300.0,
                   help="blocks of the bootstrap and of the regimes' variance, seconds (default 300)")
    r.add_argument("--regimes", choices=REGIME_THRESHOLDS, default="past",
                   help="tercile thresholds of a block from every window before it (past, default) or from the "
                        "warm-up alone")
    r.add_argument("--glft-lots", type=positive_float, default=DEFAULT_GLFT_LOTS,
                   help="GLFT's inventory limit in lots of --order-size, fixed before trading "
                        f"(default {DEFAULT_GLFT_LOTS:g})")
    for name, kind, text in FORWARDED:
        r.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None, help=text)
    r.add_argument("--dask", metavar="local|tcp://HOST:PORT", default=None, type=dask_address,
                   help="run the cells on Dask (needs pip install 'mmsim[dask]')")
    r.add_argument("--resume", action="store_true", help="skip the cells already finished in --out")


def forwarded_options(args) -> tuple[str, ...]:
    out = []
    for name, _, _ in FORWARDED:
        value = getattr(args, name)
        if value is not None:
            out += [f"--{name.replace('_', '-')}", repr(value)]
    return tuple(out)


def command_line(args) -> str:
    """The command that reproduces this run's numbers."""
    parts = ["mmsim", "study", "--real", *args.real]
    if args.skews != DEFAULT_SKEWS:
        parts += ["--skews", ",".join(f"{s:g}" for s in args.skews)]
    for flag, value, default in (("--close", args.close, "16:00"), ("--block-s", args.block_s, 300.0),
                                 ("--regimes", args.regimes, "past"),
                                 ("--glft-lots", args.glft_lots, DEFAULT_GLFT_LOTS), ("--seed", args.seed, 0),
                                 ("--resamples", args.resamples, 2000)):
        if value != default:
            parts += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    parts += list(forwarded_options(args))
    if args.findings:
        parts += ["--findings", args.findings]
    return shlex.join(parts)


def run(args, synthetic_only: list[str]) -> int:
    """Run the real-day study; ``synthetic_only`` names the options given that only the synthetic study takes."""
    if synthetic_only:
        raise ConfigError(f"{synthetic_only[0]} goes with the synthetic study, not --real")
    days = find_days(args.real)
    study = RealStudy(days, args.skews, forwarded_options(args), args.close, args.block_s, args.regimes,
                      args.glft_lots)
    study.check_days()  # before the runner claims --out: a bad day leaves nothing behind
    out, rows, already, wall = run_cells(study, args, "study")
    numbers = study_numbers(rows, study.headline(), resamples=args.resamples, seed=args.seed)
    command = command_line(args)
    findings = out / "findings.md" if args.findings is None else args.findings
    write_section(findings, render_section(numbers, command))
    write_json(out / NUMBERS_FILE, {"command": command, "cells": study.size, "resumed_cells": already, **numbers})
    report = None
    if not args.no_reports:
        from analytics.study_report import build_study_report

        report = build_study_report(numbers, rows, out, title="mmsim study --real", config={"command": command})
    written = [NUMBERS_FILE, *([report.name] if report else []), *(["findings.md"] if args.findings is None else []),
               *(str(cell_path(out, i).relative_to(out)) for i in range(study.size))]
    finish_out_dir(out, "study", written)
    if args.json:
        json.dump(json_safe({"command": "study --real", "wall_s": round(wall, 3), "findings": str(findings),
                             "out": str(out), "report_html": None if report is None else str(report),
                             **numbers}), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mmsim study --real: {len(days)} day(s) x {len(study.skews)} skew(s) = {study.size} cells "
              f"({already} resumed) in {wall:.1f} s")
        for name, d in numbers["days"].items():
            print(f"  {name}: {d['wall_s_per_cell']:.1f} s per cell (5 replays), queue {d['queue']}")
        for s in CHALLENGERS:
            v = numbers["claims"][s]["verdicts"]
            print(f"  {LABELS[s]} vs naive: inventory variance {v['inventory']}; adverse selection {v['adverse']}; "
                  f"steadier Sharpe {v['sharpe']}")
        print(f"findings: {findings}; numbers: {out / NUMBERS_FILE}" + (f"; report: {report}" if report else ""))
    return 0
