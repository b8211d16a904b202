"""The layer rule, read from the source: imports point down only (mmsim -> analytics -> strategies/feeds -> engine).

Every import is checked, including those inside functions (a lazy import is still a dependency) and those under
``if TYPE_CHECKING:``; relative imports are resolved against the importing module's package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("engine", "feeds", "strategies", "analytics", "mmsim")
#: What each layer may import, besides itself.
ALLOWED = {
    "engine": set(),
    "feeds": {"engine"},
    "strategies": {"engine"},
    "analytics": {"engine", "feeds", "strategies"},
    "mmsim": {"engine", "feeds", "strategies", "analytics"},
}


def imported_layers(path: Path, package: str) -> list[tuple[int, str]]:
    """``(line, layer)`` for every import in ``path`` (a module of ``package``) that names one of the layers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [package if node.level else (node.module or "")]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in LAYERS]
    return sorted(found)


def violations(layer: str) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line} imports {target}"
            for path in sorted((ROOT / layer).rglob("*.py"))
            for line, target in imported_layers(path, layer)
            if target != layer and target not in ALLOWED[layer]]


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_down_only(layer):
    assert violations(layer) == []


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """The rule would catch a lazy upward import and a relative one (so an empty list above means something)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from analytics import report\n    import mmsim.cli\nfrom . import x\n")
    assert imported_layers(module, "engine") == [(2, "analytics"), (3, "mmsim"), (4, "engine")]
