"""Why a lead needs a second look: the one place that reads and writes lead.review_reason.

The column holds the reasons '; '-separated, which is also how every value already stored reads,
so old databases display and clear their reasons without a migration.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "; "
STORED_LIMIT = 500


def split_reasons(stored: str | None) -> list[str]:
    """The reasons kept in the column, in the order they were added."""
    return [reason for reason in (stored or "").split(SEPARATOR) if reason]


def with_reasons(stored: str | None, added: Iterable[object]) -> str:
    """The stored reasons plus new ones, each kept once, cut to what the column holds."""
    reasons = split_reasons(stored)
    for note in added:
        text = str(note)
        if text and text not in reasons:
            reasons.append(text)
    return SEPARATOR.join(reasons)[:STORED_LIMIT]


def without_reason(stored: str | None, reason: str) -> str:
    """The stored reasons minus one."""
    return SEPARATOR.join(r for r in split_reasons(stored) if r != reason)


def reason_lines(stored: str | None) -> str:
    """The reasons one per line, for the screens."""
    return "\n".join(split_reasons(stored))
