"""Every row that holds something about one person: gathered for an access request, scrubbed
for an erasure. The one place that knows which tables can carry personal words."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, exc, func, or_, select, text, update
from sqlalchemy.orm import Session

from app.domain.erasure import PERSONAL_LEAD_FIELDS, PERSONAL_LEAD_NULLABLE, TombstoneRecord
from app.storage.db import Database
from app.storage.orm import (
    Activity,
    Answer,
    Base,
    CardPictureRow,
    CustomerOrderRow,
    DismissedPair,
    Lead,
    Question,
    Registration,
    ScanLog,
    Suppression,
    Task,
    Tombstone,
)


def row_values(row: Base) -> dict[str, Any]:
    """Every mapped column of a row, as plain values (for the access export)."""
    return {column.key: getattr(row, column.key) for column in row.__mapper__.column_attrs}


class ErasureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def zero_freed_pages(self) -> None:
        """For the rest of this transaction, deleted content is overwritten in the file too,
        not just unlinked from the b-tree (SQLite's secure_delete). On a server the old row
        versions stay until vacuumed: ``vacuum_erased`` after the transaction."""
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(text("PRAGMA secure_delete = ON"))

    def family(self, lead_id: uuid.UUID) -> list[Lead]:
        """The lead and every lead merged into it (at any depth): one person, several rows."""
        lead = self.session.scalars(select(Lead).where(Lead.id == lead_id)).first()
        if lead is None:
            return []
        found, frontier = [lead], [lead.id]
        while frontier:
            merged = list(self.session.scalars(select(Lead).where(
                Lead.merged_into_id.in_(frontier))))
            found.extend(merged)
            frontier = [m.id for m in merged]
        return found

    def _identifiers(self, leads: list[Lead]) -> tuple[set[str], set[str], set[tuple[Any, str]]]:
        emails = {lead.email for lead in leads if lead.email}
        phones = {n for lead in leads for n in (lead.phone_e164, lead.mobile_e164) if n}
        badges = {(lead.event_id, lead.badge_id) for lead in leads if lead.badge_id}
        return emails, phones, badges

    def related(self, leads: list[Lead]) -> dict[str, list[Base]]:
        """Every stored row about these leads' person, by table."""
        ids = [lead.id for lead in leads]
        emails, phones, badges = self._identifiers(leads)
        found: dict[str, list[Base]] = {
            "lead": list(leads),
            "activity": list(self.session.scalars(select(Activity).where(
                Activity.lead_id.in_(ids)).order_by(Activity.occurred_at))),
            "task": list(self.session.scalars(select(Task).where(Task.lead_id.in_(ids))
                                              .order_by(Task.due_at))),
            "answer": list(self.session.scalars(select(Answer).where(Answer.lead_id.in_(ids)))),
            "card_picture": list(self.session.scalars(select(CardPictureRow).where(
                CardPictureRow.lead_id.in_(ids), CardPictureRow.deleted_at.is_(None)))),
            "scan_log": self._scans(ids, emails, badges),
            "registration": self._registrations(emails, badges),
            "suppression": list(self.session.scalars(select(Suppression).where(or_(
                Suppression.value.in_(emails), Suppression.value.in_(phones))))),
            "dismissed_pair": list(self.session.scalars(select(DismissedPair).where(or_(
                DismissedPair.lead_a.in_(ids), DismissedPair.lead_b.in_(ids))))),
        }
        return found

    def suppression_ids(self, leads: list[Lead]) -> list[str]:
        """Ids (as stored) of the person's do-not-contact entries."""
        return [row.id.hex for row in self.related(leads).get("suppression", [])
                if isinstance(row, Suppression)]

    def question_prompts(self, question_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = self.session.execute(select(Question.id, Question.prompt).where(
            Question.id.in_(list(question_ids))))
        return {qid: prompt for qid, prompt in rows}

    def _scans(self, ids: list[uuid.UUID], emails: set[str],
               badges: set[tuple[Any, str]]) -> list[Base]:
        # Rejected scans never got a lead id; their raw text may still carry the person.
        conditions: list[Any] = [ScanLog.lead_id.in_(ids)]
        conditions += [ScanLog.raw.contains(email) for email in emails]
        conditions += [ScanLog.raw.contains(badge) for _, badge in badges if len(badge) >= 4]
        return list(self.session.scalars(select(ScanLog).where(or_(*conditions))))

    def _registrations(self, emails: set[str], badges: set[tuple[Any, str]]) -> list[Base]:
        conditions: list[Any] = [Registration.email.in_(emails)] if emails else []
        conditions += [(Registration.event_id == event) & (Registration.badge_id == badge)
                       for event, badge in badges if event is not None]
        if not conditions:
            return []
        return list(self.session.scalars(select(Registration).where(or_(*conditions))))

    def scrub(self, leads: list[Lead], now: dt.datetime, device: uuid.UUID) -> dict[str, int]:
        """Empty or remove everything personal about these leads' person, in this transaction."""
        related = self.related(leads)
        ids = [lead.id for lead in leads]
        counts = {name: len(rows) for name, rows in related.items()}
        for lead in leads:
            for name in PERSONAL_LEAD_FIELDS:
                setattr(lead, name, "")
            for name in PERSONAL_LEAD_NULLABLE:
                setattr(lead, name, None)
            lead.erased_at = lead.erased_at or now
            lead.deleted_at = lead.deleted_at or now
            lead.do_not_contact, lead.needs_review = True, False
            lead.consent_at = None
            lead.updated_at, lead.device_id = now, device
        # History keeps what happened and when (follow-up figures depend on it), not the words.
        self.session.execute(update(Activity).where(Activity.lead_id.in_(ids)).values(
            old_value="", new_value="", text="", updated_at=now, device_id=device))
        self.session.execute(update(Task).where(Task.lead_id.in_(ids)).values(
            title="", notes="", updated_at=now, device_id=device))
        self.session.execute(update(CardPictureRow).where(CardPictureRow.lead_id.in_(ids)).values(
            data="", deleted_at=func.coalesce(CardPictureRow.deleted_at, now), updated_at=now,
            device_id=device))
        for table, rows in related.items():
            if table in ("answer", "scan_log", "registration", "suppression", "dismissed_pair"):
                row_ids = [row.id for row in rows]  # type: ignore[attr-defined]
                if row_ids:
                    model = type(rows[0])
                    self.session.execute(delete(model).where(
                        model.id.in_(row_ids)))  # type: ignore[attr-defined]
        self.session.flush()
        return counts

    def orders_of(self, leads: list[Lead]) -> list[uuid.UUID]:
        """The customer orders credited to or suggested for these leads, or carrying one of
        their email addresses (read before ``scrub`` empties them)."""
        emails = sorted({lead.email.strip().lower() for lead in leads if lead.email.strip()})
        found = CustomerOrderRow.lead_id.in_([lead.id for lead in leads])
        if emails:
            found = or_(found, func.lower(CustomerOrderRow.email).in_(emails))
        return list(self.session.scalars(select(CustomerOrderRow.id).where(found)))

    def scrub_orders(self, order_ids: list[uuid.UUID], now: dt.datetime,
                     device: uuid.UUID) -> None:
        if order_ids:
            self.session.execute(update(CustomerOrderRow).where(
                CustomerOrderRow.id.in_(order_ids)).values(email="", updated_at=now,
                                                           device_id=device))

    def add_tombstone(self, row: Tombstone) -> None:
        self.session.add(row)

    def tombstones(self) -> list[TombstoneRecord]:
        return [TombstoneRecord(t.id, t.lead_id, t.erased_at,
                                frozenset(t.fingerprints.split()), t.reason)
                for t in self.session.scalars(select(Tombstone).order_by(Tombstone.erased_at))]


def compact_search_index(session: Session) -> None:
    """Merge the full-text index into one segment so the erased trigrams are really gone.

    A contentless FTS5 delete only records a tombstone; the old terms stay in older segments
    until they are merged. 'optimize' merges everything (slow on large files; erasures are rare).
    A server's trigram index is over the lead rows themselves, already scrubbed.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO lead_search(lead_search) VALUES ('optimize')"))


# Where an erasure leaves superseded row versions: what it scrubs, its tombstone and history
# row, and the sync log and shadow it purges.
_ERASED_ALSO = ("lead", "activity", "tombstone", "sync_row", "sync_shadow")


def vacuum_erased(database: Database, scrubbed: Iterable[str]) -> bool:
    """On a server, VACUUM the tables an erasure touched (outside any transaction, as VACUUM
    must run), so the person's old row versions are removed from the tables and their
    indexes now instead of whenever autovacuum comes round; False when VACUUM failed.

    What this cannot do, and the server's administrator must: a version another session's
    open snapshot still sees is kept until that session ends (VACUUM again afterwards); the
    freed space is reused, not overwritten (VACUUM FULL rewrites the tables, locking them);
    and the server's WAL archive and backups keep the person until they expire. A SQLite file
    needs nothing here: secure_delete overwrote the pages as they were freed."""
    if not database.is_server:
        return True
    known = set(Base.metadata.tables)
    tables = sorted({*scrubbed, *_ERASED_ALSO} & known)
    try:
        with database.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            for name in tables:
                connection.exec_driver_sql(f'VACUUM "{name}"')
    except exc.DBAPIError:
        return False
    return True
