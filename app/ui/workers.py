"""Run slow work off the GUI thread, with progress and cancel, and deliver results on the GUI thread.

Jobs are plain functions ``job(state: JobState) -> result``; they call ``state.report(done, total)``
and check ``state.cancelled``. A job never touches a Qt object: its worker thread only stores the
outcome and posts the job's number to the GUI thread through one queued signal, connected once
when the runner is made. Every callback, every connection and the last reference to the job
function and its result are handled on the GUI thread, so no Qt object is created, connected,
disconnected or destroyed on a worker thread (that once froze the window: a worker thread
dropping the last reference to a slot ran a Qt disconnect while the GUI thread held a Qt lock).

Jobs run in lanes, each with its own threads: ``READ`` for the short queries that pages show
(counts, lists, My day), ``WORK`` for long jobs (sync, imports, re-scoring, reports). A page's
counts therefore never wait behind a long sync. Writes queue in the database (Database.writing).

Tests swap ``TaskRunner`` for ``SynchronousRunner`` to run a job at once on the calling thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import logging
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception, str], None]
Progressed = Callable[[int, int], None]


class Lane(Enum):
    READ = "read"
    WORK = "work"


# Threads per lane: a few concurrent page queries, and long jobs that mostly wait for the disk
# or for their turn to write.
LANE_THREADS = {Lane.READ: 3, Lane.WORK: 3}


class JobState:
    """Progress and cancellation shared between a job and the GUI (thread-safe)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self.on_progress: Callable[[int, int], None] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total)


@dataclass(eq=False)
class _Job:
    number: int
    work: Callable[[JobState], Any]
    state: JobState
    on_done: Done | None
    on_error: Failed | None
    on_progress: Progressed | None
    owner: QObject | None
    # Written by the worker thread under the runner's lock, read on the GUI thread.
    outcome: tuple[bool, Any, str] | None = None
    progress: tuple[int, int] | None = None
    progress_posted: bool = False
    delivered: bool = field(default=False)


class _Mailbox(QObject):
    """Lives on the GUI thread; worker threads only emit its signals (queued to the GUI)."""

    finished = Signal(int)
    progressed = Signal(int)


class TaskRunner(QObject):
    """Runs jobs on worker threads; callbacks arrive on the GUI thread via queued signals.

    ``owner``: a widget or model whose callbacks these are; when it has been deleted by the time
    the job ends, the result is dropped instead of being delivered into a dead object.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._jobs: dict[int, _Job] = {}
        self._numbers = itertools.count(1)
        self._queues: dict[Lane, queue.SimpleQueue[_Job | None]] = {}
        self._threads: list[threading.Thread] = []
        self._mailbox = _Mailbox(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._mailbox.finished.connect(self._deliver, queued)
        self._mailbox.progressed.connect(self._deliver_progress, queued)
        self._closed = False

    # -- GUI thread ---------------------------------------------------------------------------
    def start(self, work: Callable[[JobState], Any], *,
              on_done: Done | None = None,
              on_error: Failed | None = None,
              on_progress: Progressed | None = None,
              lane: Lane = Lane.WORK,
              owner: QObject | None = None) -> JobState:
        state = JobState()
        if self._closed:  # the window is closing: nothing new starts, nothing is delivered
            state.cancel()
            state._finished.set()
            return state
        job = _Job(next(self._numbers), work, state, on_done, on_error, on_progress,
                   owner if owner is not None else _owner_of(on_done))
        state.on_progress = lambda done, total: self._post_progress(job, done, total)
        with self._lock:
            self._jobs[job.number] = job
        self._lane(lane).put(job)
        return state

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._jobs)

    def cancel_all(self) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.state.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Process results until every job has been delivered (or ``msecs`` passed); for closing
        the window and for tests. Returns whether all jobs are done."""
        if not self.busy:
            return True
        loop = QEventLoop()
        poll = QTimer(interval=10)
        poll.timeout.connect(lambda: None if self.busy else loop.quit())
        deadline = QTimer(singleShot=True, interval=msecs)
        deadline.timeout.connect(loop.quit)
        poll.start()
        deadline.start()
        if self.busy:
            loop.exec()
        poll.stop()
        deadline.stop()
        QCoreApplication.sendPostedEvents(self._mailbox)
        return not self.busy

    def shut_down(self, msecs: int = 5000) -> bool:
        """Cancel everything, deliver what finishes within ``msecs``, stop the threads."""
        self._closed = True
        self.cancel_all()
        finished = self.wait(msecs)
        for lane_queue in self._queues.values():
            for _thread in range(LANE_THREADS[Lane.WORK] + LANE_THREADS[Lane.READ]):
                lane_queue.put(None)
        return finished

    def _lane(self, lane: Lane) -> queue.SimpleQueue[_Job | None]:
        found = self._queues.get(lane)
        if found is None:
            found = self._queues[lane] = queue.SimpleQueue()
            for index in range(LANE_THREADS[lane]):
                # Daemon threads: a job stuck in the disk never keeps the process alive.
                thread = threading.Thread(target=self._serve, args=(found, lane), daemon=True,
                                          name=f"leadline-{lane.value}-{index}")
                thread.start()
                self._threads.append(thread)
        return found

    def _deliver(self, number: int) -> None:
        with self._lock:
            job = self._jobs.pop(number, None)
        if job is None or job.outcome is None:
            return
        job.state._finished.set()
        if job.owner is not None and not shiboken6.isValid(job.owner):
            log.info("result of a background job dropped: its window was closed")
            return
        succeeded, value, details = job.outcome
        if succeeded:
            if job.on_done is not None:
                job.on_done(value)
        elif job.on_error is not None:
            job.on_error(value, details)

    def _deliver_progress(self, number: int) -> None:
        with self._lock:
            job = self._jobs.get(number)
            if job is None or job.progress is None:
                return
            job.progress_posted = False
            done, total = job.progress
        if job.on_progress is None or job.outcome is not None:
            return
        if job.owner is not None and not shiboken6.isValid(job.owner):
            return
        job.on_progress(done, total)

    # -- worker threads -----------------------------------------------------------------------
    def _serve(self, lane_queue: queue.SimpleQueue[_Job | None], lane: Lane) -> None:
        if lane is Lane.WORK:
            _run_in_background()
        while True:
            job = lane_queue.get()
            if job is None:
                return
            number = job.number
            self._run(job)
            # The job (its function, closures, result) stays referenced by self._jobs until
            # the GUI thread delivers it: this thread must not hold the last reference.
            del job
            self._post("finished", number)

    def _run(self, job: _Job) -> None:
        try:
            if job.state.cancelled and self._closed:
                raise JobCancelledError("The window was closed before this job started.")
            result = job.work(job.state)
        except Exception as error:  # delivered to the GUI thread, which decides what to show
            if not isinstance(error, JobCancelledError):
                log.exception("background job failed")
            details = traceback.format_exc()
            # The traceback's frames refer back to this job: without them no reference cycle
            # is left for the garbage collector to free on some other thread later.
            outcome: tuple[bool, Any, str] = (False, error.with_traceback(None), details)
        else:
            outcome = (True, result, "")
        with self._lock:
            job.outcome = outcome

    def _post_progress(self, job: _Job, done: int, total: int) -> None:
        with self._lock:
            job.progress = (done, total)
            if job.progress_posted:
                return  # the GUI has not shown the last one yet: it will read this one instead
            job.progress_posted = True
        self._post("progressed", job.number)

    def _post(self, signal: str, number: int) -> None:
        try:
            getattr(self._mailbox, signal).emit(number)
        except RuntimeError:  # the runner itself was deleted with its window
            log.info("result of a background job dropped: its window was closed")


# Long jobs yield the processor to the GUI and page queries (Linux: per-thread nice value).
WORK_NICENESS = 10


def _run_in_background() -> None:
    """Lower this thread's scheduling priority where the system allows it per thread."""
    # Not Linux, or not allowed: the job simply runs at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORK_NICENESS)


class JobCancelledError(Exception):
    """A job that never ran because the window was closing."""


def _owner_of(callback: Callable[..., Any] | None) -> QObject | None:
    bound_to = getattr(callback, "__self__", None)
    return bound_to if isinstance(bound_to, QObject) else None


# A thread holding the GIL keeps it for this long before another may run. Python's 5 ms
# default lets a CPU-bound job (a first sync) make every short page query wait 5 ms at each of
# its many hand-overs (a query releases the GIL at every SQLite step): a board that counts in
# 50 ms alone took 3.5 s beside a sync. 1 ms keeps the GUI and page queries brisk.
GUI_SWITCH_INTERVAL_S = 0.001


def share_the_gil_briskly() -> None:
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


# glibc gives each thread that allocates its own malloc arena (up to 8 per core), and memory
# freed in one arena is not reused by the others: a window whose page queries, sync and daily
# jobs run on a handful of threads kept ~50 MB more than it used at 1,000,000 leads.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas() -> None:
    """Cap glibc's malloc arenas (elsewhere: nothing to do). MALLOC_ARENA_MAX still wins."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)


class GuiThreadGarbageCollector(QObject):
    """Python's cyclic garbage collector runs on whichever thread happens to allocate: on a worker
    thread it can free a Qt wrapper and run its disconnects there. The app turns the automatic
    collector off and collects on the GUI thread instead, by the same thresholds, twice a second.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self, interval=self.INTERVAL_MS)
        self.timer.timeout.connect(self.collect_if_due)

    def start(self) -> None:
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()

    def collect_if_due(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


class SynchronousRunner(TaskRunner):
    """Runs each job at once on the calling thread: deterministic tests (Picard's FakeThreadPool)."""

    def start(self, work: Callable[[JobState], Any], *,
              on_done: Done | None = None,
              on_error: Failed | None = None,
              on_progress: Progressed | None = None,
              lane: Lane = Lane.WORK,
              owner: QObject | None = None) -> JobState:
        state = JobState()
        state.on_progress = on_progress
        try:
            result = work(state)
        except Exception as error:
            state._finished.set()
            if on_error is None:
                raise
            on_error(error, traceback.format_exc())
        else:
            state._finished.set()
            if on_done:
                on_done(result)
        return state
