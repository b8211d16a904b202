"""Find a strategy class by name: a shipped one, or a user's ``path/to/file.py:ClassName``."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import math
import sys
import typing
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



def parse_strategy_params(items) -> dict[str, str]:
    """``NAME=VALUE`` texts (``strategy_param``, the command line's repeatable ``--strategy-param``) as
    ``{name: value text}``.

    Raises
    ------
    ConfigError
        For a text without ``=`` or a name that is not an identifier, or a name given twice.
    """
    params: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ConfigError(f"strategy_param {item!r}: expected NAME=VALUE, NAME a constructor parameter",
                              params=("strategy_param",))
        if name in params:
            raise ConfigError(f"strategy_param {name} is given twice", params=("strategy_param",))
        params[name] = value.strip()
    return params


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _convert(text: str, kind, where: str):
    """``text`` as the parameter's annotated type (bool, int, float, str); unannotated, as a Python literal
    (``1``, ``0.5``, ``[1, 2]``, ``None``) or else as the text itself."""
    if kind is bool:
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise ConfigError(f"{where}: expected true or false, got {text!r}", params=("strategy_param",))
    if kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            raise ConfigError(f"{where}: expected {'a whole number' if kind is int else 'a number'}, "
                              f"got {text!r}", params=("strategy_param",)) from None
        if kind is float and not math.isfinite(value):
            raise ConfigError(f"{where}: expected a finite number, got {text!r}", params=("strategy_param",))
        return value
    if kind is str:
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _constructor_arguments(cls: type, spec: str, params: dict[str, str]) -> dict:
    """``params`` converted for ``cls(**...)``, each name checked against the constructor's signature."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        signature = None
    if signature is None:
        accepted, open_ended = {}, True
    else:
        accepted = {n: p for n, p in signature.parameters.items()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        open_ended = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # an annotation that does not resolve: convert as literals
        hints = {}
    kwargs = {}
    for name, text in params.items():
        if name not in accepted and not open_ended:
            takes = ", ".join(accepted) or "no parameters"
            raise ConfigError(f"strategy_param {name}: {spec} has no parameter {name!r} (it takes: {takes})",
                              params=("strategy_param",))
        kwargs[name] = _convert(text, hints.get(name), f"strategy_param {name}={text}")
    return kwargs


def load_user_strategy(spec: str, params: dict[str, str] | None = None):
    """An instance of the class named by ``spec`` (see :func:`load_strategy_class`): what the commands do with a
    strategy that is not one of the shipped names they configure themselves.

    Parameters
    ----------
    spec : str
        ``path/to/file.py:ClassName`` (or a shipped name, created with its defaults).
    params : dict, optional
        Constructor arguments as text, from :func:`parse_strategy_params`: each name must be a parameter of the
        constructor; the value is converted to its annotation (``bool``, ``int``, ``float``, ``str``), or read
        as a Python literal when it has none.

    Raises
    ------
    ConfigError
        As for :func:`load_strategy_class`; for an unknown parameter name or a value of the wrong kind; or if the
        constructor raises (the message names the values given).
    """
    cls = load_strategy_class(spec)
    kwargs = _constructor_arguments(cls, spec, params or {})
    try:
        return cls(**kwargs)
    except (Exception, SystemExit) as exc:
        given = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        how = f"with {given}" if given else "with no arguments"
        raise ConfigError(f"strategy {spec!r} could not be created {how}: {exc!r}") from exc
