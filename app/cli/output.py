"""How the CLI prints: aligned tables and detail blocks for people, JSON for programs.

Results go to stdout; progress, notices and errors go to stderr, so ``--json`` output can be
piped as is. With ``--json`` an error is also printed as one JSON line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from app.domain.contact_data import format_money
from app.domain.errors import ValidationError
from app.domain.history import ActivityRecord
from app.domain.leads import LEAD_FIELDS, FieldKind, LeadField, LeadRecord
from app.domain.review import reason_text
from app.domain.serialise import lead_to_dict, to_jsonable

MAX_CELL = 32
UNASSIGNED = "(unassigned)"


class Output:
    """Printing for one CLI run; ``json_mode`` is the global ``--json`` option."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode

    # -- plain channels ---------------------------------------------------------------------
    @staticmethod
    def line(text: str = "") -> None:
        print(text, file=sys.stdout)

    @staticmethod
    def notice(text: str) -> None:
        """A message for the person (never part of the result): stderr."""
        print(text, file=sys.stderr)

    @staticmethod
    def json(data: Any) -> None:
        print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2), file=sys.stdout)

    def result(self, data: Any, text: str) -> None:
        """A command's result: ``data`` as JSON with --json, else the sentence ``text``."""
        if self.json_mode:
            self.json(data)
        else:
            self.line(text)

    def listing(self, key: str, records: Sequence[Any], headers: Sequence[str],
                row: Callable[[Any], Sequence[str]], noun: str, *, plural: str = "") -> None:
        """A list command's result: ``{key: records}`` as JSON with --json, else a table of
        ``row(record)`` and a count ("3 users")."""
        if self.json_mode:
            self.json({key: records})
            return
        if records:
            self.table(headers, [row(record) for record in records])
        self.line(count_of(len(records), noun, plural))

    # -- errors -------------------------------------------------------------------------------
    def error(self, message: str, fields: dict[str, str] | None = None) -> None:
        """``error: <message>`` on stderr; with --json also a JSON line describing it."""
        if fields:
            for name, text in fields.items():
                print(f"error: {name}: {text}", file=sys.stderr)
        else:
            print(f"error: {message}", file=sys.stderr)
        if self.json_mode:
            payload = {"error": message, "fields": dict(fields or {})}
            print(json.dumps(payload, ensure_ascii=False), file=sys.stderr)

    def validation_error(self, error: ValidationError) -> None:
        fields: dict[str, str] = {}
        for problem in error.errors:
            fields[problem.field] = (f"{fields[problem.field]}; {problem.message}"
                                     if problem.field in fields else problem.message)
        self.error(str(error), fields)

    # -- tables -------------------------------------------------------------------------------
    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        for text in render_table(headers, rows):
            self.line(text)

    # -- leads --------------------------------------------------------------------------------
    def lead_list(self, records: Sequence[LeadRecord], total: int, offset: int = 0) -> None:
        if self.json_mode:
            self.json({"total": total, "offset": offset,
                       "leads": [lead_to_dict(r) for r in records]})
            return
        if records:
            self.table(LEAD_TABLE_HEADERS, [lead_row(r) for r in records])
        start = f" (from #{offset + 1})" if offset and records else ""
        self.line(f"showing {len(records)} of {total} leads{start}")

    def lead_detail(self, record: LeadRecord, history: Sequence[ActivityRecord] | None = None,
                    *, heading: str = "") -> None:
        if self.json_mode:
            data = lead_to_dict(record)
            if history is not None:
                data["history"] = [activity_to_dict(a) for a in history]
            self.json(data)
            return
        if heading:
            self.line(heading)
        for text in render_lead(record):
            self.line(text)
        if history is not None:
            self.line()
            self.line("History")
            if not history:
                self.line("  (none)")
            for activity in history:
                who = f"  [{activity.actor_name}]" if activity.actor_name else ""
                self.line(f"  {format_datetime(activity.occurred_at)}  {activity.summary}{who}")


LEAD_TABLE_HEADERS = ("id", "name", "company", "email", "status", "rating", "owner", "event",
                      "next due")


def lead_row(record: LeadRecord) -> list[str]:
    return [
        str(record.id),
        f"{record.first_name} {record.last_name}".strip(),
        record.company,
        record.email,
        record.status.label,
        record.rating.label if record.rating else "",
        record.owner_name or record.owner_email or UNASSIGNED,
        record.event_name,
        format_datetime(record.next_due_at),
    ]


def activity_to_dict(activity: ActivityRecord) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(activity)
    data["summary"] = activity.summary
    return data


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart; long cells (except ids) are cut with an ellipsis."""
    cells = [[_cell(c, whole=h == "id") for h, c in zip(headers, row, strict=True)]
             for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    return lines


def _cell(value: str, *, whole: bool = False) -> str:
    text = " ".join(str(value).split())  # no line breaks inside a table
    return text if whole or len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def count_of(count: int, noun: str, plural: str = "") -> str:
    """ "1 user", "2,000 users" (``plural`` for nouns that do not just take an s)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def render_lead(record: LeadRecord) -> list[str]:
    """Every lead field by group, then the system columns."""
    width = max(len(f.label) for f in LEAD_FIELDS) + 2
    lines = [f"Lead {record.id}  {record.display_name}"]
    group = ""
    for spec in LEAD_FIELDS:
        if spec.group != group:
            group = spec.group
            lines.append(f"  {group}")
        value = field_text(record, spec)
        lines.append(f"    {spec.label:<{width}}{value}".rstrip())
    lines.append("  Record")
    system = (
        ("Id", str(record.id)),
        ("Created", format_datetime(record.created_at)),
        ("Updated", format_datetime(record.updated_at)),
        ("First touch", format_datetime(record.first_touch_at)),
        ("Last touch", format_datetime(record.last_touch_at)),
        ("Next due", format_datetime(record.next_due_at)),
    )
    for label, value in system:
        lines.append(f"    {label:<{width}}{value}".rstrip())
    if record.merged_into_id:
        lines.append(f"    {'Merged into':<{width}}{record.merged_into_id}")
    if record.deleted_at:
        lines.append(f"    {'Deleted':<{width}}{format_datetime(record.deleted_at)}")
    return lines


def field_text(record: LeadRecord, spec: LeadField) -> str:
    """One field as a person reads it."""
    if spec.name == "owner":
        if not record.owner_id:
            return UNASSIGNED
        return f"{record.owner_name} <{record.owner_email}>"
    value = record.value_of(spec.name)
    if value is None or value == "":
        return ""
    if spec.name == "review_reason":
        return reason_text(value)
    if spec.kind is FieldKind.PHONE:
        e164 = getattr(record, f"{spec.name}_e164")
        return f"{value} ({e164})" if e164 and e164 != value else str(value)
    if spec.kind is FieldKind.BOOLEAN:
        return "yes" if value else "no"
    if spec.kind is FieldKind.MONEY:
        return format_money(value)
    if isinstance(value, StrEnum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
