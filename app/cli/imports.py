"""``import`` command: a lead-retrieval export into one undoable batch.

``import FILE --event NAME [--mapping NAME] [--map-values FIELD:VALUE=OURS,…]…
[--save-mapping NAME] [--on-duplicate skip|fill|create] [--dry-run]``
``import undo BATCH``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.errors import ValidationError
from app.domain.ids import parse_id
from app.domain.imports import DuplicatePolicy, ImportReport
from app.domain.value_vocabulary import ValueMappingError, parse_value_mapping
from app.importers.mapping import ColumnMapping
from app.importers.table_layout import TableError

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    parser = tree.add(
        "import", help="import a CSV/TSV/XLSX export of leads (or undo an import)",
        description="Reads the file (encoding, delimiter and header row detected), maps its "
                    "columns (a saved mapping for the same headers, else by synonyms in several "
                    "languages), validates every row and writes one batch: all rows or none. "
                    "'import undo BATCH' removes the leads a batch created and empties the "
                    "fields it filled.",
        epilog='examples:\n  %(prog)s leads.xlsx --event "Hannover Messe 2026" --dry-run\n'
               "  %(prog)s leads.csv --event \"Hannover Messe 2026\" --on-duplicate fill\n"
               "  %(prog)s crm.csv --map-values rating:A=hot,B=warm,C=cold "
               "--map-values status:Stage 0=inquiry --save-mapping \"Our CRM\"\n"
               "  %(prog)s undo 01a2…",
        handler=run_import)
    parser.add_argument("target", nargs="+", metavar="FILE | undo BATCH",
                        help="the file to import, or 'undo' and a batch id")
    parser.add_argument("--event", metavar="NAME", help="the event (source) of these leads")
    parser.add_argument("--mapping", metavar="NAME", help="a saved column mapping to use")
    parser.add_argument("--on-duplicate", choices=[p.value for p in DuplicatePolicy],
                        default=DuplicatePolicy.SKIP.value,
                        help="what to do with people already stored (default: skip)")
    parser.add_argument("--map-values", action="append", default=[], metavar="FIELD:VALUE=OURS,…",
                        help="translate values of a choice column (rating, status, channel, "
                             "consent) before the default rules; OURS 'keep' keeps the value "
                             "as the original; repeatable")
    parser.add_argument("--save-mapping", metavar="NAME",
                        help="save the column and value mapping used under this name; it is "
                             "offered again for files with the same headers")
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything and print the counts; write nothing")


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.target[0] == "undo":
        if len(args.target) != 2:
            raise ValidationError.single("target", "write: import undo BATCH")
        return _undo(args.target[1], ctx)
    if len(args.target) != 1:
        raise ValidationError.single("target", "give one file to import")
    services = ctx.services
    event_id = services.events.by_name(args.event).id if args.event else None
    try:
        table = services.imports.open(Path(args.target[0]))
    except TableError as error:  # a file that is no table is invalid input: exit 2
        ctx.out.error(str(error))
        return 2
    mapping = (services.imports.mapping_named(args.mapping) if args.mapping
               else services.imports.suggested_mapping(table)[0])
    mapping = _with_value_options(mapping, args.map_values)
    if args.save_mapping:
        services.imports.save_template(args.save_mapping, mapping)
    policy = DuplicatePolicy(args.on_duplicate)
    progress = None if ctx.out.json_mode or not sys.stderr.isatty() else _progress
    if args.dry_run:
        report = services.imports.preview(table, mapping, event_id, policy, sample=0,
                                          progress=progress)
    else:
        report = services.imports.run(table, mapping, event_id, policy, progress=progress)
    _print(ctx, report, args.dry_run, dict(mapping.columns))
    return 0


def _with_value_options(mapping: ColumnMapping, specs: list[str]) -> ColumnMapping:
    values = mapping.values
    for spec in specs:
        try:
            values = parse_value_mapping(spec, values)
        except ValueMappingError as exc:
            raise ValidationError.single("map-values", str(exc)) from None
    return mapping.with_values(values)


def _progress(done: int, total: int) -> None:
    print(f"\r{done:,} / {total:,} rows", end="", file=sys.stderr, flush=True)


def _print(ctx: CliContext, report: ImportReport, dry_run: bool,
           columns: dict[str, str]) -> None:
    counts = report.counts
    result: dict[str, Any] = {
        "dry_run": dry_run, "batch_id": str(report.batch_id) if report.batch_id else None,
        "read": counts.read, "created": counts.created, "updated": counts.updated,
        "duplicates": counts.duplicates, "rejected": counts.rejected,
        "rejected_rows": [{"row": r.number, "reason": r.reason} for r in report.rejected],
        "warned_rows": [{"row": w.number, "warnings": dict(w.warnings),
                         "original_values": dict(w.originals)} for w in report.warned],
        "mapping": columns,
    }
    if ctx.out.json_mode:
        ctx.out.json(result)
        return
    verb = "would create" if dry_run else "created"
    ctx.out.line(f"{counts.read:,} rows read: {verb} {counts.created:,}, updated "
                 f"{counts.updated:,}, {counts.duplicates:,} duplicates, {counts.rejected:,} "
                 "rejected")
    for row in report.rejected[:50]:
        ctx.out.line(f"  row {row.number}: {row.reason}")
    kept = [w for w in report.warned if w.originals]
    if kept:
        ctx.out.line(f"{len(kept):,} rows imported with values kept as the original (shown on "
                     "the lead):")
        for row in kept[:50]:
            ctx.out.line(f"  row {row.number}: " + "; ".join(
                f"{name} '{value}'" for name, value in row.originals.items()))
    if report.batch_id:
        ctx.out.line(f"batch {report.batch_id} (undo with: import undo {report.batch_id})")


def _undo(batch: str, ctx: CliContext) -> int:
    removed, restored = ctx.services.imports.undo(parse_id(batch))
    ctx.out.result(
        {"batch_id": batch, "removed": removed, "restored": restored},
        f"Undone: {removed:,} leads removed, {restored:,} leads restored")
    return 0
