"""SQLAlchemy 2 typed tables for the whole mission. The only place table shapes are declared.

Tables live in one module per family (people, events, leads, imports, customers, card
pictures, privacy, automation, sync_state); this package imports them all so ``Base.metadata``
is complete for Alembic (migrations/env.py), ``create_all`` and the bulk writer, and callers
import tables from here.

Every synced row carries a UUIDv7 ``id``, ``updated_at`` (UTC) and ``device_id`` (the device
that last changed it), which sync needs. Leads also have a local integer ``key``: SQLite's
rowid, stable across VACUUM because it is declared, used by the full-text index and paging.
"""

from __future__ import annotations

from app.storage.orm.automation import (
    AssignmentMove,
    AssignmentRun,
    CadenceRow,
    RoutingRuleRow,
    ScoreRuleRow,
    SharedSetting,
)
from app.storage.orm.base import NAMING, AppMeta, Base, Synced, UTCDateTime
from app.storage.orm.card_pictures import CardPictureRow
from app.storage.orm.customers import CustomerOrderRow
from app.storage.orm.events import Answer, Event, Question, Registration, ScanLog
from app.storage.orm.imports import CompanyDirectoryEntry, ImportBatch, MappingTemplate
from app.storage.orm.leads import (
    EXPRESSION_INDEXES,
    OPEN_LEAD_SQL,
    RATING_RANK_SQL,
    STATUS_RANK_SQL,
    Activity,
    DismissedPair,
    Lead,
    Task,
)
from app.storage.orm.people import Queue, Team, User
from app.storage.orm.privacy import AuditEntryRow, Suppression, Tombstone
from app.storage.orm.sync_state import (
    SyncChunk,
    SyncFile,
    SyncFollowUp,
    SyncHubFile,
    SyncMark,
    SyncOpId,
    SyncRow,
    SyncShadow,
)

__all__ = [
    "NAMING",
    "UTCDateTime",
    "Base",
    "Synced",
    "AppMeta",
    "Team",
    "User",
    "Queue",
    "Event",
    "Question",
    "Answer",
    "Registration",
    "ScanLog",
    "OPEN_LEAD_SQL",
    "STATUS_RANK_SQL",
    "RATING_RANK_SQL",
    "EXPRESSION_INDEXES",
    "Lead",
    "Task",
    "Activity",
    "DismissedPair",
    "ImportBatch",
    "MappingTemplate",
    "CompanyDirectoryEntry",
    "CustomerOrderRow",
    "CardPictureRow",
    "Suppression",
    "Tombstone",
    "AuditEntryRow",
    "ScoreRuleRow",
    "RoutingRuleRow",
    "SharedSetting",
    "AssignmentRun",
    "AssignmentMove",
    "CadenceRow",
    "SyncChunk",
    "SyncRow",
    "SyncOpId",
    "SyncMark",
    "SyncShadow",
    "SyncFollowUp",
    "SyncFile",
    "SyncHubFile",
]
