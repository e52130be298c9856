"""The tests mirror the package: reading/, services/, blueprints/, flows/ (end to end), and at the
top only the tests of top-level modules; shared fixtures live in conftest.py and helpers in plain
modules, so no test module imports another."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TOP_LEVEL = {
    "test_cli.py",
    "test_config.py",
    "test_i18n.py",
    "test_import_graph.py",
    "test_layout.py",
    "test_migrations.py",
    "test_parsing.py",
}


def test_top_level_holds_only_the_tests_of_top_level_modules():
    assert {p.name for p in TESTS.glob("test_*.py")} <= TOP_LEVEL


def test_no_test_module_imports_another():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if any(part.startswith("test_") for part in node.module.split(".")):
                    offenders.append(f"{path.relative_to(TESTS)}: from {'.' * node.level}{node.module}")
    assert offenders == []
