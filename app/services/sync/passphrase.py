"""Remembering which passphrase last read a folder, so one mistyped later is refused there."""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from app.services.sync import meta
from app.storage.db import Database
from app.sync.errors import ChangeSetError
from app.sync.teamkey import TeamKey


def _key_checks(db: Database) -> dict[str, Any]:
    try:
        found = json.loads(db.get_meta(meta.KEY_CHECK) or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def same_passphrase(db: Database, folder: Path, key: TeamKey | None) -> bool:
    """Whether ``key`` is the passphrase that last read other laptops' files in ``folder``
    (True when none ever did: nothing to compare with)."""
    check = _key_checks(db).get(str(folder.resolve()))
    if not isinstance(check, dict):
        return True
    if key is None:
        return False
    try:
        raw = key.key_for(base64.b64decode(check["salt"], validate=True), int(check["n"]),
                          int(check["r"]), int(check["p"]))
    except (KeyError, TypeError, ValueError, binascii.Error, ChangeSetError):
        return True  # a damaged record decides nothing
    return TeamKey.key_id(raw) == check.get("key_id")


def remember_passphrase(db: Database, folder: Path, key: TeamKey) -> None:
    """``key`` read other laptops' files in ``folder``: remember how to recognise it."""
    params = key.params
    raw = key.key_for(key.salt, params["n"], params["r"], params["p"])
    checks = _key_checks(db)
    checks[str(folder.resolve())] = {"salt": base64.b64encode(key.salt).decode("ascii"),
                                     **params, "key_id": TeamKey.key_id(raw)}
    db.set_meta(meta.KEY_CHECK, json.dumps(checks, sort_keys=True))
