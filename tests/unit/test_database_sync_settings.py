"""Sync settings belong to the database: stored in it, bound to its path, used by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.bootstrap import main
from app.services.container import Services
from app.services.sync_settings import SYNC_SETTINGS_KEY, SyncSettings


def test_settings_round_trip_and_stay_with_the_file(services: Services, tmp_path: Path) -> None:
    store = services.sync_settings
    assert store.load() == SyncSettings()
    shared = tmp_path / "share"
    store.save(SyncSettings(shared, "secret", 15, False))
    assert store.load() == SyncSettings(shared, "secret", 15, False)
    stored = json.loads(services.context.db.get_meta(SYNC_SETTINGS_KEY) or "{}")
    assert stored["database"] == str(services.context.db.path.resolve())


def test_unreadable_settings_leave_sync_off(services: Services) -> None:
    services.context.db.set_meta(SYNC_SETTINGS_KEY, "{not json")
    assert services.sync_settings.load() == SyncSettings()


def test_the_command_line_syncs_with_the_databases_own_folder(
        services: Services, db_path: Path, tmp_path: Path, capsys: Any) -> None:
    shared = tmp_path / "share"
    shared.mkdir()
    services.leads.create({"first_name": "Ada", "last_name": "Lovelace"})
    assert main(["--db", str(db_path), "--json", "sync"]) == 2
    assert "no sync folder" in capsys.readouterr().err
    services.sync_settings.save(SyncSettings(shared))
    assert main(["--db", str(db_path), "--json", "sync"]) == 0
    assert json.loads(capsys.readouterr().out)["sent_ops"] > 0
    assert any(shared.iterdir())
