"""Heavy optional libraries are imported where they are used, not when the packages are (issue 14): a replay or
a Monte Carlo run draws nothing and starts no cluster, so it must not pay for matplotlib or Dask at start-up."""

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "dask", "distributed")


@pytest.mark.parametrize("module", ["analytics", "mmsim.cli"])
def test_importing_does_not_load_plotting_or_dask(module):
    # A fresh interpreter: this test process has imported everything already.
    code = (f"import sys, {module}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == [], f"import {module} loaded {loaded}"


def test_building_every_command_line_parser_does_not_load_them():
    """``mmsim paper`` builds the parser of every command before it runs one."""
    code = (f"import sys; from mmsim.cli import build_parser; build_parser(); "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == [], f"build_parser() loaded {loaded}"
