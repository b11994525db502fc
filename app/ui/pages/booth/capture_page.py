"""Booth capture: one big keyboard-first form, badge scans from anywhere, save and next.

Built for the show floor: the event is today's (or the last used) unless staff choose another;
Enter saves and clears for the next visitor; doubtful data is saved with a review flag instead
of refused; a scan never types into a field. Nothing typed is lost and no two visitors mix: a
scan arriving over a half-typed lead puts that lead aside as a draft and starts on a clean
form, and Esc is undone with Ctrl+Z or "Undo clear".

Field mnemonics avoid the menu bar's letters (Alt+F, E, V, L, D, B, H open the menus).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth import CONSENT_WORDING
from app.domain.booth_capture import EXISTING, REJECTED, BoothDraft, CaptureForm, ScanReading
from app.domain.errors import LeadlineError, ValidationError
from app.domain.leads import LeadQuery, LeadRecord
from app.domain.review import reason_text
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs.scanner_dialog import load_wedge_settings
from app.ui.form_rows import let_combo_shrink
from app.ui.local_settings import Booth, LocalSettings
from app.ui.pages.booth.banner import BAD, IDLE, OK, READY, WARN, CaptureBanner
from app.ui.pages.booth.capture_fields import CaptureFields
from app.ui.pages.booth.drafts import DraftKeeping, UndoClearKeys, draft_note
from app.ui.pages.booth.image_capture import ImageCapture
from app.ui.pages.booth.scan_filter import ScanFilter
from app.ui.pages.booth.side_panel import BoothSidePanel
from app.ui.workers import SynchronousRunner, TaskRunner

#: The menu bar's mnemonics (&File &Edit &View &Lead &Data &Booth &Help): no booth field uses them.
MENU_MNEMONICS = frozenset("FEVLDBH")
_EMPTY = CaptureForm(None)


if TYPE_CHECKING:
    from app.ui.camera.camera_panel import CameraPanel

class CapturePage(DraftKeeping, QWidget):
    """Emits ``leadSaved(record)`` so other screens can refresh."""

    leadSaved = Signal(object)
    newEventRequested = Signal()
    #: The person asked for this event's badge-only leads still waiting (a LeadQuery).
    waitingLeadsRequested = Signal(object)

    def __init__(self, services: Services, settings: QSettings,
                 parent: QWidget | None = None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.services, self.local = services, LocalSettings(settings)
        self._runner = runner or SynchronousRunner()  # badge images and cards are read on it
        self.editing: LeadRecord | None = None
        self._baseline = _EMPTY  # the form as opened: unchanged, there is nothing to keep
        self._cleared: CaptureForm | None = None  # what Esc took away, until Ctrl+Z or the next visitor
        self._asking_for_event = False
        self._scanned_payload = ""  # the scan the form was filled from
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 1.3)
        self.setFont(big)
        outer = QHBoxLayout(self)
        outer.addLayout(self._build_main(), 3)
        self.side = BoothSidePanel()
        self.side.draftChosen.connect(self.resume_draft)
        self.side.leadChosen.connect(self._edit_recent)
        self.side.waitingClicked.connect(self._show_waiting)
        self.settings = settings
        self.camera: CameraPanel | None = None
        self._right = QVBoxLayout()
        self._right.addWidget(self.side, 1)
        outer.addLayout(self._right, 1)
        self.scan_filter = ScanFilter(self, self.handle_scan, load_wedge_settings(settings))
        self._undo_keys = UndoClearKeys(self)
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
        self.event_combo.setPlaceholderText("Choose the event you are at…")
        self.event_combo.currentIndexChanged.connect(self._event_changed)
        self.event_combo.activated.connect(
            lambda _i: self.services.events.remember_used(self.event_id))
        self.count_label = QLabel()
        self.count_label.setObjectName("todayCount")
        event_label = QLabel("Even&t:")
        event_label.setBuddy(self.event_combo)
        top.addWidget(event_label)
        # A long show name elides (whole in the tooltip) instead of widening the window.
        top.addWidget(let_combo_shrink(self.event_combo, 16), 1)
        self.new_event_button = QPushButton("New event…")
        self.new_event_button.clicked.connect(self.newEventRequested)
        top.addWidget(self.new_event_button)
        top.addStretch(0)
        top.addWidget(self.count_label)
        column.addLayout(top)
        banner_row = QHBoxLayout()
        self.banner = CaptureBanner()
        self.undo_clear_button = QPushButton("&Undo clear (Ctrl+Z)")
        self.undo_clear_button.setObjectName("undoClear")
        self.undo_clear_button.clicked.connect(self.undo_clear)
        self.undo_clear_button.hide()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.undo_clear_button)
        column.addLayout(banner_row)

        self.fields = CaptureFields(self._event_country)
        self.fields.submitted.connect(self.save)
        self.images = ImageCapture(self, self._runner)
        column.addWidget(self.images.progress)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.fields)
        column.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.save_on_scan = QCheckBox("Save as soon as a badge is scanned")
        self.save_on_scan.setChecked(self.local.get(Booth.SAVE_ON_SCAN))
        self.save_on_scan.toggled.connect(lambda on: self.local.set(Booth.SAVE_ON_SCAN, on))
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

    def _show_waiting(self) -> None:
        self.waitingLeadsRequested.emit(LeadQuery(awaiting_registration=True,
                                                  event_id=self.event_id))

    # -- events -------------------------------------------------------------------------------
    def reload_events(self) -> None:
        """Re-read the events (call it whenever data changed: demo data, an import, a new event,
        a sync). The current choice stays; with none, today's event or the one last used in this
        database is chosen (app.services.event_service), else the screen asks for one."""
        current = self.event_id
        events = self.services.events.events()
        choice = current if any(e.id == current for e in events) else None
        if choice is None:
            suggested = self.services.events.suggested_event()
            choice = suggested.id if suggested else None
        self.event_combo.blockSignals(True)
        self.event_combo.clear()
        for event in events:
            self.event_combo.addItem(event.name, str(event.id))
        self.event_combo.setCurrentIndex(self.event_combo.findData(str(choice)) if choice else -1)
        self.event_combo.blockSignals(False)
        self._event_changed()

    def select_event(self, event_id: uuid.UUID) -> None:
        """Work in this event from now on (after New event…); remembered for this database."""
        if self.event_combo.findData(str(event_id)) < 0:
            self.reload_events()
        index = self.event_combo.findData(str(event_id))
        if index >= 0:
            self.event_combo.setCurrentIndex(index)
            self.services.events.remember_used(event_id)

    @property
    def event_id(self) -> uuid.UUID | None:
        data = self.event_combo.currentData()
        return uuid.UUID(data) if data else None

    def _event_changed(self, _index: int = 0) -> None:
        event_id = self.event_id
        self._load_questions(event_id)
        self.save_button.setEnabled(event_id is not None)
        if event_id is None:
            if self.event_combo.count():
                self._banner("Choose the event you are at in the list above: no event runs today "
                             "and none was used before, and every lead keeps its show.", WARN,
                             flash=False)
            else:
                self._banner("Add the event you are at first (New event… above): every lead keeps "
                             "its show, and the show's country completes phone numbers.", WARN,
                             flash=False)
        elif self._asking_for_event:
            self._banner(READY, IDLE)  # the prompt to choose an event has been answered
        self._asking_for_event = event_id is None
        self.refresh_side()

    def _event_country(self) -> str:
        event_id = self.event_id
        event = next((e for e in self.services.events.events() if e.id == event_id), None)
        return event.country if event else ""

    def _load_questions(self, event_id: uuid.UUID | None) -> None:
        """The event's qualifier questions; answers already given stay where a question does."""
        questions = self.services.questions.questions_for_event(event_id) if event_id else []
        if questions == self.fields.qualifiers.questions:
            return
        given = self.fields.qualifiers.all_answers()
        self.fields.qualifiers.set_questions(questions)
        if any(given.values()):
            self.fields.qualifiers.set_answers(given)

    def refresh_side(self) -> None:
        self.refresh_drafts()
        event_id = self.event_id
        if event_id is None:
            self.count_label.clear()
            self.side.show_no_event()
            return
        me = self.services.context.current_user_id
        count = self.services.booth.today_count(event_id, me)
        self.count_label.setText(f"Today: <b>{count}</b> captured by you")
        self.side.show_event(self.services.booth.recent_captures(event_id, me),
                             self.services.booth.registration_count(event_id))
        self.side.show_waiting(self.services.booth.waiting_count(event_id),
                               self.event_combo.currentText())

    # -- scanning -----------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self.scan_filter)
        app.installEventFilter(self._undo_keys)
        super().showEvent(event)
        self.reload_events()  # demo data, an import or a sync may have added events meanwhile
        QTimer.singleShot(0, self.focus_first)

    def hideEvent(self, event: Any) -> None:
        self.scan_filter.finish_burst()  # keys still held back reach their field first
        app = QApplication.instance()
        assert app is not None
        app.removeEventFilter(self.scan_filter)
        app.removeEventFilter(self._undo_keys)
        super().hideEvent(event)

    def add_camera(self, panel: CameraPanel) -> None:
        """The webcam scanner above the last captures; its reads are scans like any."""
        self.camera = panel
        panel.payload_read.connect(self.handle_scan)
        panel.card_photographed.connect(self.images.read_card)
        self._right.insertWidget(0, panel)
        panel.show()  # added to a page already shown

    def handle_scan(self, payload: str) -> ScanReading | None:
        """A badge was scanned: the visitor in the form so far is put aside as a draft (if
        anything was typed) and the scan starts on a clean form."""
        event_id = self.event_id
        if event_id is None:
            QApplication.beep()
            self._banner("This scan was not read: choose the event you are at above, then scan "
                         "the badge again.", BAD, flash=False)
            return None
        if payload == self._scanned_payload:
            self._banner("This badge is already in the form: add qualifiers, then Enter.", OK)
            return None
        try:
            reading = self.services.booth.read_scan(event_id, payload)
        except LeadlineError as error:
            self._banner(str(error), BAD)
            return None
        if reading.status == REJECTED:
            QApplication.beep()
            self._banner(f"Scan not read: {reading.reason} Nothing was saved; the scan is in "
                         "the scan log.", BAD)
            return reading
        try:
            kept = self._put_aside()
        except LeadlineError as error:
            self._banner(f"The scan was not opened, so the lead in the form stays as it is: "
                         f"{error}", BAD)
            return None
        if reading.status == EXISTING and reading.lead is not None:
            self._open_lead(reading.lead)
            self._scanned_payload = payload
            self._banner(f"Already captured: {reading.lead.display_name}. Opened for editing; "
                         f"Enter saves your additions.{draft_note(kept)}", WARN)
            return reading
        self._reset_form()
        self.fields.fill(reading.fields)
        self.fields.edits["badge_id"].setText(reading.badge_id)
        self._scanned_payload = payload
        who = " ".join(p for p in (reading.fields.get("first_name", ""),
                                   reading.fields.get("last_name", "")) if p) or reading.badge_id
        note = "" if reading.fields or reading.registered else \
            " (badge id only: saved for matching with the registration list)"
        if self.save_on_scan.isChecked():
            if self.save() is not None and kept is not None:
                self._banner(self.banner.text() + draft_note(kept), self.banner.tone)
        else:
            self._banner(f"Scanned {who}{note}. Add qualifiers, then Enter.{draft_note(kept)}",
                         OK)
            first = self.fields.qualifiers.first_editor()
            (first or self.fields.edits["first_name"]).setFocus()
        return reading

    # -- the form -----------------------------------------------------------------------------
    def current_form(self) -> CaptureForm:
        """Everything the form holds now, exactly as typed (for drafts and undo)."""
        form = self.fields.form(self.event_id, self.editing.id if self.editing else None)
        return replace(form, card=self.images.marks.on_form())

    def _reset_form(self) -> None:
        self.fields.reset()
        self.editing = None
        self._baseline = _EMPTY
        self._cleared = None
        self._scanned_payload = ""
        self.undo_clear_button.hide()
        self.images.visitor_changed()

    def load_lead(self, record: LeadRecord) -> BoothDraft | None:
        """Open a captured lead in the form to add to it (recent list, repeat scans); an unsaved
        visitor in the form is put aside as a draft first (returned)."""
        kept = self._put_aside()
        self._open_lead(record)
        return kept

    def _open_lead(self, record: LeadRecord) -> None:
        self._reset_form()
        self.editing = record
        self.fields.show_lead(record, self.services.questions.answers_for(record.id))
        self._baseline = self.current_form()
        self.focus_first()

    def focus_first(self) -> None:
        self.fields.focus_first()

    def _edit_recent(self, record: LeadRecord) -> None:
        try:
            kept = self.load_lead(self.services.leads.get(record.id))
        except LeadlineError as error:
            self._banner(str(error), BAD)
            return
        self._banner(f"Editing {record.display_name}: Enter saves.{draft_note(kept)}", WARN)

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> LeadRecord | None:
        """Save and clear for the next visitor; problems are shown, doubtful data is flagged."""
        event_id = self.event_id
        if event_id is None:
            return None
        self.fields.hide_hints()
        try:
            result = self.services.booth.capture(
                event_id, self.fields.values() | self.images.marks.review_values(),
                answers=self.fields.qualifiers.answers(),
                consent=self.fields.consent.isChecked(),
                consent_text=CONSENT_WORDING if self.fields.consent.isChecked() else "",
                lead_id=self.editing.id if self.editing else None,
                pictures=self.images.marks.pictures)
        except ValidationError as error:
            self._show_errors(error)
            return None
        except LeadlineError as error:
            messages.error(self, "Not saved", str(error))
            return None
        self.services.events.remember_used(event_id)
        lead = result.lead
        verb = "Saved" if result.created else "Updated"
        review = f" — check later: {reason_text(lead.review_reason)}" if lead.needs_review else ""
        self._banner(f"✓ {verb} {lead.display_name}{review}", WARN if review else OK)
        self._reset_form()
        self.focus_first()
        self.refresh_side()
        self.leadSaved.emit(lead)
        return lead

    # -- feedback -----------------------------------------------------------------------------
    def _banner(self, text: str, tone: str, *, flash: bool = True, undo: bool = False) -> None:
        self.banner.say(text, tone, flash=flash)
        self.undo_clear_button.setVisible(undo)

    def _show_errors(self, error: ValidationError) -> None:
        self.fields.show_errors(error)
        self._banner(f"Not saved: {error}", BAD)
