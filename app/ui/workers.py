"""Run slow work off the GUI thread, with progress and cancel, and deliver results on the GUI thread.

Jobs are plain functions ``job(state: JobState) -> result``; they call ``state.report(done, total)``
and check ``state.cancelled``. Tests swap ``TaskRunner`` for ``SynchronousRunner``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class JobState:
    """Progress and cancellation shared between a job and the GUI (thread-safe)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self.on_progress: Callable[[int, int], None] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, work: Callable[[JobState], Any], state: JobState,
                 signals: _Signals) -> None:
        super().__init__()
        self.work, self.state, self.signals = work, state, signals

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self.state)
        except Exception as error:  # delivered to the GUI thread, which decides what to show
            log.exception("background job failed")
            self._deliver(self.signals.failed, error, traceback.format_exc())
        else:
            self._deliver(self.signals.finished, result)

    @staticmethod
    def _deliver(signal: Any, *values: Any) -> None:
        try:
            signal.emit(*values)
        except RuntimeError:
            log.info("result of a background job dropped: its window was closed")


class TaskRunner(QObject):
    """Runs jobs on a thread pool; callbacks arrive on the GUI thread via queued signals."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self._live: set[_Signals] = set()

    def start(self, work: Callable[[JobState], Any], *,
              on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[Exception, str], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> JobState:
        state = JobState()
        signals = _Signals()
        self._live.add(signals)
        state.on_progress = signals.progress.emit
        if on_progress:
            signals.progress.connect(on_progress)

        def finish(result: Any) -> None:
            self._live.discard(signals)
            if on_done:
                on_done(result)

        def fail(error: Exception, details: str) -> None:
            self._live.discard(signals)
            if on_error:
                on_error(error, details)

        signals.finished.connect(finish)
        signals.failed.connect(fail)
        self.pool.start(_Job(work, state, signals))
        return state

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


class SynchronousRunner(TaskRunner):
    """Runs each job at once on the calling thread: deterministic tests (Picard's FakeThreadPool)."""

    def start(self, work: Callable[[JobState], Any], *,
              on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[Exception, str], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> JobState:
        state = JobState()
        state.on_progress = on_progress
        try:
            result = work(state)
        except Exception as error:
            if on_error is None:
                raise
            on_error(error, traceback.format_exc())
        else:
            if on_done:
                on_done(result)
        return state
