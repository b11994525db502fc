"""``scan`` and ``registrations`` commands: booth capture without the GUI.

``scan`` reads JSON Lines from standard input, each line one JSON string holding exactly what the
scanner typed (with its \\r, \\n, \\t), and prints one JSON result per line, as it goes.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.errors import LeadlineError, ValidationError
from app.domain.serialise import lead_to_dict
from app.importers.registrations import RegistrationFileError

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

EXIT_OK, EXIT_BAD_LINES = 0, 2


def register(tree: CommandTree) -> None:
    tree.add("scan", help="capture leads from badge scans read on standard input",
             description="Each input line is a JSON string with exactly what the scanner "
                         "typed. Prints one JSON object per line: status created (a new lead), "
                         "matched (already captured at this event), rejected (the scan is "
                         "unreadable; see reason) or error (the line is not a JSON string). "
                         "Exit code 0 when every line was a JSON string, 2 otherwise.",
             epilog="example:\n  printf '\"000123\\\\r\"\\n' | %(prog)s --event "
                    '"Hannover Messe 2026"',
             handler=scan).add_argument("--event", required=True, metavar="NAME",
                                        help="the event the badges are scanned at")
    registrations = tree.add("registrations", help="import an event's registration list",
                             description="An event's registration export (badge id to "
                                         "person) lets id-only badge scans resolve on the spot.")
    actions = tree.group(registrations, title="actions", dest="registrations_command")
    imports = actions.add("import", help="import a CSV/TSV registration export",
                          handler=import_registrations,
                          epilog='example:\n  %(prog)s attendees.csv --event "Hannover Messe '
                                 '2026"')
    imports.add_argument("file", type=Path, metavar="FILE", help="CSV, TSV or ;-separated file")
    imports.add_argument("--event", required=True, metavar="NAME", help="the event it belongs to")


def scan(args: argparse.Namespace, ctx: CliContext) -> int:
    services = ctx.services
    event = services.events.by_name(args.event)
    code = EXIT_OK
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A byte that is not UTF-8 becomes that line's error instead of ending the stream.
        sys.stdin.reconfigure(errors="surrogateescape")
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        result = _scan_line(services, event.id, line, number)
        if result["status"] == "error":
            code = EXIT_BAD_LINES
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return code


def _scan_line(services: Any, event_id: Any, line: str, number: int) -> dict[str, Any]:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "status": "error", "reason": f"not JSON: {exc.msg}"}
    except RecursionError:
        return {"line": number, "status": "error", "reason": "not JSON: nested too deeply"}
    if not isinstance(raw, str):
        return {"line": number, "status": "error",
                "reason": "each line must be one JSON string (what the scanner typed)"}
    if not raw.isascii() and any("\ud800" <= ch <= "\udfff" for ch in raw):
        return {"line": number, "status": "error", "reason": "not valid UTF-8 text"}
    try:
        reading, capture = services.booth.scan(event_id, raw)
    except ValidationError as error:
        return {"line": number, "status": "rejected", "reason": str(error),
                "fields": {e.field: e.message for e in error.errors}}
    except LeadlineError as error:
        return {"line": number, "status": "error", "reason": str(error)}
    result: dict[str, Any] = {"line": number, "status": reading.status, "format": reading.format,
                              "badge_id": reading.badge_id, "reason": reading.reason,
                              "warnings": list(reading.warnings),
                              "registered": reading.registered}
    lead = capture.lead if capture else reading.lead
    if capture is not None:
        result["status"] = "created" if capture.created else "updated"
    elif reading.status == "existing":
        result["status"] = "matched"
    result["lead"] = lead_to_dict(lead) if lead else None
    return result


def import_registrations(args: argparse.Namespace, ctx: CliContext) -> int:
    services = ctx.services
    event = services.events.by_name(args.event)
    try:
        summary = services.booth.import_registrations(event.id, args.file)
    except RegistrationFileError as error:  # a file that is no registration list: invalid input
        ctx.out.error(str(error))
        return EXIT_BAD_LINES
    if ctx.out.json_mode:
        ctx.out.json({"event": event.name, "added": summary.added, "updated": summary.updated,
                      "skipped": list(summary.skipped), "resolved_leads": summary.resolved_leads,
                      "columns": dict(summary.columns)})
        return 0
    ctx.out.line(f"{event.name}: {summary.added} registrations added, {summary.updated} "
                 f"updated, {len(summary.skipped)} skipped; {summary.resolved_leads} pending "
                 "leads resolved")
    for reason in summary.skipped[:20]:
        ctx.out.line(f"  skipped {reason}")
    return 0
