"""Views stay thin: a view checks access, parses its input, calls one service or
selector and renders; anything longer belongs in a plain function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 25


def _body_lines(func: ast.FunctionDef) -> int:
    """Lines from `def` to the function's end, without decorators or the docstring."""
    lines = func.end_lineno - func.lineno + 1
    first = func.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def long_views(root: Path = ROOT) -> list[str]:
    """Every top-level function taking `request` in apps/*/views.py or api.py that is
    longer than MAX_LINES, as 'file:function (n lines)'."""
    found = []
    for path in sorted([*root.glob("apps/*/views.py"), *root.glob("apps/*/api.py")]):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [*node.args.posonlyargs, *node.args.args]
            if not params or params[0].arg != "request":
                continue
            if (n := _body_lines(node)) > MAX_LINES:
                rel = path.relative_to(root)
                found.append(f"{rel}:{node.name} ({n} lines)")
    return found


def test_no_view_is_longer_than_25_lines():
    assert long_views() == []


def test_the_rule_counts_the_body_but_not_decorators_or_docstring(tmp_path):
    app = tmp_path / "apps" / "demo"
    app.mkdir(parents=True)
    body = "".join(f"    x{i} = {i}\n" for i in range(24))
    (app / "views.py").write_text(
        "@decorator\n@another\n"
        'def fits(request):\n    """A docstring\n    on two lines."""\n'
        f"{body}"
        "def too_long(request, day):\n"
        f"{body}    return x0\n"
        "def helper(form):\n"
        f"{body}{body}"
    )
    assert long_views(tmp_path) == ["apps/demo/views.py:too_long (26 lines)"]
