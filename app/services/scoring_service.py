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
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.domain.errors import NotFoundError, ValidationError, parse_choice
from app.domain.history import APP_ACTOR_ID, ActivityKind, AutomaticChange
from app.domain.ids import new_id
from app.domain.leads import LeadRecord, LeadStatus
from app.domain.people import UserRecord
from app.domain.progress import CancelCheck, CancelledError, Progress
from app.domain.scoring import (
    DEFAULT_SCORING_CONFIG,
    Scorer,
    ScoreResult,
    ScoreRule,
    ScoreRuleKind,
    ScoringConfig,
    ScoringFacts,
    check_rule,
    promotion_note,
    qualification_for,
)
from app.services.context import ServiceContext
from app.services.score_batches import rescore_rows
from app.services.settings_service import SettingsService
from app.services.suppression_index import SuppressionIndexCache
from app.storage.db import driver_of
from app.storage.orm import Lead, ScoreRuleRow
from app.storage.repositories.bulk_rows import utc_text
from app.storage.repositories.distribution import (
    DistributionRepository,
    activity_counts,
    answers_by_lead,
    scoring_rows_for,
)
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository, record_of
from app.storage.repositories.people import PeopleRepository
from app.storage.repositories.scoring import (
    ScoringRow,
    in_one_transaction,
    live_lead_count,
)
from app.storage.sequential import small_page_cache

# session.info key of the countries the team's reps serve, read once per transaction.
_SERVED_COUNTRIES = "scoring.served_countries"

RESCORED_ON_KEY = "scoring_rescored_on"
# Digest of what every lead's score depends on besides its own facts, when every lead was last
# re-scored (see ``inputs_digest``).
RESCORED_INPUTS_KEY = "scoring_rescored_inputs"
# Leads re-scored per transaction: a few hundred milliseconds holding the write lock, so a rep
# logging a call meanwhile waits that long at most.
RESCORE_BATCH = 2_000


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
                            f"{status.label} by score", ids)
            for status, ids in ((LeadStatus.MQL, self.to_mql), (LeadStatus.SQL, self.to_sql))
            if ids)


class ScoringService:
    def __init__(self, context: ServiceContext, settings: SettingsService,
                 suppressions: SuppressionIndexCache) -> None:
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
        kind = parse_choice(ScoreRuleKind, kind, "kind")
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
            return _served(PeopleRepository(session).users())

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
        connection = driver_of(session)
        key = record.id.hex
        contact = {"email": record.email, "company": record.company,
                   "phone_e164": record.phone_e164, "mobile_e164": record.mobile_e164}
        return ScoringFacts.of_lead(
            record, now=self.scoring_moment(),
            answers=answers_by_lead(connection, [key]).get(key, {}),
            activity_count=activity_counts(connection, [key]).get(key, 0),
            suppression_kinds=self.suppressions.index().reasons(contact),
            served_countries=self._served_in(session))

    @staticmethod
    def _served_in(session: Session) -> frozenset[str]:
        """``served_countries`` read once per transaction (``session.info`` lives as long as
        it): an import crediting 10,000 leads reads the user table once, not 10,000 times."""
        served = session.info.get(_SERVED_COUNTRIES)
        if served is None:
            served = session.info[_SERVED_COUNTRIES] = _served(PeopleRepository(session).users())
        return served

    def lead_saved(self, session: Session, lead: Lead, _created: bool = False) -> None:
        """Re-score a saved lead inside the caller's transaction; promote it past a threshold."""
        session.flush()
        lead_id, record = lead.id, record_of(lead)
        result = self.scorer().score(self._facts(session, record), self.scoring_moment())
        lead.score, lead.score_reasons = result.total, result.explain()
        promoted = qualification_for(lead.status, result.total, self.scorer().config)
        if promoted is not None:
            now = self.context.clock()
            HistoryRepository(session).record(
                lead_id, ActivityKind.STATUS_CHANGED, now=now, device=self.context.device_id,
                actor=self.context.current_user_id, field="status", old_value=lead.status.label,
                new_value=promoted.label,
                text=promotion_note(promoted, result.total, self.scorer().config))
            lead.status = promoted
            lead.updated_at, lead.device_id = now, self.context.device_id
        session.flush()

    def rescore_many_in(self, session: Session, lead_ids: Sequence[uuid.UUID]) -> None:
        """Re-score many leads inside the caller's transaction, set-based (sync merges)."""
        if not lead_ids:
            return
        session.flush()
        connection = driver_of(session)
        now, moment = self.context.clock(), self.scoring_moment()
        actor = self.context.current_user_id
        stamps = (utc_text(now), self.context.device_id.hex, actor.hex if actor else None)
        scorer, suppressed, served = self.scorer(), self.suppressions.index(), \
            self.served_countries()
        for start in range(0, len(lead_ids), 5_000):
            rows = scoring_rows_for(connection, lead_ids[start:start + 5_000])
            rescore_rows(connection, rows, scorer, suppressed, served, moment, stamps)

    # -- every lead ---------------------------------------------------------------------------
    def rescore_due(self) -> bool:
        """Whether today's re-scoring (decay moves scores as days pass) has not run yet."""
        return self.db.get_meta(RESCORED_ON_KEY) != self.context.clock().date().isoformat()

    def rescore_daily(self, *, progress: Progress | None = None,
                      cancelled: CancelCheck | None = None) -> RescoreSummary | None:
        """Re-score every lead once a day on this laptop (scores are derived, not synced): the
        app's own doing, so its promotions are recorded as the app's."""
        if not self.rescore_due():
            return None
        summary = self.rescore_all(progress=progress, cancelled=cancelled, automatic=True)
        self.db.set_meta(RESCORED_ON_KEY, self.context.clock().date().isoformat())
        return summary

    def rescore_all(self, *, progress: Progress | None = None,
                    cancelled: CancelCheck | None = None,
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
            total = live_lead_count(connection)
            seen = changed = 0
            last_key = 0

            def rescore(rows: Sequence[ScoringRow]) -> tuple[int, list[tuple[str, LeadStatus]]]:
                return rescore_rows(connection, rows, scorer, suppressed, served, moment,
                                    stamps, app_actor=automatic)

            while True:
                if cancelled is not None and cancelled():
                    raise CancelledError(
                        f"Re-scoring stopped after {seen:,} of {total:,} leads; run it again "
                        "to finish (scores already written are correct).")
                # One short transaction per batch, in this process's turn to write: other
                # writers (the booth, a sync, a rep logging a call) wait one batch at most.
                with self.db.writing():
                    rows, outcome = in_one_transaction(connection, last_key, RESCORE_BATCH, rescore)
                if outcome is None:
                    break
                last_key = rows[-1][0]
                changed_now, promoted = outcome
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


def _served(users: Sequence[UserRecord]) -> frozenset[str]:
    return frozenset(t.upper() for u in users if u.can_receive_leads
                     for t in u.territories if len(t) == 2)
