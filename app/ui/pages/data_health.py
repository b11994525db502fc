"""Data health: what needs cleaning, each card opening the leads behind it."""

from __future__ import annotations

from app.domain.leads import LeadQuery
from app.ui.pages.home import Card, HomePage


class DataHealthPage(HomePage):
    """What needs cleaning: doubtful contact data, orphans, forgotten leads, duplicates."""

    UNTOUCHED_DAYS = 30

    def headline(self) -> tuple[str, str]:
        return ("Data health", "Each card opens the leads behind it. Duplicates are found on "
                               "the Duplicates page (Ctrl+4).")

    def cards(self) -> list[Card]:
        days = self.UNTOUCHED_DAYS
        return [
            Card("Invalid emails", "Kept as typed; they bounce until corrected",
                 LeadQuery(invalid_email=True), alarming=True),
            Card("Invalid phone numbers", "Not a possible number for their country",
                 LeadQuery(invalid_phone=True), alarming=True),
            Card("No owner", "Open leads nobody is following up",
                 LeadQuery(unassigned=True, open_only=True), alarming=True),
            Card(f"Untouched for {days} days", "Open leads nobody has contacted",
                 LeadQuery(untouched_days=days), alarming=True),
            Card("Needs review", "Flagged on capture or import, with the reason",
                 LeadQuery(needs_review=True)),
            Card("Do not contact", "Suppressed or opted out", LeadQuery(do_not_contact=True)),
        ]
