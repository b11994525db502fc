"""Sending this laptop's own ops to a folder, and remembering per folder how far it got."""

from __future__ import annotations

import json
from pathlib import Path

from app.services.sync import lineage, meta
from app.services.sync.report import Progress, SyncFolderError, SyncReport
from app.services.sync.turns import turn
from app.storage.db import Database
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.publish import publish_lines
from app.sync.teamkey import TeamKey

# Change-set files are capped (SYNC.md 4.4: about 5 MB): by ops, and by text (a reader holds
# one file's text while it merges it a batch at a time).
_OPS_PER_FILE = 20_000
_TEXT_PER_FILE = 8 * 1024 * 1024


def published_seq(db: Database, folder: Path, inc: str) -> int:
    """The last of ``inc``'s ops published to ``folder`` (0: none, or under another identity)."""
    with db.read() as session:
        found = meta.published_map(SyncRepository(session))
    stored_inc, _, seq = str(found.get(str(folder.resolve()), "")).rpartition(":")
    return int(seq) if stored_inc == inc and seq.isdigit() else 0


def publish_pending(db: Database, folder: Path, key: TeamKey | None, inc: str,
                    report: SyncReport, say: Progress) -> None:
    """Own ops not in this folder yet, straight from the log, a file's worth at a time;
    each file is recorded as published once written (a crash re-publishes only the rest)."""
    device = lineage.device(db, inc)
    published = published_seq(db, folder, inc)
    while True:
        with db.read() as session:
            lines = SyncRepository(session).own_lines_after(inc, published, _OPS_PER_FILE,
                                                            _TEXT_PER_FILE)
        if not lines:
            return
        say(f"Publishing {report.sent_ops + len(lines):,} changes")
        try:
            path, digest = publish_lines(folder, device, inc,
                                         [(seq, text.encode()) for seq, text in lines], key)
        except OSError as exc:
            raise SyncFolderError(f"Cannot write to the sync folder {folder}: {exc}") from exc
        published = lines[-1][0]
        with turn(db) as session:
            repo = SyncRepository(session)
            found = meta.published_map(repo)
            found[str(folder.resolve())] = f"{inc}:{published}"
            meta.put(repo, meta.PUBLISHED, json.dumps(found))
            repo.add_processed([(digest, path.name)])
        report.published = path
        report.sent_ops += len(lines)
