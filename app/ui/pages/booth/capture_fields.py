"""The booth form's inputs: fields, rating, BANT, notes, qualifiers, consent and their hints."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth import CONSENT_WORDING
from app.domain.booth_capture import CaptureForm
from app.domain.contact_data import format_phone_for_display, normalise_email, normalise_phone
from app.domain.errors import ValidationError
from app.domain.leads import LeadRecord, Rating
from app.ui.form_rows import add_field_row
from app.ui.pages.booth.qualifier_panel import QualifierPanel
from app.ui.style import ALARM, SECONDARY, WARNING, set_tone

TEXT_FIELDS = (("first_name", "Fi&rst name"), ("last_name", "L&ast name"),
               ("company", "&Company"), ("title", "&Job title"), ("email", "E&mail"),
               ("phone", "&Phone"), ("mobile", "M&obile"), ("badge_id", "Bad&ge id"),
               ("country", "Countr&y"), ("product_interest", "Product &interest"))
BANT_FIELDS = (("budget", "Budget"), ("authority", "Authority"), ("need", "Need"),
               ("timeline", "Timeline"))
_CHECKED_AS_TYPED = ("email", "phone", "mobile")


class CaptureFields(QWidget):
    """Everything staff type or tick about one visitor, read back as values to save or as a
    ``CaptureForm`` to keep. Enter in a field emits ``submitted``; email and phone problems are
    hinted as you type and never block saving (the service flags them for review). Mnemonics
    stay off the menu bar's letters (capture_page.MENU_MNEMONICS)."""

    submitted = Signal()

    def __init__(self, default_country: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.default_country = default_country  # completes phone numbers typed without +49
        self.edits: dict[str, QLineEdit] = {}
        self.hints: dict[str, QLabel] = {}
        self.scanned_extra: dict[str, str] = {}  # badge fields without an editor (city, web…)
        form = QFormLayout(self)
        for name, label in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"booth_{name}")
            edit.setAccessibleName(label.replace("&", ""))
            edit.returnPressed.connect(self.submitted)
            edit.textChanged.connect(lambda _t, n=name: self._check(n))
            self.edits[name] = edit
            self.hints[name] = add_field_row(form, f"{label}:", edit)
        self.edits["country"].setPlaceholderText("ISO code, e.g. DE (defaults to the event's)")
        self.edits["badge_id"].setPlaceholderText("printed on the badge, if the scan fails")
        form.addRow("Rating:", self._build_rating())
        bant = QGridLayout()
        for i, (name, label) in enumerate(BANT_FIELDS):
            edit = QLineEdit()
            edit.setPlaceholderText(label)
            edit.setAccessibleName(label)
            edit.returnPressed.connect(self.submitted)
            self.edits[name] = edit
            bant.addWidget(edit, i // 2, i % 2)
        form.addRow("BANT:", bant)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.notes.setPlaceholderText("What they asked about (Ctrl+Enter saves)")
        notes_label = QLabel("&Notes:")
        notes_label.setBuddy(self.notes)
        form.addRow(notes_label, self.notes)
        self.qualifiers = QualifierPanel([])
        form.addRow(self.qualifiers)
        self.consent = QCheckBox("Agrees to be contacted")
        self.consent.setObjectName("consent")
        wording = QLabel(f"“{CONSENT_WORDING}”")
        wording.setWordWrap(True)
        wording.setMinimumWidth(10)
        set_tone(wording, SECONDARY)
        consent_box = QVBoxLayout()
        consent_box.addWidget(self.consent)
        consent_box.addWidget(wording)
        form.addRow("Consent:", consent_box)

    def _build_rating(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.rating_group = QButtonGroup(self)
        self.rating_group.setExclusive(False)  # exclusive groups cannot be unticked again
        for rating in Rating:
            button = QPushButton(rating.label)
            button.setCheckable(True)
            button.setProperty("rating", rating.value)
            button.toggled.connect(lambda on, b=button: self._exclusive_rating(b, on))
            self.rating_group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _exclusive_rating(self, button: QPushButton, on: bool) -> None:
        if on:
            for other in self.rating_group.buttons():
                if other is not button:
                    other.setChecked(False)

    # -- reading ------------------------------------------------------------------------------
    def form(self, event_id: uuid.UUID | None, lead_id: uuid.UUID | None) -> CaptureForm:
        """Everything the fields hold now, exactly as typed (for drafts and undo)."""
        values = {k: v for k, v in self.scanned_extra.items() if v}
        values.update({name: edit.text() for name, edit in self.edits.items()
                       if edit.text().strip()})
        if self.notes.toPlainText().strip():
            values["notes"] = self.notes.toPlainText()
        checked = self.rating_group.checkedButton()
        if checked is not None:
            values["rating"] = str(checked.property("rating"))
        answers = {qid: value for qid, value in self.qualifiers.all_answers().items() if value}
        return CaptureForm(event_id, values, answers, self.consent.isChecked(), lead_id)

    def values(self) -> dict[str, Any]:
        """The lead's values to save: trimmed, empty ones left out."""
        values: dict[str, Any] = dict(self.scanned_extra)
        values.update({name: edit.text().strip() for name, edit in self.edits.items()})
        values["notes"] = self.notes.toPlainText().strip()
        checked = self.rating_group.checkedButton()
        values["rating"] = checked.property("rating") if checked else ""
        return {k: v for k, v in values.items() if v}

    # -- filling ------------------------------------------------------------------------------
    def reset(self) -> None:
        for edit in self.edits.values():
            edit.setText("")  # unlike clear(), leaves no per-field undo to mix with Undo clear
        self.notes.clear()
        for button in self.rating_group.buttons():
            button.setChecked(False)
        self.qualifiers.clear()
        self.consent.setChecked(False)
        self.scanned_extra = {}
        self.hide_hints()

    def fill(self, values: Mapping[str, str]) -> None:
        """Lead values from a scan or a draft; those without an editor are kept for saving."""
        for name, value in values.items():
            if name in self.edits:
                self.edits[name].setText(value)
            elif name == "notes":
                self.notes.setPlainText(value)
            elif name == "rating":
                for button in self.rating_group.buttons():
                    button.setChecked(button.property("rating") == value)
            else:
                self.scanned_extra[name] = value

    def show_form(self, form: CaptureForm) -> None:
        self.fill(form.values)
        self.qualifiers.set_answers(dict(form.answers))
        self.consent.setChecked(form.consent)

    def show_lead(self, record: LeadRecord, answers: dict[uuid.UUID, str]) -> None:
        for name, edit in self.edits.items():
            edit.setText(str(record.value_of(name) or ""))
        self.notes.setPlainText(record.notes)
        for button in self.rating_group.buttons():
            button.setChecked(record.rating is not None and
                              button.property("rating") == record.rating.value)
        self.consent.setChecked(record.consent.value == "granted")
        self.qualifiers.set_answers(answers)

    def focus_first(self) -> None:
        self.edits["first_name"].setFocus()

    # -- hints --------------------------------------------------------------------------------
    def _check(self, name: str) -> None:
        """Warnings as you type; they never block saving."""
        if name not in _CHECKED_AS_TYPED:
            return
        text = self.edits[name].text().strip()
        hint = self.hints[name]
        if not text:
            hint.hide()
            return
        try:
            if name == "email":
                normalise_email(text)
                hint.hide()
                return
            e164 = normalise_phone(text, self.edits["country"].text().strip()
                                   or self.default_country())
            hint.setText(f"Stored as {format_phone_for_display(e164)}")
            set_tone(hint, SECONDARY)  # a palette: a changed style sheet drops the booth's big font
        except ValueError as exc:
            hint.setText(f"{exc} — it will be saved and flagged for review")
            set_tone(hint, WARNING)
        hint.show()

    def show_errors(self, error: ValidationError) -> None:
        """Mark each refused field and put the cursor in the first of them."""
        self.qualifiers.show_errors(error)
        for problem in error.errors:
            if problem.field in self.hints:
                self.hints[problem.field].setText(problem.message)
                set_tone(self.hints[problem.field], ALARM)
                self.hints[problem.field].show()
        first = next((e.field for e in error.errors if e.field in self.edits), None)
        if first:
            self.edits[first].setFocus()

    def hide_hints(self) -> None:
        for hint in self.hints.values():
            hint.hide()
