"""How a long job reports how far it is, and how it learns it should stop.

Every long service call takes the same two optional callables: ``progress(done, total)`` and
``cancelled() -> bool``. A job that stops because ``cancelled()`` said so raises
CancelledError, whose text says what was kept ("nothing was imported", "what was done is
saved"), so the window and the CLI can show it as is.
"""

from __future__ import annotations

from collections.abc import Callable

from app.domain.errors import LeadlineError

Progress = Callable[[int, int], None]
"""``progress(done, total)``: ``total`` may grow while a job learns how much there is."""

CancelCheck = Callable[[], bool]
"""``cancelled()``: true once the person (or a closing window) asked the job to stop."""


class CancelledError(LeadlineError):
    """A job stopped because it was asked to; the message says what was kept."""


def stop_if_cancelled(cancelled: CancelCheck | None, message: str) -> None:
    """Raise CancelledError(``message``) if the job was asked to stop."""
    if cancelled is not None and cancelled():
        raise CancelledError(message)


def report(progress: Progress | None, done: int, total: int) -> None:
    """Tell ``progress`` (if any) how far the job is."""
    if progress is not None:
        progress(done, total)
