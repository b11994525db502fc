"""messages.reported: a LeadlineError becomes an error box in its own words; nothing else is hidden."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFoundError
from app.ui import messages


def test_a_leadline_error_is_shown_and_marks_the_attempt_failed(confirmations: list[str]) -> None:
    with messages.reported(None, "Not merged") as attempt:
        raise NotFoundError("That lead was deleted meanwhile.")
    assert attempt.failed
    assert confirmations == ["error: ('Not merged', 'That lead was deleted meanwhile.')"]


def test_success_shows_nothing(confirmations: list[str]) -> None:
    with messages.reported(None, "Not merged") as attempt:
        stored = True
    assert stored and not attempt.failed
    assert confirmations == []


def test_a_return_inside_the_block_still_returns(confirmations: list[str]) -> None:
    def snooze() -> str | None:
        with messages.reported(None, "Task not snoozed"):
            return "moved"
        return None

    assert snooze() == "moved" and confirmations == []


def test_other_exceptions_pass_through(confirmations: list[str]) -> None:
    with pytest.raises(ZeroDivisionError), messages.reported(None, "Not merged"):
        _ = 1 / 0
    assert confirmations == []
