"""``mmsim paper``: recompute the tables of Avellaneda and Stoikov (2008), section 3.3."""

from __future__ import annotations

import json
import sys
import time

from mmsim.arguments import non_negative_int, positive_float, positive_int
from mmsim.output import json_safe
from mmsim.paper import ENGINES, FILLS, METRICS, PAPER_GAMMAS, paper_market, published_rows, run_paper
from mmsim.progress import progress_bar

#: Text-table columns: (header, row key, format).
COLUMNS = (("spread", "avg_spread", "{:.3f}"), ("profit", "profit_mean", "{:.2f}"),
           ("std(profit)", "profit_std", "{:.2f}"), ("final q", "final_q_mean", "{:.3f}"),
           ("std(final q)", "final_q_std", "{:.2f}"))
_LABEL_WIDTH = 18
_TITLES = {"step": "step fills (the paper's)", "exact": "exact Poisson fills"}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "paper", help="recompute the Avellaneda-Stoikov (2008) Monte Carlo tables",
        description="Recompute the tables of Avellaneda & Stoikov, 'High-frequency trading in a limit order book' "
                    "(2008), section 3.3: s0=100, T=1, sigma=2, dt=0.005, A=140, k=1.5, 1000 paths per gamma; "
                    "'inventory' (their quotes) against 'symmetric' (the same average spread around the mid). "
                    "The published figures are printed under ours.")
    p.add_argument("--gamma", type=positive_float, nargs="+", default=list(PAPER_GAMMAS), metavar="GAMMA",
                   help="risk aversions, one table each (default: 0.1 0.01 1, the paper's)")
    p.add_argument("--paths", type=positive_int, default=1000, help="paths per strategy (default 1000)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed (default 0)")
    p.add_argument("--fills", choices=FILLS, default="step",
                   help="step: the paper's min(1, A exp(-k delta) dt) per step (default); exact: continuous-time "
                        "Poisson fills, shown side by side with step")
    p.add_argument("--engine", choices=ENGINES, default="vectorised",
                   help="vectorised (default) or event: the same model, event by event")
    p.add_argument("--workers", type=positive_int, default=1, help="processes for --engine event (default 1)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (rows: gamma, strategy, avg_spread, profit_mean, profit_std, "
                        "final_q_mean, final_q_std) instead of the tables")
    p.set_defaults(handler=run)


def _cells(row: dict | None) -> list[str]:
    if row is None:
        return [""] * len(COLUMNS)
    return [fmt.format(row[key]) if row.get(key) is not None else "-" for _, key, fmt in COLUMNS]


_WIDTHS = [max(len(header), 8) for header, _, _ in COLUMNS]
_GROUP_WIDTH = sum(_WIDTHS) + 2 * (len(_WIDTHS) - 1)


def _line(label: str, groups: list[list[str]]) -> str:
    parts = ["  ".join(cell.rjust(w) for cell, w in zip(group, _WIDTHS)) for group in groups]
    return (label.ljust(_LABEL_WIDTH) + " | ".join(parts)).rstrip()


def format_tables(rows: list[dict], fills: list[str], gammas: list[float]) -> str:
    """One table per gamma: our rows (one column group per fill model), then the paper's published rows."""
    published = published_rows(gammas)
    ours = {(r["fills"], r["gamma"], r["strategy"]): r for r in rows}
    out = []
    for gamma in gammas:
        out.append(f"\ngamma = {gamma:g}")
        if len(fills) > 1:
            out.append((" " * _LABEL_WIDTH + " | ".join(_TITLES[f].center(_GROUP_WIDTH) for f in fills)).rstrip())
        out.append(_line("strategy", [[h for h, _, _ in COLUMNS] for _ in fills]))
        for strategy in ("inventory", "symmetric"):
            out.append(_line(strategy, [_cells(ours.get((f, gamma, strategy))) for f in fills]))
        for row in published:
            if row["gamma"] == gamma:
                out.append(_line(f"paper: {row['strategy']}", [_paper_cells(row)] + [_cells(None)] * (len(fills) - 1)))
    return "\n".join(out)


def _paper_cells(row: dict) -> list[str]:
    # As printed in the paper: two decimals, three where it gave three (-0.018).
    return [f"{row[key]:.{max(2, len(repr(row[key]).partition('.')[2]))}f}" for _, key, _ in COLUMNS]


def run(args) -> int:
    fills = ["step", "exact"] if args.fills == "exact" else ["step"]
    start = time.perf_counter()
    total = args.paths * 2 * len(args.gamma) * len(fills) if args.engine == "event" else 0
    with progress_bar(total, "mmsim paper") as advance:
        rows = run_paper(args.gamma, paths=args.paths, seed=args.seed, fills=fills, engine=args.engine,
                         workers=args.workers, progress=advance if total else None)
    wall = time.perf_counter() - start
    market = paper_market()
    if args.json:
        keep = ("gamma", "strategy", *METRICS, "fills_mean")
        chosen = [{k: r[k] for k in keep} for r in rows if r["fills"] == args.fills]
        report = {"command": "paper", "paths": args.paths, "seed": args.seed, "engine": args.engine,
                  "fills": args.fills, "wall_s": round(wall, 3),
                  "market": {"s0": market.s0, "T": market.T, "sigma": market.sigma, "dt": market.dt,
                             "A": market.A, "k": market.k, "q0": 0.0},
                  "rows": chosen, "published": published_rows(args.gamma)}
        if args.fills == "exact":
            report["step_rows"] = [{k: r[k] for k in keep} for r in rows if r["fills"] == "step"]
        json.dump(json_safe(report), sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"mmsim paper: Avellaneda & Stoikov (2008) section 3.3, s0={market.s0:g} T={market.T:g} "
          f"sigma={market.sigma:g} dt={market.dt:g} A={market.A:g} k={market.k:g} q0=0")
    print(f"{args.paths} paths per strategy, seed {args.seed}, {args.engine} engine, "
          f"fills {' and '.join(fills)}; profit = cash + q S at T")
    print(format_tables(rows, fills, args.gamma))
    print(f"\nwall time {wall:.2f} s. 'spread' is the time-average quoted spread; the paper's rows are its "
          "published figures (see docs/model.md).")
    return 0
