"""Find a strategy class by name: a shipped one, or a user's ``path/to/file.py:ClassName``."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from engine import ConfigError
from strategies.as_infinite import InfiniteHorizonAS
from strategies.avellaneda_stoikov import AvellanedaStoikov
from strategies.capped import InventoryCapped
from strategies.glft import GLFT
from strategies.symmetric import SymmetricSpread

#: The shipped strategies by the names the command line accepts.
SHIPPED: dict[str, type] = {
    "avellaneda-stoikov": AvellanedaStoikov,
    "naive": SymmetricSpread,
    "inventory-capped": InventoryCapped,
    "glft": GLFT,
    "as-infinite": InfiniteHorizonAS,
}


def load_strategy_class(spec: str) -> type:
    """Return the class named by ``spec``: a key of :data:`SHIPPED` or ``path/to/file.py:ClassName``.

    A user's file is imported as a module registered in ``sys.modules`` (under a name derived from its path), so
    its classes pickle into worker processes like any other.

    Raises
    ------
    ConfigError
        If the name is unknown, the file does not exist or cannot be imported, or it has no such class.
    """
    if spec in SHIPPED:
        return SHIPPED[spec]
    if ":" not in spec:
        raise ConfigError(f"unknown strategy {spec!r}: expected one of {', '.join(SHIPPED)} "
                          "or path/to/file.py:ClassName")
    file_name, _, class_name = spec.rpartition(":")
    path = Path(file_name)
    if not path.is_file():
        raise ConfigError(f"strategy file {file_name!r} does not exist")
    if not class_name.isidentifier():
        raise ConfigError(f"strategy class name {class_name!r} is not a Python identifier")
    resolved = str(path.resolve())
    module_name = "mmsim_user_" + hashlib.sha1(resolved.encode()).hexdigest()[:12]
    module = sys.modules.get(module_name)
    if module is None:
        module_spec = importlib.util.spec_from_file_location(module_name, resolved)
        if module_spec is None or module_spec.loader is None:
            raise ConfigError(f"strategy file {file_name!r} is not a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module
        try:
            module_spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            del sys.modules[module_name]
            raise ConfigError(f"strategy file {file_name!r} failed to import: {exc!r}") from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ConfigError(f"strategy file {file_name!r} has no class {class_name!r}")
    if not callable(getattr(cls, "quote", None)):
        raise ConfigError(f"{class_name} in {file_name!r} has no quote(self, state) method")
    return cls




def load_user_strategy(spec: str):
    """An instance of the class named by ``spec`` (see :func:`load_strategy_class`), created with no arguments:
    what the commands do with a strategy that is not one of the shipped names they configure themselves.

    Raises
    ------
    ConfigError
        As for :func:`load_strategy_class`, or if the class cannot be created with no arguments.
    """
    cls = load_strategy_class(spec)
    try:
        return cls()
    except (Exception, SystemExit) as exc:
        raise ConfigError(f"strategy {spec!r} could not be created with no arguments: {exc!r}") from exc
