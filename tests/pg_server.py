"""A throwaway PostgreSQL server for tests and benchmarks: initdb and pg_ctl on a temporary
folder, reached over a unix socket inside it (no TCP port, nothing left behind).

The binaries come from PATH or the usual Debian/Ubuntu folder (/usr/lib/postgresql/N/bin);
.ci/run installs them with apt-get where they are missing. PostgreSQL refuses to run as root,
so under root the server runs as the ``postgres`` user (which the packages create).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

USER = "leadline"


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None when PostgreSQL is missing."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr or done.stdout}")


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a server; yields a SQLAlchemy URL of its ``postgres`` database (user ``leadline``,
    no password: trust over the socket). The server and its folder are gone afterwards."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="leadline-pg-"))
    data, log = root / "data", root / "server.log"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        _run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "--no-sync",
              "-E", "UTF8", "--locale=C.UTF-8"])
        options = (f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=60")
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
              "start"])
        try:
            yield f"postgresql+psycopg://{USER}@/postgres?host={root}"
        finally:
            _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new, empty database on the server; returns its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.replace("/postgres?", f"/{name}?", 1)


@contextlib.contextmanager
def _maintenance(url: str) -> Iterator[Any]:
    """A connection to the server's ``postgres`` database, outside any transaction (CREATE and
    DROP DATABASE refuse to run inside one)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def copy_database(template_url: str, name: str) -> str:
    """A new database on the same server, copied from ``template_url``'s (which must have no
    open connections); returns its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    template = make_url(template_url)
    with _maintenance(template_url) as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
    return template.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a test's database (its connections closed first, whatever a failed test left)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    with _maintenance(url) as connection:
        connection.execute(text(
            f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
