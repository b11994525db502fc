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
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
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
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth import CONSENT_WORDING
from app.domain.booth_capture import EXISTING, REJECTED, BoothDraft, CaptureForm, ScanReading
from app.domain.contact_data import format_phone_for_display, normalise_email, normalise_phone
from app.domain.errors import LeadlineError, NotFoundError, ValidationError
from app.domain.leads import LeadQuery, LeadRecord, Rating
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs.scanner_dialog import load_wedge_settings
from app.ui.form_rows import add_field_row, let_combo_shrink
from app.ui.local_settings import Booth, LocalSettings
from app.ui.pages.booth.qualifier_panel import QualifierPanel
from app.ui.pages.booth.scan_filter import ScanFilter
from app.ui.pages.booth.side_panel import BoothSidePanel
from app.ui.style import ALARM, SECONDARY, WARNING, set_tone

#: The menu bar's mnemonics (&File &Edit &View &Lead &Data &Booth &Help): no booth field uses them.
MENU_MNEMONICS = frozenset("FEVLDBH")
TEXT_FIELDS = (("first_name", "Fi&rst name"), ("last_name", "L&ast name"),
               ("company", "&Company"), ("title", "&Job title"), ("email", "E&mail"),
               ("phone", "&Phone"), ("mobile", "M&obile"), ("badge_id", "Bad&ge id"),
               ("country", "Countr&y"), ("product_interest", "Product &interest"))
BANT_FIELDS = (("budget", "Budget"), ("authority", "Authority"), ("need", "Need"),
               ("timeline", "Timeline"))
_OK = "background: #2e7d32; color: white; padding: 8px; font-size: 13pt;"
_WARN = "background: #f9a825; color: black; padding: 8px; font-size: 13pt;"
_BAD = "background: #c62828; color: white; padding: 8px; font-size: 13pt;"
_IDLE = "padding: 8px; font-size: 13pt;"
_UNDO = "background: #1565c0; color: white; padding: 8px; font-size: 13pt;"
_READY = "Ready. Scan a badge or type."
_EMPTY = CaptureForm(None)


def _content(form: CaptureForm) -> tuple[dict[str, str], dict[uuid.UUID, str], bool, uuid.UUID | None]:
    """What makes two forms the same visitor's work (the event aside)."""
    return dict(form.values), dict(form.answers), form.consent, form.lead_id


class CapturePage(QWidget):
    """Emits ``leadSaved(record)`` so other screens can refresh."""

    leadSaved = Signal(object)
    newEventRequested = Signal()
    #: The person asked for this event's badge-only leads still waiting (a LeadQuery).
    waitingLeadsRequested = Signal(object)

    def __init__(self, services: Services, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.local = services, LocalSettings(settings)
        self.editing: LeadRecord | None = None
        self.scanned_extra: dict[str, str] = {}  # badge fields without an editor (city, web…)
        self.edits: dict[str, QLineEdit] = {}
        self.hints: dict[str, QLabel] = {}
        self._baseline = _EMPTY  # the form as opened: unchanged, there is nothing to keep
        self._cleared: CaptureForm | None = None  # what Esc took away, until Ctrl+Z or the next visitor
        self._questions_event: uuid.UUID | None = None
        self._banner_style = _IDLE
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
        outer.addWidget(self.side, 1)
        self.scan_filter = ScanFilter(self, self.handle_scan, load_wedge_settings(settings))
        self._undo_keys = _UndoClearKeys(self)
        self._flash = QTimer(self, singleShot=True, interval=2500)
        self._flash.timeout.connect(lambda: self._banner(_READY, _IDLE))
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
        self.banner = QLabel()
        self.banner.setObjectName("scanBanner")
        self.banner.setWordWrap(True)
        self.undo_clear_button = QPushButton("&Undo clear (Ctrl+Z)")
        self.undo_clear_button.setObjectName("undoClear")
        self.undo_clear_button.clicked.connect(self.undo_clear)
        self.undo_clear_button.hide()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.undo_clear_button)
        column.addLayout(banner_row)
        self._banner(_READY, _IDLE)

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
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form_widget)
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
                             "and none was used before, and every lead keeps its show.", _WARN,
                             flash=False)
            else:
                self._banner("Add the event you are at first (New event… above): every lead keeps "
                             "its show, and the show's country completes phone numbers.", _WARN,
                             flash=False)
        elif self._asking_for_event:
            self._banner(_READY, _IDLE)  # the prompt to choose an event has been answered
        self._asking_for_event = event_id is None
        self.refresh_side()

    def _load_questions(self, event_id: uuid.UUID | None) -> None:
        """The event's qualifier questions; answers already given stay where a question does."""
        questions = self.services.questions.questions_for_event(event_id) if event_id else []
        self._questions_event = event_id
        if questions == self.qualifiers.questions:
            return
        given = self.qualifiers.all_answers()
        self.qualifiers.set_questions(questions)
        if any(given.values()):
            self.qualifiers.set_answers(given)

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

    def refresh_drafts(self) -> None:
        try:
            waiting = self.services.booth.drafts()
        except LeadlineError as error:
            waiting = []
            self._banner(str(error), _BAD, flash=False)
        names = {e.id: e.name for e in self.services.events.events()} if waiting else {}
        self.side.show_drafts(waiting, names, self.event_id)

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

    def handle_scan(self, payload: str) -> ScanReading | None:
        """A badge was scanned: the visitor in the form so far is put aside as a draft (if
        anything was typed) and the scan starts on a clean form."""
        event_id = self.event_id
        if event_id is None:
            QApplication.beep()
            self._banner("This scan was not read: choose the event you are at above, then scan "
                         "the badge again.", _BAD, flash=False)
            return None
        if payload == self._scanned_payload:
            self._banner("This badge is already in the form: add qualifiers, then Enter.", _OK)
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
        try:
            kept = self._put_aside()
        except LeadlineError as error:
            self._banner(f"The scan was not opened, so the lead in the form stays as it is: "
                         f"{error}", _BAD)
            return None
        if reading.status == EXISTING and reading.lead is not None:
            self._open_lead(reading.lead)
            self._scanned_payload = payload
            self._banner(f"Already captured: {reading.lead.display_name}. Opened for editing; "
                         f"Enter saves your additions.{_draft_note(kept)}", _WARN)
            return reading
        self._reset_form()
        self._fill(reading.fields)
        self.edits["badge_id"].setText(reading.badge_id)
        self._scanned_payload = payload
        who = " ".join(p for p in (reading.fields.get("first_name", ""),
                                   reading.fields.get("last_name", "")) if p) or reading.badge_id
        note = "" if reading.fields or reading.registered else \
            " (badge id only: saved for matching with the registration list)"
        if self.save_on_scan.isChecked():
            if self.save() is not None and kept is not None:
                self._banner(self.banner.text() + _draft_note(kept), self._banner_style)
        else:
            self._banner(f"Scanned {who}{note}. Add qualifiers, then Enter.{_draft_note(kept)}",
                         _OK)
            first = self.qualifiers.first_editor()
            (first or self.edits["first_name"]).setFocus()
        return reading

    # -- the form as a whole ------------------------------------------------------------------
    def current_form(self) -> CaptureForm:
        """Everything the form holds now, exactly as typed (for drafts and undo)."""
        values = {k: v for k, v in self.scanned_extra.items() if v}
        values.update({name: edit.text() for name, edit in self.edits.items()
                       if edit.text().strip()})
        if self.notes.toPlainText().strip():
            values["notes"] = self.notes.toPlainText()
        checked = self.rating_group.checkedButton()
        if checked is not None:
            values["rating"] = str(checked.property("rating"))
        answers = {qid: value for qid, value in self.qualifiers.all_answers().items() if value}
        return CaptureForm(self.event_id, values, answers, self.consent.isChecked(),
                           self.editing.id if self.editing else None)

    def is_dirty(self) -> bool:
        """Something was typed, scanned or ticked that is not saved yet."""
        return _content(self.current_form()) != _content(self._baseline)

    def keep_unsaved(self) -> BoothDraft | None:
        """Put an unsaved visitor aside as a draft (the window calls this before it closes or
        switches database); the form is then empty. None when there was nothing to keep."""
        draft = self._put_aside()
        if draft is not None:
            self._reset_form()
        return draft

    def resume_draft(self, draft_id: uuid.UUID) -> CaptureForm | None:
        """Open a draft to finish it; whatever the form held is put aside first."""
        if all(d.id != draft_id for d in self.services.booth.drafts()):
            self.refresh_drafts()  # already opened (a double click) or finished elsewhere
            return None
        try:
            kept = self._put_aside()
            form = self.services.booth.take_draft(draft_id)
        except LeadlineError as error:
            self._banner(str(error), _BAD)
            return None
        self._open_form(form)
        self.refresh_drafts()
        self._banner(f"Draft opened: {form.title}. Finish it, then Enter saves."
                     f"{_draft_note(kept)}", _OK)
        return form

    def can_undo_clear(self) -> bool:
        """Ctrl+Z restores a cleared form while nothing new was typed into it."""
        return self._cleared is not None and not self.is_dirty()

    def undo_clear(self) -> None:
        """Bring back everything Esc cleared: fields, rating, notes, answers, consent."""
        cleared = self._cleared
        if cleared is None:
            return
        try:
            kept = self._put_aside()
        except LeadlineError as error:
            self._banner(str(error), _BAD)
            return
        self._open_form(cleared)
        self._banner(f"Restored {cleared.title}: Enter saves.{_draft_note(kept)}", _OK)

    def _put_aside(self) -> BoothDraft | None:
        if not self.is_dirty():
            return None
        draft = self.services.booth.keep_draft(self.current_form())
        self.refresh_drafts()
        return draft

    def _open_form(self, form: CaptureForm) -> None:
        if form.event_id is not None and form.event_id != self.event_id:
            index = self.event_combo.findData(str(form.event_id))
            if index >= 0:
                self.event_combo.setCurrentIndex(index)  # its questions, its show
        self._reset_form()
        if form.lead_id is not None:
            try:
                self.editing = self.services.leads.get(form.lead_id)
            except NotFoundError:
                self.editing = None  # deleted meanwhile: saving makes it a new lead
        self._fill(form.values)
        self.qualifiers.set_answers(dict(form.answers))
        self.consent.setChecked(form.consent)
        self.focus_first()

    def _fill(self, values: Mapping[str, str]) -> None:
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
        self.services.events.remember_used(event_id)
        lead = result.lead
        verb = "Saved" if result.created else "Updated"
        review = f" — check later: {lead.review_reason}" if lead.needs_review else ""
        self._banner(f"✓ {verb} {lead.display_name}{review}", _WARN if review else _OK)
        self._reset_form()
        self.focus_first()
        self.refresh_side()
        self.leadSaved.emit(lead)
        return lead

    def clear_form(self) -> None:
        """Esc: an empty form for the next visitor; Ctrl+Z or "Undo clear" brings it all back."""
        cleared = self.current_form() if self.is_dirty() else None
        self._reset_form()
        self.focus_first()
        if cleared is None:
            self._banner(_READY, _IDLE)
            return
        self._cleared = cleared
        self._banner(f"Cleared {cleared.title}. Ctrl+Z brings it back.", _UNDO, flash=False,
                     undo=True)

    def _reset_form(self) -> None:
        for edit in self.edits.values():
            edit.setText("")  # unlike clear(), leaves no per-field undo to mix with Undo clear
        self.notes.clear()
        for button in self.rating_group.buttons():
            button.setChecked(False)
        self.qualifiers.clear()
        self.consent.setChecked(False)
        self.editing = None
        self.scanned_extra = {}
        self._baseline = _EMPTY
        self._cleared = None
        self._scanned_payload = ""
        self.undo_clear_button.hide()
        self._clear_hints_errors()

    def load_lead(self, record: LeadRecord) -> BoothDraft | None:
        """Open a captured lead in the form to add to it (recent list, repeat scans); an unsaved
        visitor in the form is put aside as a draft first (returned)."""
        kept = self._put_aside()
        self._open_lead(record)
        return kept

    def _open_lead(self, record: LeadRecord) -> None:
        self._reset_form()
        self.editing = record
        for name, edit in self.edits.items():
            edit.setText(str(record.value_of(name) or ""))
        self.notes.setPlainText(record.notes)
        for button in self.rating_group.buttons():
            button.setChecked(record.rating is not None and
                              button.property("rating") == record.rating.value)
        self.consent.setChecked(record.consent.value == "granted")
        self.qualifiers.set_answers(self.services.questions.answers_for(record.id))
        self._baseline = self.current_form()
        self.focus_first()

    def focus_first(self) -> None:
        self.edits["first_name"].setFocus()

    # -- feedback -----------------------------------------------------------------------------
    def _banner(self, text: str, style: str, *, flash: bool = True, undo: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(style)
        self._banner_style = style
        self.undo_clear_button.setVisible(undo)
        if not hasattr(self, "_flash"):
            return
        if flash and style in (_OK, _WARN):
            self._flash.start()
        else:
            self._flash.stop()

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
            set_tone(hint, SECONDARY)  # a palette: a changed style sheet drops the booth's big font
        except ValueError as exc:
            hint.setText(f"{exc} — it will be saved and flagged for review")
            set_tone(hint, WARNING)
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
                set_tone(self.hints[problem.field], ALARM)
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

    def _edit_recent(self, record: LeadRecord) -> None:
        try:
            kept = self.load_lead(self.services.leads.get(record.id))
        except LeadlineError as error:
            self._banner(str(error), _BAD)
            return
        self._banner(f"Editing {record.display_name}: Enter saves.{_draft_note(kept)}", _WARN)

def _draft_note(draft: BoothDraft | None) -> str:
    if draft is None:
        return ""
    return (f" {draft.form.title} was not saved yet: kept under Waiting drafts (right), "
            "click it to finish.")


class _UndoClearKeys(QObject):
    """Ctrl+Z on the booth form, while a cleared form can come back, restores it: ahead of the
    field's own undo and of the window's Edit → Undo."""

    def __init__(self, page: CapturePage) -> None:
        super().__init__(page)
        self.page = page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        focus = QApplication.focusWidget()
        if focus is None or watched is not focus or not self.page.isAncestorOf(focus) \
                or not event.matches(QKeySequence.StandardKey.Undo) or not self.page.can_undo_clear():
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key goes to the form, not to a shortcut
            return True
        self.page.undo_clear()
        return True
