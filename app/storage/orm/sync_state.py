"""Sync bookkeeping: local only, never synced (see app/services/sync/service.py)."""

from __future__ import annotations

from sqlalchemy import (
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.orm.base import Base


class SyncChunk(Base):
    """The op log: runs of ops of one incarnation, in seq order, compressed together (zlib of one
    JSON line per op). Ops of one capture batch or one received file share a chunk, so the log
    of N rows is a few bytes per row instead of a row per field."""

    __tablename__ = "sync_chunk"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incarnation: Mapped[str] = mapped_column(String(40), nullable=False)
    seq_first: Mapped[int] = mapped_column(Integer, nullable=False)
    seq_last: Mapped[int] = mapped_column(Integer, nullable=False)
    op_count: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (Index("ix_sync_chunk_incarnation_seq_first", "incarnation", "seq_first"),)


class SyncRow(Base):
    """Which chunks hold ops of a synced row: a row's merge state depends on its ops only."""

    __tablename__ = "sync_row"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncOpId(Base):
    """Which chunk holds each op (by incarnation and seq): exact lookups of op ids, for
    duplicates and collisions, without decompressing chunks."""

    __tablename__ = "sync_op_id"
    incarnation: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncMark(Base):
    """Versions an absorbed snapshot showed to be superseded although the superseding op is not
    held here (``field`` '' for the row's delete/restore versions)."""

    __tablename__ = "sync_mark"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(80), primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncShadow(Base):
    """What the sync believes a synced row holds, so capture tells local edits from its own
    writes: the merged values (from the log) overlaid with ``local``, JSON of the fields this
    laptop keeps different on purpose (its review flags of sync conflicts, a reference held back
    until its row arrives). ``digest`` (of the row as capture last saw it, nothing left to send)
    lets capture skip unchanged rows without reading their ops."""

    __tablename__ = "sync_shadow"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    local: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncFollowUp(Base):
    """Leads a merge changed whose local follow-ups (open tasks follow the owner, touch times,
    score) have not run yet: they run once every received change of the sync is merged, never
    on a half-merged state (a task about to be deleted must not be reassigned first)."""

    __tablename__ = "sync_followup"
    lead_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncFile(Base):
    """Change-set files already applied (sha256 of their bytes), so they are not decoded again."""

    __tablename__ = "sync_file"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), nullable=False)


class SyncHubFile(Base):
    """The team server as the laptops' sync place: each file a shared folder would hold (change
    sets, snapshots, acknowledgements), by name, with its sha256. Empty in a laptop's file."""

    __tablename__ = "sync_hub_file"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
