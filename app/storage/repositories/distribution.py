"""Scoring and routing rules, shared settings, workload counts, and assignment runs.

The bulk readers use the raw DB-API cursor: re-scoring or re-routing a million leads reads a
dozen columns of every live lead, and building ORM objects for that would cost more than the
rules themselves.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, Uuid, bindparam, column, func, select, text, update
from sqlalchemy.orm import Session

from app.domain.leads import CLOSED_STATUSES, FOLLOW_UP_STATUSES, Channel, LeadStatus, Rating
from app.domain.people import Availability
from app.domain.routing import Condition, ConditionKind, RoutingFacts, RoutingRule, TargetKind
from app.domain.scoring import ScoreRule, ScoreRuleKind
from app.storage.db import DriverConnection
from app.storage.orm import (
    OPEN_LEAD_SQL,
    AssignmentMove,
    AssignmentRun,
    Lead,
    RoutingRuleRow,
    ScoreRuleRow,
    SharedSetting,
    Task,
    Team,
    User,
)

_CLOSED = tuple(s.value for s in CLOSED_STATUSES)


# Any constant both sides agree on: "LEADROUT" as eight bytes.
ROUTING_LOCK_KEY = int.from_bytes(b"LEADROUT", "big") & 0x7FFF_FFFF_FFFF_FFFF


class DistributionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- scoring rules ------------------------------------------------------------------------
    def score_rules(self) -> list[ScoreRule]:
        rows = self.session.scalars(select(ScoreRuleRow).where(ScoreRuleRow.deleted_at.is_(None))
                                    .order_by(ScoreRuleRow.position, ScoreRuleRow.id))
        return [ScoreRule(r.id, ScoreRuleKind(r.kind), r.value, r.points, r.enabled)
                for r in rows]

    def score_rule_rows(self) -> list[ScoreRuleRow]:
        return list(self.session.scalars(select(ScoreRuleRow)))

    def add_score_rule(self, row: ScoreRuleRow) -> None:
        self.session.add(row)

    # -- routing rules ------------------------------------------------------------------------
    def routing_rules(self) -> list[RoutingRule]:
        """Read as plain rows, conditions parsed once per distinct text: routing each new
        lead reads every rule (two hundred of them cost more as ORM objects than routing)."""
        if self.session.new or self.session.dirty:
            self.session.flush()  # rules changed in this session read as changed
        r = RoutingRuleRow
        rows = self.session.execute(
            select(r.id, r.name, r.position, r.conditions, r.target_kind, r.target_id, r.enabled)
            .where(r.deleted_at.is_(None)).order_by(r.position, r.name))
        return [RoutingRule(rule_id, name, position, _conditions_of(conditions or "[]"),
                            TargetKind(kind), target_id, enabled)
                for rule_id, name, position, conditions, kind, target_id, enabled in rows]

    def routing_rule_row(self, rule_id: uuid.UUID) -> RoutingRuleRow | None:
        return self.session.get(RoutingRuleRow, rule_id)

    def routing_rule_rows(self) -> list[RoutingRuleRow]:
        return list(self.session.scalars(select(RoutingRuleRow).where(
            RoutingRuleRow.deleted_at.is_(None)).order_by(RoutingRuleRow.position)))

    def add_routing_rule(self, row: RoutingRuleRow) -> None:
        self.session.add(row)

    # -- shared settings ----------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        return {r.key: r.value for r in self.session.scalars(select(SharedSetting))}

    def setting_row(self, key: str) -> SharedSetting | None:
        return self.session.scalars(select(SharedSetting).where(SharedSetting.key == key)).first()

    def add_setting(self, row: SharedSetting) -> None:
        self.session.add(row)

    # -- round robin --------------------------------------------------------------------------
    def take_routing_turn(self) -> None:
        """Hold the routing turn until this transaction ends, so two people saving leads at
        once never both read the same round-robin pointer or workload and give two leads to
        the same "next" rep. A SQLite file has one writer at a time already; the server
        serialises routing with a transaction-scoped advisory lock."""
        if self._on_server():
            self.session.execute(select(func.pg_advisory_xact_lock(ROUTING_LOCK_KEY)))

    def share_routing_turn(self) -> None:
        """Routing one new lead: hold the routing turn shared until this transaction ends, so
        saves of new leads never wait for each other, only for a re-application of the rules
        (which holds it alone). The round-robin pointer a save moves is locked by
        ``lock_round_robin_turn``; a SQLite file has one writer at a time already."""
        if self._on_server():
            self.session.execute(select(func.pg_advisory_xact_lock_shared(ROUTING_LOCK_KEY)))

    def lock_round_robin_turn(self, team_id: uuid.UUID) -> uuid.UUID | None:
        """The team's round-robin pointer as last committed, its row locked until this
        transaction ends: two new leads for one team take their turns one after the other,
        while leads for other teams go on (taken late, after the lead was routed once)."""
        return self.session.scalar(select(Team.round_robin_last_id).where(Team.id == team_id)
                                   .with_for_update())

    def _on_server(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def round_robin_state(self) -> dict[uuid.UUID, uuid.UUID]:
        rows = self.session.execute(select(Team.id, Team.round_robin_last_id).where(
            Team.round_robin_last_id.is_not(None)))
        return {team: last for team, last in rows if last is not None}

    def save_round_robin_state(self, state: dict[uuid.UUID, uuid.UUID], now: dt.datetime,
                               device: uuid.UUID) -> None:
        current = self.round_robin_state()
        for team_id, last in state.items():
            if current.get(team_id) != last:
                self.session.execute(update(Team).where(Team.id == team_id).values(
                    round_robin_last_id=last, updated_at=now, device_id=device))

    def remember_round_robin(self, run_id: uuid.UUID, before: dict[uuid.UUID, uuid.UUID],
                             after: dict[uuid.UUID, uuid.UUID]) -> None:
        run = self.session.get(AssignmentRun, run_id)
        if run is not None:
            run.round_robin = json.dumps({
                "before": {t.hex: u.hex for t, u in before.items()},
                "after": {t.hex: u.hex for t, u in after.items()}})

    def rewind_round_robin(self, run: AssignmentRun, now: dt.datetime,
                           device: uuid.UUID) -> int:
        """Put each team's pointer back to where it was before ``run``, if it is still where
        the run left it; returns how many teams were rewound."""
        try:
            saved = json.loads(run.round_robin or "{}")
            before = {uuid.UUID(t): uuid.UUID(u) for t, u in saved.get("before", {}).items()}
            after = {uuid.UUID(t): uuid.UUID(u) for t, u in saved.get("after", {}).items()}
        except (ValueError, AttributeError, TypeError):
            return 0
        current = self.round_robin_state()
        rewound = 0
        for team_id, last in after.items():
            if current.get(team_id) == last and before.get(team_id) != last:
                self.session.execute(update(Team).where(Team.id == team_id).values(
                    round_robin_last_id=before.get(team_id), updated_at=now, device_id=device))
                rewound += 1
        return rewound

    # -- workload -----------------------------------------------------------------------------
    def open_leads_by_owner(self) -> dict[uuid.UUID, int]:
        rows = self.session.execute(text(
            f"SELECT owner_id, count(*) AS open_leads FROM lead WHERE {OPEN_LEAD_SQL} "
            "AND owner_id IS NOT NULL GROUP BY owner_id").columns(
                column("owner_id", Uuid()), column("open_leads", Integer())))
        return {owner: count for owner, count in rows if owner}

    def open_leads_of(self, bounds: Mapping[uuid.UUID, int | None]) -> dict[uuid.UUID, int]:
        """Open leads of just these owners, each counted up to its bound (None: exactly): a
        bounded count reads at most that many entries of the open-leads-by-owner index, where
        counting every open lead by owner reads the whole index (a million leads' worth)."""
        found: dict[uuid.UUID, int] = {}
        for owner, bound in bounds.items():
            if bound is None:
                statement = text(f"SELECT count(*) FROM lead WHERE owner_id = :owner AND "
                                 f"{OPEN_LEAD_SQL}")
            else:
                statement = text(f"SELECT count(*) FROM (SELECT 1 FROM lead WHERE owner_id = "
                                 f":owner AND {OPEN_LEAD_SQL} LIMIT :bound) AS bounded"
                                 ).bindparams(bound=bound)
            found[owner] = self.session.scalar(statement.bindparams(
                bindparam("owner", owner, type_=Uuid()))) or 0
        return found

    def overdue_tasks_by_owner(self, now: dt.datetime) -> dict[uuid.UUID, int]:
        rows = self.session.execute(
            select(Task.owner_id, func.count()).where(
                Task.deleted_at.is_(None), Task.done_at.is_(None), Task.due_at < now,
                Task.owner_id.is_not(None)).group_by(Task.owner_id))
        return {owner: count for owner, count in rows if owner is not None}

    def unavailable_owner_ids(self) -> list[uuid.UUID]:
        """Users whose leads are orphans (away or inactive): the same test as the lead lists'
        ``orphaned`` filter."""
        return list(self.session.scalars(select(User.id).where(
            User.availability != Availability.ACTIVE)))

    def open_leads_by_queue(self) -> dict[uuid.UUID | None, int]:
        """Leads waiting for follow-up with no owner, by queue (None: in no queue at all):
        what the board lists under each queue (converted and closed leads wait for nobody)."""
        rows = self.session.execute(
            select(Lead.queue_id, func.count()).where(
                Lead.deleted_at.is_(None), Lead.owner_id.is_(None),
                Lead.status.in_(sorted(FOLLOW_UP_STATUSES))).group_by(Lead.queue_id))
        return {queue: count for queue, count in rows}

    # -- assignment runs ----------------------------------------------------------------------
    def run(self, run_id: uuid.UUID) -> AssignmentRun | None:
        return self.session.get(AssignmentRun, run_id)

    def runs(self, limit: int = 20) -> list[AssignmentRun]:
        return list(self.session.scalars(select(AssignmentRun)
                                         .order_by(AssignmentRun.started_at.desc()).limit(limit)))

    def moves(self, run_id: uuid.UUID) -> list[AssignmentMove]:
        return list(self.session.scalars(select(AssignmentMove)
                                         .where(AssignmentMove.run_id == run_id)))


def routing_rule_of(row: RoutingRuleRow) -> RoutingRule:
    return RoutingRule(row.id, row.name, row.position, _conditions_of(row.conditions or "[]"),
                       TargetKind(row.target_kind), row.target_id, row.enabled)


@functools.lru_cache(maxsize=4096)
def _conditions_of(conditions: str) -> tuple[Condition, ...]:
    """A rule's stored conditions (JSON) parsed; Conditions are immutable, so shared."""
    return tuple(Condition(ConditionKind(c["kind"]), tuple(c["values"]))
                 for c in json.loads(conditions))


def conditions_json(conditions: Sequence[Condition]) -> str:
    return json.dumps([{"kind": c.kind.value, "values": list(c.values)} for c in conditions],
                      ensure_ascii=False)


# -- bulk reads over the raw connection --------------------------------------------------------
_ROUTING_COLUMNS = ("id", "country", "region", "postal_code", "phone_e164", "mobile_e164",
                    "industry", "product_interest", "company", "email", "event_id", "channel",
                    "score", "rating", "status", "owner_id", "team_id", "queue_id")
# What an unread column reads as: the RoutingFacts default, produced by SQLite for free.
_UNREAD = {"event_id": "NULL", "rating": "NULL", "team_id": "NULL", "score": "0",
           "channel": "'other'"}
_EMPTY_TEXT = "''"


def iter_routing_facts(connection: DriverConnection, *, open_only: bool = True,
                       lead_ids: Sequence[uuid.UUID] | None = None,
                       statuses_or_orphans: Iterable[LeadStatus] | None = None,
                       fields: Iterable[str] | None = None,
                       batch: int = 20_000) -> Iterator[RoutingFacts]:
    """RoutingFacts of live leads in key order, streamed in batches (flat memory).

    ``statuses_or_orphans`` keeps only leads in those statuses plus orphans (no owner, or an
    owner who is away, inactive or deleted): the only leads a re-assignment may move, so the
    rest are never read. ``fields`` (RoutingFacts field names) limits the columns read; the
    others keep their defaults.
    """
    wanted_fields = set(_ROUTING_COLUMNS) if fields is None else {
        "id" if f == "lead_id" else f for f in fields} | {"id"}
    columns = ", ".join(c if c in wanted_fields else f"{_UNREAD.get(c, _EMPTY_TEXT)} AS {c}"
                        for c in _ROUTING_COLUMNS)
    where = "deleted_at IS NULL"
    params: list[Any] = []
    if open_only:
        where += f" AND status NOT IN ({', '.join('?' for _ in _CLOSED)})"
        params += list(_CLOSED)
    if statuses_or_orphans is not None:
        wanted = [s.value for s in statuses_or_orphans]
        where += (f" AND (status IN ({', '.join('?' for _ in wanted)}) OR owner_id IS NULL OR "
                  "owner_id IN (SELECT id FROM \"user\" WHERE availability != 'active' "
                  "OR deleted_at IS NOT NULL))")
        params += wanted
    if lead_ids is not None:
        where += f" AND id IN ({', '.join('?' for _ in lead_ids)})"
        params += [i.hex for i in lead_ids]
    statuses = {s.value: s for s in LeadStatus}
    ratings = {r.value: r for r in Rating}
    channels = {c.value: c for c in Channel}
    uuids: dict[str, uuid.UUID] = {}

    def cached(value: str | None) -> uuid.UUID | None:
        # Owners, teams, queues and events repeat across leads: parse each once.
        if not value:
            return None
        found = uuids.get(value)
        if found is None:
            found = uuids[value] = uuid.UUID(hex=value)
        return found

    # Keyset batches, each its own short query: a server's driver would otherwise fetch every
    # row of one query into memory before the first (a million leads' facts at once).
    after = 0  # keys count up from 1
    while rows := connection.execute(
            f"SELECT key, {columns} FROM lead WHERE {where} AND key > ? ORDER BY key LIMIT ?",
            [*params, after, batch]).fetchall():
        after = rows[-1][0]
        for (_key, lead_id, country, region, postal, phone, mobile, industry, interest, company, email,
             event, channel, score, rating, status, owner, team, queue) in rows:
            yield RoutingFacts(
                lead_id=uuid.UUID(hex=lead_id), country=country, region=region,
                postal_code=postal, phone_e164=phone, mobile_e164=mobile, industry=industry,
                product_interest=interest, company=company, email=email, event_id=cached(event),
                channel=channels.get(channel, Channel.OTHER), score=score,
                rating=ratings.get(rating) if rating else None,
                status=statuses.get(status, LeadStatus.INQUIRY), owner_id=cached(owner),
                team_id=cached(team), queue_id=cached(queue))


SCORING_COLUMNS = ("key, id, created_at, title, company_size, industry, country, "
                   "product_interest, email, phone_e164, mobile_e164, company, rating, status, "
                   "last_touch_at, score, score_reasons")


def scoring_rows_after(connection: DriverConnection, after_key: int, batch: int = 20_000
                       ) -> list[tuple[Any, ...]]:
    """The next batch of live lead rows (SCORING_COLUMNS) after a key: keyset paging, so each
    batch is its own short query and re-scoring can commit between batches."""
    return connection.execute(
        f"SELECT {SCORING_COLUMNS} FROM lead WHERE deleted_at IS NULL AND key > ? "
        "ORDER BY key LIMIT ?", (after_key, batch)).fetchall()


def scoring_rows_for(connection: DriverConnection, lead_ids: Sequence[uuid.UUID]
                     ) -> list[tuple[Any, ...]]:
    marks = ", ".join("?" for _ in lead_ids)
    return connection.execute(
        f"SELECT {SCORING_COLUMNS} FROM lead WHERE deleted_at IS NULL AND id IN ({marks}) "
        "ORDER BY key", [i.hex for i in lead_ids]).fetchall()


def activity_counts(connection: DriverConnection, lead_ids: Sequence[str]) -> dict[str, int]:
    """Touches and notes per lead (hex ids), for the engagement part of the score."""
    if not lead_ids:
        return {}
    marks = ", ".join("?" for _ in lead_ids)
    rows = connection.execute(
        f"SELECT lead_id, count(*) FROM activity WHERE lead_id IN ({marks}) AND kind IN "
        "('call', 'email', 'meeting', 'note') GROUP BY lead_id", list(lead_ids))
    return dict(rows.fetchall())


def answers_by_lead(connection: DriverConnection, lead_ids: Sequence[str]
                    ) -> dict[str, dict[str, str]]:
    if not lead_ids:
        return {}
    marks = ", ".join("?" for _ in lead_ids)
    rows = connection.execute(
        f"SELECT a.lead_id, q.prompt, a.value FROM answer a JOIN question q ON q.id = "
        f"a.question_id WHERE a.lead_id IN ({marks}) AND a.deleted_at IS NULL", list(lead_ids))
    found: dict[str, dict[str, str]] = {}
    for lead_id, prompt, value in rows:
        found.setdefault(lead_id, {})[prompt] = value
    return found
