"""What the duplicate matcher reads: the identifying columns of live leads, never whole ORM rows.

A bulk scan walks a million leads, so rows are read in batches by rowid (``key``), a keyset walk
that costs the same for the last batch as for the first and keeps memory to one batch of
tuples. Lookups for one new lead (booth, import) go through the indexes on email, phones,
badge and name, so they stay in milliseconds whatever the table size.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.domain.dedupe.keys import MatchKeys
from app.domain.ids import new_id
from app.storage.orm import DismissedPair, Lead

_CONTACT_COLUMNS = (Lead.key, Lead.id, Lead.first_name, Lead.last_name, Lead.company,
                    Lead.email, Lead.phone_e164, Lead.mobile_e164, Lead.badge_id, Lead.event_id)
_COLUMNS = (*_CONTACT_COLUMNS, Lead.street, Lead.postal_code, Lead.city, Lead.region,
            Lead.birth_date)
# The address is read only where the name-and-address matcher will look at it (no email and
# no phone, or a date of birth): most leads have both, and converting four more strings per
# row is a good part of a million-lead scan's reading time.
_NEEDS_ADDRESS = or_(and_(Lead.email == "", Lead.phone_e164 == "", Lead.mobile_e164 == ""),
                     Lead.birth_date.is_not(None))
_SCAN_COLUMNS = (*_CONTACT_COLUMNS,
                 *(case((_NEEDS_ADDRESS, column), else_="") for column in
                   (Lead.street, Lead.postal_code, Lead.city, Lead.region)),
                 Lead.birth_date)
NAME_LOOKUP_LIMIT = 400
"""At most this many leads per name lookup: a common prefix must not turn into a table scan."""


def _keys(rows: Iterable[Sequence[Any]]) -> list[MatchKeys]:
    return [MatchKeys(*row) for row in rows]


def _live(columns: Sequence[Any] = _COLUMNS) -> Select[*tuple[Any, ...]]:
    return select(*columns).where(Lead.deleted_at.is_(None))


def iter_match_keys(session: Session, batch: int = 50_000) -> Iterator[MatchKeys]:
    """Every live lead's match columns, in rowid order, ``batch`` rows per query.

    The address columns are empty for leads the name-and-address matcher skips anyway (an
    email or phone and no date of birth).
    """
    after = 0
    while True:
        rows = session.execute(_live(_SCAN_COLUMNS).where(Lead.key > after)
                               .order_by(Lead.key).limit(batch)).all()
        if not rows:
            return
        yield from _keys(rows)
        after = rows[-1][0]
        if len(rows) < batch:
            return


def count_live(session: Session) -> int:
    """How many leads a scan will read (for progress)."""
    return session.scalar(select(func.count()).select_from(Lead)
                          .where(Lead.deleted_at.is_(None))) or 0


def lookup_candidates(session: Session, *, emails: Iterable[str] = (),
                      phones: Iterable[str] = (), badge_id: str = "",
                      event_id: uuid.UUID | None = None,
                      names: Iterable[tuple[str, str]] = (),
                      with_address: bool = True) -> list[MatchKeys]:
    """Live leads sharing an email, a phone, the badge at the event, or a name prefix.

    ``names`` holds (last-name prefix, first-name initial) pairs, each prefix tried as typed,
    in Title case, lower and upper case, because names are stored as typed and SQLite compares
    them byte for byte; the (last_name, first_name) index serves each range. Without
    ``with_address`` the address columns are not read (they stay empty).
    """
    columns = _COLUMNS if with_address else _CONTACT_COLUMNS
    found: dict[int, MatchKeys] = {}
    emails = [e for e in emails if e]
    phones = [p for p in phones if p]
    exact: list[ColumnElement[bool]] = []
    if emails:
        exact.append(Lead.email.in_(emails))
    if phones:
        exact.append(Lead.phone_e164.in_(phones))
        exact.append(Lead.mobile_e164.in_(phones))
    if badge_id and event_id is not None:
        exact.append(and_(Lead.badge_id == badge_id, Lead.event_id == event_id))
    for condition in exact:  # one query each, so each uses its own index
        for keys in _keys(session.execute(_live(columns).where(condition)
                                          .limit(NAME_LOOKUP_LIMIT))):
            found[keys.key] = keys
    for prefix, initial in names:
        for spelled in _spellings(prefix):
            statement = _live(columns).where(Lead.last_name >= spelled,
                                      Lead.last_name < spelled + "\U0010ffff")
            if initial:  # LIKE: case-insensitive for ASCII in SQLite
                statement = statement.where(Lead.first_name.startswith(initial, autoescape=True))
            for keys in _keys(session.execute(statement.limit(NAME_LOOKUP_LIMIT))):
                found[keys.key] = keys
    return list(found.values())


def _spellings(prefix: str) -> set[str]:
    prefix = prefix.strip()
    return {s for s in (prefix, prefix.title(), prefix.lower(), prefix.upper()) if s}


def match_keys_for(session: Session, ids: Iterable[uuid.UUID], chunk: int = 500
                   ) -> list[MatchKeys]:
    """The match columns of the given leads (deleted ones included), a chunk of ids per query."""
    wanted = list(ids)
    found: list[MatchKeys] = []
    for start in range(0, len(wanted), chunk):
        part = wanted[start:start + chunk]
        found.extend(_keys(session.execute(select(*_COLUMNS).where(Lead.id.in_(part)))))
    return found


def dismissed_pairs(session: Session) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Pairs people marked "not a duplicate" (smaller id first)."""
    return {(row.lead_a, row.lead_b) for row in session.scalars(select(DismissedPair))}


def add_dismissed_pair(session: Session, first: uuid.UUID, second: uuid.UUID,
                       now: dt.datetime, device_id: uuid.UUID) -> None:
    session.add(DismissedPair(id=new_id(), lead_a=first, lead_b=second, dismissed_at=now,
                              updated_at=now, device_id=device_id))
