"""What Leadline writes is the current user's only: the database and its journal, backups,
exports, logs and secrets (0600, folders 0700); the team's shared folder keeps the permissions
colleagues' accounts need. The team passphrase lives in the keyring, not in the database."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from app.services.secret_store import KEYRING_SERVICE, SecretStore
from app.services.sync_settings import SYNC_SETTINGS_KEY, SyncSettings, SyncSettingsStore
from app.storage.db import Database
from app.storage.opening import open_database
from tests.memory_keyring import BrokenKeyring, MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.name == "nt", reason="Unix permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _leadline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A real `python main.py …` started with the usual umask 022, as a desktop session has."""
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, umask=0o022, check=False)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "LEADLINE_NOW": "2026-03-02T09:00:00Z"}


def test_database_backup_and_export_are_created_for_the_user_only(
        tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "laptop" / "leadline.sqlite"
    added = _leadline("--db", str(db), "leads", "add", "--first-name", "Ines",
                      "--last-name", "Okafor", "--email", "ines@example.org", env=env)
    assert added.returncode == 0, added.stderr
    exported = _leadline("--db", str(db), "leads", "export", str(tmp_path / "leads.csv"),
                         env=env)
    assert exported.returncode == 0, exported.stderr
    backed_up = _leadline("--db", str(db), "backup", "--json", env=env)
    assert backed_up.returncode == 0, backed_up.stderr
    backup = Path(json.loads(backed_up.stdout)["path"])

    written = [db, tmp_path / "leads.csv", backup, *db.parent.glob("leadline.sqlite-*")]
    assert {path.name: oct(_mode(path)) for path in written} == {
        path.name: oct(0o600) for path in written}
    assert _mode(backup.parent) == 0o700  # the backups folder Leadline made


def test_a_database_an_older_leadline_left_readable_by_all_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    database, _ = open_database(path)
    database.dispose()
    os.chmod(path, 0o644)
    database, _ = open_database(path)
    database.dispose()
    assert _mode(path) == 0o600


def test_the_shared_folder_stays_readable_by_the_team(tmp_path: Path, env: dict[str, str]
                                                      ) -> None:
    db = tmp_path / "laptop" / "leadline.sqlite"
    folder = tmp_path / "team-folder"
    folder.mkdir(mode=0o755)
    assert _leadline("--db", str(db), "leads", "add", "--company", "Kiln & Co",
                     env=env).returncode == 0
    synced = _leadline("--db", str(db), "sync", "--folder", str(folder), "--json", env=env)
    assert synced.returncode == 0, synced.stderr
    published = [path for path in folder.rglob("*")]
    assert any(path.is_file() for path in published)
    for path in published:
        assert _mode(path) == (0o755 if path.is_dir() else 0o644), path
    assert _mode(db) == 0o600


def test_the_passphrase_lives_in_the_keyring_not_in_the_database(
        db: Database, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = SyncSettingsStore(db)
    store.save(SyncSettings(tmp_path / "team", "correct horse battery"))
    assert "correct horse" not in (db.get_meta(SYNC_SETTINGS_KEY) or "")
    assert memory_keyring.passwords == {
        (KEYRING_SERVICE, str(db.path.resolve())): "correct horse battery"}
    assert SyncSettingsStore(db).load().passphrase == "correct horse battery"

    store.save(SyncSettings(tmp_path / "team", None))
    assert memory_keyring.passwords == {}
    assert SyncSettingsStore(db).load().passphrase is None


def test_a_passphrase_an_older_leadline_kept_in_the_database_moves_to_the_keyring(
        db: Database, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    db.set_meta(SYNC_SETTINGS_KEY, json.dumps({
        "folder": str(tmp_path / "team"), "passphrase": "old secret", "interval_minutes": 0,
        "on_start_and_close": True, "server": "", "database": str(db.path.resolve())}))
    assert SyncSettingsStore(db).load().passphrase == "old secret"
    assert "old secret" not in (db.get_meta(SYNC_SETTINGS_KEY) or "")
    assert list(memory_keyring.passwords.values()) == ["old secret"]


def test_without_a_keyring_the_secret_goes_to_an_owner_only_file(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        store = SecretStore(tmp_path / "data" / "secrets.json")
        assert store.put("/a/leadline.sqlite", "s3cret") == str(store.fallback_file)
        assert _mode(store.fallback_file) == 0o600
        assert store.get("/a/leadline.sqlite") == "s3cret"
        store.forget("/a/leadline.sqlite")
        assert store.get("/a/leadline.sqlite") is None
    finally:
        keyring.set_keyring(previous)
