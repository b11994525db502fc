"""The team server as the hub of offline laptops: the same change sets and conflict rules as a
shared folder (SYNC.md), with the server's database as one more replica.

The server keeps the files a shared folder would hold in a table (``sync_hub_file``). An
exchange, run by the laptop while it holds the hub's turn:

1. mirrors that table into a folder beside the laptop's database (files left over from an
   interrupted exchange are sent first);
2. lets the server's replica capture what people changed directly on the server, publish it
   and merge what laptops sent (into the server's own tables, with its review queue);
3. lets the laptop do the same, then the server's replica once more, so both end even;
4. sends every new or rewritten file to the table and removes the ones compaction deleted.

A laptop that never exchanged with this server and holds nothing copies the server replica's
rows and sync state right after step 2 (``join``); one that holds data of its own joins from a
snapshot the server's replica writes of everything it holds. Neither replays history. The
laptop that moved the team onto the server (``handover``) counts as joined. The folder is only
a cache: losing it costs a download.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import ServerAddress
from app.services.sync.join import can_join_by_copy, join_by_copy, record_baseline
from app.services.sync.report import Progress, SyncFolderError, SyncReport
from app.services.sync.service import SyncService
from app.storage.db import Database
from app.storage.repositories.sync.hub_files import HubFiles, hub_turn
from app.sync.publish import TEMP_PREFIX

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.sync_settings import SyncSettings

log = logging.getLogger(__name__)

# The hub folder's own notes (never sent to the server): what the table held at the last
# mirroring, and that this laptop has exchanged here (else it joins from a snapshot).
_OWN_PREFIX = ".hub-"
_MANIFEST = ".hub-manifest.json"
_JOINED = ".hub-joined"


@dataclass
class HubReport:
    """One exchange with the team server: the laptop's side, and what the server merged."""

    laptop: SyncReport
    server_received_ops: int = 0
    server_sent_ops: int = 0
    joined_from_snapshot: bool = False
    # Rows the empty laptop copied from the server's replica (0: it did not join by copy).
    joined_by_copy: int = 0
    files_sent: int = 0
    files_received: int = 0
    warnings: list[str] = field(default_factory=list)


def hub_folder(laptop: Database, address: ServerAddress) -> Path:
    """Where this laptop keeps its copy of the hub's files: beside its database, per server."""
    return laptop.path.parent / ".leadline-hub" / address.slug


class HubMirror:
    """Keeps the laptop's folder and the server's table of files the same, by name and sha256.

    The manifest remembers what the table held at the last mirroring, so a file missing from
    the table was deleted there (compaction) and one missing from the folder was deleted here.
    """

    def __init__(self, server: Database, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.manifest: dict[str, str] = self._read_manifest()
        self.sent = self.received = 0

    def _read_manifest(self) -> dict[str, str]:
        try:
            found = json.loads((self.folder / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def _write_manifest(self) -> None:
        partial = self.folder / f"{_MANIFEST}.part"
        partial.write_text(json.dumps(self.manifest, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.folder / _MANIFEST)

    def _local(self) -> dict[str, str]:
        return {entry.name: _sha256(entry) for entry in self.folder.iterdir()
                if entry.is_file() and not entry.name.startswith((TEMP_PREFIX, _OWN_PREFIX))}

    def push(self) -> None:
        """Send new and rewritten files; delete from the table what was deleted here."""
        local = self._local()
        changed = {name: digest for name, digest in local.items()
                   if self.manifest.get(name) != digest}
        gone = [name for name in self.manifest if name not in local]
        if not changed and not gone:
            return
        with self.server.write() as session:
            files = HubFiles(session)
            for name, digest in changed.items():
                files.put(name, digest, (self.folder / name).read_bytes())
            files.remove(gone)
        for name in gone:
            del self.manifest[name]
        self.manifest.update(changed)
        self.sent += len(changed)
        self._write_manifest()

    def pull(self) -> None:
        """Fetch files the table holds in another version; delete here what it deleted."""
        with self.server.read() as session:
            files = HubFiles(session)
            wanted = files.index()
            local = self._local()
            for name, digest in wanted.items():
                if local.get(name) == digest:
                    continue
                body = files.body(name)
                if body is None:
                    continue  # deleted meanwhile: the next mirroring finds it gone
                partial = self.folder / f"{TEMP_PREFIX}{name}.part"
                partial.write_bytes(body)
                os.replace(partial, self.folder / name)
                self.received += 1
        for name in [n for n in self.manifest if n not in wanted]:
            if local.get(name) == self.manifest[name]:  # unchanged here: deleted there
                (self.folder / name).unlink(missing_ok=True)
        self.manifest = dict(wanted)
        self._write_manifest()


def exchange_with_server(laptop: SyncService, server: SyncService,
                         passphrase: str | None = None, progress: Progress | None = None
                         ) -> HubReport:
    """One exchange of ``laptop`` with the team server whose replica ``server`` is."""
    if laptop.db.is_server:
        raise SyncFolderError(f"{laptop.db.location} is the team server itself.")
    assert server.db.server is not None
    say = progress or (lambda _text: None)
    folder = hub_folder(laptop.db, server.db.server)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SyncFolderError(f"Cannot create the hub folder {folder}: {error}") from error
    say("Waiting for the team server")
    try:
        return _exchange(laptop, server, folder, passphrase, progress, say)
    except OSError as error:  # the hub folder beside the database: a full or read-only disk
        raise SyncFolderError(
            f"Cannot keep the team server's files in {folder}: {error.strerror or error}. "
            "Nothing is lost: the next exchange sends what this one could not.") from error


def _exchange(laptop: SyncService, server: SyncService, folder: Path, passphrase: str | None,
              progress: Progress | None, say: Progress) -> HubReport:
    with hub_turn(server.db):
        mirror = HubMirror(server.db, folder)
        mirror.push()  # what an interrupted exchange left here
        say("Fetching the team's changes")
        mirror.pull()
        joining = not (folder / _JOINED).exists()
        copying = joining and can_join_by_copy(laptop.db)
        server_first = _server_exchange(server, folder, passphrase, snapshot=joining and not copying)
        mirror.push()
        copied = join_by_copy(server.db, laptop.db, progress) if copying else None
        if copying and copied is None:  # written to meanwhile: it needs the snapshot after all
            server_first = _server_exchange(server, folder, passphrase, snapshot=True)
            mirror.push()
        report = HubReport(laptop.exchange(folder, passphrase, progress),
                           joined_from_snapshot=joining and copied is None,
                           joined_by_copy=copied or 0)
        mirror.push()
        say("Merging on the team server")
        server_last = server.exchange(folder, passphrase)
        mirror.push()
        (folder / _JOINED).touch()
    report.server_received_ops = server_first.received_ops + server_last.received_ops
    report.server_sent_ops = server_first.sent_ops + server_last.sent_ops
    report.files_sent, report.files_received = mirror.sent, mirror.received
    report.warnings = [*server_first.warnings, *server_last.warnings]
    log.info("hub exchange: laptop sent %d, received %d; server merged %d",
             report.laptop.sent_ops, report.laptop.received_ops, report.server_received_ops)
    return report


def _server_exchange(server: SyncService, folder: Path, passphrase: str | None, *,
                     snapshot: bool) -> SyncReport:
    """The server replica's exchange; its snapshot for a laptop holding data of its own must
    hold every row, so rows the team moved in with (a baseline without ops) are recorded first."""
    if snapshot:
        record_baseline(server.db)
    return server.exchange(folder, passphrase, snapshot=snapshot)


def mark_joined(laptop: Database, address: ServerAddress) -> None:
    """This laptop holds what the server holds (it moved the team there): no joining."""
    folder = hub_folder(laptop, address)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _JOINED).touch()


def sync_with_server(laptop: Services, address: ServerAddress, passphrase: str | None = None,
                     progress: Progress | None = None) -> HubReport:
    """Open the team server as a replica of its own (its schema brought up to date) and
    exchange this laptop's changes with it."""
    from app.services.container import Services
    from app.storage.opening import open_server_database

    server_db, _outcome = open_server_database(address)
    try:
        server = Services.build(server_db, laptop.context.clock)
        return exchange_with_server(laptop.sync, server.sync, passphrase, progress)
    finally:
        server_db.dispose()


def sync_as_configured(laptop: Services, settings: SyncSettings,
                       progress: Progress | None = None) -> SyncReport:
    """One sync where this database's settings say: its shared folder or its team server."""
    if settings.server is not None:
        return sync_with_server(laptop, settings.server, settings.passphrase, progress).laptop
    if settings.folder is None:
        raise SyncFolderError("Sync is off: choose the shared folder or the team server in "
                              "File → Sync settings.")
    return laptop.sync.sync(settings.folder, settings.passphrase, progress)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
