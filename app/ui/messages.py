"""The one place message boxes are shown, so tests can replace it and wording stays consistent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import LeadlineError


def error(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


@dataclass
class Attempt:
    """How the ``with reported(...)`` body went: ``failed`` once its error has been shown."""

    failed: bool = False


@contextmanager
def reported(parent: QWidget | None, title: str) -> Iterator[Attempt]:
    """Show a LeadlineError raised in the ``with`` body as an error box (``title``, the error's
    message as text) and go on after the block, where ``attempt.failed`` says whether to stop.
    Any other exception passes through untouched."""
    attempt = Attempt()
    try:
        yield attempt
    except LeadlineError as problem:
        attempt.failed = True
        error(parent, title, str(problem))


def info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str, action: str = "OK") -> bool:
    """Ask before a destructive step; the safe answer is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    accept = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is accept


def choose(parent: QWidget | None, title: str, text: str, choices: list[str],
           default: int | None = None) -> int | None:
    """One of several answers (its index), or None for Cancel, which is the default unless
    ``default`` names a harmless answer (Enter takes it; Esc still cancels)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    buttons = [box.addButton(choice, QMessageBox.ButtonRole.AcceptRole) for choice in choices]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if default is None else buttons[default])
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, button in enumerate(buttons) if button is clicked), None)
