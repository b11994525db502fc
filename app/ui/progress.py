"""A progress dialog bound to one background job: the one way long work shows progress.

QProgressDialog emits ``canceled`` from its close event as well as from its button, so a dialog
closed when the job has finished would cancel that finished job (and a result checked against
the cancel flag would be thrown away). Here Cancel reaches the job only while it runs; when it
ends the dialog is hidden without a word to the job, and the result is delivered as it came:
a job stopped early reports that itself (by raising its own "cancelled" error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.ui.workers import Done, Failed, JobState, Lane, TaskRunner

# Short jobs finish before a dialog would only flash.
SHOW_AFTER_MS = 600


class JobProgress:
    """The dialog and the job it follows; ``state`` is the job's (for tests and callers)."""

    def __init__(self, dialog: QProgressDialog, state: JobState) -> None:
        self.dialog, self.state = dialog, state


def run_with_progress(runner: TaskRunner, parent: QWidget | None, label: str,
                      work: Callable[[JobState], Any], *,
                      on_done: Done | None = None,
                      on_error: Failed | None = None,
                      title: str = "",
                      cancel_text: str | None = "Cancel",
                      percent: bool = False,
                      lane: Lane = Lane.WORK) -> JobProgress:
    """Start ``work`` on ``runner`` behind a window-modal progress dialog.

    ``cancel_text`` None: the job cannot be stopped (no button). ``percent``: show done/total
    as a percentage (for totals too large for the dialog's int range), else as counts.
    The dialog shows a busy bar until the job's first report.
    """
    dialog = QProgressDialog(label, cancel_text, 0, 0, parent)
    dialog.setWindowTitle(title or label.rstrip("…."))
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if cancel_text is None:
        dialog.setCancelButton(None)  # type: ignore[arg-type]
    holder: list[JobState] = []

    def cancel() -> None:
        if holder and not holder[0].finished:
            holder[0].cancel()
            dialog.setLabelText("Stopping after the current step…")

    def progressed(done: int, total: int) -> None:
        if percent:
            dialog.setRange(0, 100)
            dialog.setValue(int(100 * done / max(total, 1)))
        else:
            dialog.setRange(0, max(total, done, 1))
            dialog.setValue(done)

    def finish() -> None:
        dialog.canceled.disconnect(cancel)
        dialog.reset()  # stops the timer that would show the dialog after SHOW_AFTER_MS
        dialog.hide()
        dialog.deleteLater()

    def done(result: Any) -> None:
        finish()
        if on_done is not None:
            on_done(result)

    def failed(error: Exception, details: str) -> None:
        finish()
        if on_error is not None:
            on_error(error, details)

    dialog.canceled.connect(cancel)
    state = runner.start(work, on_done=done, on_error=failed, on_progress=progressed, lane=lane,
                         owner=dialog)
    holder.append(state)
    return JobProgress(dialog, state)
