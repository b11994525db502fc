"""One way to run a service call off the GUI thread: progress, cancel, clear errors, what changed.

An operation declares which kinds of data its call may change (``Changes``); on success the
caller receives that record and hands it to the pages, each of which re-reads only what it
shows. A call stopped through Cancel raises CancelledError: that is not a failure, so no
message box appears, but the record is still delivered (what was done before the stop is
saved). Any other LeadlineError is shown in its own words; anything else as ``failure_text``
with the technical details behind "Show Details".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtWidgets import QStatusBar, QWidget

from app.domain.errors import LeadlineError
from app.domain.progress import CancelledError
from app.ui import messages
from app.ui.progress import JobProgress, run_with_progress
from app.ui.workers import JobState, Lane, TaskRunner


@dataclass(frozen=True)
class Changes:
    """Which kinds of stored data an operation may have changed."""

    leads: bool = False
    tasks: bool = False
    people: bool = False
    rules: bool = False
    sync: bool = False
    events: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{item.name: getattr(self, item.name) or getattr(other, item.name)
                          for item in fields(self)})


NOTHING = Changes()
EVERYTHING = Changes(leads=True, tasks=True, people=True, rules=True, sync=True, events=True)

Succeeded = Callable[[Any, Changes], None]
ChangesHandler = Callable[[Changes], None]
Failed = Callable[[Exception], bool]


@dataclass(frozen=True)
class Operation:
    """A service call and how the window presents it."""

    title: str
    label: str
    call: Callable[[JobState], Any]
    changes: Changes
    failure_text: str = ""
    can_cancel: bool = True
    percent: bool = False
    failure_title: str = ""  # the error box's title when it should differ from the progress's


def run_operation(runner: TaskRunner, parent: QWidget | None, operation: Operation, *,
                  on_success: Succeeded | None = None,
                  on_changes: ChangesHandler | None = None,
                  on_failure: Failed | None = None,
                  done_message: str = "",
                  status_bar: QStatusBar | None = None,
                  lane: Lane = Lane.WORK) -> JobProgress:
    """Run ``operation.call(state)`` behind a delayed progress dialog.

    ``on_success(result, changes)`` runs after a finished call; ``on_changes(changes)`` after a
    finished or cancelled one (the window broadcasts it to its pages) and after a failure too,
    since a call may have saved part of its work before it failed. ``on_failure(error)`` runs
    after a failed or cancelled call (to re-enable a button, say) and returns True when it has
    told the person itself, so no message box follows.
    """

    def announce() -> None:
        if on_changes is not None and operation.changes:
            on_changes(operation.changes)

    def done(result: Any) -> None:
        announce()
        if done_message and status_bar is not None:
            status_bar.showMessage(done_message, 5000)
        if on_success is not None:
            on_success(result, operation.changes)

    def failed(error: Exception, details: str) -> None:
        announce()
        if on_failure is not None and on_failure(error):
            return
        if isinstance(error, CancelledError):
            if status_bar is not None:
                status_bar.showMessage(str(error), 5000)
            return
        title = operation.failure_title or operation.title
        if isinstance(error, LeadlineError):
            messages.error(parent, title, str(error))
        else:
            text = operation.failure_text or f"{operation.title} failed."
            messages.error(parent, title, text, details)

    return run_with_progress(runner, parent, operation.label, operation.call, on_done=done,
                             on_error=failed, title=operation.title,
                             cancel_text="Cancel" if operation.can_cancel else None,
                             percent=operation.percent, lane=lane)
