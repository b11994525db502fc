"""``dedupe``: list likely duplicate leads with a score and the reasons, best first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.domain.dedupe import DEFAULT_MIN_SCORE

if TYPE_CHECKING:
    from app.cli.main import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    parser = tree.add(
        "dedupe", help="list likely duplicate leads with scores and reasons",
        description="Scan all live leads for likely duplicates: the same email, phone or badge "
                    "at an event, or similar names (typos, nicknames, swapped first and last "
                    "name) backed by the same company. Each pair has a score from 0 to 100 and "
                    "the reasons. Nothing is changed.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --min-score 90 --json",
        handler=list_duplicates)
    parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, metavar="S",
                        help=f"lowest score listed, 0-100 (default {DEFAULT_MIN_SCORE:g}; "
                             "lower finds more pairs and more false alarms)")


def list_duplicates(args: argparse.Namespace, ctx: CliContext) -> int:
    if not 0 <= args.min_score <= 100:
        ctx.out.error("--min-score must be between 0 and 100")
        return 2
    services = ctx.services
    pairs = services.dedupe.scan(min_score=args.min_score)
    names = services.dedupe.display_names({i for p in pairs for i in (p.a, p.b)})
    if ctx.out.json_mode:
        ctx.out.json({"pairs": [
            {"a": str(p.a), "b": str(p.b), "a_name": names.get(p.a, ""),
             "b_name": names.get(p.b, ""), "score": p.score, "reasons": list(p.reasons)}
            for p in pairs]})
        return 0
    if pairs:
        ctx.out.table(("score", "lead a", "lead b", "reasons", "id a", "id b"),
                      [[f"{p.score:.1f}", names.get(p.a, ""), names.get(p.b, ""),
                        "; ".join(p.reasons), str(p.a), str(p.b)] for p in pairs])
    ctx.out.line(f"{len(pairs)} likely duplicate pairs (score >= {args.min_score:g})")
    return 0

