"""``mmsim study``: run the comparisons behind docs/findings.md and write the page from their output."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

from engine import ConfigError
from engine.ledger import write_atomic
from mmsim.arguments import non_negative_float, non_negative_int, positive_float, positive_int
from mmsim.findings import render_findings
from mmsim.output import json_safe, prepare_out_dir, write_json
from mmsim.progress import progress_bar
from mmsim.study import SCENARIOS, StudyConfig, run_study

DEFAULTS = StudyConfig()
#: The options that change the study's numbers: StudyConfig field, argparse type, help.
NUMBER_OPTIONS = (
    ("paths", positive_int, "paths per market and strategy"),
    ("seed", non_negative_int, "seed"),
    ("gamma", positive_float, "Avellaneda-Stoikov risk aversion"),
    ("max_inventory", positive_float, "inventory-capped limit"),
    ("volatile_ratio", positive_float, "volatile / calm sigma in the regimes market"),
    ("switch_rate", positive_float, "regime switching rate per time unit, both ways"),
    ("informed", positive_float, "share of informed market orders in the informed market"),
    ("informed_k", positive_float, "depth decay of the informed orders, per price unit"),
    ("horizon", non_negative_float, "markout horizon for adverse selection, time units"),
    ("resamples", positive_int, "bootstrap resamples"),
)


def add_parser(sub) -> None:
    p = sub.add_parser("study", help="check the Avellaneda-Stoikov claims and write findings.md",
                       description="Run Avellaneda-Stoikov, naive and inventory-capped quoting over the same seeded "
                                   "paths in three markets (the paper's, volatility regimes, informed order flow), "
                                   "compute inventory variance, Sharpe stability and adverse selection with bootstrap "
                                   "confidence intervals, and write findings.md (and study.json, and one "
                                   "report.html per market) from the output.")
    for name, kind, text in NUMBER_OPTIONS:
        default = getattr(DEFAULTS, name)
        p.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default, help=f"{text} (default {default:g})")
    p.add_argument("--workers", type=positive_int, default=1, help="processes (default 1; results are identical)")
    p.add_argument("--out", default="mmsim-study", help="output directory (default ./mmsim-study)")
    p.add_argument("--findings", default=None, metavar="FILE",
                   help="where to write the findings page (default OUT/findings.md)")
    p.add_argument("--no-reports", action="store_true", help="skip the per-market report.html files")
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    p.set_defaults(handler=run)


def command_line(args) -> str:
    """The command that reproduces this run's numbers (options that change them, in a fixed order)."""
    parts = ["mmsim", "study"]
    for name, _, _ in NUMBER_OPTIONS:
        value = getattr(args, name)
        if value != getattr(DEFAULTS, name):
            parts += [f"--{name.replace('_', '-')}", f"{value:g}" if isinstance(value, float) else str(value)]
    if args.findings:
        parts += ["--findings", args.findings]
    return shlex.join(parts)


def check_findings_path(path: str) -> None:
    """Refuse, before the study runs, a ``--findings`` path that cannot become a file."""
    target = Path(path)
    if target.is_dir() or path.endswith(("/", "\\")):
        raise ConfigError(f"--findings {path!r} is a folder: give a file name, for example "
                          f"{str(target / 'findings.md')!r}")
    if not target.parent.is_dir():
        raise ConfigError(f"--findings {path!r}: the folder {str(target.parent)!r} does not exist")


def run(args) -> int:
    if args.findings is not None:
        check_findings_path(args.findings)
    config = StudyConfig(workers=args.workers, **{name: getattr(args, name) for name, _, _ in NUMBER_OPTIONS})
    out = prepare_out_dir(args.out)
    start = time.perf_counter()
    with progress_bar(args.paths * 3 * len(SCENARIOS), "mmsim study") as advance:
        numbers = run_study(config, progress=advance, report_dir=None if args.no_reports else out)
    wall = time.perf_counter() - start
    findings = prepare_out_dir(out) / "findings.md" if args.findings is None else args.findings
    text = render_findings(numbers, command_line(args))
    write_atomic(findings, lambda tmp: open(tmp, "w", encoding="utf-8").write(text))
    write_json(out / "study.json", numbers)
    if args.json:
        json.dump(json_safe({"command": "study", "wall_s": round(wall, 3), "findings": str(findings),
                             "out": str(out), **numbers}), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mmsim study: {args.paths} paths x 3 strategies x {len(SCENARIOS)} markets in {wall:.1f} s")
        print(f"findings: {findings}; numbers: {out / 'study.json'}")
    return 0
