"""What a credited order does to its lead: won, the deal value summed, the order in its history;
and how an undone customer import puts the lead back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.domain.customers import CustomerOrder
from app.domain.errors import ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import LeadStatus
from app.services.context import ServiceContext
from app.services.lead_service import LeadService
from app.storage.orm import Lead
from app.storage.repositories.customers import CustomerRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository


class LeadCredit:
    def __init__(self, context: ServiceContext, leads: LeadService) -> None:
        self.context, self.leads = context, leads

    def credit(self, session: Session, lead_id: uuid.UUID, orders: Sequence[CustomerOrder],
               file_name: str, batch_id: uuid.UUID | None,
               credited: Sequence[tuple[int, str]] | None = None
               ) -> tuple[int, dict[str, Any] | None, str]:
        """The lead won (unless it already is) with the sum of its credited orders as deal value
        when they share one currency; each order named in its history. Returns (1 if newly won,
        the lead's status and deal value before and after when they changed, a note on a deal
        value left alone). ``credited``: the lead's credited (amount, currency), when the caller
        read them for many leads at once."""
        lead = LeadRepository(session).find(lead_id, for_update=True)
        if lead is None:
            return 0, None, ""
        before = _state(lead)
        changes: dict[str, Any] = {}
        if lead.status is not LeadStatus.WON:
            changes["status"] = LeadStatus.WON
        total, note = self._total(session, lead, credited)
        if total is not None and total != lead.deal_value:
            changes["deal_value"] = total
        if changes:
            self.leads.change_in(session, lead_id, changes, locked=lead)
        for order in orders:
            self._history(session, lead_id, order.describe(file_name), batch_id)
        changed = {"before": before, "after": _state(lead)} if changes else None
        return int("status" in changes), changed, note

    def recount(self, session: Session, lead_id: uuid.UUID, why: str) -> None:
        """After an order stopped crediting the lead: its deal value summed again (the status
        stays: a person decides whether the lead is still won)."""
        lead = LeadRepository(session).find(lead_id)
        if lead is None:
            return
        total, note = self._total(session, lead)
        if total is not None and total != lead.deal_value:
            self.leads.update_in(session, lead_id, {"deal_value": total})
        elif total is None and not note:
            note = "no order credits the lead any more; its deal value is left as it was"
        self._history(session, lead_id, f"{why[:1].upper()}{why[1:]}" + (f"; {note}" if note else ""),
                      None)

    def restore(self, session: Session, leads: Mapping[str, Mapping[str, Any]],
                file_name: str) -> tuple[int, int]:
        """Leads an undone import won, back to their status and deal value before it, unless
        someone changed them since: (restored, left as they are)."""
        restored = kept = 0
        repo = LeadRepository(session)
        for hex_id, change in leads.items():
            lead_id = uuid.UUID(hex_id)
            lead = repo.find(lead_id)
            if lead is None or _state(lead) != dict(change["after"]):
                kept += 1
                continue
            earlier = change["before"]
            try:
                self.leads.update_in(session, lead_id, {
                    "status": earlier["status"],
                    "deal_value": earlier["deal_value"] if earlier["deal_value"] is not None else ""})
            except ValidationError:
                kept += 1
                continue
            self._history(session, lead_id, f"Customer import {file_name} undone", None)
            restored += 1
        return restored, kept

    @staticmethod
    def _total(session: Session, lead: Lead, credited: Sequence[tuple[int, str]] | None = None
               ) -> tuple[int | None, str]:
        """The sum of the lead's credited orders, or None (and why) when there is none to give."""
        if credited is None:
            credited = CustomerRepository(session).credited(lead.id)
        currencies = sorted({currency for _amount, currency in credited})
        if len(currencies) == 1:
            return sum(amount for amount, _currency in credited), ""
        if not currencies:
            return None, ""
        return None, (f"lead {lead.company or lead.id}: orders in {', '.join(currencies)}, "
                      "so its deal value is left as it was")

    def _history(self, session: Session, lead_id: uuid.UUID, text: str,
                 batch_id: uuid.UUID | None) -> None:
        HistoryRepository(session).record(
            lead_id, ActivityKind.ORDER, now=self.context.clock(), device=self.context.device_id,
            actor=self.context.current_user_id, text=text, batch_id=batch_id)


def _state(lead: Lead) -> dict[str, Any]:
    return {"status": lead.status.value, "deal_value": lead.deal_value}
