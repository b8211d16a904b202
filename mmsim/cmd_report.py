"""``mmsim report DIR``: rebuild ``report.html`` from the results a run saved in DIR."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analytics.report import REPORT_FILE, rebuild_report
from engine import ConfigError
from mmsim.output import add_force_argument, json_safe, written_files
from mmsim.progress import report_progress


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="rebuild report.html from a saved results folder",
                       description="Read DIR/summary.json and the per-strategy ledgers saved next to it (as written "
                                   "by mmsim run) and write DIR/report.html again: tables, P&L attribution, "
                                   "markouts, risk metrics and plots, in one self-contained page.")
    p.add_argument("dir", metavar="DIR", help="results folder written by mmsim run")
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    add_force_argument(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    existing = Path(args.dir) / REPORT_FILE
    if existing.exists() and not args.force and REPORT_FILE not in written_files(args.dir):
        raise ConfigError(f"{existing} was not written by mmsim: add --force to replace it")
    with report_progress("mmsim report") as advance:
        path = rebuild_report(args.dir, progress=advance)
    if args.json:
        json.dump(json_safe({"command": "report", "dir": args.dir, "report_html": str(path)}), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"mmsim report: wrote {path}")
    return 0
