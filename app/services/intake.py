"""What happens to new leads written in bulk (imports): scored, promoted past a threshold,
then routed, exactly as a lead captured one at a time, but in memory before the rows are
written, so an import of 100,000 rows stays one fast transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from app.domain.history import ActivityKind
from app.domain.leads import LeadStatus
from app.domain.routing import Router, RoutingFacts
from app.domain.scoring import ScoringFacts, promotion_note, qualification_for
from app.services.routing_service import RoutingService
from app.services.scoring_service import ScoringService
from app.services.settings_service import SettingsService
from app.storage.repositories.bulk import BulkWriter
from app.storage.repositories.history import history_row


class BatchIntake:
    """Scores and routes new lead rows (dicts as BulkWriter takes them) before they are written."""

    def __init__(self, scoring: ScoringService, routing: RoutingService,
                 settings: SettingsService, now: dt.datetime, device: uuid.UUID,
                 actor: uuid.UUID | None) -> None:
        self.scorer = scoring.scorer()
        self.suppressed = scoring.suppressions.index()
        self.served = scoring.served_countries()
        self.now, self.device, self.actor = now, device, actor
        self.router: Router | None = (routing.router_for_batch()
                                      if settings.get_bool("routing.auto_on_import") else None)
        self.names = routing.place_names() if self.router is not None else {}

    def place(self, lead: dict[str, Any], answers: Mapping[str, str]) -> list[dict[str, Any]]:
        """Set score, reasons, maybe status and owner/queue on ``lead``; returns history rows."""
        activities: list[dict[str, Any]] = []
        contact = {"email": str(lead.get("email") or ""), "company": lead.get("company") or "",
                   "phone_e164": lead.get("phone_e164") or "",
                   "mobile_e164": lead.get("mobile_e164") or ""}
        facts = ScoringFacts.of_values(
            lead, now=self.now, answers=answers,
            suppression_kinds=self.suppressed.reasons(contact) if self.suppressed.entries
            else frozenset(), served_countries=self.served)
        result = self.scorer.score(facts, self.now)
        lead["score"], lead["score_reasons"] = result.total, result.explain()
        status = LeadStatus(lead.get("status") or LeadStatus.INQUIRY)
        promoted = qualification_for(status, result.total, self.scorer.config)
        if promoted is not None:
            lead["status"] = promoted
            activities.append(self._activity(
                lead["id"], ActivityKind.STATUS_CHANGED, "status", status.label, promoted.label,
                promotion_note(promoted, result.total, self.scorer.config)))
            status = promoted
        if self.router is not None and not lead.get("owner_id") and not lead.get("queue_id"):
            placed = self.router.route(RoutingFacts.of_values(lead, score=result.total,
                                                              status=status))
            lead["owner_id"], lead["queue_id"] = placed.owner_id, placed.queue_id
            if placed.team_id is not None:
                lead["team_id"] = placed.team_id
            new_place = (self.names.get(placed.owner_id, "") if placed.owner_id is not None
                         else self.names.get(placed.queue_id, "")
                         if placed.queue_id is not None else "")
            activities.append(self._activity(lead["id"], ActivityKind.OWNER_CHANGED, "owner",
                                             "", new_place, placed.reason))
        return activities

    def _activity(self, lead_id: uuid.UUID, kind: ActivityKind, field: str, old: str, new: str,
                  text: str) -> dict[str, Any]:
        return history_row(lead_id, kind, now=self.now, device=self.device, actor=self.actor,
                           text=text, field=field, old_value=old, new_value=new)

    def finish(self, writer: BulkWriter) -> None:
        """Keep the round-robin pointers where this batch left them (same transaction)."""
        if self.router is not None:
            writer.save_round_robin_state(self.router.state(), self.now, self.device)
