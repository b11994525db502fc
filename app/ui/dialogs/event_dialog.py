"""New event: name, dates, country (the default for phone numbers), cost (for return on spend)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.domain.events import EventRecord
from app.services.event_service import EventService
from app.ui.style import alarm_colour

_FIELDS = (("name", "&Name", "Hannover Messe 2026"), ("country", "&Country", "DE"),
           ("starts", "&Starts", "YYYY-MM-DD"), ("ends", "&Ends", "YYYY-MM-DD"),
           ("cost", "C&ost", "12500.00"), ("venue", "&Venue", "Hall 4, stand B12"),
           ("city", "Ci&ty", "Hannover"))


class EventDialog(QDialog):
    def __init__(self, events: EventService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New event")
        self.events = events
        self.created: EventRecord | None = None
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label, placeholder in _FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            error = QLabel()
            error.setStyleSheet(f"color: {alarm_colour()};")
            error.hide()
            form.addRow(label + ":", edit)
            form.addRow("", error)
            self.edits[name], self.errors[name] = edit, error
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        try:
            self.created = self.events.add(
                values.pop("name"), country=values["country"], starts=values["starts"] or None,
                ends=values["ends"] or None, cost=values["cost"] or None, venue=values["venue"],
                city=values["city"])
        except ValidationError as error:
            for problem in error.errors:
                label = self.errors.get(problem.field)
                if label is not None:
                    label.setText(problem.message)
                    label.show()
            return
        except LeadlineError as error:
            self.errors["name"].setText(str(error))
            self.errors["name"].show()
            return
        self.accept()

    @classmethod
    def ask(cls, events: EventService, parent: QWidget | None = None) -> EventRecord | None:
        dialog = cls(events, parent)
        dialog.exec()
        return dialog.created
