"""The lead filter, sort and paging options of every command that lists or exports leads."""

from __future__ import annotations

import argparse
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from app.cli.args import non_negative_int, positive_int
from app.cli.context import prog_name
from app.domain.access import AccessDeniedError, own_leads_only
from app.domain.errors import NotFoundError, ValidationError
from app.domain.leads import LeadQuery, LeadStatus, Rating, SortKey

if TYPE_CHECKING:
    from app.cli.context import CliContext

E = TypeVar("E", bound=StrEnum)

DEFAULT_LIMIT = 50
# Sorts that read best newest/highest first when no --asc/--desc is given.
DESCENDING_BY_DEFAULT = frozenset({SortKey.CREATED, SortKey.UPDATED, SortKey.SCORE,
                                   SortKey.LAST_TOUCH})


def choice_list(enum_cls: type[StrEnum]) -> str:
    return ", ".join(m.value for m in enum_cls)


def add_filter_options(parser: argparse.ArgumentParser, *, paging: bool = True) -> None:
    filters = parser.add_argument_group("filters")
    filters.add_argument("--status", action="append", metavar="STATUS",
                         help=f"repeatable or comma list: {choice_list(LeadStatus)}")
    filters.add_argument("--owner", metavar="EMAIL",
                         help="leads of this user; 'none' for unassigned leads (orphans)")
    filters.add_argument("--event", metavar="NAME", help="leads from this event")
    filters.add_argument("--rating", action="append", metavar="RATING",
                         help=f"repeatable or comma list: {choice_list(Rating)}")
    filters.add_argument("--overdue", action="store_true",
                         help="leads whose next follow-up is past due")
    filters.add_argument("--needs-review", action="store_true",
                         help="leads flagged for review (doubtful contact data)")
    filters.add_argument("--open", action="store_true",
                         help="only open leads (not won, lost or disqualified)")
    filters.add_argument("--unresolved", action="store_true",
                         help="badge-only leads waiting for their event's registration list "
                              "(filled in when it is imported: registrations import)")
    filters.add_argument("--search", metavar="TEXT", help="full-text search, as 'leads search'")
    order = parser.add_argument_group("order and paging")
    order.add_argument("--sort", choices=[k.value for k in SortKey], metavar="KEY",
                       help=f"order by one of: {choice_list(SortKey)} (default: created)")
    direction = order.add_mutually_exclusive_group()
    direction.add_argument("--asc", dest="descending", action="store_false", default=None,
                           help="ascending order")
    direction.add_argument("--desc", dest="descending", action="store_true",
                           help="descending order (default for created, updated, score, "
                                "last_touch)")
    if not paging:
        return
    order.add_argument("--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
                       help=f"show at most N leads (default {DEFAULT_LIMIT})")
    order.add_argument("--offset", type=non_negative_int, default=0, metavar="N",
                       help="skip the first N leads (for paging)")


def build_query(args: argparse.Namespace, ctx: CliContext) -> LeadQuery:
    owner_id = event_id = None
    unassigned = False
    owner = (args.owner or "").strip()
    if owner.lower() in ("none", "unassigned"):
        unassigned = True
    elif owner:
        try:
            owner_id = ctx.services.people.user_by_email(owner).id
        except NotFoundError:
            raise ValidationError.single(
                "owner", f"no user with email '{owner}' (see: users list; 'none' for orphans)"
            ) from None
    own = own_leads_only(ctx.services.people.current_user())
    if own is not None:  # a rep's lists hold their own leads, as in the window
        if unassigned or owner_id not in (None, own):
            raise AccessDeniedError(
                f"A rep's lead lists hold their own leads only: leave out --owner, or sign in "
                f"as a manager (`{prog_name()} users sign-in EMAIL`).")
        owner_id = own
    event = (args.event or "").strip()
    if event:
        try:
            event_id = ctx.services.events.by_name(event).id
        except NotFoundError:
            raise ValidationError.single(
                "event", f"no event named '{event}' (see: events list)") from None
    sort = SortKey(args.sort) if args.sort else SortKey.CREATED
    descending = args.descending if args.descending is not None else (
        sort in DESCENDING_BY_DEFAULT)
    return LeadQuery(
        search=args.search or "",
        statuses=parse_choices(args.status, LeadStatus, "status"),
        ratings=parse_choices(args.rating, Rating, "rating"),
        owner_id=owner_id, unassigned=unassigned, event_id=event_id,
        overdue=args.overdue, needs_review=args.needs_review, open_only=args.open,
        awaiting_registration=args.unresolved,
        sort=sort, descending=descending,
    )


def parse_choices(given: list[str] | None, enum_cls: type[E], field: str) -> tuple[E, ...]:
    """Repeatable or comma-separated values, by value or label, in any case."""
    chosen: list[E] = []
    for part in (p for item in given or () for p in item.split(",")):
        text = part.strip().lower().replace(" ", "_").replace("-", "_")
        if not text:
            continue
        match = next((m for m in enum_cls
                      if text in (m.value, str(getattr(m, "label", m.value)).lower())), None)
        if match is None:
            raise ValidationError.single(
                field, f"'{part.strip()}' is not one of: {choice_list(enum_cls)}")
        if match not in chosen:
            chosen.append(match)
    return tuple(chosen)
