"""Scoring leads in bulk from raw rows: one batch scored for a moment, and what changed written
set-based with the promotions it caused (re-scoring every lead, and a sync's merged leads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadStatus, Rating
from app.domain.scoring import Scorer, ScoringFacts, email_flags, promotion_note, qualification_for
from app.storage.repositories.bulk_rows import parse_utc_text
from app.storage.repositories.distribution import activity_counts, answers_by_lead
from app.storage.repositories.scoring import Connection, ScoringRow, write_scores


def rescore_rows(connection: Connection, rows: Sequence[ScoringRow],
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
            activities.append((
                new_id().hex, lead_hex, ActivityKind.STATUS_CHANGED.value,
                now_text, actor_hex, "status", LeadStatus(status).label,
                new_status.label, promotion_note(new_status, result.total, config),
                now_text, device_hex))
        changed += result.total != old_score
    write_scores(connection, updates, statuses, activities,
                 [lead for lead, to in promoted if to is LeadStatus.SQL], stamps,
                 app_actor=app_actor)
    return changed, promoted


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
