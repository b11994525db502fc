"""One imported row: read through the mapping, validated like a booth capture, marked when it
duplicates another, and turned into the lead and activity rows the import writes."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.data_quality import NO_CONTACT_PERSON, SuppressionIndex, lacks_contact_person, review
from app.domain.errors import FieldError, ValidationError
from app.domain.history import ActivityKind
from app.domain.imports import (
    WARNED_ROWS_LISTED,
    DuplicatePolicy,
    ImportCounts,
    ImportReport,
    PreviewRow,
    RejectedRow,
    RowOutcome,
    WarnedRow,
)
from app.domain.lead_validation import (
    NormalisedChanges,
    check_lead_rules,
    check_reachable,
    normalise_changes,
)
from app.domain.leads import FIELDS_BY_NAME, REFERENCE_KINDS, Channel, LeadStatus
from app.domain.qualifiers import QuestionRecord, normalise_answer
from app.domain.review import ReviewCode, ReviewReason, store_reasons
from app.domain.value_vocabulary import originals_json, translate_fields
from app.files import atomic_write
from app.importers.mapping import ColumnMapping, apply_mapping
from app.importers.rows import SourceRow
from app.storage.repositories.history import history_row
from app.storage.repositories.imports import ExistingKeys


@dataclass
class ImportRow:
    """A source row on its way to a lead: its outcome, values, issues and answers."""

    source: SourceRow
    outcome: RowOutcome = RowOutcome.NEW
    values: dict[str, Any] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    issues: dict[str, str] = field(default_factory=dict)
    # The review code of an issue that is not just a value the row could not read.
    issue_codes: dict[str, ReviewCode] = field(default_factory=dict)
    answers: dict[uuid.UUID, str] = field(default_factory=dict)
    reason: str = ""
    existing: uuid.UUID | None = None
    enriched: str = ""  # where directory values came from, for the lead's history
    originals: dict[str, str] = field(default_factory=dict)  # values kept verbatim, by field
    company_source: str = ""  # where a company the row did not give came from


def validated_row(source: SourceRow, mapping: ColumnMapping, region: str,
                  questions: Mapping[str, QuestionRecord], suppressed: SuppressionIndex,
                  enrich: Callable[[Mapping[str, Any]], tuple[dict[str, str], str]]) -> ImportRow:
    if source.problem:  # the file reader could not make a row of it (a quote never closed)
        return ImportRow(source, RowOutcome.REJECTED, reason=source.problem)
    fields, raw_answers = apply_mapping(mapping, source)
    row = ImportRow(source, issues=dict(source.warnings))
    importable = {k: v for k, v in fields.items() if k in FIELDS_BY_NAME
                  and FIELDS_BY_NAME[k].kind not in REFERENCE_KINDS}
    extra_notes = []
    for header, value in raw_answers.items():
        question = questions.get(header.strip().casefold())
        if question is None:
            extra_notes.append(f"{header}: {value}")
            continue
        try:
            row.answers[question.id] = normalise_answer(question, value)
        except ValueError as exc:
            row.issues[f"question:{header}"] = str(exc)
            extra_notes.append(f"{header}: {value}")
    if extra_notes:
        importable["notes"] = "\n".join(filter(None, [importable.get("notes", ""),
                                                      *extra_notes]))
    translated = translate_fields(importable, mapping.values)
    row.originals.update(translated.originals)
    row.issues.update(translated.notes)
    try:
        normalised = _normalise_keeping_originals(translated.values, region, row)
        check_reachable({**normalised.values, **normalised.derived},
                        frozenset(note.field for note in normalised.review_notes))
        _settle_status(normalised.values, importable.get("status", ""), row)
        check_lead_rules({**normalised.values, **normalised.derived})
    except ValidationError as error:
        row.outcome, row.reason = RowOutcome.REJECTED, str(error)
        return row
    row.values, row.derived = normalised.values, normalised.derived
    fills, origin = enrich(row.values)
    if fills:
        row.values.update(fills)
        row.enriched = f"; {', '.join(fills)} from the company directory ({origin})"
        if "company" in fills:
            row.company_source = f"company directory ({origin})"
    erased_on = suppressed.erased.erased_on({**row.values, **row.derived})
    if erased_on is not None:
        # Importing them again would undo their erasure request.
        row.outcome = RowOutcome.REJECTED
        row.reason = (f"this person asked to be erased on {erased_on.isoformat()}; "
                      "not imported")
        return row
    changes, notes = review({**row.values, **row.derived}, suppressed)
    row.company_source = str(changes.pop("company_source", "") or row.company_source)
    row.values.update(changes)
    for note in [*normalised.review_notes, *notes]:
        note_issue(row, note)
    if lacks_contact_person(row.values):
        row.issues["name"] = NO_CONTACT_PERSON
        row.issue_codes["name"] = ReviewCode.NO_CONTACT_PERSON
    return row


def note_outcome(row: ImportRow, counts: ImportCounts, rejected: list[RejectedRow],
                  warned: list[WarnedRow]) -> None:
    if row.outcome is RowOutcome.REJECTED:
        rejected.append(RejectedRow(row.source.number, row.reason, row.source.values))
    elif row.outcome is not RowOutcome.DUPLICATE and (row.issues or row.originals):
        counts.warned += 1
        if len(warned) < WARNED_ROWS_LISTED:
            warned.append(WarnedRow(row.source.number, dict(row.issues), dict(row.originals)))


def _normalise_keeping_originals(importable: dict[str, Any], region: str,
                                 row: ImportRow) -> NormalisedChanges:
    """Lenient validation where a value that cannot be stored (too long, not yes/no, not a
    date) leaves the row as an original value with a warning instead of rejecting it."""
    pending = dict(importable)
    while True:
        try:
            normalised = normalise_changes(pending, default_region=region or None, lenient=True)
        except ValidationError as error:
            unreadable = [problem for problem in error.errors if problem.field in pending]
            if not unreadable:
                raise
            for problem in unreadable:
                row.originals[problem.field] = str(pending.pop(problem.field))
                row.issues[problem.field] = f"{problem.message}; kept as the original value"
            continue
        for note in normalised.review_notes:  # lenient validation left these out: keep them
            if note.field in pending and normalised.values.get(note.field) is None:
                row.originals[note.field] = str(pending[note.field])
        return normalised


def _settle_status(values: dict[str, Any], raw: str, row: ImportRow) -> None:
    """A translated status our rules need more for: a disqualified lead names why (the file's
    own word is the reason); nurture needs a come-back date the file does not give, so the
    status is kept as the original value rather than inventing a date."""
    status = values.get("status")
    if status is LeadStatus.DISQUALIFIED and not values.get("disqualify_reason"):
        values["disqualify_reason"] = f"'{raw}' in the imported file"
    elif status is LeadStatus.NURTURE and not values.get("come_back_on"):
        del values["status"]
        row.originals["status"] = raw
        row.issues["status"] = (f"'{raw}' means nurture, which needs a come-back date the file "
                                "does not give; kept as the original value")


def system_columns(row: ImportRow) -> dict[str, str]:
    """Columns no person edits that an imported row still fills."""
    columns = {"original_values": originals_json(row.originals)}
    if row.values.get("company") and row.company_source:
        columns["company_source"] = row.company_source
    return {k: v for k, v in columns.items() if v}


def import_channel(event_id: uuid.UUID | None) -> Channel:
    return Channel.TRADE_SHOW if event_id is not None else Channel.IMPORT


def chunk_keys(rows: Sequence[ImportRow]) -> tuple[set[str], set[str], set[str]]:
    emails: set[str] = set()
    phones: set[str] = set()
    badges: set[str] = set()
    for row in rows:
        if row.outcome is RowOutcome.REJECTED:
            continue
        emails.update(k for k in [row.values.get("email")] if k)
        phones.update(v for k, v in row.derived.items() if k.endswith("_e164") and v)
        badges.update(k for k in [row.values.get("badge_id")] if k)
    return emails, phones, badges


def _row_keys(row: ImportRow) -> list[str]:
    keys = [f"email:{row.values['email']}"] if row.values.get("email") else []
    keys += [f"phone:{v}" for k, v in row.derived.items() if k.endswith("_e164") and v]
    if row.values.get("badge_id"):
        keys.append(f"badge:{row.values['badge_id']}")
    return keys


def mark_duplicate(row: ImportRow, seen: dict[int, int], existing: ExistingKeys,
                    policy: DuplicatePolicy) -> None:
    if row.outcome is RowOutcome.REJECTED:
        return
    # 64-bit hashes instead of the key strings: the memory this needs grows far slower with
    # the file, and a collision (about 1 in 10^14 for 100,000 rows) only skips one row.
    keys = [hash(k) for k in _row_keys(row)]
    earlier = next((seen[k] for k in keys if k in seen), None)
    stored = (existing.by_email.get(row.values.get("email", "")) or
              next((existing.by_phone[v] for k, v in row.derived.items()
                    if k.endswith("_e164") and v in existing.by_phone), None) or
              existing.by_badge.get(row.values.get("badge_id", "")))
    if earlier is not None and policy is not DuplicatePolicy.CREATE:
        row.outcome, row.reason = RowOutcome.DUPLICATE, f"same person as row {earlier}"
    elif stored is not None and policy is DuplicatePolicy.SKIP:
        row.outcome, row.reason, row.existing = (RowOutcome.DUPLICATE,
                                                 "already a lead", stored)
    elif stored is not None and policy is DuplicatePolicy.FILL:
        row.outcome, row.reason, row.existing = (RowOutcome.FILL,
                                                 "fills the existing lead", stored)
    for key in keys:
        seen.setdefault(key, row.source.number)


def lead_row(row: ImportRow, lead_id: uuid.UUID, event_id: uuid.UUID | None, now: dt.datetime,
              device: uuid.UUID, actor: uuid.UUID | None) -> dict[str, Any]:
    values = {k: v for k, v in row.values.items() if v is not None}
    lead: dict[str, Any] = {"status": LeadStatus.INQUIRY, "channel": import_channel(event_id),
                            **values, **row.derived}
    lead.update(id=lead_id, event_id=event_id, created_at=now, updated_at=now, device_id=device,
                captured_by_id=actor, **system_columns(row))
    if row.issues:
        lead["needs_review"] = True
        lead["review_reason"] = store_reasons(
            ReviewReason(row.issue_codes.get(key, ReviewCode.DOUBTFUL_VALUE), message, key)
            for key, message in row.issues.items())
    return lead


def note_issue(row: ImportRow, note: FieldError | ReviewReason) -> None:
    """A review note on the row, kept with its code; the first note on a field wins."""
    if note.field not in row.issues:
        row.issues[note.field] = note.message
        if isinstance(note, ReviewReason):
            row.issue_codes[note.field] = note.code


def activity_row(lead_id: uuid.UUID, batch_id: uuid.UUID, what: str, text: str, now: dt.datetime,
              device: uuid.UUID, actor: uuid.UUID | None, new_value: str = "") -> dict[str, Any]:
    return history_row(lead_id, ActivityKind.IMPORTED, now=now, device=device, actor=actor,
                       text=text, field=what, new_value=new_value, batch_id=batch_id)


def preview_row(row: ImportRow) -> PreviewRow:
    shown = {k: (v.label if isinstance(v, StrEnum) and hasattr(v, "label") else str(v))
             for k, v in {**row.values, **row.derived}.items() if v not in (None, "")}
    return PreviewRow(row.source.number, row.outcome, shown, dict(row.issues), row.reason)


def write_rejected_rows(report: ImportReport, headers: Sequence[str], path: Path) -> None:
    """CSV (UTF-8 with BOM, for Excel) of the rejected rows plus a reason column, to fix and
    import again."""
    with atomic_write(path, encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([*headers, "row", "reason"])
        for row in report.rejected:
            out.writerow([row.values.get(h, "") for h in headers] + [row.number, row.reason])
