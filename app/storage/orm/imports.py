"""Import batches, saved column-mapping templates and the company directory used to enrich leads."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.leads import Channel
from app.storage.orm.base import Base, Synced, enum_column, text_column


class ImportBatch(Synced, Base):
    __tablename__ = "import_batch"
    file_name: Mapped[str] = text_column(500)
    source_format: Mapped[str] = text_column(20)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), nullable=False, default=Channel.IMPORT)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    mapping: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON


class MappingTemplate(Synced, Base):
    """A saved column mapping for imports, offered again for files with the same headers."""

    __tablename__ = "mapping_template"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    signature: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    mapping: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    deleted_at: Mapped[dt.datetime | None]


class CompanyDirectoryEntry(Synced, Base):
    """One company from an imported directory: what a lead with this email domain can learn."""

    __tablename__ = "company_directory"
    domain: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    company: Mapped[str] = text_column()
    industry: Mapped[str] = text_column(100)
    company_size: Mapped[str] = text_column(50)
    country: Mapped[str] = text_column(2)
    source: Mapped[str] = text_column(300)  # the file it came from
    imported_at: Mapped[dt.datetime] = mapped_column(nullable=False)
