"""Lead queries: filtered, sorted, paged lists, full-text search, and ORM ↔ record conversion."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased

from app.domain.leads import (
    CLOSED_STATUSES,
    FOLLOW_UP_STATUSES,
    FirstTouch,
    LeadQuery,
    LeadRecord,
    SortKey,
)
from app.domain.people import Availability
from app.domain.review import ReviewCode, code_tag
from app.storage.fulltext import escape_like, match_expression, search_alternatives
from app.storage.orm import RATING_RANK_SQL, STATUS_RANK_SQL, Event, Lead, Queue, Team, User
from app.storage.portable import LeadMatches, id_in

_search_index = table("lead_search", column("rowid"))
_owner = aliased(User, name="owner")

_STATUS_ORDER: ColumnElement[Any] = literal_column(STATUS_RANK_SQL)
_RATING_ORDER: ColumnElement[Any] = literal_column(RATING_RANK_SQL)

# Sorts whose order comes straight from a partial index (see orm.Lead.__table_args__).
SORT_INDEXES = {
    SortKey.NAME: "ix_lead_live_name", SortKey.COMPANY: "ix_lead_live_company",
    SortKey.EMAIL: "ix_lead_live_email", SortKey.PHONE: "ix_lead_live_phone",
    SortKey.COUNTRY: "ix_lead_live_country", SortKey.SCORE: "ix_lead_live_score",
    SortKey.NEXT_DUE: "ix_lead_live_next_due", SortKey.LAST_TOUCH: "ix_lead_live_last_touch",
    SortKey.CREATED: "ix_lead_live_created", SortKey.UPDATED: "ix_lead_live_updated",
    SortKey.STATUS: "ix_lead_live_status_rank", SortKey.RATING: "ix_lead_live_rating_rank",
}
INDEXED_SORTS = frozenset(SORT_INDEXES)
# Walking the sort index costs about page x leads / matches cheap steps; fetching and sorting
# the matches costs about one dearer step per match. Measured at 1M leads they break even near
# sqrt(page x leads) / 2, about 5,000 matches (a common trigram: 100-400 ms down to 4-15 ms).
_SORT_COLUMNS: dict[SortKey, tuple[Any, ...]] = {
    SortKey.NAME: (Lead.last_name, Lead.first_name),
    SortKey.COMPANY: (Lead.company,),
    SortKey.EMAIL: (Lead.email,),
    SortKey.PHONE: (Lead.phone_e164,),
    SortKey.COUNTRY: (Lead.country,),
    SortKey.STATUS: (_STATUS_ORDER,),
    SortKey.RATING: (_RATING_ORDER,),
    SortKey.SCORE: (Lead.score,),
    SortKey.OWNER: (_owner.name,),
    SortKey.EVENT: (Event.name,),
    SortKey.NEXT_DUE: (Lead.next_due_at,),
    SortKey.LAST_TOUCH: (Lead.last_touch_at,),
    SortKey.CREATED: (Lead.created_at,),
    SortKey.UPDATED: (Lead.updated_at,),
}
_JOINED_SORTS = {SortKey.OWNER: "owner", SortKey.EVENT: "event"}
# Sorts whose value can be empty: no owner, no event, never touched, nothing due.
_MAY_BE_EMPTY = frozenset({SortKey.OWNER, SortKey.EVENT, SortKey.NEXT_DUE, SortKey.LAST_TOUCH})

_RECORD_COLUMNS = (
    Lead,
    _owner.email.label("owner_email"),
    _owner.name.label("owner_name"),
    Event.name.label("event_name"),
    Team.name.label("team_name"),
    Queue.name.label("queue_name"),
)


def _filters(query: LeadQuery, now: dt.datetime, *, walk_sort_index: bool = False
             ) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Lead.deleted_at.is_(None)]
    if query.statuses:
        clauses.append(Lead.status.in_(query.statuses))
    if query.ratings:
        clauses.append(Lead.rating.in_(query.ratings))
    if query.unassigned:
        clauses.append(Lead.owner_id.is_(None))
    elif query.owner_id is not None:
        clauses.append(Lead.owner_id == query.owner_id)
    if query.event_id is not None:
        clauses.append(Lead.event_id == query.event_id)
    if query.overdue:
        clauses.append(Lead.next_due_at < now)
    if query.needs_review:
        clauses.append(Lead.needs_review.is_(True))
    if query.open_only:
        clauses.append(Lead.status.not_in(CLOSED_STATUSES))
    if query.captured_by_id is not None:
        clauses.append(Lead.captured_by_id == query.captured_by_id)
    if query.created_since is not None:
        clauses.append(Lead.created_at >= query.created_since)
    if query.invalid_email:
        # Lenient captures keep a doubtful email and say so in the review reason.
        clauses.append(and_(Lead.email != "", Lead.review_reason.contains(
            code_tag(ReviewCode.DOUBTFUL_VALUE, "email"), autoescape=True)))
    if query.do_not_contact:
        clauses.append(Lead.do_not_contact.is_(True))
    if query.queue_id is not None:
        clauses.append(Lead.queue_id == query.queue_id)
    if query.no_queue:
        clauses.append(Lead.queue_id.is_(None))
    if query.orphaned:
        unavailable = select(User.id).where(User.availability != Availability.ACTIVE)
        clauses.append(and_(Lead.status.in_(FOLLOW_UP_STATUSES), or_(
            and_(Lead.owner_id.is_(None), Lead.queue_id.is_(None)),
            Lead.owner_id.in_(unavailable))))
    if query.invalid_phone:
        clauses.append(or_(and_(Lead.phone != "", Lead.phone_e164 == ""),
                           and_(Lead.mobile != "", Lead.mobile_e164 == "")))
    if query.untouched_days is not None:
        since = now - dt.timedelta(days=query.untouched_days)
        clauses.append(and_(Lead.status.not_in(CLOSED_STATUSES), Lead.created_at < since,
                            or_(Lead.last_touch_at.is_(None), Lead.last_touch_at < since)))
    if query.channel is not None:
        clauses.append(Lead.channel == query.channel)
    if query.created_before is not None:
        clauses.append(Lead.created_at < query.created_before)
    if query.first_touch is not None:
        clauses.append(first_touch_clause(query.first_touch, now))
    if query.lead_ids:
        clauses.append(id_in(Lead.id, query.lead_ids))
    if query.awaiting_registration:
        clauses.append(Lead.awaiting_registration == true())  # "= 1": the partial index
    if query.search.strip():
        clauses.append(_search_clause(query.search, walk_sort_index))
    return clauses


def first_touch_clause(state: FirstTouch, now: dt.datetime) -> ColumnElement[bool]:
    """Leads with a first-touch deadline that met it, missed it, or are still within it."""
    due, touched = Lead.first_touch_due_at, Lead.first_touch_at
    if state is FirstTouch.MET:
        return and_(due.is_not(None), touched.is_not(None), touched <= due)
    if state is FirstTouch.MISSED:
        return and_(due.is_not(None), or_(and_(touched.is_not(None), touched > due),
                                          and_(touched.is_(None), due < now)))
    return and_(due.is_not(None), touched.is_(None), due >= now)


def _only_searches(query: LeadQuery) -> bool:
    return bool(query.search.strip()) and not replace(query, search="").is_filtered


def _search_clause(typed: str, walk_sort_index: bool = False) -> ColumnElement[bool]:
    if search_alternatives(typed) is not None:
        return LeadMatches(typed, walk_sort_index=walk_sort_index)
    # Shorter than a trigram: fall back to a prefix scan of the name-like columns.
    pattern = escape_like(typed.strip()) + "%"
    return or_(*(col.ilike(pattern, escape="\\") for col in
                 (Lead.first_name, Lead.last_name, Lead.company, Lead.email)))


def _ordering(query: LeadQuery) -> list[Any]:
    columns = _SORT_COLUMNS[query.sort]
    tie = Lead.key.desc() if query.descending else Lead.key.asc()
    # Empty values first going up and last going down: SQLite's own order, spelled out for
    # the columns that can be empty so the server (which puts them the other way) lists the
    # same. Only there: a server's plain index serves ORDER BY col but not col NULLS FIRST.
    may_be_empty = query.sort in _MAY_BE_EMPTY
    ordered = [(c.desc().nulls_last() if query.descending else c.asc().nulls_first())
               if may_be_empty else (c.desc() if query.descending else c.asc())
               for c in columns]
    return [*ordered, tie]


def _with_sort_joins(statement: Select[Any], query: LeadQuery) -> Select[Any]:
    joined = _JOINED_SORTS.get(query.sort)
    if joined == "owner":
        statement = statement.outerjoin(_owner, _owner.id == Lead.owner_id)
    elif joined == "event":
        statement = statement.outerjoin(Event, Event.id == Lead.event_id)
    return statement


class LeadRepository:
    """Reads and writes leads within one session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- single leads -------------------------------------------------------------------------
    def find(self, lead_id: uuid.UUID, *, include_deleted: bool = False,
             for_update: bool = False) -> Lead | None:
        """``for_update``: the row stays locked until the transaction ends, so what an edit
        compares with is what it overwrites (a server runs writers side by side; a SQLite
        file, one at a time, ignores the lock)."""
        statement = select(Lead).where(Lead.id == lead_id)
        if not include_deleted:
            statement = statement.where(Lead.deleted_at.is_(None))
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def is_do_not_contact(self, lead_id: uuid.UUID) -> bool:
        return bool(self.session.scalar(select(Lead.do_not_contact).where(Lead.id == lead_id)))

    def do_not_contact_among(self, lead_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Those of these leads marked do-not-contact, in one query."""
        if not lead_ids:
            return set()
        return set(self.session.scalars(select(Lead.id).where(
            id_in(Lead.id, lead_ids), Lead.do_not_contact.is_(True))))

    def find_many(self, lead_ids: Sequence[uuid.UUID]) -> list[Lead]:
        return list(self.session.scalars(select(Lead).where(Lead.id.in_(list(lead_ids)),
                                                            Lead.deleted_at.is_(None))))

    def add(self, lead: Lead) -> Lead:
        self.session.add(lead)
        self.session.flush()
        return lead

    def record(self, lead_id: uuid.UUID, *, include_deleted: bool = False) -> LeadRecord | None:
        statement = self._record_select().where(Lead.id == lead_id)
        if not include_deleted:
            statement = statement.where(Lead.deleted_at.is_(None))
        row = self.session.execute(statement).one_or_none()
        return _to_record(row) if row else None

    # -- lists --------------------------------------------------------------------------------
    def count(self, query: LeadQuery, now: dt.datetime, at_most: int | None = None) -> int:
        """Matching leads; with ``at_most``, stop counting there (cheap for broad searches)."""
        # SQLite's search index alone says cheaply whether a search is broad; a server reads
        # the leads either way, so there the capped count below is the one query.
        if at_most is not None and _only_searches(query) and self._on_sqlite() and \
                self._matches_at_least(query.search, at_most):
            return at_most  # counting the exact number is left to the background key load
        if at_most is None:
            statement = select(func.count()).select_from(Lead).where(*_filters(query, now))
        else:
            capped = select(Lead.key).where(*_filters(query, now)).limit(at_most).subquery()
            statement = select(func.count()).select_from(capped)
        return int(self.session.scalar(statement) or 0)

    def page(self, query: LeadQuery, now: dt.datetime, offset: int, limit: int
             ) -> list[LeadRecord]:
        # Only SQLite walks the sort index for a broad search (the server's planner chooses).
        walk = bool(query.search.strip()) and query.sort in SORT_INDEXES and \
            self._on_sqlite() and self._is_broad(query.search, limit)
        statement = (self._record_select().where(*_filters(query, now, walk_sort_index=walk))
                     .order_by(*_ordering(query)).offset(offset).limit(limit))
        return [_to_record(row) for row in self.session.execute(statement)]

    def _on_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    def _is_broad(self, typed: str, page: int) -> bool:
        leads = self.session.scalar(select(func.max(Lead.key))) or 0  # O(1): the rowid's end
        return self._matches_at_least(typed, max(100, int(math.sqrt(max(page, 1) * leads) / 2)))

    def _matches_at_least(self, typed: str, threshold: int) -> bool:
        """Whether the search index alone holds ``threshold`` matches (stops reading there)."""
        if search_alternatives(typed) is None:
            return True  # too short for trigrams: treat as matching everything
        if self._on_sqlite():  # the index alone, not the leads
            found = select(_search_index.c.rowid).where(
                text("lead_search MATCH :match").bindparams(match=match_expression(typed)))
        else:
            found = select(Lead.key).where(LeadMatches(typed))
        matches = found.limit(threshold).subquery()
        return int(self.session.scalar(select(func.count()).select_from(matches)) or 0) >= \
            threshold

    @staticmethod
    def in_list_order(statement: Select[Any], query: LeadQuery, now: dt.datetime) -> Select[Any]:
        """``statement``, a select from lead, narrowed to the query's leads in display order."""
        return (_with_sort_joins(statement, query).where(*_filters(query, now))
                .order_by(*_ordering(query)))

    def ordered_keys(self, query: LeadQuery, now: dt.datetime) -> array[int]:
        """Every matching lead's local key, in display order (8 bytes a lead, no row data)."""
        statement = self.in_list_order(select(Lead.key), query, now)
        result = self.session.execute(statement.execution_options(yield_per=20_000))
        return array("q", result.scalars())

    def records_for_keys(self, keys: Sequence[int]) -> list[LeadRecord]:
        """Records for these keys in the same order; keys of leads deleted meanwhile are skipped."""
        if not keys:
            return []
        statement = self._record_select().where(Lead.key.in_(list(keys)),
                                                Lead.deleted_at.is_(None))
        by_key = {row[0].key: _to_record(row) for row in self.session.execute(statement)}
        return [by_key[k] for k in keys if k in by_key]

    def keys_for_ids(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = self.session.execute(select(Lead.id, Lead.key).where(Lead.id.in_(list(ids))))
        return {row[0]: row[1] for row in rows}

    @staticmethod
    def _record_select() -> Select[Lead, str, str, str, str, str]:
        return (select(*_RECORD_COLUMNS)
                .outerjoin(_owner, _owner.id == Lead.owner_id)
                .outerjoin(Event, Event.id == Lead.event_id)
                .outerjoin(Team, Team.id == Lead.team_id)
                .outerjoin(Queue, Queue.id == Lead.queue_id))


def _to_record(row: Any) -> LeadRecord:
    return record_of(row[0], owner_email=row.owner_email or "", owner_name=row.owner_name or "",
                     event_name=row.event_name or "", team_name=row.team_name or "",
                     queue_name=row.queue_name or "")


def record_of(lead: Lead, *, owner_email: str = "", owner_name: str = "", event_name: str = "",
              team_name: str = "", queue_name: str = "") -> LeadRecord:
    """The record of a lead row already at hand (the names of its owner, event, team and queue
    only when given): what the lead's observers score and route by, without reading it again."""
    return LeadRecord(
        id=lead.id, first_name=lead.first_name, last_name=lead.last_name, title=lead.title,
        birth_date=lead.birth_date, company=lead.company, company_source=lead.company_source,
        industry=lead.industry, company_size=lead.company_size,
        website=lead.website, email=lead.email, phone=lead.phone, phone_e164=lead.phone_e164,
        mobile=lead.mobile, mobile_e164=lead.mobile_e164, street=lead.street,
        postal_code=lead.postal_code, city=lead.city, region=lead.region, country=lead.country,
        channel=lead.channel, event_id=lead.event_id, event_name=event_name,
        campaign=lead.campaign, badge_id=lead.badge_id, status=lead.status, rating=lead.rating,
        score=lead.score, product_interest=lead.product_interest, budget=lead.budget,
        authority=lead.authority, need=lead.need, timeline=lead.timeline,
        come_back_on=lead.come_back_on, disqualify_reason=lead.disqualify_reason,
        deal_value=lead.deal_value, owner_id=lead.owner_id, owner_email=owner_email,
        owner_name=owner_name, team_id=lead.team_id, team_name=team_name,
        queue_id=lead.queue_id, queue_name=queue_name, consent=lead.consent,
        consent_text=lead.consent_text, consent_at=lead.consent_at,
        do_not_contact=lead.do_not_contact, needs_review=lead.needs_review,
        review_reason=lead.review_reason, notes=lead.notes,
        original_values=lead.original_values, awaiting_registration=lead.awaiting_registration,
        captured_by_id=lead.captured_by_id,
        first_touch_at=lead.first_touch_at, last_touch_at=lead.last_touch_at,
        next_due_at=lead.next_due_at, merged_into_id=lead.merged_into_id,
        score_reasons=lead.score_reasons, first_touch_due_at=lead.first_touch_due_at,
        sla_breached_at=lead.sla_breached_at,
        created_at=lead.created_at, updated_at=lead.updated_at, deleted_at=lead.deleted_at,
        device_id=lead.device_id,
    )
