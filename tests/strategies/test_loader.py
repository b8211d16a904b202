"""Finding strategy classes by name or by file."""

from __future__ import annotations

import pytest

from engine import ConfigError
from strategies import SHIPPED, AvellanedaStoikov, load_strategy_class, load_user_strategy


def test_shipped_names_resolve_to_their_classes():
    """Every shipped name gives its class."""
    assert load_strategy_class("avellaneda-stoikov") is AvellanedaStoikov
    assert set(SHIPPED) == {"avellaneda-stoikov", "naive", "inventory-capped", "glft", "as-infinite"}


def test_a_user_class_loads_from_a_file(tmp_path):
    """path/to/file.py:ClassName imports the file and returns the class."""
    (tmp_path / "mine.py").write_text("from strategies import Strategy\nclass Mine(Strategy):\n    pass\n")
    cls = load_strategy_class(f"{tmp_path / 'mine.py'}:Mine")
    assert cls.__name__ == "Mine"


@pytest.mark.parametrize("spec, message", [
    ("bogus", "unknown strategy 'bogus'"),
    ("/no/such/file.py:X", "does not exist"),
])
def test_unknown_names_and_missing_files_are_clear_errors(spec, message):
    """An unknown name or missing file raises ConfigError saying so."""
    with pytest.raises(ConfigError, match=message):
        load_strategy_class(spec)


def test_missing_class_and_broken_file_are_clear_errors(tmp_path):
    """A file without the class, or one that fails to import, raises ConfigError naming it."""
    (tmp_path / "ok.py").write_text("X = 1\n")
    (tmp_path / "broken.py").write_text("raise RuntimeError('nope')\n")
    with pytest.raises(ConfigError, match="has no class 'Missing'"):
        load_strategy_class(f"{tmp_path / 'ok.py'}:Missing")
    with pytest.raises(ConfigError, match="failed to import"):
        load_strategy_class(f"{tmp_path / 'broken.py'}:X")


def test_load_user_strategy_instantiates_or_names_the_failure(tmp_path):
    """A user's class is created with no arguments; one that needs arguments is a ConfigError naming the spec."""
    (tmp_path / "mine.py").write_text("from strategies import Strategy, Quote\n"
                                      "class Mine(Strategy):\n    def quote(self, state):\n        return None\n"
                                      "class NeedsArgs(Mine):\n    def __init__(self, width):\n        pass\n")
    assert type(load_user_strategy(f"{tmp_path / 'mine.py'}:Mine")).__name__ == "Mine"
    with pytest.raises(ConfigError, match="NeedsArgs' could not be created with no arguments"):
        load_user_strategy(f"{tmp_path / 'mine.py'}:NeedsArgs")
