"""mmsim run writes report.html; mmsim report DIR rebuilds it from the saved results."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mmsim.cli import main


def figure_ids(html: str) -> list[str]:
    return [part.split("'", 1)[0] for part in html.split("<figure id='fig-")[1:]]


def test_run_writes_report_and_report_rebuilds_it(tmp_path, capsys):
    """`mmsim report DIR` rebuilds a run's report.html with the same figures, with no display and no pyplot."""
    out = tmp_path / "out"
    assert main(["run", "--paths", "3", "--T", "0.2", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["report_html"] == str(out / "report.html")
    first = (out / "report.html").read_text(encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["report"]["clock"] == "synthetic" and summary["report"]["cap"] == 5.0
    assert list(summary["rows"][0]) == ["strategy", "pnl_mean", "pnl_std", "sharpe", "final_q_mean", "final_q_std",
                                        "mean_q2", "fills_mean", "avg_spread"]

    (out / "report.html").unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY")}
    code = ("import sys; from mmsim.cli import main; rc = main(['report', sys.argv[1]]); "
            "assert 'matplotlib.pyplot' not in sys.modules; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, str(out)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    assert figure_ids((out / "report.html").read_text(encoding="utf-8")) == figure_ids(first)


def test_report_on_a_folder_without_results(tmp_path, capsys):
    """A folder that is not a run's output: one line on stderr naming summary.json, exit code 2."""
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "summary.json: missing" in err
