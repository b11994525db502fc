"""Booth capture: read badge scans, save leads in one transaction, registration lists, scan log.

An incomplete lead is better than a lost one: doubtful data is kept and flagged for review,
never refused; only a capture with neither a reachable name nor a badge id is turned down.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.booth import ScanLogRecord, check_capture_minimum
from app.domain.booth_capture import (
    EXISTING,
    NEW,
    REJECTED,
    BoothDraft,
    CaptureForm,
    CaptureResult,
    RegistrationImport,
    ScanReading,
    draft_from_json,
    draft_to_json,
    screen_capture,
)
from app.domain.card_pictures import CardPicture
from app.domain.contact_data import normalise_email
from app.domain.errors import NotFoundError, StorageError, ValidationError
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import Channel, Consent, LeadRecord
from app.domain.progress import Progress
from app.domain.review import ReviewCode, ReviewReason, has_code, store_reasons, without_code
from app.importers.badges import BadgeData, DelimitedLayout, ScanRejected, parse_scan
from app.importers.badges.delimited import RegisteredId
from app.importers.badges.ids import RegistrationIndex
from app.importers.registrations import read_registration_file
from app.services.context import ServiceContext
from app.services.dedupe_service import DedupeService
from app.services.enrichment_service import EnrichmentService
from app.services.lead_service import LeadService
from app.services.question_service import QuestionService
from app.services.suppression_service import SuppressionService
from app.storage.orm import Lead
from app.storage.repositories.booth import BoothRepository
from app.storage.repositories.card_pictures import CardPictureRepository
from app.storage.repositories.events import EventRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository

#: Rows per write transaction when loading a registration list, and waiting leads filled in per
#: transaction afterwards: small enough that the booth and the window get their turn to write.
REGISTRATION_BATCH = 2000
WAITING_BATCH = 500
#: app_meta key holding the booth's drafts (JSON): half-typed visitors put aside, per database.
DRAFTS_KEY = "booth_drafts"


class BoothService:
    def __init__(self, context: ServiceContext, leads: LeadService,
                 questions: QuestionService, suppressions: SuppressionService,
                 enrichment: EnrichmentService, dedupe: DedupeService) -> None:
        self.context, self.leads, self.questions = context, leads, questions
        self.suppressions, self.enrichment, self.dedupe = suppressions, enrichment, dedupe
        self.db = context.db

    # -- scans --------------------------------------------------------------------------------
    def read_scan(self, event_id: uuid.UUID, raw: str) -> ScanReading:
        """Parse a scan and look it up; rejected scans go to the scan log, nothing else is saved."""
        # Looking up takes no write turn: only a scan-log line, when there is one, waits to write.
        with self.db.read() as session:
            repo = BoothRepository(session)
            layout = self._layout(session, event_id)
            registered = repo.registration_lookup(event_id)
            parsed = parse_scan(raw, layout=layout, registered=registered)
            if isinstance(parsed, ScanRejected):
                reading = ScanReading(REJECTED, reason=parsed.reason)
            else:
                reading = self._interpret(repo, event_id, parsed, registered)
        if reading.status == REJECTED:
            with self.db.write() as session:
                self._log(BoothRepository(session), event_id, raw, REJECTED, reading.reason, None)
        elif reading.status == EXISTING and reading.lead is not None:
            with self.db.write() as session:
                self._log(BoothRepository(session), event_id, raw, "matched", "already captured",
                          reading.lead.id)
        return reading

    def _interpret(self, repo: BoothRepository, event_id: uuid.UUID, parsed: BadgeData,
                   registered: RegisteredId | None) -> ScanReading:
        fields = dict(parsed.fields)
        warnings = list(parsed.warnings)
        badge_id = parsed.badge_id
        registered_id = registered(badge_id) if badge_id and registered is not None else None
        existing_id = _already_captured(repo, event_id, parsed, registered_id)
        if existing_id is not None:
            return ScanReading(EXISTING, badge_id, fields,
                               lead=self.leads.get(existing_id), format=parsed.format,
                               reason="This badge was already captured at this event.")
        person = repo.registration(event_id, registered_id) if registered_id else None
        if registered_id and person is not None:
            if registered_id != badge_id:
                warnings.append(f"badge {badge_id} is registration {registered_id} in the "
                                "event's list (vendor prefix or zero padding undone)")
                badge_id = registered_id
            shown = {k: v.isoformat() if isinstance(v, dt.date) else str(v)
                     for k, v in person.items()}
            fields = {**shown, **fields}  # what the badge itself says wins
        return ScanReading(NEW, badge_id, fields, warnings=tuple(warnings),
                           format=parsed.format, registered=person is not None)

    def scan(self, event_id: uuid.UUID, raw: str) -> tuple[ScanReading, CaptureResult | None]:
        """Headless capture (CLI): a scan becomes a saved lead, or opens the existing one."""
        reading = self.read_scan(event_id, raw)
        if reading.status != NEW:
            return reading, None
        values = dict(reading.fields)
        if reading.badge_id:
            values["badge_id"] = reading.badge_id
        return reading, self.capture(event_id, values, raw_scan=raw)

    # -- saving -------------------------------------------------------------------------------
    def capture(self, event_id: uuid.UUID, values: Mapping[str, Any], *,
                answers: Mapping[uuid.UUID, Any] | None = None, consent: bool = False,
                consent_text: str = "", lead_id: uuid.UUID | None = None,
                raw_scan: str = "", pictures: Sequence[CardPicture] = ()) -> CaptureResult:
        """Save what was captured, with its answers and card pictures, in one transaction.

        Doubtful email or phone is kept and flagged; a badge already captured at this event
        updates that lead instead of creating a second.
        """
        clean = {k: v for k, v in values.items() if v not in (None, "")}
        check_capture_minimum(clean)
        if consent:
            clean["consent"] = Consent.GRANTED
            clean["consent_text"] = consent_text
        badge_id = str(clean.get("badge_id") or "").strip()
        likely = self._likely_duplicate(clean, event_id) if lead_id is None else None
        now = self.context.clock()
        with self.db.write() as session:
            repo = BoothRepository(session)
            registered_id = repo.match_registration(event_id, badge_id) if badge_id else None
            if lead_id is None and badge_id:
                lead_id = repo.lead_id_for_badge(event_id, badge_id, registered_id or "")
            person = repo.registration(event_id, registered_id) if registered_id else None
            if registered_id and person is not None:
                clean["badge_id"] = registered_id  # the id the organiser's list and CRM know
            for key, value in (person or {}).items():
                clean.setdefault(key, value)  # a typed badge id resolves like a scanned one
            waiting = bool(badge_id) and person is None and not _identifies_person(clean)
            before = LeadRepository(session).record(lead_id) if lead_id is not None else None
            if lead_id is not None and before is None:
                raise NotFoundError(f"No lead with id {lead_id}")
            if before is None:
                clean.update(event=event_id, channel=Channel.TRADE_SHOW)
                if likely:
                    clean.update(needs_review=True, review_reason=store_reasons([likely]))
            event = EventRepository(session).get(event_id)
            region = (str(clean.get("country") or (before.country if before else ""))
                      or (event.country if event else "") or self.context.default_country)
            enriched = screen_capture(clean, before, region, self.enrichment.fills_for,
                                      self.suppressions.index())
            # Observers (scoring, routing, cadences) hear once, when the lead, its answers and
            # its waiting flag are all in: one score per capture.
            if before is not None:
                record = self.leads.update_in(session, before.id, clean, lenient=True,
                                              notify=False)
            else:
                record = self.leads.create_in(session, clean, lenient=True, notify=False,
                                              history_text="Captured at the booth")
            created = before is None
            if enriched:
                HistoryRepository(session).record(
                    record.id, ActivityKind.ENRICHED, now=now, device=self.context.device_id,
                    actor=self.context.current_user_id, text=enriched)
            if waiting != record.awaiting_registration and (created or not waiting):
                # Waiting for the registration list: the "Waiting for registration data" list
                # shows it until the list arrives and fills it in.
                repo.set_awaiting_registration(record.id, waiting, now, self.context.device_id)
            if answers:
                self.questions.record_answers_in(session, record.id, answers, notify=False)
            CardPictureRepository(session).add(record.id, pictures, now, self.context.device_id)
            self.leads.notify_changed(session, record.id, created=created)
            if raw_scan:
                self._log(repo, event_id, raw_scan, "created" if created else "updated", "",
                          record.id)
        return CaptureResult(self.leads.get(record.id), created)

    def _likely_duplicate(self, values: Mapping[str, Any], event_id: uuid.UUID
                          ) -> ReviewReason | None:
        """'possible duplicate of Anna Müller (same phone; names 92% similar)', or None."""
        found = self.dedupe.candidates_for(values, event_id)
        if not found:
            return None
        other, _score, reasons = found[0]
        if str(values.get("badge_id") or "").strip() and \
                self.leads.get(other).badge_id == values.get("badge_id"):
            return None  # the same badge at this event is updated, not duplicated
        name = self.dedupe.display_names([other]).get(other, "another lead")
        return ReviewReason(ReviewCode.POSSIBLE_DUPLICATE,
                            f"possible duplicate of {name} ({'; '.join(reasons)})")

    # -- drafts: nothing half typed is lost --------------------------------------------------
    def keep_draft(self, form: CaptureForm) -> BoothDraft:
        """Put a half-typed visitor aside in this database until someone finishes it."""
        draft = BoothDraft(new_id(), form, self.context.clock())
        self._store_drafts([draft, *self.drafts()])
        return draft

    def drafts(self) -> list[BoothDraft]:
        """Every draft waiting, newest first."""
        stored = self.db.get_local(DRAFTS_KEY)
        if not stored:
            return []
        try:
            return [draft_from_json(item) for item in json.loads(stored)]
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError(f"The booth's drafts in this database cannot be read ({exc}); "
                               "they are left as they are.") from None

    def take_draft(self, draft_id: uuid.UUID) -> CaptureForm:
        """Open a draft to finish it: it leaves the list (the form now holds it)."""
        waiting = self.drafts()
        draft = next((d for d in waiting if d.id == draft_id), None)
        if draft is None:
            raise NotFoundError("That draft was already opened or discarded.")
        self._store_drafts([d for d in waiting if d.id != draft_id])
        return draft.form

    def _store_drafts(self, drafts: list[BoothDraft]) -> None:
        self.db.set_local(DRAFTS_KEY, json.dumps([draft_to_json(d) for d in drafts])
                         if drafts else None)

    # -- what the booth screen shows ----------------------------------------------------------
    def today_count(self, event_id: uuid.UUID, user_id: uuid.UUID | None) -> int:
        midnight = self.context.clock().astimezone().replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
        with self.db.read() as session:
            return BoothRepository(session).captured_count(event_id, user_id,
                                                           midnight.astimezone(dt.UTC))

    def recent_captures(self, event_id: uuid.UUID, user_id: uuid.UUID | None,
                        limit: int = 8) -> list[LeadRecord]:
        with self.db.read() as session:
            ids = BoothRepository(session).recent_capture_ids(event_id, user_id, limit)
        return [self.leads.get(lead_id) for lead_id in ids]

    def scan_log(self, event_id: uuid.UUID | None, limit: int = 200) -> list[ScanLogRecord]:
        with self.db.read() as session:
            return BoothRepository(session).scan_log(event_id, limit)

    # -- registration lists -------------------------------------------------------------------
    def import_registrations(self, event_id: uuid.UUID, path: Path, *,
                             progress: Progress | None = None) -> RegistrationImport:
        """Load an event's registration export, then fill in the badge-only leads waiting for it.

        Both steps write a few thousand rows per transaction, so other writers get their turn.
        """
        parsed = read_registration_file(path)
        self._require_event(event_id)
        now = self.context.clock()
        added = updated = 0
        for start in range(0, len(parsed.rows), REGISTRATION_BATCH):
            chunk = parsed.rows[start:start + REGISTRATION_BATCH]
            with self.db.write() as session:
                more, refreshed = BoothRepository(session).upsert_registrations(
                    event_id, [(r.badge_id, r.fields) for r in chunk], now,
                    self.context.device_id)
            added, updated = added + more, updated + refreshed
        resolved = self.resolve_waiting(event_id, f"the registration list ({path.name})",
                                        progress=progress)
        return RegistrationImport(added, updated, tuple(parsed.skipped), resolved,
                                  dict(parsed.columns))

    def resolve_waiting(self, event_id: uuid.UUID, source: str, *,
                        progress: Progress | None = None) -> int:
        """Fill in every badge-only lead of the event whose id the registration list now knows.

        A batch of leads per transaction; each lead gets the list's values for its empty fields
        (history shows each change and where it came from) and leaves the waiting list.
        """
        with self.db.read() as session:
            repo = BoothRepository(session)
            index = RegistrationIndex(repo.registered_ids(event_id))
            total = repo.waiting_count(event_id)
        resolved = done = after = 0
        while len(index):
            now = self.context.clock()
            with self.db.write() as session:
                repo = BoothRepository(session)
                batch = repo.waiting_leads(event_id, after, WAITING_BATCH)
                if not batch:
                    break
                after = batch[-1][0]
                matched = {lead_id: index.find(badge_id) for _key, lead_id, badge_id in batch}
                people = repo.registrations(event_id, {m for m in matched.values() if m})
                found = {lead_id: registered_id for lead_id, registered_id in matched.items()
                         if registered_id and registered_id in people}
                for lead in LeadRepository(session).find_many(list(found)):
                    registered_id = found[lead.id]
                    self._fill_in(session, repo, lead, registered_id, people[registered_id],
                                  source, now)
                    resolved += 1
            done += len(batch)
            if progress is not None:
                progress(done, max(total, done))
        return resolved

    def _fill_in(self, session: Session, repo: BoothRepository, lead: Lead,
                 registered_id: str, person: Mapping[str, Any], source: str,
                 now: dt.datetime) -> None:
        """The list's values for the lead's empty fields; what someone typed is kept."""
        changes: dict[str, Any] = {k: v for k, v in person.items() if not getattr(lead, k)}
        if lead.badge_id != registered_id:
            changes["badge_id"] = registered_id
        if has_code(lead.review_reason, ReviewCode.UNREGISTERED_BADGE):
            reasons = without_code(lead.review_reason, ReviewCode.UNREGISTERED_BADGE)
            changes.update(review_reason=reasons, needs_review=bool(reasons))
        lead_id = lead.id
        lead.awaiting_registration = False  # written with the changes below, in one flush
        self.leads.update_in(session, lead_id, changes, lenient=True)
        HistoryRepository(session).record(
            lead_id, ActivityKind.IMPORTED, now=now, device=self.context.device_id,
            actor=self.context.current_user_id, text=f"Filled in from {source}")

    def waiting_count(self, event_id: uuid.UUID | None = None) -> int:
        """Badge-only leads waiting for the registration list (of one event, or of any)."""
        with self.db.read() as session:
            return BoothRepository(session).waiting_count(event_id)

    def waiting_by_event(self) -> list[tuple[uuid.UUID | None, int]]:
        """(event id, leads waiting) for each event that has badge-only leads waiting."""
        with self.db.read() as session:
            return BoothRepository(session).waiting_by_event()

    def _require_event(self, event_id: uuid.UUID) -> None:
        with self.db.read() as session:
            if EventRepository(session).get(event_id) is None:
                raise NotFoundError(f"No event with id {event_id}")

    def registration_count(self, event_id: uuid.UUID) -> int:
        with self.db.read() as session:
            return BoothRepository(session).registration_count(event_id)

    # -- per-event badge layout ---------------------------------------------------------------
    def set_badge_layout(self, event_id: uuid.UUID, spec: str) -> None:
        """Store how this event's delimited badges are laid out ("" for none)."""
        if spec.strip():
            try:
                DelimitedLayout.parse(spec)
            except ValueError as exc:
                raise ValidationError.single("badge_layout", str(exc)) from None
        with self.db.write() as session:
            event = EventRepository(session).get(event_id)
            if event is None:
                raise NotFoundError(f"No event with id {event_id}")
            event.badge_layout = spec.strip()
            event.updated_at = self.context.clock()
            event.device_id = self.context.device_id

    def _layout(self, session: Session, event_id: uuid.UUID) -> DelimitedLayout | None:
        event = EventRepository(session).get(event_id)
        if event is None:
            raise NotFoundError(f"No event with id {event_id}")
        try:
            return DelimitedLayout.parse(event.badge_layout) if event.badge_layout else None
        except ValueError:
            return None  # a bad stored layout must not stop scanning; ids and vCards still work

    def _log(self, repo: BoothRepository, event_id: uuid.UUID, raw: str, outcome: str,
             reason: str, lead_id: uuid.UUID | None) -> None:
        repo.log_scan(event_id=event_id, raw=raw, outcome=outcome, reason=reason,
                      lead_id=lead_id, user_id=self.context.current_user_id,
                      now=self.context.clock(), device_id=self.context.device_id)


def _already_captured(repo: BoothRepository, event_id: uuid.UUID, parsed: BadgeData,
                      registered_id: str | None) -> uuid.UUID | None:
    """The lead this badge already became at this event: same badge id (as scanned or as
    registered), else same email."""
    if parsed.badge_id:
        return repo.lead_id_for_badge(event_id, parsed.badge_id, registered_id or "")
    try:
        email = normalise_email(parsed.fields.get("email", ""))
    except ValueError:
        return None
    return repo.lead_id_for_email(event_id, email)


def _identifies_person(values: Mapping[str, Any]) -> bool:
    return any(str(values.get(k) or "").strip() for k in ("first_name", "last_name", "email"))
