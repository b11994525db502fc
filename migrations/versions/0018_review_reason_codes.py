"""review reasons carry codes: every lead.review_reason stored as "; "-joined prose is rewritten
as one "[code:field] sentence" line per reason, so the repositories filter by code (an invalid
email, a badge waiting for the registration list, a sync conflict) instead of by wording.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Copied from app/domain/review.py as it was at this revision, so this migration keeps working
# whatever later versions make of that module.
_PHRASES = (
    ("sync conflict:", "sync-conflict"),
    ("badge id not in the registration list", "unregistered-badge"),
    ("possible duplicate", "possible-duplicate"),
    ("possibly ", "possible-duplicate"),
    ("role address", "role-address"),
    ("on the suppression list", "suppressed"),
    ("this person asked to be erased", "erased-before"),
    ("no contact person", "no-contact-person"),
)
_WITHOUT_FIELD = {"sync-conflict", "unregistered-badge"}
_FIELD = re.compile(r"([a-z][a-z0-9_]*(?::[^:\s][^:]*)?): (.+)", re.DOTALL)
_LIMIT = 500


def _known_phrase(text: str) -> str | None:
    lowered = text.lower()
    return next((code for phrase, code in _PHRASES if lowered.startswith(phrase)), None)


def _starts_a_reason(piece: str) -> bool:
    return piece[:1].isupper() or bool(_FIELD.fullmatch(piece)) or _known_phrase(piece) is not None


def _coded_line(piece: str) -> str:
    field, message = "", piece
    prefixed = _FIELD.fullmatch(piece)
    if prefixed and _known_phrase(piece) is None:
        field, message = prefixed.group(1), prefixed.group(2)
    code = _known_phrase(message)
    if code is None:
        code = "possible-duplicate" if field == "duplicate" else \
            "doubtful-value" if field else "note"
    if code in _WITHOUT_FIELD:
        field = ""
    tag = f"{code}:{field}" if field else code
    return f"[{tag}] {' '.join(message.split())}"


def coded(stored: str) -> str:
    pieces: list[str] = []
    for piece in stored.split("; "):
        if pieces and not _starts_a_reason(piece):
            pieces[-1] += "; " + piece
        elif piece:
            pieces.append(piece)
    lines: list[str] = []
    for line in (_coded_line(p) for p in pieces):
        room = _LIMIT - sum(len(x) + 1 for x in lines)
        if len(line) > room:
            break
        lines.append(line)
    return "\n".join(lines)


_CODED = re.compile(r"\[([a-z-]+)(?::([^\]]+))?\] ?(.*)", re.DOTALL)


def _prose(line: str) -> str:
    match = _CODED.fullmatch(line)
    if match is None:
        return line
    return f"{match.group(2)}: {match.group(3)}" if match.group(2) else match.group(3)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, review_reason FROM lead WHERE review_reason != '' "
        "AND review_reason NOT LIKE '[%'")).fetchall()
    updates = [{"id": row[0], "reason": coded(row[1])} for row in rows]
    if updates:
        connection.execute(sa.text("UPDATE lead SET review_reason = :reason WHERE id = :id"),
                           updates)


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, review_reason FROM lead WHERE review_reason LIKE '[%'")).fetchall()
    updates = [{"id": row[0], "reason": "; ".join(
        _prose(line) for line in row[1].split("\n"))[:_LIMIT]} for row in rows]
    if updates:
        connection.execute(sa.text("UPDATE lead SET review_reason = :reason WHERE id = :id"),
                           updates)
