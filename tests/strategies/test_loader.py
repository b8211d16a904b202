"""Finding strategy classes by name or by file."""

from __future__ import annotations

import pytest

from engine import ConfigError
from strategies import SHIPPED, AvellanedaStoikov, load_strategy_class


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
