"""Build Leadline's self-contained app folder with PyInstaller, optionally smoke-test it.

    .venv/bin/python packaging/build.py            # build dist/Leadline/
    .venv/bin/python packaging/build.py --smoke    # build, then run the built app headless

Installs PyInstaller into the running interpreter (the project's venv) when it is missing, runs
it with packaging/leadline.spec (work files in build/, the app folder in dist/Leadline/, both
git-ignored), checks that the folder holds what the app reads at run time, and prints its size.

--smoke then starts the built executable as CI would: offscreen Qt, a throw-away HOME and XDG
folders, a fresh database file. It opens the window once (--smoke-test), then drives the command
line (demo data, lead list, a PDF report, XLSX/vCard/iCalendar exports), each step with a time
limit. Any failure exits non-zero naming the step, with the command and its output.
PyInstaller builds for the platform it runs on only (see packaging/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "leadline.spec"
BUILD_DIR = ROOT / "build"
DIST_DIR = ROOT / "dist"
APP_NAME = "Leadline"
PYINSTALLER_REQUIREMENT = "pyinstaller>=6.10"
MIN_PYINSTALLER = (6, 10)
STEP_TIMEOUT = 120  # seconds for each smoke step; the slowest (the window) takes a few seconds


class SmokeStepError(Exception):
    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step}: {detail}")
        self.step = step
        self.detail = detail


# --- build -----------------------------------------------------------------------------------


def pyinstaller_version() -> tuple[int, ...] | None:
    try:
        from importlib.metadata import PackageNotFoundError, version
        try:
            text = version("pyinstaller")
        except PackageNotFoundError:
            return None
    except ImportError:  # pragma: no cover (3.11 always has importlib.metadata)
        return None
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def ensure_pyinstaller() -> None:
    found = pyinstaller_version()
    if found is not None and found >= MIN_PYINSTALLER:
        return
    print(f"Installing {PYINSTALLER_REQUIREMENT} into {sys.prefix} ...", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", PYINSTALLER_REQUIREMENT],
                   check=True)


def run_pyinstaller(clean: bool) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(DIST_DIR), "--workpath", str(BUILD_DIR), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def app_folder() -> Path:
    return DIST_DIR / APP_NAME


def executable(cli: bool = False) -> Path:
    """The program to start: on Windows the CLI has its own console executable."""
    if sys.platform == "win32":
        return app_folder() / ("leadline-cli.exe" if cli else f"{APP_NAME}.exe")
    return app_folder() / APP_NAME


def bundle_root() -> Path:
    """sys._MEIPASS of the built app: PyInstaller 6 puts everything but the executable in
    _internal/."""
    internal = app_folder() / "_internal"
    return internal if internal.is_dir() else app_folder()


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


def check_bundle() -> None:
    """Fail the build early when something the app opens by path is missing."""
    root = bundle_root()
    required = [
        executable(),
        root / "resources" / "fonts" / "DejaVuSans.ttf",
        root / "resources" / "fonts" / "DejaVuSans-Bold.ttf",
        root / "resources" / "icons" / "leadline.svg",
        root / "resources" / "leadline.desktop",
        root / "migrations" / "env.py",
    ]
    if sys.platform == "win32":
        required.append(executable(cli=True))
    missing = [str(path.relative_to(DIST_DIR)) for path in required if not path.exists()]
    versions = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    missing += [f"migrations/versions/{script.name}" for script in versions
                if not (root / "migrations" / "versions" / script.name).is_file()]
    plugins = [name for name in ("platforms/*offscreen*", "iconengines/*svg*", "imageformats/*svg*")
               if not any(root.glob(f"PySide6/Qt/plugins/{name}"))
               and not any(root.glob(f"PySide6/plugins/{name}"))]
    missing += [f"Qt plugin {name}" for name in plugins]
    if (root / "resources" / "screenshots").exists():
        missing.append("(resources/screenshots should have been left out)")
    if missing:
        raise SmokeStepError("check bundle", "missing from the app folder: " + ", ".join(missing))


def build(clean: bool) -> None:
    ensure_pyinstaller()
    started = time.monotonic()
    run_pyinstaller(clean)
    check_bundle()
    size = folder_size(app_folder())
    print(f"Built {app_folder()} in {time.monotonic() - started:.0f} s: "
          f"{size / 1e6:.0f} MB, {sum(1 for _ in app_folder().rglob('*'))} files", flush=True)
    if sys.platform == "darwin":
        print(f"macOS bundle: {DIST_DIR / (APP_NAME + '.app')}")


# --- smoke test ------------------------------------------------------------------------------


@dataclass
class Smoke:
    temp: Path
    env: dict[str, str]

    @property
    def db(self) -> Path:
        return self.temp / "smoke.sqlite"

    def run(self, step: str, args: list[str], *, cli: bool = True) -> str:
        command = [str(executable(cli=cli)), "--db", str(self.db), *args]
        started = time.monotonic()
        print(f"[smoke] {step}: {' '.join(command[1:])}", flush=True)
        try:
            done = subprocess.run(command, env=self.env, cwd=self.temp, capture_output=True,
                                  text=True, encoding="utf-8", errors="replace",
                                  timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise SmokeStepError(step, f"no exit after {STEP_TIMEOUT} s\n$ {' '.join(command)}\n"
                             f"{_tail(exc.stdout)}{_tail(exc.stderr)}") from exc
        if done.returncode != 0:
            raise SmokeStepError(step, f"exit code {done.returncode}\n$ {' '.join(command)}\n"
                             f"--- stdout\n{_tail(done.stdout)}--- stderr\n{_tail(done.stderr)}")
        print(f"[smoke] {step}: ok in {time.monotonic() - started:.1f} s", flush=True)
        return done.stdout

    def file(self, step: str, name: str, magic: bytes) -> Path:
        path = self.temp / name
        if not path.is_file() or path.stat().st_size == 0:
            raise SmokeStepError(step, f"exited 0 but wrote no {path}")
        with path.open("rb") as handle:
            if handle.read(len(magic)) != magic:
                raise SmokeStepError(step, f"{path} does not start with {magic!r}")
        return path


def _tail(text: str | bytes | None, lines: int = 40) -> str:
    if not text:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:]) + "\n"


def smoke_env(temp: Path) -> dict[str, str]:
    """A clean user profile: nothing from the developer's HOME, settings or database leaks in."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "QT_", "LEADLINE_", "XDG_", "VIRTUAL_ENV"))}
    home = temp / "home"
    folders = {"HOME": home, "XDG_CONFIG_HOME": home / ".config",
               "XDG_DATA_HOME": home / ".local" / "share", "XDG_CACHE_HOME": home / ".cache",
               "XDG_STATE_HOME": home / ".local" / "state", "XDG_RUNTIME_DIR": temp / "runtime"}
    if sys.platform == "win32":
        folders.update(USERPROFILE=home, APPDATA=home / "AppData" / "Roaming",
                       LOCALAPPDATA=home / "AppData" / "Local")
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    (temp / "runtime").chmod(0o700)
    env.update({key: str(value) for key, value in folders.items()})
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def smoke(skip_window: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="leadline-smoke-") as name:
        temp = Path(name)
        check = Smoke(temp, smoke_env(temp))
        started = time.monotonic()

        version = re.search(r'^__version__ = "([^"]+)"',
                            (ROOT / "app" / "__init__.py").read_text(), re.M).group(1)
        out = check.run("version", ["--version"])
        if version not in out:
            raise SmokeStepError("version", f"expected {version} in {out.strip()!r}")

        if skip_window:
            print("[smoke] window: skipped (--skip-window)")
        else:
            out = check.run("window", ["--smoke-test"], cli=False)
            if not check.db.is_file():
                raise SmokeStepError("window", f"{check.db} was not created")
            # A windowed Windows executable has no stdout: its exit code has to do.
            if sys.platform != "win32" or out:
                if "smoke test ok" not in out:
                    raise SmokeStepError("window",
                                         f"no 'smoke test ok' line in its output:\n{_tail(out)}")
                print("[smoke] " + next(line for line in out.splitlines() if "smoke test ok" in line))

        demo = json.loads(check.run("demo data", ["demo", "--leads", "30", "--json"]))
        if demo.get("leads") != 30:
            raise SmokeStepError("demo data", f"expected 30 leads, got {demo}")

        listing = json.loads(check.run("lead list", ["leads", "list", "--json"]))
        if listing.get("total", 0) < 30 or not listing.get("leads"):
            raise SmokeStepError("lead list", f"expected at least 30 leads, got total={listing.get('total')}")

        check.run("PDF report", ["report", "status", "--pdf", str(temp / "status.pdf")])
        pdf = check.file("PDF report", "status.pdf", b"%PDF")
        if b"DejaVuSans" not in pdf.read_bytes():  # the font from resources/fonts is embedded
            raise SmokeStepError("PDF report", f"{pdf} does not embed the bundled DejaVu Sans font")

        owner = next((lead["owner"] for lead in listing["leads"] if lead.get("owner")), None)
        if owner is None:
            raise SmokeStepError("lead list", "no demo lead has an owner (needed for the ics export)")
        # xlsx: openpyxl; vcard: vobject; ics (one rep's tasks): icalendar.
        exports = (("xlsx", "leads.xlsx", b"PK", []), ("vcard", "leads.vcf", b"BEGIN:VCARD", []),
                   ("ics", "tasks.ics", b"BEGIN:VCALENDAR", ["--owner", owner]))
        for fmt, filename, magic, extra in exports:
            step = f"{fmt} export"
            check.run(step, ["export", "--format", fmt, "--out", str(temp / filename), *extra])
            path = check.file(step, filename, magic)
            if fmt == "xlsx" and not zipfile.is_zipfile(path):
                raise SmokeStepError(step, f"{path} is not a valid XLSX (zip) file")

        print(f"Smoke test passed in {time.monotonic() - started:.0f} s "
              f"({executable()} on a fresh database)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="run the built app headless afterwards")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument("--no-build", action="store_true",
                        help="smoke-test the existing dist/ folder without building")
    parser.add_argument("--skip-window", action="store_true",
                        help="leave out the --smoke-test window step (debugging only)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if not args.no_build:
            build(args.clean)
        elif not executable().exists():
            raise SmokeStepError("check bundle", f"{executable()} does not exist; build first")
        if args.smoke:
            smoke(args.skip_window)
    except SmokeStepError as failure:
        print(f"\nPACKAGING FAILED at step '{failure.step}': {failure.detail}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failure:
        print(f"\nPACKAGING FAILED at step 'build': {' '.join(map(str, failure.cmd))} exited "
              f"{failure.returncode}", file=sys.stderr)
        return 1
    print(f"Done in {time.monotonic() - started:.0f} s. App folder: {app_folder()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
