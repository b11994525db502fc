"""The retention rule (app/domain/retention.py): which leads it lists today, and erasing them
on an admin's confirmation, one erasure per person, recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.audit import AuditAction
from app.domain.errors import ConflictError, ValidationError
from app.domain.progress import CancelCheck, Progress
from app.domain.retention import MAX_MONTHS, RetentionCandidate, months_before
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.erasure_service import ErasureService
from app.services.settings_service import SettingsService
from app.storage.repositories.retention import RetentionRepository

MONTHS_SETTING = "privacy.retention_months"
ERASURE_REASON = "retention rule: never converted within {months} months"


@dataclass(frozen=True)
class RetentionErasure:
    erased: int
    months: int
    cutoff: dt.datetime
    cancelled: bool = False

    def to_json(self) -> dict[str, object]:
        return {"erased": self.erased, "months": self.months, "cutoff": self.cutoff.isoformat(),
                "cancelled": self.cancelled}


class RetentionService:
    def __init__(self, context: ServiceContext, settings: SettingsService,
                 erasure: ErasureService, audit: AuditService) -> None:
        self.context, self.settings, self.erasure, self.audit = context, settings, erasure, audit

    @property
    def months(self) -> int:
        """The team's rule (a shared setting); 0 keeps every lead."""
        return self.settings.get_int(MONTHS_SETTING)

    def set_months(self, months: int) -> None:
        if not 0 <= months <= MAX_MONTHS:
            raise ValidationError.single(
                "months", f"must be between 1 and {MAX_MONTHS} (or 0 to keep every lead)")
        self.settings.set(MONTHS_SETTING, months)

    def cutoff(self, months: int | None = None) -> dt.datetime:
        return months_before(self.context.clock(), self._months(months))

    def count(self, months: int | None = None) -> int:
        if not self._months(months, allow_off=True):
            return 0
        with self.context.db.read() as session:
            return RetentionRepository(session).count(self.cutoff(months))

    def candidates(self, months: int | None = None, limit: int = 200
                   ) -> list[RetentionCandidate]:
        if not self._months(months, allow_off=True):
            return []
        with self.context.db.read() as session:
            return list(RetentionRepository(session).candidates(self.cutoff(months), limit))

    def erase_expired(self, months: int | None = None, progress: Progress | None = None,
                      cancelled: CancelCheck | None = None, *,
                      confirmed: tuple[dt.datetime, int] | None = None) -> RetentionErasure:
        """Erase every lead the rule lists (callers confirm first: cannot be undone).

        ``confirmed`` is the cutoff and the count the person was shown: the leads erased are
        those still listed at that cutoff (one converted meanwhile is kept), and a list grown
        since (leads arrived by sync) is refused rather than erased unseen."""
        chosen = self._months(months)
        cutoff = confirmed[0] if confirmed else self.cutoff(chosen)
        with self.context.db.read() as session:
            ids = RetentionRepository(session).ids(cutoff)
        if confirmed and len(ids) > confirmed[1]:
            raise ConflictError(
                f"{len(ids) - confirmed[1]:,} more leads match the rule than the "
                f"{confirmed[1]:,} you confirmed (they arrived meanwhile): look at the list "
                "again before erasing.")
        erased, stopped = self.erasure.erase_many(
            ids, ERASURE_REASON.format(months=chosen), progress, cancelled)
        if erased:
            self.audit.record(AuditAction.ERASURE,
                              f"retention rule: leads never converted within {chosen} months "
                              f"(captured before {cutoff.date().isoformat()})", erased)
        return RetentionErasure(erased, chosen, cutoff, stopped)

    def _months(self, months: int | None, *, allow_off: bool = False) -> int:
        chosen = self.months if months is None else months
        if chosen <= 0 and not allow_off:
            raise ValidationError.single("months", "the retention rule is off: choose a number "
                                                   "of months first")
        if chosen > MAX_MONTHS:
            raise ValidationError.single("months", f"must be at most {MAX_MONTHS}")
        return max(0, chosen)
