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


def _ci(e: Mapping, digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
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


def _names(labels: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``; ``"every strategy"`` when all are named."""
    if len(labels) == len(LABELS):
        return "every strategy"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _setup(r: Mapping) -> str:
    c, m = r["config"], r["markets"]
    base, reg, imp = m["baseline"], m["regimes"], m["impact"]
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
- **Impact market**: the baseline, with each market order moving the mid by {imp['impact']:g} in its own
  direction right after it trades.
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
                f"{_ci(ratio_final, scale=100, unit='%')} of the naive strategy's.")
    else:
        head = (f"**Not established** at this sample size: the variance ratio is {_ci(ratio_final)}, which "
                "includes 1.")
    time_text = {"holds": "also lower", "does not hold": "higher, not lower",
                 "not established": "not significantly different"}[v_time]
    gap = inv["pnl_gap"]
    pnl_text = {
        "holds": f"Avellaneda-Stoikov's mean P&L is higher than the naive strategy's, by {_ci(gap)}",
        "does not hold": f"The price is a lower mean P&L than the naive strategy's, by {_ci(gap, scale=-1)}",
        "not established": f"Mean P&L does not differ significantly (difference {_ci(gap)})",
    }[verdict(gap, 0.0, "above")]
    rows = []
    pnl = r["adverse"]["pnl"]["baseline"]
    for s, label in LABELS.items():
        summary = r["summary"]["baseline"][s]
        rows.append([label, _pm(inv["var_final"][s]), _pm(inv["var_time"][s]), _pm(pnl[s]),
                     _n(summary["pnl_std"]), _n(summary["time_at_cap"] * 100) + "%"])
    table = _table(["strategy", "variance of final q", "time-averaged variance of q", "mean P&L", "std of P&L",
                    f"time at abs(q) >= {r['config']['max_inventory']:g}"], rows)
    return f"""## 1. Does Avellaneda-Stoikov reduce inventory variance against naive quoting?

{head} Over the whole path (the variance of the inventory at a random time) the ratio is
{_ci(ratio_time)}: {time_text}. The inventory-capped strategy, which stops quoting a side at its limit instead of
skewing its quotes, ends with {_ci(inv['ratio_capped'], scale=100, unit='%')} of the naive strategy's final
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
             f"{_ci(gap, scale=100, unit=' percentage points')}.")
    level = verdict(sh["regimes_gap"], 0.0, "above")
    level_text = {"holds": "higher than", "does not hold": "lower than",
                  "not established": "not significantly different from"}[level]
    rows = [[label, _pm(sh["baseline"][s]), _pm(sh["regimes"][s]), _ci(change[s], scale=100, unit="%")]
            for s, label in LABELS.items()]
    table = _table(["strategy", "Sharpe, constant volatility", "Sharpe, regimes", "relative change"], rows)
    return f"""## 2. Is its Sharpe ratio more stable when volatility regimes switch?

{head} Avellaneda-Stoikov's Sharpe ratio changes by {_ci(ch_as, scale=100, unit='%')}; the naive strategy's by
{_ci(ch_naive, scale=100, unit='%')}. In the switching market Avellaneda-Stoikov's Sharpe ratio stays
{level_text} the naive strategy's (difference {_ci(sh['regimes_gap'])}). Sharpe ratios are across paths:
mean over standard deviation of the final P&L.

{table}
"""


def _impact_markouts(r: Mapping) -> str:
    """The markout per unit of each strategy with impact on, next to the impact itself."""
    per_unit = r["adverse"]["per_unit"]["impact"]
    values = [f"{_pm(per_unit[s])} for {LABELS[s]}" for s in LABELS]
    return (f"the markouts per unit are {', '.join(values[:-1])} and {values[-1]}, against an impact of "
            f"{r['config']['impact']:g} per order.")


def _same_fills(r: Mapping) -> str:
    """A clause saying whether impact left every path's fill count unchanged, per strategy."""
    same = [LABELS[s] for s in LABELS if r["adverse"]["same_fills"][s]]
    if len(same) == len(LABELS):
        return (": here impact changes none of it, every path has exactly as many fills with impact as without, "
                "for every strategy (the quotes follow the mid, and the fill depends only on the order's depth "
                "relative to the mid)")
    if same:
        return f": impact leaves every path's fill count unchanged for {_names(same)}"
    return ""


def _adverse(r: Mapping) -> str:
    a, c = r["adverse"], r["config"]
    gap, unit_gap, loss_gap = a["cost_gap"], a["per_unit_gap"], a["pnl_loss_gap"]
    v = verdict(gap, 0.0, "below")
    v_unit = verdict(unit_gap, 0.0, "below")
    h = c["horizon"]
    if v == "holds":
        head = "**Holds.** With price impact on, Avellaneda-Stoikov loses less to adverse selection per path"
    elif v == "does not hold":
        head = ("**Does not hold.** With price impact on, Avellaneda-Stoikov loses more, not less, to adverse "
                "selection per path")
    else:
        head = ("**Not established.** With price impact on, the data do not show Avellaneda-Stoikov losing less "
                "to adverse selection per path")
    head += f" than the naive strategy: the difference in cost is {_ci(gap)} currency units per path."
    unit_text = {
        "holds": "Per unit traded it is also lower, so its fills are less toxic, not only fewer:",
        "does not hold": "Per unit traded it is higher:",
        "not established": "Per unit traded the two are indistinguishable, so any difference per path comes from "
                           "how much each trades, not from which orders fill it:",
    }[v_unit]
    fills_text = ""
    if v_unit == "not established":
        fills = a["fills"]["impact"]
        fills_text = (f" What inventory-aware quoting changes is how many fills it takes{_same_fills(r)}; "
                      f"with impact, Avellaneda-Stoikov takes {_n(fills[AS]['value'], 4)} fills per path, the naive "
                      f"strategy {_n(fills[NAIVE]['value'], 4)}.")
    rows = []
    for s, label in LABELS.items():
        rows.append([label, _pm(a["fills"]["baseline"][s], 4), _pm(a["fills"]["impact"][s], 4),
                     _pm(a["per_unit"]["baseline"][s]), _pm(a["per_unit"]["impact"][s]),
                     _pm(a["cost"]["impact"][s]), _pm(a["pnl"]["baseline"][s]), _pm(a["pnl"]["impact"][s])])
    table = _table(["strategy", "fills per path (no impact)", "fills per path (impact)",
                    f"markout per unit at h={h:g} (no impact)", f"markout per unit at h={h:g} (impact)",
                    "adverse-selection cost per path (impact)", "mean P&L (no impact)", "mean P&L (impact)"], rows)
    return f"""## 3. Does it lose less to adverse selection when market orders move the price?

{head} The cost is the markout at horizon h = {h:g} time units (the mid's move against us after each fill, times
its size), summed over a path's fills. {unit_text} difference {_ci(unit_gap)} per unit. In this market every
market order moves the mid by the same {c['impact']:g} whoever it fills, so the order that fills a quote moves the
mid against it by exactly that much: {_impact_markouts(r)}{fills_text} Counting everything, impact lowers
Avellaneda-Stoikov's mean P&L by {_n(a['pnl']['baseline'][AS]['value'] - a['pnl']['impact'][AS]['value'])} and
the naive strategy's by {_n(a['pnl']['baseline'][NAIVE]['value'] - a['pnl']['impact'][NAIVE]['value'])}
(difference {_ci(loss_gap)}).

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
- The impact model moves the mid by a fixed amount per market order, with no decay and no link to the order's
  depth, so it tests adverse selection of the simplest kind.
""")
