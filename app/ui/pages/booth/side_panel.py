"""The booth's side column: the drafts put aside, this person's last captures at the event,
the registration list's size and the badge-only leads waiting for it. It only shows what the
page gives it; a click is handed back as a signal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.booth_capture import BoothDraft
from app.domain.leads import LeadRecord
from app.domain.review import reason_text


class BoothSidePanel(QWidget):
    draftChosen = Signal(uuid.UUID)  # noqa: N815 (Qt signal naming)
    leadChosen = Signal(object)  # noqa: N815 (a LeadRecord)
    waitingClicked = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.drafts_label = QLabel("&Waiting drafts (click one to finish it):")
        self.drafts = QListWidget()
        self.drafts.setObjectName("boothDrafts")
        self.drafts.setAccessibleName("Waiting drafts")
        self.drafts.setMaximumHeight(150)
        self.drafts.setWordWrap(True)  # a long name and company stay readable in the side column
        self.drafts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.drafts_label.setBuddy(self.drafts)
        self.drafts.itemActivated.connect(self._draft_chosen)
        self.drafts.itemClicked.connect(self._draft_chosen)
        column.addWidget(self.drafts_label)
        column.addWidget(self.drafts)
        recent_label = QLabel("Your last captures (click to edit):")
        recent_label.setWordWrap(True)
        self.drafts_label.setWordWrap(True)
        column.addWidget(recent_label)
        self.recent = QListWidget()
        self.recent.setObjectName("recentCaptures")
        self.recent.setAccessibleName("Your last captures")
        # A narrow column: long names end in "…" (the whole text in the tooltip), never a
        # sideways scroll bar nobody at a booth reaches for.
        for listing in (self.recent, self.drafts):
            listing.setTextElideMode(Qt.TextElideMode.ElideRight)
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent.itemActivated.connect(self._lead_chosen)
        self.recent.itemClicked.connect(self._lead_chosen)
        column.addWidget(self.recent, 1)
        self.registrations_label = QLabel()
        self.registrations_label.setWordWrap(True)
        column.addWidget(self.registrations_label)
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("waitingForRegistration")
        self.waiting_label.setWordWrap(True)
        self.waiting_label.setTextFormat(Qt.TextFormat.RichText)
        self.waiting_label.linkActivated.connect(lambda _link: self.waitingClicked.emit())
        self.waiting_label.hide()
        column.addWidget(self.waiting_label)

    def show_no_event(self) -> None:
        self.recent.clear()
        self.registrations_label.clear()
        self.waiting_label.hide()

    def show_event(self, recent: Sequence[LeadRecord], registered: int) -> None:
        self.recent.clear()
        for record in recent:
            flag = "  ⚠" if record.needs_review else ""
            item = QListWidgetItem(f"{record.display_name} · {record.company}{flag}".strip(" ·"))
            item.setData(Qt.ItemDataRole.UserRole, record)
            why = reason_text(record.review_reason) or record.email
            item.setToolTip(f"{item.text()}\n{why}" if why else item.text())
            self.recent.addItem(item)
        self.registrations_label.setText(
            f"Registration list: {registered:,} attendees" if registered else
            "No registration list yet: id-only badges are saved for matching after the show.")

    def show_waiting(self, waiting: int, event_name: str) -> None:
        """How many badge-only leads of this event wait for the registration list, as a link to
        them: staff see the queue the organiser's list will fill in."""
        self.waiting_label.setVisible(waiting > 0)
        if waiting:
            event = escape(event_name)
            leads = "badge-only lead" if waiting == 1 else "badge-only leads"
            # The link's colour is written into the text, so a theme switch re-renders it.
            link = QApplication.palette().color(QPalette.ColorRole.Link).name()
            self.waiting_label.setText(
                f"<b>Waiting for registration data:</b> <a href='waiting' style='color:{link}'>"
                f"{waiting:,} {leads}"
                f"</a> of {event}. Booth → Import registration list… fills "
                f"{'it' if waiting == 1 else 'them'} in.")

    def show_drafts(self, waiting: Sequence[BoothDraft], event_names: Mapping[uuid.UUID, str],
                    event_id: uuid.UUID | None) -> None:
        """The half-typed visitors put aside, newest first; the list shows only when there are some."""
        self.drafts.clear()
        for draft in waiting:
            when = draft.saved_at.astimezone().strftime("%H:%M")
            elsewhere = draft.form.event_id != event_id and draft.form.event_id in event_names
            where = f" ({event_names[draft.form.event_id]})" if elsewhere and draft.form.event_id else ""
            item = QListWidgetItem(f"{when} · {draft.form.title}{where}")
            item.setData(Qt.ItemDataRole.UserRole, str(draft.id))
            item.setToolTip("Half typed, not saved yet: click to finish it")
            self.drafts.addItem(item)
        self.drafts_label.setVisible(bool(waiting))
        self.drafts.setVisible(bool(waiting))

    def _draft_chosen(self, item: QListWidgetItem) -> None:
        self.draftChosen.emit(uuid.UUID(str(item.data(Qt.ItemDataRole.UserRole))))

    def _lead_chosen(self, item: QListWidgetItem) -> None:
        record = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(record, LeadRecord):
            self.leadChosen.emit(record)
