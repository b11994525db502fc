"""The review flags a sync conflict sets on leads, and clears once the conflict is resolved."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.review import ReviewCode, ReviewReason, code_tag, with_reasons
from app.storage.repositories.sync.tables import SyncTables, in_batches

# How stored review reasons mark a sync conflict (the filters match the code, not wording).
_SYNC_CONFLICT_TAG = code_tag(ReviewCode.SYNC_CONFLICT)


class ReviewFlags(SyncTables):
    def flag_review(self, lead_id: str, reason: ReviewReason) -> tuple[int, str] | None:
        """Set needs_review and add ``reason`` unless present; returns the new (flag, reason)."""
        row = self.conn.execute("SELECT needs_review, review_reason FROM lead WHERE id = ?",
                                [lead_id]).fetchone()
        if row is None:
            return None
        new_reason = with_reasons(str(row[1] or ""), [reason])
        self.conn.execute("UPDATE lead SET needs_review = 1, review_reason = ? WHERE id = ?",
                          [new_reason, lead_id])
        return 1, new_reason

    def sync_review_reasons(self, lead_ids: Sequence[str]) -> dict[str, str]:
        """Review reasons of those leads that were flagged for a sync conflict."""
        found: dict[str, str] = {}
        for chunk in in_batches(lead_ids):
            marks = ",".join("?" * len(chunk))
            found.update((r[0], r[1]) for r in self.conn.execute(
                f"SELECT id, review_reason FROM lead WHERE id IN ({marks}) "
                "AND instr(review_reason, ?) > 0", [*chunk, _SYNC_CONFLICT_TAG]))
        return found

    def sync_flagged_leads(self) -> list[str]:
        """Every lead flagged for a sync conflict (few; read through ix_lead_needs_review)."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM lead WHERE needs_review = 1 AND instr(review_reason, ?) > 0",
            [_SYNC_CONFLICT_TAG])]

    def set_review(self, lead_id: str, stored: str) -> tuple[int, str]:
        """Replace the review reasons (their stored form); the flag stays while any is left."""
        flag, text = (1 if stored else 0), stored
        self.conn.execute("UPDATE lead SET needs_review = ?, review_reason = ? WHERE id = ?",
                          [flag, text, lead_id])
        return flag, text
