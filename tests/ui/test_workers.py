"""The real runner: worker threads never touch Qt, results and progress arrive on the GUI thread,
page queries never wait behind long jobs, and a finished job's dialog never cancels it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton, QWidget

from app.ui.progress import run_with_progress
from app.ui.workers import LANE_THREADS, JobState, Lane, TaskRunner


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    made = TaskRunner()
    yield made
    made.shut_down(5000)
    shiboken6.delete(made)


def test_results_and_progress_arrive_on_the_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    seen: list[tuple[str, Any, bool]] = []
    gui = threading.current_thread()
    shown = threading.Event()

    def work(state: JobState) -> str:
        for step in range(1, 201):
            state.report(step, 200)
        shown.wait(5)  # the GUI showed progress while the job still ran
        return "answer" if threading.current_thread() is not gui else "wrong thread"

    def progressed(done: int, _total: int) -> None:
        seen.append(("progress", done, _on(gui)))
        if done == 200:
            shown.set()

    state = runner.start(work, on_done=lambda r: seen.append(("done", r, _on(gui))),
                         on_progress=progressed)
    qtbot.waitUntil(lambda: state.finished, timeout=5000)
    assert seen[-1] == ("done", "answer", True)
    progress = [s for s in seen if s[0] == "progress"]
    assert progress and all(on_gui for _kind, _value, on_gui in progress)
    assert len(progress) <= 200, "reports the GUI had no time to show are merged"
    assert not runner.busy


def test_errors_arrive_with_their_details(qtbot: Any, runner: TaskRunner) -> None:
    failures: list[tuple[Exception, str]] = []

    def work(_state: JobState) -> None:
        raise ValueError("row 7: not a date")

    state = runner.start(work, on_error=lambda e, d: failures.append((e, d)))
    qtbot.waitUntil(lambda: state.finished, timeout=5000)
    (error, details), = failures
    assert str(error) == "row 7: not a date" and "ValueError" in details
    assert error.__traceback__ is None, "no frames kept alive to be collected on another thread"


def test_a_result_for_a_deleted_owner_is_dropped(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    owner = QObject()
    delivered: list[object] = []
    state = runner.start(lambda _s: release.wait(5), on_done=delivered.append, owner=owner)
    shiboken6.delete(owner)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert delivered == [] and state.finished


def test_page_queries_never_wait_behind_long_jobs(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    long_jobs = [runner.start(lambda _s: release.wait(10)) for _ in range(LANE_THREADS[Lane.WORK] + 2)]
    counted: list[int] = []
    runner.start(lambda _s: 42, on_done=counted.append, lane=Lane.READ)
    try:
        qtbot.waitUntil(lambda: counted == [42], timeout=5000)
        assert not any(job.finished for job in long_jobs)
    finally:
        release.set()
    qtbot.waitUntil(lambda: all(job.finished for job in long_jobs), timeout=5000)


def test_a_finished_jobs_dialog_never_cancels_it(qtbot: Any, runner: TaskRunner) -> None:
    """Closing a QProgressDialog emits canceled: the result of the job must survive it."""
    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[str] = []

    def work(state: JobState) -> str:
        state.report(1, 2)
        state.report(2, 2)
        return "288 moves"

    shown = run_with_progress(runner, parent, "Planning moves…", work, on_done=results.append)
    qtbot.waitUntil(lambda: results == ["288 moves"], timeout=5000)
    assert not shown.state.cancelled
    qtbot.waitUntil(lambda: not shiboken6.isValid(shown.dialog), timeout=5000)


def test_cancel_reaches_a_running_job(qtbot: Any, runner: TaskRunner) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    started = threading.Event()
    failures: list[str] = []

    def work(state: JobState) -> str:
        started.set()
        while not state.cancelled:
            state.report(1, 10)
            threading.Event().wait(0.01)
        raise RuntimeError("stopped after 1 of 10")

    shown = run_with_progress(runner, parent, "Working…", work,
                              on_error=lambda e, _d: failures.append(str(e)))
    assert started.wait(5)
    shown.dialog.findChild(QPushButton).click()
    qtbot.waitUntil(lambda: failures == ["stopped after 1 of 10"], timeout=5000)


def _on(thread: threading.Thread) -> bool:
    return threading.current_thread() is thread
