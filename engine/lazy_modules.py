"""Heavy libraries bound at import time but loaded on first use (issue 14's start-up item).

pandas and pyarrow together cost about 0.3 s to import. Most modules use them only inside functions that a given
command may never call (``mmsim paper`` summarises arrays; a replay writes no parquet), so they bind the name with
:func:`lazy_module` and the library is executed the first time an attribute of it is read.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The top-level package ``name``, loaded when one of its attributes is first read.

    Already imported: the module itself. Otherwise a :class:`importlib.util.LazyLoader` module registered in
    ``sys.modules``, so a later plain ``import name`` anywhere returns the same object and loads it. Only for
    top-level packages: finding a submodule imports its parent, so ``pyarrow.parquet`` is imported where used.
    """
    if name in sys.modules:
        return sys.modules[name]
    if "." in name:
        raise ValueError(f"lazy_module takes a top-level package, not {name!r}")
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def load_now(*names: str) -> None:
    """Execute the lazily bound packages ``names`` now (a no-op for those already loaded).

    A command that will use them loads them before it starts work: a Ctrl-C landing while a lazy package
    executes on first use, deep inside a run, can leave it half-initialised (pandas then fails on a missing
    pyarrow attribute instead of the command stopping cleanly); workers forked afterwards inherit them loaded.
    """
    for name in names:
        lazy_module(name).__spec__  # any attribute read executes a lazy module
