"""New lead: the full form in a dialog. Enter saves; errors appear under their fields."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QScrollArea, QVBoxLayout, QWidget

from app.domain.errors import LeadlineError, ValidationError
from app.domain.leads import LeadRecord
from app.services.lead_service import LeadService
from app.ui import messages
from app.ui.lead_form import FormChoices, LeadForm, to_service_values


class NewLeadDialog(QDialog):
    def __init__(self, leads: LeadService, choices: FormChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New lead")
        self.leads = leads
        self.created: LeadRecord | None = None
        self.form = LeadForm(choices)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(560, 720)
        self.form.first_editor().setFocus()

    def save(self) -> None:
        values = {k: v for k, v in to_service_values(self.form.values()).items()
                  if v not in ("", None, False, 0) or k == "status"}
        try:
            self.created = self.leads.create(values)
        except ValidationError as error:
            self.form.show_errors(error)
            return
        except LeadlineError as error:
            messages.error(self, "Could not add the lead", str(error))
            return
        self.accept()

    @classmethod
    def ask(cls, leads: LeadService, choices: FormChoices,
            parent: QWidget | None = None) -> LeadRecord | None:
        dialog = cls(leads, choices, parent)
        dialog.exec()
        return dialog.created
