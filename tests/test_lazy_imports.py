"""Heavy optional libraries are imported where they are used, not when the packages are (issue 14): a replay or
a Monte Carlo run draws nothing and starts no cluster, so it must not pay for matplotlib or Dask at start-up, and
``mmsim paper`` summarises arrays, so it must not pay for pandas or pyarrow (~0.3 s) either."""

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("matplotlib", "dask", "distributed")
#: pandas and pyarrow are bound lazily (engine.lazy_modules), so their names sit in sys.modules from the start:
#: a submodule that importing them always executes tells whether they were actually loaded.
TABULAR = {"pandas": "pandas.core.frame", "pyarrow": "pyarrow.lib"}
_LOADED = (f"print(' '.join([m for m in {HEAVY!r} if m in sys.modules] + "
           f"[name for name, marker in {TABULAR!r}.items() if marker in sys.modules]))")


def _loaded(code: str) -> list[str]:
    # A fresh interpreter (this test process has imported everything already), run from the checkout so that it
    # imports this checkout's packages whatever environment the suite runs in.
    return subprocess.run([sys.executable, "-c", f"{code}\n{_LOADED}"], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1]).stdout.split()


@pytest.mark.parametrize("module", ["engine", "feeds", "strategies", "analytics", "mmsim.cli"])
def test_importing_does_not_load_plotting_dask_or_pandas(module):
    loaded = _loaded(f"import sys, {module}")
    assert loaded == [], f"import {module} loaded {loaded}"


def test_building_every_command_line_parser_does_not_load_them():
    """``mmsim paper`` builds the parser of every command before it runs one."""
    loaded = _loaded("import sys; from mmsim.cli import build_parser; build_parser()")
    assert loaded == [], f"build_parser() loaded {loaded}"


def test_the_paper_command_runs_on_arrays_alone():
    """The vectorised paper run summarises its per-path arrays: no pandas or pyarrow from start to finish."""
    code = ("import contextlib, io, sys\nfrom mmsim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['paper', '--paths', '20', '--gamma', '0.1']) == 0")
    loaded = _loaded(code)
    assert loaded == [], f"mmsim paper loaded {loaded}"


def test_a_lazy_module_loads_on_first_use():
    """The lazy binding is the real library once touched (and a plain import elsewhere gets the same object)."""
    code = ("import sys\nfrom engine.lazy_modules import lazy_module\npd = lazy_module('pandas')\n"
            "assert 'pandas.core.frame' not in sys.modules\n"
            "assert pd.DataFrame({'a': [1, 2]})['a'].sum() == 3\nimport pandas\nassert pandas is pd")
    assert "pandas" in _loaded(code)
