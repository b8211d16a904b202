"""The numbers of ``mmsim study --real`` with their intervals, and the ``Real days`` section of the findings page
written from them.

The units of the bootstrap are the blocks of time of :mod:`mmsim.real_study` (five minutes by default), pooled
over the days: one replayed day is one path, so intervals come from resampling its blocks (a block bootstrap).
Every strategy trades the same blocks, so one resample of block indices serves them all (a paired comparison:
same day, same block, same regime). A comparison between two regimes resamples each regime's blocks on its own.
Every verdict is decided here from an interval (:func:`mmsim.findings.verdict`), never written by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from analytics.inference import PairedBootstrap, two_sample_estimate
from analytics.risk import sharpe
from analytics.time_blocks import REGIMES
from engine import ConfigError
from engine.ledger import write_atomic
from mmsim.findings import _ci, _table, verdict
from mmsim.real_study import HORIZONS, STRATEGIES

SECTION = "## Real days"
#: The strategies compared with naive quoting in the claims.
CHALLENGERS = ("as-rolling", "as-close", "glft")
NAIVE = "naive"
LABELS = {"as-rolling": "A-S rolling", "as-close": "A-S to the close", "glft": "GLFT", "naive": "naive",
          "naive-capped": "naive capped"}
#: The horizon of the adverse-selection claim, seconds.
CLAIM_HORIZON = 5.0


def _pooled_var(q2, q):
    return q2.mean(axis=1) - q.mean(axis=1) ** 2


def _per_share(cost, turnover):
    return cost.sum(axis=1) / turnover.sum(axis=1)


def _est(e) -> dict:
    return attrs.asdict(e)


def _blocks(rows: Sequence[Mapping]) -> tuple[np.ndarray, dict]:
    """The regime labels of every block of ``rows`` (one cell per day) and each strategy's block columns, in
    the same order."""
    labels = np.concatenate([np.asarray(r["labels"], dtype=int) for r in rows])
    columns = {s: {c: np.concatenate([np.asarray(r["strategies"][s]["blocks"][c], dtype=float) for r in rows])
                   for c in rows[0]["strategies"][s]["blocks"]} for s in STRATEGIES}
    return labels, columns


def study_numbers(rows: Sequence[Mapping], headline: float, *, resamples: int = 2000, seed: int = 0) -> dict:
    """Every number of the ``Real days`` section, from the cells' results.

    Parameters
    ----------
    rows : sequence of dict
        :meth:`mmsim.real_study.RealStudy.run` results of every cell.
    headline : float
        The skew whose cells the regime table and the claims use.
    resamples, seed : int
        Of the block bootstrap.

    Returns
    -------
    dict
        JSON-ready: ``days`` (per day: gamma, regime counts, per strategy summary, wall time), ``regimes`` (per
        regime and strategy: estimates with intervals), ``claims`` (per challenger: the three comparisons with
        intervals and verdicts), ``frontier`` (every cell's points).
    """
    head = sorted((r for r in rows if r["skew_ticks"] == headline), key=lambda r: r["day"])
    if not head:
        raise ConfigError(f"no cell at the headline skew {headline:g}")
    labels, cols = _blocks(head)
    regimes: dict = {}
    boots: dict = {}
    for code, regime in [(-1, "all"), *enumerate(REGIMES)]:
        mask = labels >= 0 if code < 0 else labels == code
        n = int(mask.sum())
        regimes[regime] = {"blocks": n}
        if n < 2:
            continue
        boot = boots[regime] = PairedBootstrap(n, resamples, seed)

        def col(s, c, mask=mask):
            return cols[s][c][mask]

        for s in STRATEGIES:
            regimes[regime][s] = {
                "pnl": _est(boot.estimate(lambda x: x.mean(axis=1), col(s, "pnl"))),
                "sharpe": _est(boot.estimate(sharpe, col(s, "pnl"))),
                "inventory_var": _est(boot.estimate(_pooled_var, col(s, "mean_q2"), col(s, "mean_q"))),
                "spread_capture": _est(boot.estimate(lambda x: x.mean(axis=1), col(s, "spread_capture"))),
                "inventory_pnl": _est(boot.estimate(lambda x: x.mean(axis=1), col(s, "inventory_pnl"))),
                **{f"markout_{h:g}": _est(boot.estimate(_per_share, col(s, f"cost_{h:g}"), col(s, "turnover")))
                   for h in HORIZONS},
            }

    claims: dict = {}
    for s in CHALLENGERS:
        claim = claims[s] = {"inventory_ratio": {}, "adverse_gap": {}}
        for regime, boot in boots.items():
            mask = labels >= 0 if regime == "all" else labels == REGIMES.index(regime)

            def col(name, c, mask=mask):
                return cols[name][c][mask]

            claim["inventory_ratio"][regime] = _est(boot.estimate(
                lambda a2, a, b2, b: _pooled_var(a2, a) / _pooled_var(b2, b),
                col(s, "mean_q2"), col(s, "mean_q"), col(NAIVE, "mean_q2"), col(NAIVE, "mean_q")))
            claim["adverse_gap"][regime] = {f"{h:g}": _est(boot.estimate(
                lambda a, ua, b, ub: _per_share(a, ua) - _per_share(b, ub), col(s, f"cost_{h:g}"),
                col(s, "turnover"), col(NAIVE, f"cost_{h:g}"), col(NAIVE, "turnover"))) for h in HORIZONS}
        if "calm" in boots and "volatile" in boots:
            calm, vol = labels == 0, labels == 2

            def change(c, v):
                return sharpe(v) - sharpe(c)

            claim["sharpe_change"] = {name: _est(two_sample_estimate(
                boots["calm"], boots["volatile"], change, [cols[name]["pnl"][calm]], [cols[name]["pnl"][vol]]))
                for name in (s, NAIVE)}

            def gap(c1, c2, v1, v2):
                return np.abs(change(c1, v1)) - np.abs(change(c2, v2))

            claim["stability_gap"] = _est(two_sample_estimate(
                boots["calm"], boots["volatile"], gap,
                [cols[s]["pnl"][calm], cols[NAIVE]["pnl"][calm]], [cols[s]["pnl"][vol], cols[NAIVE]["pnl"][vol]]))
        claim["verdicts"] = _verdicts(claim)

    days = {}
    for r in head:
        counts = np.bincount(np.asarray(r["labels"], dtype=int), minlength=3)
        walls = [c["wall_s"] for c in rows if c["day"] == r["day"]]
        days[r["day"]] = {
            "gamma": r["gamma"], "tick_size": r["tick_size"], "sigma_warmup": r["sigma_warmup"],
            "blocks": dict(zip(REGIMES, counts.tolist())), "queue": r["strategies"]["as-rolling"]["queue"],
            "wall_s_per_cell": float(np.mean(walls)),
            "strategies": {s: {k: r["strategies"][s][k] for k in ("pnl", "var_q", "q95", "max_abs_q", "fills",
                                                                  "avg_spread")} for s in STRATEGIES},
        }
    frontier = [{"day": r["day"], "skew_ticks": r["skew_ticks"], "gamma": r["gamma"], "strategy": s,
                 **{k: r["strategies"][s][k] for k in ("pnl", "var_q", "q95", "avg_spread")}}
                for r in rows for s in STRATEGIES]
    return {"setup": head[0]["setup"], "headline_skew": headline, "resamples": resamples, "seed": seed,
            "days": days, "regimes": regimes, "claims": claims, "frontier": frontier}


def _verdicts(claim: Mapping) -> dict:
    out = {"inventory": verdict(claim["inventory_ratio"]["all"], 1.0, "below") if "all" in
           claim["inventory_ratio"] else "not established",
           "adverse": verdict(claim["adverse_gap"]["all"][f"{CLAIM_HORIZON:g}"], 0.0, "below")
           if "all" in claim["adverse_gap"] else "not established"}
    out["sharpe"] = verdict(claim["stability_gap"], 0.0, "below") if "stability_gap" in claim else "not established"
    return out


# -- the section -----------------------------------------------------------------------------------------------

def render_section(numbers: Mapping, command: str) -> str:
    """The ``Real days`` section of the findings page (Markdown, starting with its heading)."""
    days, regimes, claims = numbers["days"], numbers["regimes"], numbers["claims"]
    setup = numbers["setup"]
    head = numbers["headline_skew"]
    out = [SECTION, "",
           f"Generated by `{command}`; every figure below comes from its output (`study-real.json`), every verdict "
           "from an interval. Intervals are 95% block-bootstrap percentile intervals: the units are five-minute "
           f"blocks of the traded sessions pooled over the days ({numbers['resamples']} resamples, seed "
           f"{numbers['seed']}); strategies are compared on the same blocks (paired).",
           "",
           f"Each day is walked forward: the first {setup['warmup_min']:g} minutes are replayed but not traded, and "
           "the tick size, the fill intensity (`k`, `A`), the volatility and the regime thresholds are measured on "
           "them" + (" (the regime thresholds then also on the blocks already over, never later ones)"
                     if setup["regimes"] == "past" else "") + ". The rest of the session is traded by A-S with a "
           f"rolling {setup['horizon_s']:g} s horizon, A-S with the paper's horizon to {setup['close']}, GLFT "
           f"limited to {setup['glft_lots']:g} lots ({setup['glft_lots'] * setup['order_size']:g} shares, fixed "
           "before trading), naive symmetric quotes at A-S rolling's average quoted spread that day, and naive quotes capped at the "
           "largest |inventory| A-S rolling reached; the same order size for all "
           f"({setup['order_size']:g} shares), latency ({setup['latency_ms']:g} ms), fees ({setup['fee_bps']:g} "
           f"bps + {setup['fee_per_share']:g} $/share), requote timer ({setup['requote_ms']:g} ms) and queue "
           "model. Risk aversion is set in trader's units: the cells below have a one-lot skew of "
           f"{head:g} tick(s) at the warm-up's volatility (gamma per day in the table).",
           "", "### The days", ""]
    rows = []
    for name, d in days.items():
        b = d["blocks"]
        rows.append([name, f"{d['gamma']:.3g}", f"{d['sigma_warmup']:.3g}", d["queue"],
                     f"{b['calm']} / {b['normal']} / {b['volatile']}", f"{d['wall_s_per_cell']:.1f}"])
    out += [_table(["day", "gamma (per $)", "warm-up sigma ($/sqrt s)", "queue model",
                    "blocks calm / normal / volatile", "wall s per cell (5 replays)"], rows), ""]
    rows = []
    for name, d in days.items():
        for s in STRATEGIES:
            x = d["strategies"][s]
            rows.append([name, LABELS[s], f"{x['pnl']:,.0f}", f"{x['var_q']:.3g}", f"{x['q95']:,.0f}",
                         f"{x['max_abs_q']:,.0f}", str(x["fills"]), f"{x['avg_spread']:.4f}"])
    out += [_table(["day", "strategy", "P&L ($)", "inventory variance (sh^2)", "95th pct abs(q) (sh)",
                    "max abs(q) (sh)", "fills", "avg quoted spread ($)"], rows), ""]

    out += ["### Per regime", "",
            "Per five-minute block, mean over the regime's blocks with 95% intervals. Sharpe is mean / std of the "
            "block P&Ls (per block, not annualised); inventory variance pools the blocks' time averages; markouts "
            "are the adverse-selection cost per share traded, $ (positive: the mid moved against the fill).", ""]
    rows = []
    for regime in ("all", *REGIMES):
        r = regimes[regime]
        for s in STRATEGIES:
            if s not in r:
                continue
            x = r[s]
            rows.append([regime, str(r["blocks"]), LABELS[s], _ci(x["pnl"]), _ci(x["sharpe"]),
                         _ci(x["inventory_var"]), _ci(x["spread_capture"]), _ci(x["inventory_pnl"]),
                         *(_ci(x[f"markout_{h:g}"]) for h in HORIZONS)])
    out += [_table(["regime", "blocks", "strategy", "P&L per block ($)", "Sharpe per block",
                    "inventory variance (sh^2)", "spread capture per block ($)", "inventory P&L per block ($)",
                    *(f"markout {h:g} s ($/sh)" for h in HORIZONS)], rows), ""]

    out += ["### The claims", ""]
    rows = []
    for s in CHALLENGERS:
        c = claims[s]
        v = c["verdicts"]
        inv = c["inventory_ratio"].get("all")
        adv = c["adverse_gap"].get("all", {}).get(f"{CLAIM_HORIZON:g}")
        rows.append([LABELS[s], "inventory variance / naive's < 1", _ci(inv) if inv else "n/a", v["inventory"]])
        rows.append([LABELS[s], f"markout {CLAIM_HORIZON:g} s per share minus naive's < 0 ($/sh)",
                     _ci(adv) if adv else "n/a", v["adverse"]])
        if "stability_gap" in c:
            sc = c["sharpe_change"]
            rows.append([LABELS[s], "Sharpe change calm -> volatile: abs(own) - abs(naive's) < 0",
                         f"{_ci(c['stability_gap'])}; own {_ci(sc[s])}, naive {_ci(sc[NAIVE])}", v["sharpe"]])
        else:
            rows.append([LABELS[s], "Sharpe change calm -> volatile", "too few calm or volatile blocks",
                         v["sharpe"]])
    out += [_table(["strategy", "claim", "estimate (95% interval)", "verdict"], rows), ""]
    per_regime = []
    for s in CHALLENGERS:
        c = claims[s]
        for regime in REGIMES:
            if regime in c["inventory_ratio"]:
                adv = c["adverse_gap"][regime][f"{CLAIM_HORIZON:g}"]
                per_regime.append([LABELS[s], regime, _ci(c["inventory_ratio"][regime]),
                                   verdict(c["inventory_ratio"][regime], 1.0, "below"), _ci(adv),
                                   verdict(adv, 0.0, "below")])
    out += ["Within each regime (same day, same regime, paired):", "",
            _table(["strategy", "regime", "inventory variance / naive's", "verdict",
                    f"markout {CLAIM_HORIZON:g} s gap ($/sh)", "verdict"], per_regime), ""]

    out += ["### What these days cannot tell", "",
            f"- {len(days)} day(s): {', '.join(days)}; a verdict here is about these sessions (the LOBSTER samples "
            "are one day per stock, of 2012, on NASDAQ alone). The blocks of one day are not independent draws of "
            "days; the block "
            "bootstrap allows for the dependence within a block only, not for a day-wide shock shared by every "
            "block, and says nothing about another day, year, venue or stock.",
            "- The replay cannot show how the market would have reacted to our orders: the book is the recorded "
            "one, our quotes take no one's place in it and move no price.",
            "- The naive benchmarks copy A-S's spread and reach from the same day, measured after the fact: they "
            "are benchmarks, not strategies a trader could have run that morning.",
            "- Regimes are terciles of past realised variance; a regime with few blocks (see the days' table) "
            "gives wide intervals, and a claim about it is then not established rather than false.",
            ""]
    return "\n".join(out)


def _bounds(lines: list[str]) -> tuple[int, int] | None:
    """The lines of the ``## Real days`` section: from its heading up to the next ``## `` heading."""
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == SECTION), None)
    if start is None:
        return None
    return start, next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))


def section_of(path: str | Path) -> str | None:
    """The ``## Real days`` section of the Markdown file ``path``, or None."""
    target = Path(path)
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True) if target.is_file() else []
    bounds = _bounds(lines)
    return None if bounds is None else "".join(lines[slice(*bounds)]).rstrip("\n") + "\n"


def write_section(path: str | Path, section: str) -> None:
    """Put ``section`` into the Markdown file ``path``: in place of its ``## Real days`` section (up to the next
    ``## `` heading) if it has one, else at its end; every other line of the file is kept as it was. A file that
    does not exist is created with the section alone."""
    target = Path(path)
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    lines = text.splitlines(keepends=True)
    bounds = _bounds(lines)
    body = section.rstrip("\n") + "\n"
    if bounds is None:
        new = text.rstrip("\n") + "\n\n" + body if text.strip() else body
    else:
        start, end = bounds
        new = "".join(lines[:start]) + body + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    write_atomic(target, lambda tmp: open(tmp, "w", encoding="utf-8").write(new))
