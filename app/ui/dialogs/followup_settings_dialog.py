"""Follow-up settings: the team's working calendar, first-touch deadlines and escalation (shared
by every laptop), plus "start minimised to tray" (this laptop only)."""

from __future__ import annotations

import zoneinfo

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.service_levels import EscalationMode
from app.services.container import Services
from app.ui.dialogs.settings_page import PageDialog
from app.ui.form_rows import error_label
from app.ui.local_settings import LocalSettings, Tray


class FollowUpSettingsPage(QWidget):
    """The fields, checks and saving; shown on its own and in the Settings dialog."""

    title = "Working time and service levels"

    def __init__(self, services: Services, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.local = services, LocalSettings(settings)
        shared = services.settings

        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(zoneinfo.available_timezones()))
        self.timezone.setCurrentText(shared.get_str("calendar.timezone"))
        self.country = QLineEdit(shared.get_str("calendar.country"))
        self.country.setPlaceholderText("e.g. DE, AT, FR, GB, US")
        self.country.setMaxLength(2)
        self.subdivision = QLineEdit(shared.get_str("calendar.subdivision"))
        self.subdivision.setPlaceholderText("optional, e.g. BY for Bavaria")
        self.day_start = _hour_spin(shared.get_int("calendar.day_start"))
        self.day_end = _hour_spin(shared.get_int("calendar.day_end"))
        calendar = QGroupBox("Working calendar (the whole team)")
        form = QFormLayout(calendar)
        form.addRow("&Time zone:", self.timezone)
        form.addRow("&Country (public holidays):", self.country)
        form.addRow("&Region:", self.subdivision)
        form.addRow("Working day &starts:", self.day_start)
        form.addRow("Working day &ends:", self.day_end)

        self.hot_days = _days_spin(shared.get_int("sla.hot_days"))
        self.warm_days = _days_spin(shared.get_int("sla.warm_days"))
        self.cold_days = _days_spin(shared.get_int("sla.cold_days"))
        self.escalation = QComboBox()
        for mode in EscalationMode:
            self.escalation.addItem(mode.label, mode.value)
        self.escalation.setCurrentIndex(
            max(0, self.escalation.findData(shared.get_str("sla.escalation"))))
        deadlines = QGroupBox("First touch of a new lead within (working days; 0 = same day)")
        form = QFormLayout(deadlines)
        form.addRow("&Hot:", self.hot_days)
        form.addRow("&Warm:", self.warm_days)
        form.addRow("C&old or unrated:", self.cold_days)
        form.addRow("When &missed:", self.escalation)

        self.start_minimised = QCheckBox("Start minimised to the tray (this computer only)")
        self.start_minimised.setChecked(self.local.get(Tray.START_MINIMISED))
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(calendar)
        layout.addWidget(deadlines)
        layout.addWidget(self.start_minimised)
        layout.addWidget(self.error)

    def problem(self) -> str | None:
        if self.timezone.currentText() not in zoneinfo.available_timezones():
            return f"Unknown time zone “{self.timezone.currentText()}”: pick one from the list."
        if self.day_start.value() >= self.day_end.value():
            return "The working day must end after it starts."
        return None

    def show_problem(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def save(self) -> None:
        """Store the shared values and the local tray choice; raises LeadlineError."""
        values: dict[str, int | str] = {
            "calendar.timezone": self.timezone.currentText(),
            "calendar.country": self.country.text().strip().upper(),
            "calendar.subdivision": self.subdivision.text().strip().upper(),
            "calendar.day_start": self.day_start.value(),
            "calendar.day_end": self.day_end.value(),
            "sla.hot_days": self.hot_days.value(),
            "sla.warm_days": self.warm_days.value(),
            "sla.cold_days": self.cold_days.value(),
            "sla.escalation": str(self.escalation.currentData()),
        }
        for key, value in values.items():
            self.services.settings.set(key, value)
        self.services.cadences.forget()
        self.local.set(Tray.START_MINIMISED, self.start_minimised.isChecked())


def followup_settings_dialog(services: Services, settings: QSettings,
                             parent: QWidget | None = None) -> PageDialog:
    """Follow-up ▸ Settings: the working-time page on its own."""
    return PageDialog(FollowUpSettingsPage(services, settings), "Follow-up settings", 520,
                      "FollowUpSettingsDialog", parent)


def _hour_spin(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 24)
    spin.setSuffix(":00")
    spin.setValue(value)
    return spin


def _days_spin(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 250)
    spin.setSpecialValueText("same day")
    spin.setSuffix(" working days")
    spin.setValue(value)
    return spin
