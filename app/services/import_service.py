"""Import lead-retrieval exports: preview, then one all-or-nothing batch that can be undone.

Rows stream from the file in chunks; each chunk is validated like a booth capture (doubtful
data kept and flagged, rows without anyone to follow up rejected with the reason), checked for
duplicates in the file and against the database, and written with executemany inside one
transaction. Cancel or a crash leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.audit import AuditAction
from app.domain.data_quality import NO_CONTACT_PERSON
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.history import ActivityKind
from app.domain.ids import PackedIds, new_id
from app.domain.imports import (
    CUSTOMER_IMPORT_FORMAT,
    BatchRecord,
    DuplicatePolicy,
    ImportCounts,
    ImportReport,
    PreviewRow,
    RejectedRow,
    RowOutcome,
    WarnedRow,
)
from app.domain.lead_validation import (
    normalise_changes,
)
from app.domain.leads import LeadStatus, Rating
from app.domain.progress import CancelCheck, Progress, stop_if_cancelled
from app.domain.qualifiers import QuestionRecord
from app.domain.review import ReviewCode
from app.domain.value_vocabulary import VOCABULARY_FIELDS
from app.importers.mapping import ColumnMapping, apply_mapping, guess_mapping
from app.importers.tabular import Table, open_table
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.dedupe_service import DedupeService
from app.services.enrichment_service import EnrichmentService
from app.services.import_rows import (
    ImportRow,
    activity_row,
    chunk_keys,
    import_channel,
    lead_row,
    mark_duplicate,
    note_issue,
    note_outcome,
    preview_row,
    system_columns,
    validated_row,
    write_rejected_rows,
)
from app.services.question_service import QuestionService

if TYPE_CHECKING:
    from app.services.intake import BatchIntake
from app.services.suppression_service import SuppressionService
from app.storage.orm import Lead, MappingTemplate
from app.storage.repositories.audit import AuditRepository
from app.storage.repositories.booth import BoothRepository
from app.storage.repositories.bulk import BulkWriter
from app.storage.repositories.events import EventRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.imports import ExistingKeys, ImportRepository
from app.storage.repositories.leads import LeadRepository

CHUNK = 1000
NOTHING_IMPORTED = "Import cancelled: nothing was imported."
KeyLookup = Callable[[set[str], set[str], set[str], "uuid.UUID | None"], ExistingKeys]
# (rating, status, captured at) -> the first-touch deadline, None for a status without one.
FirstTouchDeadline = Callable[[Rating | None, LeadStatus, dt.datetime], "dt.datetime | None"]


class ImportService:
    def __init__(self, context: ServiceContext, questions: QuestionService,
                 suppressions: SuppressionService, enrichment: EnrichmentService,
                 dedupe: DedupeService, audit: AuditService, *,
                 new_intake: Callable[[dt.datetime], BatchIntake] | None = None,
                 after_import: Callable[[Sequence[uuid.UUID]], None] | None = None,
                 first_touch_deadlines: Callable[[], FirstTouchDeadline] | None = None) -> None:
        self.context, self.questions, self.suppressions = context, questions, suppressions
        self.enrichment, self.dedupe, self.audit = enrichment, dedupe, audit
        self.db = context.db
        # new_intake scores and routes each new row before it is written; after_import starts
        # the follow-up (cadences) of the leads created. first_touch_deadlines reads the
        # first-touch settings once per import: each new lead's deadline is written with it,
        # so no crash can leave an imported lead without one.
        self.new_intake, self.after_import = new_intake, after_import
        self.first_touch_deadlines = first_touch_deadlines

    # -- reading and mapping ------------------------------------------------------------------
    def open(self, path: Path) -> Table:
        return open_table(path)

    def suggested_mapping(self, table: Table) -> tuple[ColumnMapping, str]:
        """A saved template for these exact headers, else a guess; and the template's name."""
        guess = guess_mapping(table.info.headers)
        with self.db.read() as session:
            template = ImportRepository(session).template_for_signature(guess.signature)
        if template is not None:
            return ColumnMapping.from_json(template.mapping), template.name
        return guess, ""

    def mapping_named(self, name: str) -> ColumnMapping:
        with self.db.read() as session:
            template = ImportRepository(session).template_by_name(name)
        if template is None:
            raise NotFoundError(f"No saved mapping named '{name}'")
        return ColumnMapping.from_json(template.mapping)

    def save_template(self, name: str, mapping: ColumnMapping) -> None:
        name = name.strip()
        if not name:
            raise ValidationError.single("name", "give the mapping a name")
        now = self.context.clock()
        with self.db.write() as session:
            repo = ImportRepository(session)
            existing = repo.template_by_name(name)
            if existing is not None:
                existing.mapping, existing.signature = mapping.to_json(), mapping.signature
                existing.updated_at, existing.device_id = now, self.context.device_id
            else:
                repo.save_template(MappingTemplate(
                    id=new_id(), name=name, signature=mapping.signature,
                    mapping=mapping.to_json(), updated_at=now, device_id=self.context.device_id))

    def template_names(self) -> list[str]:
        with self.db.read() as session:
            return [t.name for t in ImportRepository(session).templates()]

    # -- preview (nothing is written) ---------------------------------------------------------
    def preview(self, table: Table, mapping: ColumnMapping, event_id: uuid.UUID | None,
                policy: DuplicatePolicy, *, sample: int = 50,
                progress: Progress | None = None,
                cancelled: CancelCheck | None = None) -> ImportReport:
        counts = ImportCounts()
        rejected: list[RejectedRow] = []
        warned: list[WarnedRow] = []
        shown: list[PreviewRow] = []
        for row in self._classified(table, mapping, event_id, policy, progress, cancelled):
            counts.add(row.outcome)
            note_outcome(row, counts, rejected, warned)
            if len(shown) < sample:
                if row.outcome is RowOutcome.NEW:
                    self._flag_likely_duplicate(row, event_id)
                shown.append(preview_row(row))
        return ImportReport(counts, tuple(rejected), tuple(shown), warned=tuple(warned))

    def values_found(self, table: Table, mapping: ColumnMapping, *, limit: int = 200,
                     cancelled: CancelCheck | None = None) -> dict[str, list[tuple[str, int]]]:
        """Each distinct value of every column mapped to a choice field (rating, status,
        channel, consent) with how many rows hold it, most frequent first: what the import
        preview lists to translate. At most ``limit`` distinct values per field."""
        counted: dict[str, Counter[str]] = {}
        for number, source in enumerate(table.rows()):
            if number % CHUNK == 0:
                stop_if_cancelled(cancelled, NOTHING_IMPORTED)
            fields, _answers = apply_mapping(mapping, source)
            for name in VOCABULARY_FIELDS:
                raw = fields.get(name)
                if raw:
                    seen = counted.setdefault(name, Counter())
                    if raw in seen or len(seen) < limit:
                        seen[raw] += 1
        return {name: seen.most_common() for name, seen in counted.items()}

    def _flag_likely_duplicate(self, row: ImportRow, event_id: uuid.UUID | None) -> None:
        """Fuzzy matches (names, company) for rows the preview shows; exact keys cover the rest."""
        found = self.dedupe.candidates_for({**row.values, **row.derived}, event_id)
        if found:
            other, _score, reasons = found[0]
            name = self.dedupe.display_names([other]).get(other, "a stored lead")
            row.issues["duplicate"] = f"possibly {name} ({'; '.join(reasons)})"
            row.issue_codes["duplicate"] = ReviewCode.POSSIBLE_DUPLICATE

    # -- the import itself --------------------------------------------------------------------
    def run(self, table: Table, mapping: ColumnMapping, event_id: uuid.UUID | None,
            policy: DuplicatePolicy, *, progress: Progress | None = None,
            cancelled: CancelCheck | None = None) -> ImportReport:
        """Import every row in one transaction and record the batch for history and undo."""
        now = self.context.clock()
        counts = ImportCounts()
        rejected: list[RejectedRow] = []
        warned: list[WarnedRow] = []
        batch_id = new_id()
        created_ids = PackedIds()
        intake = self.new_intake(now) if self.new_intake is not None else None
        deadline = self.first_touch_deadlines() if self.first_touch_deadlines else None
        prompts = {q.id: q.prompt for q in self.questions.questions_in_scope(event_id)}
        with BulkWriter(self.db) as writer, writer.transaction():
            writer.write({"import_batch": [{
                "id": batch_id, "file_name": table.info.path.name, "source_format":
                table.info.kind, "event_id": event_id, "channel": import_channel(event_id),
                "actor_id": self.context.current_user_id, "started_at": now, "status": "running",
                "mapping": mapping.to_json(), "updated_at": now,
                "device_id": self.context.device_id}]})
            rows = self._classified(table, mapping, event_id, policy, progress, cancelled,
                                    lookup=writer.existing_keys)
            while chunk := list(islice(rows, CHUNK)):
                created_ids.extend(self._write_chunk(writer, chunk, batch_id, event_id, now,
                                                     table.info.path.name, intake, prompts,
                                                     deadline))
                for row in chunk:
                    counts.add(row.outcome)
                    note_outcome(row, counts, rejected, warned)
            if intake is not None:
                intake.finish(writer)
            writer.finish_batch(batch_id, {"created": counts.created + counts.updated,
                                           "duplicates": counts.duplicates,
                                           "rejected": counts.rejected}, "completed",
                                self.context.clock())
        if self.after_import is not None and created_ids:
            self.after_import(created_ids)
        return ImportReport(counts, tuple(rejected), batch_id=batch_id, warned=tuple(warned))

    def _write_chunk(self, writer: BulkWriter, chunk: Sequence[ImportRow], batch_id: uuid.UUID,
                     event_id: uuid.UUID | None, now: dt.datetime, file_name: str,
                     intake: BatchIntake | None = None,
                     prompts: Mapping[uuid.UUID, str] | None = None,
                     deadline: FirstTouchDeadline | None = None) -> list[uuid.UUID]:
        leads, activities, answers = [], [], []
        device, actor = self.context.device_id, self.context.current_user_id
        for row in chunk:
            if row.outcome is RowOutcome.NEW:
                lead_id = new_id()
                lead = lead_row(row, lead_id, event_id, now, device, actor)
                activities.append(activity_row(lead_id, batch_id, "created",
                                            f"Imported from {file_name}{row.enriched}", now,
                                            device, actor))
                if intake is not None:
                    answered = {(prompts or {}).get(qid, ""): value
                                for qid, value in row.answers.items()}
                    activities += intake.place(lead, answered)
                if deadline is not None:
                    rating = lead.get("rating")
                    lead["first_touch_due_at"] = deadline(
                        Rating(rating) if rating else None, LeadStatus(lead["status"]), now)
                leads.append(lead)
                answers += [{"id": new_id(), "lead_id": lead_id, "question_id": qid,
                             "value": value, "answered_at": now, "updated_at": now,
                             "device_id": device} for qid, value in row.answers.items()]
            elif row.outcome is RowOutcome.FILL and row.existing is not None:
                text = {k: v for k, v in {**row.values, **row.derived}.items()
                        if isinstance(v, str) and not isinstance(v, StrEnum)}
                text.update(system_columns(row))
                filled = writer.fill_blanks(row.existing, text, now, device)
                if filled:
                    activities.append(activity_row(
                        row.existing, batch_id, "filled", f"Filled from {file_name}", now, device,
                        actor, new_value=json.dumps({k: text[k] for k in filled})))
        writer.write({"lead": leads, "activity": activities, "answer": answers})
        return [lead["id"] for lead in leads]

    # -- classification: the same for preview, dry run and import ---------------------------
    def _classified(self, table: Table, mapping: ColumnMapping, event_id: uuid.UUID | None,
                    policy: DuplicatePolicy, progress: Progress | None,
                    cancelled: CancelCheck | None,
                    lookup: KeyLookup | None = None) -> Iterator[ImportRow]:
        """Rows with their outcome. With ``lookup`` (the import's own transaction), rows of
        earlier chunks are found in the database, so only one chunk's keys are held here."""
        region, questions = self._event_context(event_id)
        suppressed = self.suppressions.index()
        seen: dict[int, int] = {}
        estimate = table.estimated_rows() or 0
        done = 0
        source = table.rows()
        while chunk := list(islice(source, CHUNK)):
            stop_if_cancelled(cancelled, NOTHING_IMPORTED)
            rows = [validated_row(r, mapping, region, questions, suppressed,
                                  self.enrichment.fills_for) for r in chunk]
            self._resolve_badge_only(rows, event_id, region)
            if lookup is not None:
                seen.clear()  # earlier chunks are already in the transaction's database
                existing = lookup(*chunk_keys(rows), event_id)
            else:
                with self.db.read() as session:
                    existing = ImportRepository(session).existing_keys(
                        *chunk_keys(rows), event_id=event_id)
            for row in rows:
                mark_duplicate(row, seen, existing, policy)
                yield row
            done += len(chunk)
            if progress is not None:
                progress(done, max(estimate, done))

    def _resolve_badge_only(self, rows: Sequence[ImportRow], event_id: uuid.UUID | None,
                            region: str) -> None:
        """Rows that carry only a badge id (lead-retrieval exports: id, time, device, a
        qualifier) get the person from the event's registration list; without a match they
        are kept as leads waiting for the list, which fills them in when it is imported."""
        badge_only = [row for row in rows if row.outcome is not RowOutcome.REJECTED
                      and row.values.get("badge_id") and event_id is not None
                      and not any(row.values.get(k) for k in ("first_name", "last_name", "email"))]
        if not badge_only or event_id is None:
            return
        with self.db.read() as session:
            people = BoothRepository(session).people_for_badges(
                event_id, {str(row.values["badge_id"]) for row in badge_only})
        for row in badge_only:
            if row.issues.get("name") == NO_CONTACT_PERSON:
                del row.issues["name"]  # the list will name them (or has just named them)
            found = people.get(str(row.values["badge_id"]))
            if found is None:
                row.derived["awaiting_registration"] = True
                continue
            registered_id, person = found
            filled = normalise_changes(
                {**{k: v for k, v in person.items() if not row.values.get(k)},
                 "badge_id": registered_id},
                default_region=str(person.get("country") or "") or region or None, lenient=True)
            row.values.update(filled.values)
            row.derived.update(filled.derived)
            for note in filled.review_notes:
                note_issue(row, note)

    def _event_context(self, event_id: uuid.UUID | None) -> tuple[str, dict[str, QuestionRecord]]:
        if event_id is None:
            return self.context.default_country, {}
        with self.db.read() as session:
            event = EventRepository(session).get(event_id)
        if event is None:
            raise NotFoundError(f"No event with id {event_id}")
        questions = {q.prompt.strip().casefold(): q
                     for q in self.questions.questions_for_event(event_id)}
        return event.country or self.context.default_country, questions

    # -- history and undo ---------------------------------------------------------------------
    def batches(self) -> list[BatchRecord]:
        with self.db.read() as session:
            return [BatchRecord(b.id, b.file_name, b.started_at, b.status, b.created_count,
                                b.duplicate_count, b.rejected_count, b.mapping, b.source_format)
                    for b in ImportRepository(session).batches()]

    def undo(self, batch_id: uuid.UUID) -> tuple[int, int]:
        """Remove the leads a batch created and empty the fields it filled (if untouched since):
        (leads removed, leads restored). One transaction, recorded in the audit trail."""
        now, device, actor = self.context.clock(), self.context.device_id, \
            self.context.current_user_id
        with self.db.write() as session:
            repo = ImportRepository(session)
            batch = repo.batch(batch_id)
            if batch is None:
                raise NotFoundError(f"No import batch with id {batch_id}")
            if batch.status == "undone":
                raise ConflictError(f"Import {batch.file_name} was already undone")
            if batch.source_format == CUSTOMER_IMPORT_FORMAT:
                raise ConflictError(f"{batch.file_name} was a customer import: undo it with "
                                    "`customers undo` or from File → Import history")
            created, restored = [], 0
            history = HistoryRepository(session)
            for activity in repo.batch_activities(batch_id):
                if activity.field == "created":
                    created.append(activity.lead_id)
                elif activity.field == "filled":
                    lead = LeadRepository(session).find(activity.lead_id)
                    restored += _restore_filled(lead, json.loads(activity.new_value or "{}"),
                                                now, device)
            for start in range(0, len(created), 500):
                ids = created[start:start + 500]
                repo.soft_delete_leads(ids, now, device)
                for lead_id in ids:
                    history.record(lead_id, ActivityKind.DELETED, now=now, device=device,
                                   actor=actor, text=f"Import of {batch.file_name} undone")
            batch.status, batch.updated_at, batch.device_id = "undone", now, device
            self.audit.add_to(AuditRepository(session), AuditAction.IMPORT_UNDO,
                              f"import of {batch.file_name}: {len(created):,} removed, "
                              f"{restored:,} restored", len(created) + restored)
        return len(created), restored

    # -- rejected rows, to fix and import again -----------------------------------------------
    write_rejected = staticmethod(write_rejected_rows)


def _restore_filled(lead: Lead | None, filled: Mapping[str, str], now: dt.datetime,
                    device: uuid.UUID) -> int:
    if lead is None:
        return 0
    changed = False
    for column, value in filled.items():
        if getattr(lead, column, None) == value:  # untouched since the import
            setattr(lead, column, "")
            changed = True
    if changed:
        lead.updated_at, lead.device_id = now, device
    return int(changed)
