"""run_operation: progress, quiet cancel, clear errors, and the declared Changes delivered."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow

from app.domain.errors import LeadlineError
from app.domain.progress import CancelledError
from app.ui import messages
from app.ui.operations import EVERYTHING, NOTHING, Changes, Operation, run_operation
from app.ui.workers import JobState, SynchronousRunner


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    shown: list[tuple[str, str, str]] = []

    def error(_parent: Any, title: str, text: str, details: str = "") -> None:
        shown.append((title, text, details))

    monkeypatch.setattr(messages, "error", error)
    return shown


def test_changes_combine_and_say_whether_anything_changed() -> None:
    assert not NOTHING
    assert EVERYTHING
    assert Changes(leads=True) | Changes(tasks=True) == Changes(leads=True, tasks=True)
    assert not (NOTHING | NOTHING)


def test_success_delivers_result_and_declared_changes(qtbot: Any,
                                                      errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    reported: list[tuple[int, int]] = []
    results: list[tuple[Any, Changes]] = []
    broadcast: list[Changes] = []

    def call(state: JobState) -> int:
        state.report(1, 2)
        reported.append((1, 2))
        return 42

    operation = Operation("Re-score", "Re-scoring leads…", call, Changes(leads=True))
    run_operation(SynchronousRunner(), window, operation,
                  on_success=lambda result, changes: results.append((result, changes)),
                  on_changes=broadcast.append, done_message="Leads re-scored",
                  status_bar=window.statusBar())
    assert results == [(42, Changes(leads=True))]
    assert broadcast == [Changes(leads=True)]
    assert window.statusBar().currentMessage() == "Leads re-scored"
    assert errors == []


def test_cancel_is_quiet_but_still_announces_changes(qtbot: Any,
                                                     errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    broadcast: list[Changes] = []
    succeeded: list[Any] = []

    def call(_state: JobState) -> None:
        raise CancelledError("Stopped: what was done is saved.")

    operation = Operation("Import", "Importing…", call, Changes(leads=True, events=True))
    run_operation(SynchronousRunner(), window, operation,
                  on_success=lambda result, _changes: succeeded.append(result),
                  on_changes=broadcast.append, status_bar=window.statusBar())
    assert errors == []
    assert succeeded == []
    assert broadcast == [Changes(leads=True, events=True)]
    assert window.statusBar().currentMessage() == "Stopped: what was done is saved."


def test_leadline_error_is_shown_in_its_own_words(qtbot: Any,
                                                  errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)

    def call(_state: JobState) -> None:
        raise LeadlineError("Lead 12 has no e-mail address.")

    run_operation(SynchronousRunner(), window, Operation("Export", "Exporting…", call, NOTHING))
    assert errors == [("Export", "Lead 12 has no e-mail address.", "")]


def test_unexpected_error_shows_failure_text_with_details(qtbot: Any,
                                                          errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)

    def call(_state: JobState) -> None:
        raise ValueError("boom")

    operation = Operation("Demo data", "Creating demo leads…", call, EVERYTHING,
                          failure_text="Demo data failed.")
    broadcast: list[Changes] = []
    run_operation(SynchronousRunner(), window, operation, on_changes=broadcast.append)
    [(title, text, details)] = errors
    assert (title, text) == ("Demo data", "Demo data failed.")
    assert "ValueError: boom" in details
    assert broadcast == [EVERYTHING]


def test_failure_title_names_the_error_box(qtbot: Any, errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)

    def call(_state: JobState) -> None:
        raise LeadlineError("The file is open in another program.")

    operation = Operation("Export leads", "Exporting…", call, NOTHING, failure_title="Export stopped")
    run_operation(SynchronousRunner(), window, operation)
    assert errors == [("Export stopped", "The file is open in another program.", "")]


def test_on_failure_runs_first_and_can_take_over_the_message(
        qtbot: Any, errors: list[tuple[str, str, str]]) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    seen: list[str] = []

    def call(_state: JobState) -> None:
        raise LeadlineError("Rules changed.")

    def handled(error: Exception) -> bool:
        seen.append(str(error))
        return True

    run_operation(SynchronousRunner(), window, Operation("Apply", "Applying…", call, NOTHING),
                  on_failure=handled)
    assert seen == ["Rules changed."] and errors == []
    run_operation(SynchronousRunner(), window, Operation("Apply", "Applying…", call, NOTHING),
                  on_failure=lambda error: seen.append("again") is not None)
    assert seen[-1] == "again" and errors == [("Apply", "Rules changed.", "")]
