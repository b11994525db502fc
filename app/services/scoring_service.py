"""Lead scoring: admin-editable rules, the score and its reasons kept on every lead, and the
MQL/SQL thresholds that move a lead forward (with a history row saying why).

A lead is re-scored in the same transaction as any change to it (fields, answers, notes and
touches, suppression flags); ``rescore_all`` re-scores every lead after the rules change and
once a day for decay. Scores are derived data: they are not stamped as a local edit, so two
laptops re-scoring the same lead never conflict in sync. They are the same on every laptop that
holds the same data: computed from synced facts only (the lead, its answers and activities, the
rules and thresholds, the suppression list, the reps' territories), for the same moment (the
start of the UTC day, ``scoring_moment``); ``rescore_if_inputs_changed`` re-scores every lead
once something besides the lead's own facts changed (a sync calls it after merging).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.domain.errors import LeadlineError, NotFoundError, ValidationError
from app.domain.history import APP_ACTOR_ID, ActivityKind, AutomaticChange
from app.domain.ids import new_id
from app.domain.leads import LeadRecord, LeadStatus, Rating
from app.domain.scoring import (
    DEFAULT_SCORING_CONFIG,
    Scorer,
    ScoreResult,
    ScoreRule,
    ScoreRuleKind,
    ScoringConfig,
    ScoringFacts,
    check_rule,
    email_flags,
    qualification_for,
)
from app.services.context import ServiceContext
from app.services.settings_service import SettingsService
from app.services.suppression_service import SuppressionService
from app.storage.orm import Activity, ScoreRuleRow
from app.storage.repositories.bulk import parse_utc_text, utc_text
from app.storage.repositories.distribution import (
    DistributionRepository,
    activity_counts,
    answers_by_lead,
    scoring_rows_after,
    scoring_rows_for,
)
from app.storage.repositories.followup_jobs import stop_cadences
from app.storage.repositories.history import HistoryRepository, ensure_app_actor
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.people import PeopleRepository
from app.storage.sequential import small_page_cache

Progress = Callable[[int, int], None]
RESCORED_ON_KEY = "scoring_rescored_on"
# Digest of what every lead's score depends on besides its own facts, when every lead was last
# re-scored (see ``inputs_digest``).
RESCORED_INPUTS_KEY = "scoring_rescored_inputs"
# Leads re-scored per transaction: a few hundred milliseconds holding the write lock, so a rep
# logging a call meanwhile waits that long at most.
RESCORE_BATCH = 2_000
_THRESHOLD_WORDS = {LeadStatus.MQL: "MQL", LeadStatus.SQL: "SQL"}


@dataclass(frozen=True)
class RescoreSummary:
    """What re-scoring did: leads scored, scores that changed, and the leads its new scores
    promoted, by the status they reached."""

    leads: int
    changed: int
    # Left out of the repr: ids by the thousand must not end up in a log line.
    to_mql: tuple[uuid.UUID, ...] = field(default=(), repr=False)
    to_sql: tuple[uuid.UUID, ...] = field(default=(), repr=False)
    seconds: float = 0.0

    @property
    def promoted(self) -> int:
        return len(self.to_mql) + len(self.to_sql)

    @property
    def changes(self) -> tuple[AutomaticChange, ...]:
        """What to tell the user, each with the leads behind it."""
        return tuple(
            AutomaticChange(f"{len(ids):,} lead{'' if len(ids) == 1 else 's'} reached "
                            f"{_THRESHOLD_WORDS[status]} by score", ids)
            for status, ids in ((LeadStatus.MQL, self.to_mql), (LeadStatus.SQL, self.to_sql))
            if ids)


class ScoringService:
    def __init__(self, context: ServiceContext, settings: SettingsService,
                 suppressions: SuppressionService) -> None:
        self.context, self.settings, self.suppressions = context, settings, suppressions
        self.db = context.db
        self._scorer: Scorer | None = None

    # -- the rules ----------------------------------------------------------------------------
    def config(self) -> ScoringConfig:
        with self.db.read() as session:
            repo = DistributionRepository(session)
            # Until an admin saves their own, a newcomer gets sensible scores at once.
            stored = tuple(repo.score_rules()) if repo.score_rule_rows() else None
        rules = DEFAULT_SCORING_CONFIG.rules if stored is None else stored
        get = self.settings.get_int
        return ScoringConfig(rules, get("scoring.decay_points_per_week"),
                             get("scoring.decay_max"), get("scoring.mql_threshold"),
                             get("scoring.sql_threshold"))

    def rules(self) -> list[ScoreRule]:
        return list(self.config().rules)

    def save_rules(self, rules: Sequence[ScoreRule]) -> None:
        """Replace the rule list (the editor saves it whole, in its order)."""
        for rule in rules:
            check_rule(rule)
        now, device = self.context.clock(), self.context.device_id
        keep = {rule.id for rule in rules}
        with self.db.write() as session:
            repo = DistributionRepository(session)
            existing = {row.id: row for row in repo.score_rule_rows()}
            for position, rule in enumerate(rules):
                row = existing.get(rule.id)
                if row is None:
                    repo.add_score_rule(ScoreRuleRow(
                        id=rule.id, kind=rule.kind.value, value=rule.value, points=rule.points,
                        position=position, enabled=rule.enabled, updated_at=now,
                        device_id=device))
                    continue
                values = (rule.kind.value, rule.value, rule.points, position, rule.enabled, None)
                if (row.kind, row.value, row.points, row.position, row.enabled,
                        row.deleted_at) != values:
                    (row.kind, row.value, row.points, row.position, row.enabled,
                     row.deleted_at) = values
                    row.updated_at, row.device_id = now, device
            for rule_id, row in existing.items():
                if rule_id not in keep and row.deleted_at is None:
                    row.deleted_at = row.updated_at = now
                    row.device_id = device
        self.forget()

    def add_rule(self, kind: ScoreRuleKind | str, value: str, points: int) -> ScoreRule:
        try:
            kind = ScoreRuleKind(kind)
        except ValueError:
            choices = ", ".join(k.value for k in ScoreRuleKind)
            raise ValidationError.single("kind", f"must be one of: {choices}") from None
        rule = ScoreRule(new_id(), kind, value.strip(), int(points))
        self.save_rules([*self.rules(), rule])
        return rule

    def set_thresholds(self, mql: int, sql: int) -> None:
        if not 0 < mql < sql:
            raise ValidationError.single("thresholds", f"need 0 < MQL < SQL (got {mql} and "
                                                       f"{sql})")
        self.settings.set("scoring.mql_threshold", mql)
        self.settings.set("scoring.sql_threshold", sql)
        self.forget()

    def set_decay(self, points_per_week: int, most: int) -> None:
        if points_per_week < 0 or most < 0:
            raise ValidationError.single("decay", "cannot be negative")
        self.settings.set("scoring.decay_points_per_week", points_per_week)
        self.settings.set("scoring.decay_max", most)
        self.forget()

    def forget(self) -> None:
        """Rules, settings or territories changed: compile again on next use."""
        self._scorer = None

    def scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = Scorer(self.config())
        return self._scorer

    def served_countries(self) -> frozenset[str]:
        """Countries some active rep covers: 'a served territory' for scoring.

        Read afresh each time (the user table is small): territories and availability change
        from several screens and laptops, and a stale set would score leads wrongly.
        """
        with self.db.read() as session:
            users = PeopleRepository(session).users()
        return frozenset(t.upper() for u in users if u.can_receive_leads
                         for t in u.territories if len(t) == 2)

    def scoring_moment(self) -> dt.datetime:
        """The "now" scores are computed for: the start of today (UTC). Decay and "touched
        within" move a day at a time, so laptops scoring the same lead on the same day (in any
        time zone, with clocks minutes apart, before or after a sync) give it the same score."""
        return self.context.clock().astimezone(dt.UTC).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)

    def inputs_digest(self) -> str:
        """What every lead's score depends on besides its own facts: the rules, decay and
        thresholds, the suppression list, the served countries and the scoring day."""
        config = self.scorer().config
        index = self.suppressions.index()
        described = {
            "rules": [(str(r.id), r.kind.value, r.value, r.points, r.enabled)
                      for r in config.rules],
            "settings": [config.decay_points_per_week, config.decay_max, config.mql_threshold,
                         config.sql_threshold],
            "suppressed": sorted((kind.value, value, reason.value)
                                 for (kind, value), reason in index.entries.items()),
            "served": sorted(self.served_countries()),
            "day": self.scoring_moment().date().isoformat(),
        }
        text = json.dumps(described, separators=(",", ":"), ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def rescore_if_inputs_changed(self) -> RescoreSummary | None:
        """Re-score every lead unless the inputs every score depends on besides the lead's own
        facts are those of the last full re-score (a sync calls this after merging: rules,
        territories, suppressions or thresholds may have arrived, or a day passed). The app's
        own doing, like the daily re-score, which it also stands for."""
        if self.db.get_meta(RESCORED_INPUTS_KEY) == self.inputs_digest():
            return None
        summary = self.rescore_all(automatic=True)
        self.db.set_meta(RESCORED_ON_KEY, self.scoring_moment().date().isoformat())
        return summary

    # -- one lead -----------------------------------------------------------------------------
    def explain(self, lead_id: uuid.UUID) -> tuple[LeadRecord, ScoreResult]:
        """The lead's score as the rules give it now, with every reason."""
        with self.db.read() as session:
            record = LeadRepository(session).record(lead_id)
            if record is None:
                raise NotFoundError(f"No lead with id {lead_id}")
            facts = self._facts(session, record)
        return record, self.scorer().score(facts, self.scoring_moment())

    def _facts(self, session: Session, record: LeadRecord) -> ScoringFacts:
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        key = record.id.hex
        contact = {"email": record.email, "company": record.company,
                   "phone_e164": record.phone_e164, "mobile_e164": record.mobile_e164}
        return ScoringFacts.of_lead(
            record, now=self.scoring_moment(),
            answers=answers_by_lead(connection, [key]).get(key, {}),
            activity_count=activity_counts(connection, [key]).get(key, 0),
            suppression_kinds=self.suppressions.index().reasons(contact),
            served_countries=self.served_countries())

    def rescore_in(self, session: Session, lead_id: uuid.UUID) -> None:
        """Re-score one lead inside the caller's transaction; promote it past a threshold."""
        session.flush()
        repo = LeadRepository(session)
        lead = repo.find(lead_id)
        record = repo.record(lead_id)
        if lead is None or record is None:
            return
        result = self.scorer().score(self._facts(session, record), self.scoring_moment())
        lead.score, lead.score_reasons = result.total, result.explain()
        promoted = qualification_for(lead.status, result.total, self.scorer().config)
        if promoted is not None:
            now = self.context.clock()
            HistoryRepository(session).add(self._promotion(lead_id, lead.status, promoted,
                                                           result.total, now))
            lead.status = promoted
            lead.updated_at, lead.device_id = now, self.context.device_id
        session.flush()

    def _promotion(self, lead_id: uuid.UUID, old: LeadStatus, new: LeadStatus, score: int,
                   now: dt.datetime) -> Activity:
        threshold = (self.scorer().config.sql_threshold if new is LeadStatus.SQL
                     else self.scorer().config.mql_threshold)
        return Activity(id=new_id(), lead_id=lead_id, kind=ActivityKind.STATUS_CHANGED,
                        occurred_at=now, actor_id=self.context.current_user_id, field="status",
                        old_value=old.label, new_value=new.label,
                        text=f"score {score} reached the {_THRESHOLD_WORDS[new]} threshold "
                             f"({threshold})", updated_at=now, device_id=self.context.device_id)

    def rescore_many_in(self, session: Session, lead_ids: Sequence[uuid.UUID]) -> None:
        """Re-score many leads inside the caller's transaction, set-based (sync merges)."""
        if not lead_ids:
            return
        session.flush()
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        now, moment = self.context.clock(), self.scoring_moment()
        actor = self.context.current_user_id
        stamps = (utc_text(now), self.context.device_id.hex, actor.hex if actor else None)
        scorer, suppressed, served = self.scorer(), self.suppressions.index(), \
            self.served_countries()
        for start in range(0, len(lead_ids), 5_000):
            rows = scoring_rows_for(connection, lead_ids[start:start + 5_000])
            self._rescore_rows(connection, rows, scorer, suppressed, served, moment, stamps)

    # -- every lead ---------------------------------------------------------------------------
    def rescore_due(self) -> bool:
        """Whether today's re-scoring (decay moves scores as days pass) has not run yet."""
        return self.db.get_meta(RESCORED_ON_KEY) != self.context.clock().date().isoformat()

    def rescore_daily(self, *, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> RescoreSummary | None:
        """Re-score every lead once a day on this laptop (scores are derived, not synced): the
        app's own doing, so its promotions are recorded as the app's."""
        if not self.rescore_due():
            return None
        summary = self.rescore_all(progress=progress, cancelled=cancelled, automatic=True)
        self.db.set_meta(RESCORED_ON_KEY, self.context.clock().date().isoformat())
        return summary

    def rescore_all(self, *, progress: Progress | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    automatic: bool = False) -> RescoreSummary:
        """Re-score every live lead (after rule changes, and daily for decay, ``automatic``), in
        batches that each commit in their turn to write; cancelling keeps the batches done
        (their scores are right)."""
        started = time.perf_counter()
        scorer, now, moment = self.scorer(), self.context.clock(), self.scoring_moment()
        suppressed, served = self.suppressions.index(), self.served_countries()
        inputs = self.inputs_digest()
        actor = APP_ACTOR_ID if automatic else self.context.current_user_id
        stamps = (utc_text(now), self.context.device_id.hex, actor.hex if actor else None)
        to_mql: list[uuid.UUID] = []
        to_sql: list[uuid.UUID] = []
        with self.db.raw_connection() as connection, small_page_cache(connection):
            total = connection.execute(
                "SELECT count(*) FROM lead WHERE deleted_at IS NULL").fetchone()[0]
            seen = changed = 0
            last_key = 0
            while True:
                if cancelled is not None and cancelled():
                    raise ScoringCancelledError(
                        f"Re-scoring stopped after {seen:,} of {total:,} leads; run it again "
                        "to finish (scores already written are correct).")
                # One short transaction per batch, in this process's turn to write: other
                # writers (the booth, a sync, a rep logging a call) wait one batch at most.
                with self.db.writing():
                    connection.execute("BEGIN IMMEDIATE")
                    try:
                        rows = scoring_rows_after(connection, last_key, RESCORE_BATCH)
                        if not rows:
                            connection.execute("COMMIT")
                            break
                        last_key = rows[-1][0]
                        changed_now, promoted = self._rescore_rows(
                            connection, rows, scorer, suppressed, served, moment, stamps,
                            app_actor=automatic)
                        connection.execute("COMMIT")
                    except BaseException:
                        connection.execute("ROLLBACK")
                        raise
                changed += changed_now
                for lead_hex, status in promoted:
                    (to_sql if status is LeadStatus.SQL else to_mql).append(
                        uuid.UUID(hex=lead_hex))
                seen += len(rows)
                if progress is not None:
                    progress(seen, max(total, seen))
        self.db.set_meta(RESCORED_INPUTS_KEY, inputs)
        return RescoreSummary(seen, changed, tuple(to_mql), tuple(to_sql),
                              time.perf_counter() - started)

    @staticmethod
    def _rescore_rows(connection: sqlite3.Connection, rows: Sequence[tuple[Any, ...]],
                      scorer: Scorer, suppressed: Any, served: frozenset[str],
                      moment: dt.datetime, stamps: tuple[str, str, str | None], *,
                      app_actor: bool = False) -> tuple[int, list[tuple[str, LeadStatus]]]:
        """Score one batch for ``moment`` and write what changed (stamped with ``stamps``;
        ``app_actor``: promotions are the app's); returns how many scores changed and the leads
        promoted (hex id, the status reached)."""
        now_text, device_hex, actor_hex = stamps
        config = scorer.config
        changed = 0
        hex_ids = [row[1] for row in rows]
        counts = activity_counts(connection, hex_ids)
        answers = answers_by_lead(connection, hex_ids)
        updates, statuses, activities = [], [], []
        promoted: list[tuple[str, LeadStatus]] = []
        for row in rows:
            facts = _facts_of_row(row, counts, answers, suppressed, served, moment)
            result = scorer.score(facts, moment)
            explained = result.explain()
            key, lead_hex, status = row[0], row[1], row[13]
            old_score, old_reasons = row[15], row[16]
            if result.total != old_score or explained != old_reasons:
                updates.append((result.total, explained, key))
            new_status = qualification_for(LeadStatus(status), result.total, config)
            if new_status is not None:
                statuses.append((new_status.value, now_text, device_hex, key))
                promoted.append((lead_hex, new_status))
                threshold = (config.sql_threshold if new_status is LeadStatus.SQL
                             else config.mql_threshold)
                activities.append((
                    new_id().hex, lead_hex, ActivityKind.STATUS_CHANGED.value,
                    now_text, actor_hex, "status", LeadStatus(status).label,
                    new_status.label,
                    f"score {result.total} reached the "
                    f"{_THRESHOLD_WORDS[new_status]} threshold ({threshold})",
                    now_text, device_hex))
            changed += result.total != old_score
        connection.executemany(
            "UPDATE lead SET score = ?, score_reasons = ? WHERE key = ?", updates)
        if statuses:
            if app_actor:  # created when first needed: a row nobody else would sync for nothing
                ensure_app_actor(connection, now_text, device_hex)
            connection.executemany(
                "UPDATE lead SET status = ?, updated_at = ?, device_id = ? "
                "WHERE key = ?", statuses)
            connection.executemany(
                "INSERT INTO activity (id, lead_id, kind, occurred_at, actor_id, "
                "field, old_value, new_value, text, updated_at, device_id, "
                "outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", activities)
            # What a status change by hand does to the follow-up plan (CadenceService.sync_in).
            stop_cadences(connection, [lead for lead, to in promoted if to is LeadStatus.SQL],
                          f"Cadence stopped: lead is {LeadStatus.SQL.label}", stamps)
        return changed, promoted


class ScoringCancelledError(LeadlineError):
    """Cancelled by the person who started it; the batches done so far stay re-scored."""


def _facts_of_row(row: Sequence[Any], counts: dict[str, int],
                  answers: dict[str, dict[str, str]], suppressed: Any,
                  served: frozenset[str], now: dt.datetime) -> ScoringFacts:
    (_key, lead_hex, created, title, size, industry, country, interest, email, phone, mobile,
     company, rating, _status, last_touch, _score, _reasons) = row
    free, role = email_flags(email)
    contact = {"email": email, "company": company, "phone_e164": phone, "mobile_e164": mobile}
    return ScoringFacts(
        created_at=parse_utc_text(created) or now, title=title, company_size=size, industry=industry,
        country=country, product_interest=interest, email=email,
        rating=Rating(rating) if rating else None, answers=answers.get(lead_hex, {}),
        activity_count=counts.get(lead_hex, 0), last_touch_at=parse_utc_text(last_touch),
        is_free_mail=free, is_role_address=role,
        suppression_kinds=suppressed.reasons(contact) if suppressed.entries else frozenset(),
        served_countries=served)



