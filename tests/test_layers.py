"""The apps form layers: each imports only the layers below it, never upward and
never two apps each other; lazy imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Bottom first. tmo_tracker (settings, URLs, the pipeline, demo data) is the
# top: it may import every app, and none imports it.
LAYERS = ["core", "accounts", "diary", "detector", "dashboard", "reminders", "pwa"]
TOP = "tmo_tracker"


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "apps" and len(parts) > 1:
        return parts[1]
    return TOP if parts[0] == TOP else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _sources() -> list[tuple[str, Path]]:
    files = [("apps", p) for p in (ROOT / "apps").rglob("*.py")]
    files += [(TOP, p) for p in (ROOT / TOP).rglob("*.py")]
    # Migrations name other apps' models as strings; that is Django's business.
    return [(kind, p) for kind, p in files if "migrations" not in p.parts]


def upward_imports() -> list[str]:
    """Every import of a higher layer (or of the top) by a lower one, as 'file:line -> module'."""
    rank = {name: i for i, name in enumerate([*LAYERS, TOP])}
    found = []
    for kind, path in _sources():
        rel = path.relative_to(ROOT)
        here = TOP if kind == TOP else rel.parts[1]
        for line, module in _imports(path):
            there = _layer_of(module)
            if there is None or there == here:
                continue
            if there not in rank or here not in rank:
                found.append(f"{rel}:{line} -> {module} (an app not in LAYERS)")
            elif rank[there] > rank[here]:
                found.append(f"{rel}:{line} -> {module}")
    return found


def test_every_app_is_placed_in_a_layer():
    apps = {
        p.name
        for p in (ROOT / "apps").iterdir()
        if (p / "apps.py").exists() or (p / "__init__.py").exists()
    }
    assert apps == set(LAYERS)


def test_no_app_imports_a_layer_above_it():
    assert upward_imports() == []


def test_the_rule_catches_an_upward_import(tmp_path, monkeypatch):
    # A detector module importing the dashboard must be reported.
    fake = tmp_path / "apps" / "detector"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("def f():\n    from apps.dashboard import views\n")
    (tmp_path / TOP).mkdir()
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert upward_imports() == ["apps/detector/bad.py:2 -> apps.dashboard"]


PURE = ["apps/detector/detect.py", "apps/dashboard/figures", "apps/core/vocabulary.py"]


@pytest.mark.parametrize("place", PURE)
def test_pure_modules_stay_free_of_django(place):
    # They take data and return data, so tests check them without a database.
    path = ROOT / place
    for module in [path] if path.is_file() else sorted(path.glob("*.py")):
        imported = {m for _, m in _imports(module)}
        assert not {m for m in imported if m.split(".")[0] == "django"}, module
