"""Why a lead needs a second look: the one place that reads and writes lead.review_reason.

Each reason is a code (what kind of problem, which field) and the sentence a person reads. The
column keeps one reason a line as ``[code:field] sentence``, so code can find, filter and clear
reasons by code and never by wording, and a sentence may hold any punctuation. Values stored
before codes existed ("; "-joined prose) still read: each piece is given the code its wording
had, and the next write stores it coded (migration 0018 codes every stored value at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

STORED_LIMIT = 500
LINE_BREAK = "\n"
LEGACY_SEPARATOR = "; "


class ReviewCode(StrEnum):
    DOUBTFUL_VALUE = "doubtful-value"  # a lenient capture or import kept out a value it could not read
    ROLE_ADDRESS = "role-address"
    SUPPRESSED = "suppressed"
    ERASED_BEFORE = "erased-before"
    NO_CONTACT_PERSON = "no-contact-person"
    UNREGISTERED_BADGE = "unregistered-badge"
    POSSIBLE_DUPLICATE = "possible-duplicate"
    SYNC_CONFLICT = "sync-conflict"
    NOTE = "note"  # free text: older values no rule recognises, demo data


@dataclass(frozen=True)
class ReviewReason:
    """One reason; ``field`` and ``message`` read like a FieldError's, so both print alike."""

    code: ReviewCode
    message: str
    field: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def stored(self) -> str:
        tag = f"{self.code}:{self.field}" if self.field else str(self.code)
        return f"[{tag}] {' '.join(self.message.split())}"


UNREGISTERED_BADGE = ReviewReason(
    ReviewCode.UNREGISTERED_BADGE,
    "badge id not in the registration list yet: reconcile after the show")


def sync_conflict(what: str) -> ReviewReason:
    """A conflict two laptops' edits left for a person to decide (``what``: the field)."""
    return ReviewReason(ReviewCode.SYNC_CONFLICT, f"sync conflict: {what}")


def code_tag(code: ReviewCode, field: str | None = None) -> str:
    """The text that marks a reason of ``code`` (about ``field``; None: any field or none) in
    the stored column, for the repositories' filters."""
    if field is None:
        return f"[{code}"
    return f"[{code}:{field}]" if field else f"[{code}]"


_CODED = re.compile(r"\[([a-z-]+)(?::([^\]]+))?\] ?(.*)", re.DOTALL)
# How reasons were worded before codes: the phrase (after an optional "field: ") → its code.
_LEGACY_PHRASES = (
    ("sync conflict:", ReviewCode.SYNC_CONFLICT),
    ("badge id not in the registration list", ReviewCode.UNREGISTERED_BADGE),
    ("possible duplicate", ReviewCode.POSSIBLE_DUPLICATE),
    ("possibly ", ReviewCode.POSSIBLE_DUPLICATE),
    ("role address", ReviewCode.ROLE_ADDRESS),
    ("on the suppression list", ReviewCode.SUPPRESSED),
    ("this person asked to be erased", ReviewCode.ERASED_BEFORE),
    ("no contact person", ReviewCode.NO_CONTACT_PERSON),
)
_LEGACY_FIELD = re.compile(r"([a-z][a-z0-9_]*(?::[^:\s][^:]*)?): (.+)", re.DOTALL)


def _legacy_reason(piece: str) -> ReviewReason:
    field, message = "", piece
    prefixed = _LEGACY_FIELD.fullmatch(piece)
    if prefixed and not any(piece.lower().startswith(p) for p, _ in _LEGACY_PHRASES):
        field, message = prefixed.group(1), prefixed.group(2)
    lowered = message.lower()
    for phrase, code in _LEGACY_PHRASES:
        if lowered.startswith(phrase):
            if code is ReviewCode.SYNC_CONFLICT or code is ReviewCode.UNREGISTERED_BADGE:
                return ReviewReason(code, message)
            return ReviewReason(code, message, field)
    if field == "duplicate":  # the import's own key for a likely duplicate
        return ReviewReason(ReviewCode.POSSIBLE_DUPLICATE, message, field)
    return ReviewReason(ReviewCode.DOUBTFUL_VALUE if field else ReviewCode.NOTE, message, field)


def _starts_a_reason(piece: str) -> bool:
    lowered = piece.lower()
    return (piece[:1].isupper() or bool(_LEGACY_FIELD.fullmatch(piece))
            or any(lowered.startswith(p) for p, _ in _LEGACY_PHRASES))


def _legacy_reasons(stored: str) -> list[ReviewReason]:
    # "; " also occurs inside old sentences ("role address: …; ask for a name"): a piece that
    # does not begin like a reason continues the one before it.
    pieces: list[str] = []
    for piece in stored.split(LEGACY_SEPARATOR):
        if pieces and not _starts_a_reason(piece):
            pieces[-1] += LEGACY_SEPARATOR + piece
        elif piece:
            pieces.append(piece)
    return [_legacy_reason(piece) for piece in pieces]


def parse_reasons(stored: str | None) -> list[ReviewReason]:
    """The reasons kept in the column, in the order they were added."""
    text = (stored or "").strip()
    if not text:
        return []
    if not _CODED.match(text):
        return _legacy_reasons(text)
    reasons = []
    for line in text.split(LINE_BREAK):
        coded = _CODED.fullmatch(line.strip())
        if coded is None:
            if line.strip():
                reasons.append(ReviewReason(ReviewCode.NOTE, line.strip()))
            continue
        try:
            code = ReviewCode(coded.group(1))
        except ValueError:
            code = ReviewCode.NOTE  # written by a newer version: still shown
        reasons.append(ReviewReason(code, coded.group(3), coded.group(2) or ""))
    return reasons


def as_reason(note: object) -> ReviewReason:
    """A ReviewReason for whatever a caller flags with: a reason, a lenient FieldError, or
    plain text (typed by a person, or from a file)."""
    if isinstance(note, ReviewReason):
        return note
    field, message = getattr(note, "field", None), getattr(note, "message", None)
    if isinstance(field, str) and isinstance(message, str):
        return ReviewReason(ReviewCode.DOUBTFUL_VALUE, message, field)  # a lenient FieldError
    return _legacy_reason(" ".join(str(note).split()))  # plain text: coded as its wording reads


def store_reasons(reasons: Iterable[ReviewReason]) -> str:
    """The column value for ``reasons``, cut to what the column holds."""
    lines: list[str] = []
    used = 0
    for reason in reasons:
        line = reason.stored()
        room = STORED_LIMIT - used - (len(LINE_BREAK) if lines else 0)
        if len(line) > room:
            if room > len(code_tag(reason.code, reason.field)) + 1:
                lines.append(line[:room])
            break
        used += len(line) + (len(LINE_BREAK) if lines else 0)
        lines.append(line)
    return LINE_BREAK.join(lines)


def with_reasons(stored: str | None, added: Iterable[object]) -> str:
    """The stored reasons plus new ones, each kept once."""
    reasons = parse_reasons(stored)
    for note in added:
        reason = as_reason(note)
        if reason.message and reason not in reasons:
            reasons.append(reason)
    return store_reasons(reasons)


def without_code(stored: str | None, code: ReviewCode, *, keep: Iterable[ReviewReason] = ()
                 ) -> str:
    """The stored reasons minus those of ``code``, except the ones in ``keep``."""
    kept = set(keep)
    return store_reasons(r for r in parse_reasons(stored) if r.code is not code or r in kept)


def has_code(stored: str | None, code: ReviewCode) -> bool:
    return any(reason.code is code for reason in parse_reasons(stored))


def reason_text(stored: str | None) -> str:
    """The reasons on one line, for a table cell, a tooltip or the command line."""
    return LEGACY_SEPARATOR.join(str(reason) for reason in parse_reasons(stored))


def reason_lines(stored: str | None) -> str:
    """The reasons one per line, for the detail pane."""
    return LINE_BREAK.join(str(reason) for reason in parse_reasons(stored))

