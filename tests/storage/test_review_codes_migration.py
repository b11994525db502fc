"""Migration 0018 codes the review reasons stored as prose, exactly as the app reads them."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command

from app.domain.review import parse_reasons, reason_text, store_reasons
from app.paths import migrations_dir
from app.services.container import Services
from app.storage.db import Database
from app.storage.migrate import alembic_config, head_revision
from app.storage.opening import open_database
from tests.conftest import FIXED_NOW, FakeClock

LEGACY = [
    "email: 'bob@' is not an address",
    "email: role address: it reaches no particular person; ask for a name; do_not_contact: on "
    "the suppression list: competitor (company Rival GmbH)",
    "badge id not in the registration list yet: reconcile after the show",
    "sync conflict: phone; sync conflict: edited while deleted",
    "possible duplicate of Ann Lee (same email; same phone; names 92% similar)",
    "duplicate: possibly Ann Lee (same email); name: no contact person: the row names nobody; "
    "ask who to speak to",
    "question:Budget range: 'lots' is not one of the choices; phone: '12' is not a phone number; "
    "kept as the original value",
    "do_not_contact: this person asked to be erased on 2026-03-02; keep them only with fresh, "
    "recorded consent",
    "Badge scan without email",
    "Possible duplicate: same company and last name",
    "x" * 480,
]


def _migration() -> ModuleType:
    path = migrations_dir() / "versions" / "0018_review_reason_codes.py"
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("legacy", LEGACY)
def test_the_migrations_frozen_copy_codes_prose_as_the_app_reads_it(legacy: str) -> None:
    assert _migration().coded(legacy) == store_reasons(parse_reasons(legacy))


def _reasons(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = [r[0] for r in connection.execute("SELECT review_reason FROM lead ORDER BY key")]
    connection.close()
    return rows


def test_upgrade_codes_every_stored_reason_and_downgrade_gives_the_prose_back(tmp_path: Path) -> None:
    path = tmp_path / "leads.sqlite"
    database, _ = open_database(path)
    services = Services.build(database, FakeClock(FIXED_NOW))
    for number in range(len(LEGACY) + 1):
        services.leads.create({"last_name": f"Lead {number}"})
    database.dispose()
    with sqlite3.connect(path) as connection:  # as a database before 0018 holds them
        keys = [r[0] for r in connection.execute("SELECT key FROM lead ORDER BY key")]
        connection.executemany("UPDATE lead SET review_reason = ? WHERE key = ?",
                               list(zip(["", *LEGACY], keys, strict=True)))
    connection.close()
    config = alembic_config()
    database = Database(path)
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0017")
        assert _reasons(path) == ["", *LEGACY]  # prose is left as it was
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, head_revision())
        coded = _reasons(path)
        assert coded == ["", *(store_reasons(parse_reasons(r)) for r in LEGACY)]
        assert [reason_text(r) for r in coded[1:]] == [
            reason_text(r) for r in LEGACY]
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0017")
        assert [reason_text(r) for r in _reasons(path)] == ["", *(reason_text(r) for r in LEGACY)]
    finally:
        database.dispose()
