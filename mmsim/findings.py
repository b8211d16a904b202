"""Writes ``docs/findings.md`` from the numbers of :func:`mmsim.study.run_study`.

Every number in the text is formatted from the study's output, and every verdict ("holds", "does not hold",
"not established") is decided here from a confidence interval, never written by hand.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from mmsim.study import AS, CAPPED, NAIVE

LABELS = {AS: "Avellaneda-Stoikov", NAIVE: "naive", CAPPED: "inventory-capped"}


def _n(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or x != x else f"{x:.{digits}g}"


def ci(e: Mapping, digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
    """``value (95% CI low to high)``."""
    v, lo, hi = (None if e[k] is None else e[k] * scale for k in ("value", "low", "high"))
    if lo is not None and hi is not None and lo > hi:  # a negative scale swaps the ends
        lo, hi = hi, lo
    return f"{_n(v, digits)}{unit} (95% CI {_n(lo, digits)}{unit} to {_n(hi, digits)}{unit})"


def _pm(e: Mapping, digits: int = 3) -> str:
    """``value ± SE``."""
    return f"{_n(e['value'], digits)} ± {_n(e['se'], 2)}"


def verdict(e: Mapping, threshold: float, better: str) -> str:
    """``"holds"`` if the interval lies entirely on the ``better`` side (``"below"``/``"above"``) of
    ``threshold``, ``"does not hold"`` if entirely on the other side, ``"not established"`` otherwise."""
    low, high = e["low"], e["high"]
    if low is None or high is None or low != low or high != high:
        return "not established"
    good, bad = (high < threshold, low > threshold) if better == "below" else (low > threshold, high < threshold)
    return "holds" if good else "does not hold" if bad else "not established"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of ``rows`` (strings) under ``header``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _reach(r: Mapping) -> str:
    """How deep the informed orders reach against the rest of the flow: "deeper", "less deep" or "as deep"."""
    informed_k, k = r["markets"]["informed"]["informed_k"], r["markets"]["baseline"]["k"]
    return "deeper" if informed_k < k else "less deep" if informed_k > k else "as deep"


def _setup(r: Mapping) -> str:
    c, m = r["config"], r["markets"]
    base, reg, inf = m["baseline"], m["regimes"], m["informed"]
    rate = r["variance_rate"]
    return f"""## Set-up

- **Paths**: {c['paths']} per scenario and strategy, seed {c['seed']}. Every strategy meets the same seeded
  markets (common random numbers), so comparisons are paired. Confidence intervals are 95% percentile
  intervals of a paired bootstrap over paths ({c['resamples']} resamples); ± values are standard errors.
- **Baseline market** (Avellaneda and Stoikov 2008): s0 = {base['s0']:g}, sigma = {base['sigma']:g} per
  sqrt(time unit), binary increments every dt = {base['dt']:g}, horizon T = {base['T']:g}, market orders at
  A = {base['A']:g} per time unit on each side reaching depth Exponential(k = {base['k']:g}); exact
  continuous-time fills.
- **Regimes market**: the volatility switches between {reg['sigma']:.3g} (calm, at the start) and
  {reg['sigma_volatile']:.3g} (volatile) at rate {reg['to_volatile_rate']:g} each way; the levels are set so the
  expected integrated variance over the horizon equals the baseline's (sigma^2 T = {base['sigma']**2 * base['T']:g}).
- **Informed market**: the baseline, with {100 * inf['informed']:g}% of the market orders informed: each knows the
  mid's next tick and trades in its direction, and reaches a depth Exponential(k = {inf['informed_k']:g}) instead
  of Exponential(k = {base['k']:g}): {_reach(r)} into the book than the rest of the flow. The mid
  path is the baseline's: the informed orders foresee the moves, they do not cause them. The effective sigma is
  therefore the baseline's, which Avellaneda-Stoikov is told: the mid's realised variance per time unit is
  {rate['baseline']:.4g} in the baseline and {rate['informed']:.4g} here (sigma^2 = {base['sigma']**2:g}).
- **Strategies** (the same in every market): Avellaneda-Stoikov with gamma = {c['gamma']:g}, assuming the
  baseline's sigma and k; naive symmetric quoting with Avellaneda-Stoikov's time-average spread
  ({r['naive_spread']:.4g}); inventory-capped: naive quoting that withdraws a side at |q| = {c['max_inventory']:g}.
"""


def _inventory(r: Mapping) -> str:
    inv = r["inventory"]
    ratio_final, ratio_time = inv["ratio_final"], inv["ratio_time"]
    v = verdict(ratio_final, 1.0, "below")
    v_time = verdict(ratio_time, 1.0, "below")
    if v == "holds":
        head = (f"**Holds.** Avellaneda-Stoikov's final inventory has {_n(100 * ratio_final['value'])}% of the "
                f"naive strategy's variance ({_n(100 * ratio_final['low'])}% to {_n(100 * ratio_final['high'])}% "
                f"at 95%): a reduction of {_n(100 * (1 - ratio_final['value']))}%.")
    elif v == "does not hold":
        head = (f"**Does not hold.** Avellaneda-Stoikov's final inventory variance is "
                f"{ci(ratio_final, scale=100, unit='%')} of the naive strategy's.")
    else:
        head = (f"**Not established** at this sample size: the variance ratio is {ci(ratio_final)}, which "
                "includes 1.")
    time_text = {"holds": "also lower", "does not hold": "higher, not lower",
                 "not established": "not significantly different"}[v_time]
    gap = inv["pnl_gap"]
    pnl_text = {
        "holds": f"Avellaneda-Stoikov's mean P&L is higher than the naive strategy's, by {ci(gap)}",
        "does not hold": f"The price is a lower mean P&L than the naive strategy's, by {ci(gap, scale=-1)}",
        "not established": f"Mean P&L does not differ significantly (difference {ci(gap)})",
    }[verdict(gap, 0.0, "above")]
    rows = []
    pnl = r["adverse"]["pnl"]["baseline"]
    for s, label in LABELS.items():
        summary = r["summary"]["baseline"][s]
        rows.append([label, _pm(inv["var_final"][s]), _pm(inv["var_time"][s]), _pm(pnl[s]),
                     _n(summary["pnl_std"]), _n(summary["time_at_cap"] * 100) + "%"])
    table = markdown_table(["strategy", "variance of final q", "time-averaged variance of q", "mean P&L", "std of P&L",
                    f"time at abs(q) >= {r['config']['max_inventory']:g}"], rows)
    return f"""## 1. Does Avellaneda-Stoikov reduce inventory variance against naive quoting?

{head} Over the whole path (the variance of the inventory at a random time) the ratio is
{ci(ratio_time)}: {time_text}. The inventory-capped strategy, which stops quoting a side at its limit instead of
skewing its quotes, ends with {ci(inv['ratio_capped'], scale=100, unit='%')} of the naive strategy's final
variance. {pnl_text}. In the baseline market:

{table}
"""


def _sharpe(r: Mapping) -> str:
    sh = r["sharpe"]
    gap = sh["stability_gap"]
    v = verdict(gap, 0.0, "below")
    change = sh["change"]
    ch_as, ch_naive = change[AS], change[NAIVE]
    if v == "holds":
        head = ("**Holds.** Avellaneda-Stoikov's Sharpe ratio moves less than the naive strategy's when the "
                "volatility switches regimes")
    elif v == "does not hold":
        head = ("**Does not hold.** Avellaneda-Stoikov's Sharpe ratio moves more than the naive strategy's when "
                "the volatility switches regimes")
    else:
        head = ("**Not established.** The data do not show that Avellaneda-Stoikov's Sharpe ratio is more "
                "stable than the naive strategy's when the volatility switches regimes")
    head += (f": the difference of the absolute relative changes (Avellaneda-Stoikov minus naive) is "
             f"{ci(gap, scale=100, unit=' percentage points')}.")
    level = verdict(sh["regimes_gap"], 0.0, "above")
    level_text = {"holds": "higher than", "does not hold": "lower than",
                  "not established": "not significantly different from"}[level]
    rows = [[label, _pm(sh["baseline"][s]), _pm(sh["regimes"][s]), ci(change[s], scale=100, unit="%")]
            for s, label in LABELS.items()]
    table = markdown_table(["strategy", "Sharpe, constant volatility", "Sharpe, regimes", "relative change"], rows)
    return f"""## 2. Is its Sharpe ratio more stable when volatility regimes switch?

{head} Avellaneda-Stoikov's Sharpe ratio changes by {ci(ch_as, scale=100, unit='%')}; the naive strategy's by
{ci(ch_naive, scale=100, unit='%')}. In the switching market Avellaneda-Stoikov's Sharpe ratio stays
{level_text} the naive strategy's (difference {ci(sh['regimes_gap'])}). Sharpe ratios are across paths:
mean over standard deviation of the final P&L.

{table}
"""


def _adverse(r: Mapping) -> str:
    a, c = r["adverse"], r["config"]
    unit_gap, gap, pnl_gap = a["per_unit_gap"], a["cost_gap"], a["pnl_gap"]
    v = verdict(unit_gap, 0.0, "below")
    v_path = verdict(gap, 0.0, "below")
    h = c["horizon"]
    if v == "holds":
        head = ("**Holds.** With informed orders in the flow, Avellaneda-Stoikov loses less to adverse selection "
                "per unit traded than the naive strategy: its fills are less toxic")
    elif v == "does not hold":
        head = ("**Does not hold.** With informed orders in the flow, Avellaneda-Stoikov loses more, not less, to "
                "adverse selection per unit traded than the naive strategy: its fills are more toxic")
    else:
        head = ("**Not established.** With informed orders in the flow, the data do not show Avellaneda-Stoikov "
                "losing less to adverse selection per unit traded than the naive strategy")
    head += f" (difference in markout per unit {ci(unit_gap)})."
    path_text = {"holds": "lower than", "does not hold": "higher than",
                 "not established": "not significantly different from"}[v_path]
    pnl_text = {"holds": "higher than", "does not hold": "lower than",
                "not established": "not significantly different from"}[verdict(pnl_gap, 0.0, "above")]
    per_unit, fills = a["per_unit"], a["fills"]
    depth = r["fill_depth"]["informed"]
    mechanism = ""
    if v == "holds" and depth[AS] < depth[NAIVE]:
        mechanism = (" Avellaneda-Stoikov's skew puts the side that would add to its inventory farther out and the "
                     "side that reduces it closer in, where most of its fills happen: its fills are on average "
                     f"{_n(depth[AS])} from the mid, the naive strategy's {_n(depth[NAIVE])}.")
    more_flow = ""
    if all(fills["informed"][s]["value"] > fills["baseline"][s]["value"] for s in LABELS):
        more_flow = (" The informed orders add flow deep in the book, so every strategy fills more than in the "
                     "baseline: comparing one strategy's P&L across the two markets does not measure its loss.")
    one_tick = " (one tick: the move the informed orders foresee)" if h == r["markets"]["informed"]["dt"] else ""
    where = {"deeper": "a quote far from the mid meets relatively more of them",
             "less deep": "a quote close to the mid meets relatively more of them",
             "as deep": "every quote meets them in the same proportion"}[_reach(r)]
    base_units = ", ".join(f"{_pm(per_unit['baseline'][s])} for {LABELS[s]}" for s in LABELS)
    rows = []
    for s, label in LABELS.items():
        rows.append([label, _pm(fills["baseline"][s], 4), _pm(fills["informed"][s], 4),
                     _pm(per_unit["baseline"][s]), _pm(per_unit["informed"][s]), _pm(a["cost"]["informed"][s]),
                     _pm(a["pnl"]["baseline"][s]), _pm(a["pnl"]["informed"][s])])
    table = markdown_table(["strategy", "fills per path (baseline)", "fills per path (informed)",
                    f"markout per unit at h={h:g} (baseline)", f"markout per unit at h={h:g} (informed)",
                    "adverse-selection cost per path (informed)", "mean P&L (baseline)", "mean P&L (informed)"],
                   rows)
    return f"""## 3. Does it lose less to adverse selection when some market orders are informed?

{head} The markout is the mid's move against us over h = {h:g} time units after each fill{one_tick}, per unit
traded; an informed fill loses the tick it foresaw, an uninformed one nothing on average, so the markout per
unit measures the share of a strategy's fills that were informed (without informed orders: {base_units}). The
share depends on where a strategy quotes: the informed orders reach {_reach(r)} into the book than the rest, so
{where}.{mechanism} Per path, which also counts how much each strategy
trades, its adverse-selection cost is {path_text} the naive strategy's (difference {ci(gap)}), and its mean P&L
in this market is {pnl_text} the naive strategy's (difference {ci(pnl_gap)}).{more_flow}

{table}
"""


WIDTH = 110


def reflow(text: str, width: int = WIDTH) -> str:
    """Wrap each paragraph and list item of Markdown ``text`` to ``width`` columns; headings and tables stay."""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith(("#", "|")):
            blocks.append(block)
        elif lines[0].startswith("- "):
            items, current = [], []
            for line in lines:
                if line.startswith("- ") and current:
                    items.append(" ".join(current))
                    current = []
                current.append(line.strip())
            items.append(" ".join(current))
            blocks.append("\n".join(textwrap.fill(item, width, subsequent_indent="  ", break_on_hyphens=False)
                                    for item in items))
        else:
            blocks.append(textwrap.fill(" ".join(x.strip() for x in lines), width, break_on_hyphens=False))
    return "\n\n".join(blocks) + "\n"


def render_findings(r: Mapping, command: str) -> str:
    """The findings page, Markdown, for the numbers ``r`` of :func:`mmsim.study.run_study`.

    Parameters
    ----------
    r : mapping
        The study's output.
    command : str
        The command line that produced it (printed at the top so anyone can reproduce the page).
    """
    return reflow(f"""# Findings: the Avellaneda-Stoikov claims, checked by simulation

Generated by `{command}` (mmsim/study.py). Do not edit by hand: every number and every verdict below comes
from that run; run the command again to reproduce this page exactly. A claim "holds" when its 95% confidence
interval lies on the claimed side, "does not hold" when it lies on the other side, and is "not established"
when the interval straddles the boundary.

{_setup(r)}
{_inventory(r)}
{_sharpe(r)}
{_adverse(r)}
## Caveats

- One calibration of the market (the paper's), one risk aversion (gamma = {r['config']['gamma']:g}) and one
  horizon; Avellaneda-Stoikov is given the true k and the baseline sigma. Other settings can change the size of
  every effect above.
- The regimes scenario keeps the average variance fixed and only makes it unsteady; a market that is more
  volatile on average is a different question.
- The informed orders foresee one tick and reach {_reach(r)} into the book than the rest of the flow. With the
  rest's depth (informed_k = k) they would meet every quote in the same proportion, and the markout per unit
  would be the same for every strategy by construction; reaching deeper penalises quotes far from the mid,
  reaching less deep quotes close to it. The verdict is about this model of informed flow, not about every one.
""")
