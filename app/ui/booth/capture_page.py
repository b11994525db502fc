"""Booth capture: one big keyboard-first form, badge scans from anywhere, save and next.

Built for the show floor: the event is chosen once; Enter saves and clears for the next visitor;
doubtful data is saved with a review flag instead of refused; a scan never types into a field.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth import CONSENT_WORDING
from app.domain.contact_data import format_phone_for_display, normalise_email, normalise_phone
from app.domain.errors import LeadlineError, ValidationError
from app.domain.leads import LeadRecord, Rating
from app.services.booth_service import EXISTING, REJECTED, ScanReading
from app.services.container import Services
from app.ui import messages
from app.ui.booth.qualifier_panel import QualifierPanel
from app.ui.booth.scan_filter import ScanFilter
from app.ui.dialogs.scanner_dialog import load_wedge_settings
from app.ui.form_rows import add_field_row
from app.ui.style import alarm_colour, warning_colour

TEXT_FIELDS = (("first_name", "&First name"), ("last_name", "&Last name"),
               ("company", "&Company"), ("title", "&Job title"), ("email", "&Email"),
               ("phone", "&Phone"), ("mobile", "&Mobile"), ("badge_id", "&Badge id"), ("country", "Countr&y"),
               ("product_interest", "Product &interest"))
BANT_FIELDS = (("budget", "Budget"), ("authority", "Authority"), ("need", "Need"),
               ("timeline", "Timeline"))
_OK = "background: #2e7d32; color: white; padding: 8px; font-size: 13pt;"
_WARN = "background: #f9a825; color: black; padding: 8px; font-size: 13pt;"
_BAD = "background: #c62828; color: white; padding: 8px; font-size: 13pt;"
_IDLE = "padding: 8px; font-size: 13pt; color: palette(mid);"


class CapturePage(QWidget):
    """Emits ``leadSaved(record)`` so other screens can refresh."""

    leadSaved = Signal(object)
    newEventRequested = Signal()

    def __init__(self, services: Services, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.settings = services, settings
        self.editing: LeadRecord | None = None
        self.scanned_extra: dict[str, str] = {}  # badge fields without an editor (city, web…)
        self.edits: dict[str, QLineEdit] = {}
        self.hints: dict[str, QLabel] = {}
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 1.3)
        self.setFont(big)
        outer = QHBoxLayout(self)
        outer.addLayout(self._build_main(), 3)
        outer.addLayout(self._build_side(), 1)
        self.scan_filter = ScanFilter(self, self.handle_scan, load_wedge_settings(settings))
        self._flash = QTimer(self, singleShot=True, interval=2500)
        self._flash.timeout.connect(lambda: self._banner("Ready. Scan a badge or type.", _IDLE))
        QShortcut(QKeySequence("Escape"), self, self.clear_form,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reload_events()

    # -- building -----------------------------------------------------------------------------
    def _build_main(self) -> QVBoxLayout:
        column = QVBoxLayout()
        top = QHBoxLayout()
        self.event_combo = QComboBox()
        self.event_combo.setAccessibleName("Event")
        self.event_combo.currentIndexChanged.connect(self._event_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("todayCount")
        top.addWidget(QLabel("Event:"))
        top.addWidget(self.event_combo, 1)
        self.new_event_button = QPushButton("New event…")
        self.new_event_button.clicked.connect(self.newEventRequested)
        top.addWidget(self.new_event_button)
        top.addStretch(0)
        top.addWidget(self.count_label)
        column.addLayout(top)
        self.banner = QLabel()
        self.banner.setObjectName("scanBanner")
        self.banner.setWordWrap(True)
        column.addWidget(self.banner)
        self._banner("Ready. Scan a badge or type.", _IDLE)

        form_widget = QWidget()
        form = QFormLayout(form_widget)
        for name, label in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"booth_{name}")
            edit.setAccessibleName(label.replace("&", ""))
            edit.returnPressed.connect(self.save)
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
            edit.returnPressed.connect(self.save)
            self.edits[name] = edit
            bant.addWidget(edit, i // 2, i % 2)
        form.addRow("BANT:", bant)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.notes.setPlaceholderText("What they asked about (Ctrl+Enter saves)")
        form.addRow("&Notes:", self.notes)
        self.qualifiers = QualifierPanel([])
        form.addRow(self.qualifiers)
        self.consent = QCheckBox("Agrees to be contacted")
        self.consent.setObjectName("consent")
        wording = QLabel(f"“{CONSENT_WORDING}”")
        wording.setWordWrap(True)
        wording.setMinimumWidth(10)
        wording.setStyleSheet("color: palette(mid);")
        consent_box = QVBoxLayout()
        consent_box.addWidget(self.consent)
        consent_box.addWidget(wording)
        form.addRow("Consent:", consent_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form_widget)
        column.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.save_on_scan = QCheckBox("Save as soon as a badge is scanned")
        self.save_on_scan.setChecked(self.settings.value("booth/save_on_scan", False, bool))
        self.save_on_scan.toggled.connect(lambda on: self.settings.setValue("booth/save_on_scan",
                                                                            on))
        clear = QPushButton("Clear (Esc)")
        clear.clicked.connect(self.clear_form)
        self.save_button = QPushButton("Save and next (Enter)")
        self.save_button.setObjectName("saveAndNext")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_on_scan)
        buttons.addStretch(1)
        buttons.addWidget(clear)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        return column

    def _build_rating(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.rating_group = QButtonGroup(self)
        self.rating_group.setExclusive(False)
        for rating in Rating:
            button = QPushButton(rating.label)
            button.setCheckable(True)
            button.setProperty("rating", rating.value)
            button.toggled.connect(lambda on, b=button: self._exclusive_rating(b, on))
            self.rating_group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_side(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.addWidget(QLabel("Your last captures (click to edit):"))
        self.recent = QListWidget()
        self.recent.setObjectName("recentCaptures")
        self.recent.setAccessibleName("Your last captures")
        self.recent.itemActivated.connect(self._edit_recent)
        self.recent.itemClicked.connect(self._edit_recent)
        column.addWidget(self.recent, 1)
        self.registrations_label = QLabel()
        self.registrations_label.setWordWrap(True)
        column.addWidget(self.registrations_label)
        return column

    # -- events -------------------------------------------------------------------------------
    def reload_events(self) -> None:
        remembered = self.settings.value("booth/event", "")
        self.event_combo.blockSignals(True)
        self.event_combo.clear()
        for event in self.services.events.events():
            self.event_combo.addItem(event.name, str(event.id))
        index = self.event_combo.findData(remembered)
        self.event_combo.setCurrentIndex(index if index >= 0 else 0)
        self.event_combo.blockSignals(False)
        self._event_changed()

    @property
    def event_id(self) -> uuid.UUID | None:
        data = self.event_combo.currentData()
        return uuid.UUID(data) if data else None

    def _event_changed(self, _index: int = 0) -> None:
        event_id = self.event_id
        if event_id is None:
            self._banner("Add the event you are at first (New event… above): every lead keeps "
                         "its show, and the show's country completes phone numbers.", _WARN)
            self.save_button.setEnabled(False)
            return
        self.save_button.setEnabled(True)
        self.settings.setValue("booth/event", str(event_id))
        self.qualifiers.set_questions(self.services.questions.questions_for_event(event_id))
        self.refresh_side()

    def refresh_side(self) -> None:
        event_id = self.event_id
        if event_id is None:
            return
        me = self.services.context.current_user_id
        count = self.services.booth.today_count(event_id, me)
        self.count_label.setText(f"Today: <b>{count}</b> captured by you")
        self.recent.clear()
        for record in self.services.booth.recent_captures(event_id, me):
            flag = "  ⚠" if record.needs_review else ""
            item = QListWidgetItem(f"{record.display_name} · {record.company}{flag}".strip(" ·"))
            item.setData(Qt.ItemDataRole.UserRole, record)
            item.setToolTip(record.review_reason or record.email)
            self.recent.addItem(item)
        registered = self.services.booth.registration_count(event_id)
        self.registrations_label.setText(
            f"Registration list: {registered:,} attendees" if registered else
            "No registration list yet: id-only badges are saved for matching after the show.")

    # -- scanning -----------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        QApplication.instance().installEventFilter(self.scan_filter)  # type: ignore[union-attr]
        super().showEvent(event)
        QTimer.singleShot(0, self.focus_first)

    def hideEvent(self, event: Any) -> None:
        QApplication.instance().removeEventFilter(self.scan_filter)  # type: ignore[union-attr]
        super().hideEvent(event)

    def handle_scan(self, payload: str) -> ScanReading | None:
        event_id = self.event_id
        if event_id is None:
            self._banner("Choose the event before scanning.", _BAD)
            return None
        try:
            reading = self.services.booth.read_scan(event_id, payload)
        except LeadlineError as error:
            self._banner(str(error), _BAD)
            return None
        if reading.status == REJECTED:
            QApplication.beep()
            self._banner(f"Scan not read: {reading.reason} Nothing was saved; the scan is in "
                         "the scan log.", _BAD)
            return reading
        if reading.status == EXISTING and reading.lead is not None:
            self.load_lead(reading.lead)
            self._banner(f"Already captured: {reading.lead.display_name}. Opened for editing; "
                         "Enter saves your additions.", _WARN)
            return reading
        for name, value in reading.fields.items():
            if name in self.edits:
                self.edits[name].setText(value)
            else:
                self.scanned_extra[name] = value
        self.edits["badge_id"].setText(reading.badge_id)
        who = " ".join(p for p in (reading.fields.get("first_name", ""),
                                   reading.fields.get("last_name", "")) if p) or reading.badge_id
        note = "" if reading.fields or reading.registered else \
            " (badge id only: saved for matching with the registration list)"
        if self.save_on_scan.isChecked():
            self.save()
        else:
            self._banner(f"Scanned {who}{note}. Add qualifiers, then Enter.", _OK)
            self.qualifiers.first_editor().setFocus() if self.qualifiers.first_editor() \
                else self.edits["first_name"].setFocus()
        return reading

    # -- saving -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.scanned_extra)
        values.update({name: edit.text().strip() for name, edit in self.edits.items()})
        values["notes"] = self.notes.toPlainText().strip()
        checked = self.rating_group.checkedButton()
        values["rating"] = checked.property("rating") if checked else ""
        return {k: v for k, v in values.items() if v}

    def save(self) -> LeadRecord | None:
        """Save and clear for the next visitor; problems are shown, doubtful data is flagged."""
        event_id = self.event_id
        if event_id is None:
            return None
        self._clear_hints_errors()
        try:
            result = self.services.booth.capture(
                event_id, self.values(), answers=self.qualifiers.answers(),
                consent=self.consent.isChecked(),
                consent_text=CONSENT_WORDING if self.consent.isChecked() else "",
                lead_id=self.editing.id if self.editing else None)
        except ValidationError as error:
            self._show_errors(error)
            return None
        except LeadlineError as error:
            messages.error(self, "Not saved", str(error))
            return None
        lead = result.lead
        verb = "Saved" if result.created else "Updated"
        review = f" — check later: {lead.review_reason}" if lead.needs_review else ""
        self._banner(f"✓ {verb} {lead.display_name}{review}", _WARN if review else _OK)
        self.clear_form(keep_banner=True)
        self.refresh_side()
        self.leadSaved.emit(lead)
        return lead

    def clear_form(self, keep_banner: bool = False) -> None:
        for edit in self.edits.values():
            edit.clear()
        self.notes.clear()
        for button in self.rating_group.buttons():
            button.setChecked(False)
        self.qualifiers.clear()
        self.consent.setChecked(False)
        self.editing = None
        self.scanned_extra = {}
        self._clear_hints_errors()
        if not keep_banner:
            self._banner("Ready. Scan a badge or type.", _IDLE)
        self.focus_first()

    def load_lead(self, record: LeadRecord) -> None:
        """Open a captured lead in the form to add to it (recent list, repeat scans)."""
        self.clear_form(keep_banner=True)
        self.editing = record
        for name, edit in self.edits.items():
            edit.setText(str(record.value_of(name) or ""))
        self.notes.setPlainText(record.notes)
        for button in self.rating_group.buttons():
            button.setChecked(record.rating is not None and
                              button.property("rating") == record.rating.value)
        self.consent.setChecked(record.consent.value == "granted")
        self.qualifiers.set_answers(self.services.questions.answers_for(record.id))
        self.focus_first()

    def focus_first(self) -> None:
        self.edits["first_name"].setFocus()

    # -- feedback -----------------------------------------------------------------------------
    def _banner(self, text: str, style: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(style)
        if style in (_OK, _WARN) and hasattr(self, "_flash"):
            self._flash.start()

    def _check(self, name: str) -> None:
        """Warnings as you type; they never block saving."""
        if name not in ("email", "phone", "mobile"):
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
                                   or self._event_country())
            hint.setText(f"Stored as {format_phone_for_display(e164)}")
            hint.setStyleSheet("color: palette(mid);")
        except ValueError as exc:
            hint.setText(f"{exc} — it will be saved and flagged for review")
            hint.setStyleSheet(f"color: {warning_colour()};")
        hint.show()

    def _event_country(self) -> str:
        event_id = self.event_id
        event = next((e for e in self.services.events.events() if e.id == event_id), None)
        return event.country if event else ""

    def _show_errors(self, error: ValidationError) -> None:
        self.qualifiers.show_errors(error)
        for problem in error.errors:
            if problem.field in self.hints:
                self.hints[problem.field].setText(problem.message)
                self.hints[problem.field].setStyleSheet(f"color: {alarm_colour()};")
                self.hints[problem.field].show()
        self._banner(f"Not saved: {error}", _BAD)
        first = next((e.field for e in error.errors if e.field in self.edits), None)
        if first:
            self.edits[first].setFocus()

    def _clear_hints_errors(self) -> None:
        for hint in self.hints.values():
            hint.hide()

    def _exclusive_rating(self, button: QPushButton, on: bool) -> None:
        if on:
            for other in self.rating_group.buttons():
                if other is not button:
                    other.setChecked(False)

    def _edit_recent(self, item: QListWidgetItem) -> None:
        record = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(record, LeadRecord):
            self.load_lead(self.services.leads.get(record.id))
            self._banner(f"Editing {record.display_name}: Enter saves.", _WARN)
