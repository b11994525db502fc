"""The dashboard's filter row: event, owner, when the lead was created (with its own days when
"Custom…"), and Clear. The page connects and reads them."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton

from app.ui.form_rows import let_combo_shrink
from app.ui.local_settings import Dashboard, LocalSettings
from app.ui.pages.dashboard_bars import PERIODS


class FilterRow:
    """The widgets, laid out in ``layout``."""

    def __init__(self, today: dt.date) -> None:
        self.layout = row = QHBoxLayout()
        row.setSpacing(6)
        self.event_filter = QComboBox()
        self.event_filter.setObjectName("dashboardEventFilter")
        self.event_filter.setAccessibleName("Dashboard event filter")
        self.event_filter.setToolTip("Count only the leads from this event")
        self.event_filter.addItem("All events", None)
        let_combo_shrink(self.event_filter, 14)
        self.owner_filter = QComboBox()
        self.owner_filter.setObjectName("dashboardOwnerFilter")
        self.owner_filter.setAccessibleName("Dashboard owner filter")
        self.owner_filter.setToolTip("Count only the leads this person owns")
        self.owner_filter.addItem("Anyone", None)
        let_combo_shrink(self.owner_filter, 12)
        self.period_filter = QComboBox()
        self.period_filter.setObjectName("dashboardPeriodFilter")
        self.period_filter.setAccessibleName("Dashboard created filter")
        self.period_filter.setToolTip("Count only the leads that came in during this time")
        for key, label in PERIODS:
            self.period_filter.addItem(label, key)
        self.from_edit = self._date_edit("Created from", today - dt.timedelta(days=29))
        self.to_edit = self._date_edit("Created to", today)
        self.to_edit.setMinimumDate(self.from_edit.date())
        self.clear_button = QPushButton("Cle&ar")
        self.clear_button.setAccessibleName("Clear the dashboard filters")
        self.clear_button.setToolTip("Show every lead again")
        labels = (("Eve&nt:", self.event_filter), ("&Owner:", self.owner_filter),
                  ("&Created:", self.period_filter))
        for text, widget in labels:
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(10)
        self.from_label = QLabel("fro&m")
        self.from_label.setBuddy(self.from_edit)
        self.to_label = QLabel("&to")
        self.to_label.setBuddy(self.to_edit)
        # Shown only when "Created" is "Custom…".
        self.custom_days = (self.from_label, self.from_edit, self.to_label, self.to_edit)
        for widget in self.custom_days:
            row.addWidget(widget)
        row.addSpacing(10)
        row.addWidget(self.clear_button)
        row.addStretch(1)

    def remember(self, local: LocalSettings) -> None:
        local.set(Dashboard.EVENT, self.event_filter.currentData() or "")
        local.set(Dashboard.OWNER, self.owner_filter.currentData() or "")
        local.set(Dashboard.PERIOD, self.period_filter.currentData())
        local.set(Dashboard.FROM, self.from_edit.date().toPython().isoformat())
        local.set(Dashboard.TO, self.to_edit.date().toPython().isoformat())

    def restore_days(self, local: LocalSettings) -> None:
        """The remembered "Created" choice and custom days (event and owner follow the lists)."""
        for setting, edit in ((Dashboard.FROM, self.from_edit), (Dashboard.TO, self.to_edit)):
            try:
                day = dt.date.fromisoformat(local.get(setting))
            except ValueError:
                continue
            edit.setDate(QDate(day.year, day.month, day.day))
        self.period_filter.setCurrentIndex(max(self.period_filter.findData(local.get(Dashboard.PERIOD)), 0))

    @staticmethod
    def _date_edit(name: str, day: dt.date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit
