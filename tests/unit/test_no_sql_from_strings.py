"""No SQL is built from strings that could carry input: every textual statement is a
constant with bound parameters, except two that are built from the schema or an allow-list."""

from __future__ import annotations

import ast
from pathlib import Path

import accord

SOURCE = Path(accord.__file__).parent
SQL_CALLS = {"text", "exec_driver_sql"}
# (module, function): statements built from the schema's own names or a checked allow-list.
ALLOWED = {
    ("storage/engine.py", "_sqlite_begin"),  # BEGIN DEFERRED|IMMEDIATE, checked just before
    ("storage/bulk.py", "_sqlite_executemany"),  # INSERT from the table metadata, values bound
}


def _built_statements(root: Path = SOURCE) -> set[tuple[str, str]]:
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or not call.args:
                    continue
                name = getattr(call.func, "attr", getattr(call.func, "id", None))
                if name in SQL_CALLS and not isinstance(call.args[0], ast.Constant):
                    found.add((path.relative_to(root).as_posix(), function.name))
    return found


def test_textual_sql_is_constant_or_built_from_the_schema():
    assert _built_statements() <= ALLOWED


def test_the_scan_sees_a_statement_built_from_a_string(tmp_path):
    (tmp_path / "bad.py").write_text(
        "def find(conn, name):\n    return conn.execute(text(f'SELECT * WHERE n = {name}'))\n"
    )
    assert _built_statements(tmp_path) == {("bad.py", "find")}
