"""The lead form: one editor per LEAD_FIELDS entry, grouped, with validation as you type.

Used by the detail pane (edit in place) and the new-lead dialog. Hints under email and phone
fields come from the same domain functions the services use, so what the form accepts is what
the service stores.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pycountry
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.domain.contact_data import (
    format_money,
    format_phone_for_display,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_money,
)
from app.domain.errors import ValidationError
from app.domain.events import EventRecord
from app.domain.leads import (
    EDITABLE_FIELDS,
    FIELDS_BY_NAME,
    LEAD_FIELDS,
    FieldKind,
    LeadField,
    LeadRecord,
)
from app.domain.people import QueueRecord, TeamRecord, UserRecord
from app.domain.review import reason_text
from app.ui.form_rows import add_field_row, let_combo_shrink
from app.ui.style import ALARM, SECONDARY, alarm_colour, make_heading, set_tone

# Wide enough for the whole of "2026-12-31" or "1,250,000.00" next to the clear button.
_WHOLE_VALUE_SAMPLE = {FieldKind.DATE: "0000-00-00", FieldKind.MONEY: "0,000,000.00"}


@dataclass(frozen=True)
class FormChoices:
    """What the reference pickers offer."""

    users: tuple[UserRecord, ...] = ()
    events: tuple[EventRecord, ...] = ()
    teams: tuple[TeamRecord, ...] = ()
    queues: tuple[QueueRecord, ...] = ()


class LeadForm(QWidget):
    """Editors for every lead field. ``edited`` fires when a value differs from the loaded lead."""

    edited = Signal()

    def __init__(self, choices: FormChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self.editors: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._loaded: dict[str, Any] = {}
        self._event_country = ""
        # One form layout for all groups, so every label lines up down the whole pane.
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(4, 0, 8, 0)
        group = ""
        for spec in LEAD_FIELDS:
            if spec.group != group:
                group = spec.group
                heading = make_heading(QLabel(group))
                heading.setContentsMargins(0, 8, 0, 0)
                form.addRow(heading)
            editor = self._make_editor(spec)
            editor.setObjectName(f"field_{spec.name}")
            editor.setAccessibleName(spec.label)
            self.editors[spec.name] = editor
            self.messages[spec.name] = add_field_row(form, f"&{spec.label}:", editor)
        self.load(None)

    # -- editors ------------------------------------------------------------------------------
    def _make_editor(self, spec: LeadField) -> QWidget:  # noqa: PLR0911 - one per kind
        kind = spec.kind
        if kind is FieldKind.LONG_TEXT:
            notes = QPlainTextEdit()
            notes.setTabChangesFocus(True)
            notes.setMinimumHeight(80)
            notes.textChanged.connect(lambda: self._changed(spec.name))
            return notes
        if kind is FieldKind.BOOLEAN:
            box = QCheckBox()
            box.toggled.connect(lambda _on: self._changed(spec.name))
            return box
        if kind is FieldKind.INTEGER:
            spin = QSpinBox()
            spin.setRange(-10_000, 10_000)
            if spec.computed:  # the score: shown with its reasons, changed through the rules
                spin.setReadOnly(True)
                spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
                return spin
            spin.valueChanged.connect(lambda _v: self._changed(spec.name))
            return spin
        if kind in (FieldKind.CHOICE, FieldKind.USER, FieldKind.EVENT, FieldKind.TEAM,
                    FieldKind.QUEUE, FieldKind.COUNTRY):
            combo = self._combo(spec)
            combo.currentIndexChanged.connect(lambda _i: self._changed(spec.name))
            return combo
        line = QLineEdit()
        line.setMaxLength(spec.max_length)
        line.setClearButtonEnabled(True)
        if kind in _WHOLE_VALUE_SAMPLE:  # never cut a date or an amount mid-way
            line.setMinimumWidth(line.fontMetrics().horizontalAdvance(_WHOLE_VALUE_SAMPLE[kind])
                                 + 3 * line.fontMetrics().height())
        if kind is FieldKind.DATE:
            line.setPlaceholderText("YYYY-MM-DD")
        elif kind is FieldKind.MONEY:
            line.setPlaceholderText("0.00")
        elif kind is FieldKind.PHONE:
            line.setPlaceholderText("+49 30 1234567 or as dialled locally")
        line.textChanged.connect(lambda _t: self._changed(spec.name))
        line.textChanged.connect(line.setToolTip)  # the whole value, when the pane is narrow
        return line

    def _combo(self, spec: LeadField) -> QComboBox:
        combo = QComboBox()
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        items: list[tuple[str, Any]] = []
        if spec.kind is FieldKind.CHOICE:
            assert spec.choices is not None
            if spec.name == "rating":
                items.append(("—", None))
            items += [(getattr(m, "label", m.value), m.value) for m in spec.choices]
        elif spec.kind is FieldKind.COUNTRY:
            items.append(("—", ""))
            items += sorted(((f"{c.alpha_2} – {c.name}", c.alpha_2) for c in pycountry.countries),
                            key=lambda item: item[0])
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = combo.completer()
            if completer is not None:  # editable combos always have one; typing narrows by name
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        else:
            empty = "Unassigned" if spec.kind is FieldKind.USER else "—"
            items.append((empty, None))
            items += self._references(spec.kind)
        for text, data in items:
            combo.addItem(text, data)
        if spec.kind is not FieldKind.CHOICE:  # long names: elide, never widen the pane
            let_combo_shrink(combo)
        return combo

    def _references(self, kind: FieldKind) -> list[tuple[str, uuid.UUID]]:
        if kind is FieldKind.USER:
            return [(f"{u.name} ({u.role.label})", u.id) for u in self.choices.users]
        if kind is FieldKind.EVENT:
            return [(e.name, e.id) for e in self.choices.events]
        if kind is FieldKind.TEAM:
            return [(t.name, t.id) for t in self.choices.teams]
        return [(q.name, q.id) for q in self.choices.queues]

    # -- loading and reading ------------------------------------------------------------------
    def load(self, record: LeadRecord | None) -> None:
        """Show a lead (or blank defaults for a new one) and forget unsaved edits."""
        for spec in LEAD_FIELDS:
            self._set_value(spec, self._initial(spec, record))
        self._show_score_reasons(record.score_reasons if record else "")
        self._loaded = self.values()
        self._event_country = ""
        if record and record.event_id:
            event = next((e for e in self.choices.events if e.id == record.event_id), None)
            self._event_country = event.country if event else ""
        self.clear_errors()
        self._refresh_hints()
        self._show_company_source(record.company_source if record and record.company else "")

    def _show_company_source(self, source: str) -> None:
        """A company nobody gave (guessed from the email domain, a directory) says so under it;
        typing a company replaces the suggestion."""
        label = self.messages["company"]
        set_tone(label, SECONDARY)
        label.setText(f"suggested from {source}; not given by the person" if source else "")
        label.setVisible(bool(source))

    @staticmethod
    def _initial(spec: LeadField, record: LeadRecord | None) -> Any:
        if record is None:
            return None
        if spec.kind in (FieldKind.USER, FieldKind.EVENT, FieldKind.TEAM, FieldKind.QUEUE):
            return getattr(record, f"{spec.name}_id")
        if spec.name == "review_reason":
            return reason_text(record.review_reason)
        return getattr(record, spec.name)

    def set_value(self, name: str, value: Any) -> None:
        """Put back a value as the form gave it (``changes()``), e.g. after a reload."""
        self._set_value(FIELDS_BY_NAME[name], value)

    def _set_value(self, spec: LeadField, value: Any) -> None:
        editor = self.editors[spec.name]
        editor.blockSignals(True)
        try:
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(value or "")
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value or 0))
            elif isinstance(editor, QComboBox):
                data = getattr(value, "value", value)
                index = editor.findData(data if data is not None else None)
                editor.setCurrentIndex(max(index, 0))
            elif isinstance(editor, QLineEdit):
                editor.setText(_as_text(spec, value))
                editor.setCursorPosition(0)  # a value longer than the editor shows its start
                editor.setToolTip(editor.text())
        finally:
            editor.blockSignals(False)

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return self._combo_value(editor)
        assert isinstance(editor, QLineEdit)
        return editor.text()

    @staticmethod
    def _combo_value(combo: QComboBox) -> Any:
        if combo.isEditable():
            typed = combo.currentText().strip()
            match = combo.findText(typed, Qt.MatchFlag.MatchFixedString)
            if match < 0:
                return "" if typed in ("", "—") else typed.split(" – ")[0]
            return combo.itemData(match)
        return combo.currentData()

    def values(self) -> dict[str, Any]:
        return {spec.name: self.value(spec.name) for spec in EDITABLE_FIELDS}

    def changes(self) -> dict[str, Any]:
        """Only the fields the person changed since ``load``."""
        current = self.values()
        return {k: v for k, v in current.items() if v != self._loaded.get(k)}

    def is_dirty(self) -> bool:
        return bool(self.changes())

    # -- feedback -----------------------------------------------------------------------------
    def show_errors(self, error: ValidationError) -> None:
        """Put each message under its field and focus the first one."""
        self.clear_errors()
        first: QWidget | None = None
        for problem in error.errors:
            label = self.messages.get(problem.field)
            if label is None:
                continue
            label.setText(problem.message)
            set_tone(label, ALARM)
            label.show()
            self.editors[problem.field].setStyleSheet(f"border: 1px solid {alarm_colour()};")
            first = first or self.editors[problem.field]
        if first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        for name, label in self.messages.items():
            label.hide()
            label.clear()
            self.editors[name].setStyleSheet("")

    def _changed(self, name: str) -> None:
        if name in ("email", "phone", "mobile", "country", "event", "come_back_on", "deal_value"):
            self._refresh_hints()
        elif self.messages[name].isVisible():
            self.messages[name].hide()
            self.editors[name].setStyleSheet("")
        self.edited.emit()

    def _refresh_hints(self) -> None:
        region = str(self.value("country") or "") or self._event_country_of_choice()
        self._hint("email", self.value("email"), normalise_email, lambda v: "")
        for phone in ("phone", "mobile"):
            self._hint(phone, self.value(phone), lambda t: normalise_phone(t, region),
                       lambda v: f"Stored as {format_phone_for_display(v)}")
        self._hint("come_back_on", self.value("come_back_on"), parse_date, lambda v: "")
        self._hint("deal_value", self.value("deal_value"), parse_money,
                   lambda v: format_money(v))

    def _show_score_reasons(self, reasons: str) -> None:
        """Why this score, right under it: one reason per line, as the rules gave it."""
        label = self.messages["score"]
        set_tone(label, SECONDARY)
        label.setText("\n".join(reasons.split("; ")) if reasons else "")
        label.setVisible(bool(reasons))
        self.editors["score"].setToolTip(reasons)

    def _event_country_of_choice(self) -> str:
        event_id = self.value("event")
        event = next((e for e in self.choices.events if e.id == event_id), None)
        return event.country if event else self._event_country

    def _hint(self, name: str, text: str, check: Any, describe: Any) -> None:
        label = self.messages[name]
        editor = self.editors[name]
        if not str(text).strip():
            label.hide()
            editor.setStyleSheet("")
            return
        try:
            result = check(text)
        except ValueError as exc:
            label.setText(str(exc))
            set_tone(label, ALARM)
            editor.setStyleSheet(f"border: 1px solid {alarm_colour()};")
            label.show()
            return
        editor.setStyleSheet("")
        hint = describe(result)
        label.setText(hint)
        set_tone(label, SECONDARY)
        label.setVisible(bool(hint))

    def first_editor(self) -> QWidget:
        return self.editors[LEAD_FIELDS[0].name]


def _as_text(spec: LeadField, value: Any) -> str:
    if value is None:
        return ""
    if spec.kind is FieldKind.MONEY:
        return format_money(value).replace(",", "")
    if spec.kind is FieldKind.DATE:
        return value.isoformat()
    return str(value)


def to_service_values(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as the lead service takes them (empty reference pickers clear the link)."""
    return {name: (value if value is not None else "") for name, value in values.items()}
