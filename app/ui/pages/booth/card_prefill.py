"""A business card's guesses put into the booth form's empty fields, each marked until checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QLineEdit

from app.domain.booth_capture import CardOnForm
from app.domain.card_fields import CardFields, FieldGuess
from app.domain.card_pictures import CardPicture
from app.domain.review import ReviewCode, ReviewReason, store_reasons
from app.ui.pages.booth.capture_fields import CaptureFields
from app.ui.style import is_dark, review_icon

#: Saved with a lead whose card fields were not all checked (the CLI's ``card`` says the same).
CARD_REVIEW = ReviewReason(ReviewCode.NOTE, "read from a business card by OCR: check the fields")
MARK_PROPERTY = "readFromCard"


def card_tip(guess: FieldGuess) -> str:
    return f"Read from the card ({round(guess.confidence * 100)} % sure): check it"


def merge_sides(front: CardFields, back: CardFields | None) -> CardFields:
    """One card from its two sides: per field the surer guess, the lines no field took from both."""
    if back is None:
        return front
    guesses = dict(back.guesses)
    for name, guess in front.guesses.items():
        if name not in guesses or guess.confidence >= guesses[name].confidence:
            guesses[name] = guess
    return CardFields(guesses, front.unused + back.unused)


@dataclass(frozen=True)
class Prefilled:
    """What a card put into the form: fields filled (and marked), fields kept as typed."""

    filled: tuple[str, ...]
    kept: tuple[str, ...]
    extra: tuple[str, ...]  # saved with the lead, no editor in the form (street, city, website…)


class CardMarks:
    """The form's card marks: a tinted field with a review icon and a tooltip saying how sure
    the guess is. Typing in the field, or clicking its icon, confirms it and clears the mark;
    ``confirm_all`` (the page's "Checked" button) confirms every one."""

    def __init__(self, fields: CaptureFields, changed: Callable[[], None] = lambda: None) -> None:
        self.fields, self.changed = fields, changed  # ``changed``: after a mark came or went
        self._marks: dict[str, QAction] = {}
        self._sure: dict[str, float] = {}  # how sure each marked guess was
        self.source = ""  # the card's file name, while its visitor is in the form
        self.pictures: tuple[CardPicture, ...] = ()  # what is kept of the card with the lead
        for name, edit in fields.edits.items():
            edit.textEdited.connect(lambda _text, n=name: self.confirm(n))

    @property
    def marked(self) -> tuple[str, ...]:
        return tuple(self._marks)

    def prefill(self, card: CardFields, source: str = "",
                pictures: tuple[CardPicture, ...] = ()) -> Prefilled:
        """Every guess into its empty field; a field the person already typed in keeps its text."""
        filled: list[str] = []
        kept: list[str] = []
        extra: list[str] = []
        for name, guess in card.guesses.items():
            if not guess.value:
                continue
            edit = self.fields.edits.get(name)
            if edit is None:
                if not self.fields.scanned_extra.get(name):
                    self.fields.scanned_extra[name] = guess.value
                    extra.append(name)
            elif edit.text().strip():
                kept.append(name)
            else:
                edit.setText(guess.value)
                self._mark(name, edit, guess)
                filled.append(name)
        if card.unused and not self.fields.notes.toPlainText().strip():
            self.fields.notes.setPlainText("Also on the card: " + "; ".join(card.unused))
        self.source, self.pictures = source, pictures
        return Prefilled(tuple(filled), tuple(kept), tuple(extra))

    def _mark(self, name: str, edit: QLineEdit, guess: FieldGuess) -> None:
        self.confirm(name)
        tip = card_tip(guess)
        action = edit.addAction(review_icon(), QLineEdit.ActionPosition.TrailingPosition)
        action.setToolTip(f"{tip}. Click when it is right.")
        action.triggered.connect(lambda: self.confirm(name))
        edit.setToolTip(tip)
        edit.setProperty(MARK_PROPERTY, True)
        tinted = QPalette(edit.palette())
        tinted.setColor(QPalette.ColorRole.Base, mark_colour())
        edit.setPalette(tinted)
        self._marks[name] = action
        self._sure[name] = guess.confidence
        self.changed()

    def confirm(self, name: str) -> None:
        action = self._marks.pop(name, None)
        self._sure.pop(name, None)
        if action is None:
            return
        edit = self.fields.edits[name]
        edit.removeAction(action)
        action.deleteLater()
        edit.setToolTip("")
        edit.setProperty(MARK_PROPERTY, False)
        edit.setPalette(QPalette())  # nothing of its own again: the page's palette shows through
        self.changed()

    def confirm_all(self) -> None:
        for name in list(self._marks):
            self.confirm(name)

    def clear(self) -> None:
        """The form moved on to another visitor: no marks, no card."""
        self.confirm_all()
        self.source, self.pictures = "", ()

    def on_form(self) -> CardOnForm | None:
        """The card as the form holds it, for a draft or an undone clear; None without one."""
        if not (self.source or self.pictures):
            return None
        return CardOnForm(self.source, dict(self._sure), self.pictures)

    def restore(self, card: CardOnForm | None) -> None:
        """A draft's card back in the form: its unchecked guesses marked again, its pictures."""
        self.clear()
        if card is None:
            return
        for name, sure in card.unchecked.items():
            edit = self.fields.edits.get(name)
            if edit is not None and edit.text().strip():
                self._mark(name, edit, FieldGuess(edit.text(), sure))
        self.source, self.pictures = card.source, card.pictures
        self.changed()

    def review_values(self) -> dict[str, Any]:
        """Added to the values saved: a lead with card fields nobody checked waits for review."""
        if not self._marks:
            return {}
        return {"needs_review": True, "review_reason": store_reasons([CARD_REVIEW])}


def mark_colour() -> QColor:
    """A pale amber behind a guessed field (a dark amber on the dark theme): text stays readable."""
    return QColor("#4a3a10" if is_dark() else "#fff3cd")
