"""Nothing typed at the booth is lost: visitors put aside as drafts, resumed, Esc undone."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication

from app.domain.booth_capture import BoothDraft, CaptureForm
from app.domain.errors import LeadlineError, NotFoundError
from app.ui.pages.booth.banner import BAD, IDLE, OK, READY, UNDO

if TYPE_CHECKING:
    from app.ui.pages.booth.capture_page import CapturePage


def _content(form: CaptureForm) -> tuple[dict[str, str], dict[uuid.UUID, str], bool, uuid.UUID | None]:
    """What makes two forms the same visitor's work (the event aside)."""
    return dict(form.values), dict(form.answers), form.consent, form.lead_id


def draft_note(draft: BoothDraft | None) -> str:
    if draft is None:
        return ""
    return (f" {draft.form.title} was not saved yet: kept under Waiting drafts (right), "
            "click it to finish.")


class DraftKeeping:
    """A scan over a half-typed visitor puts that visitor aside as a draft, so no two visitors
    mix; Esc clears the form and Ctrl+Z (or "Undo clear") brings it all back (mixed into
    CapturePage)."""

    def is_dirty(self: CapturePage) -> bool:
        """Something was typed, scanned or ticked that is not saved yet."""
        return _content(self.current_form()) != _content(self._baseline)

    def keep_unsaved(self: CapturePage) -> BoothDraft | None:
        """Put an unsaved visitor aside as a draft (the window calls this before it closes or
        switches database); the form is then empty. None when there was nothing to keep."""
        draft = self._put_aside()
        if draft is not None:
            self._reset_form()
        return draft

    def resume_draft(self: CapturePage, draft_id: uuid.UUID) -> CaptureForm | None:
        """Open a draft to finish it; whatever the form held is put aside first."""
        if all(d.id != draft_id for d in self.services.booth.drafts()):
            self.refresh_drafts()  # already opened (a double click) or finished elsewhere
            return None
        try:
            kept = self._put_aside()
            form = self.services.booth.take_draft(draft_id)
        except LeadlineError as error:
            self._banner(str(error), BAD)
            return None
        self._open_form(form)
        self.refresh_drafts()
        self._banner(f"Draft opened: {form.title}. Finish it, then Enter saves."
                     f"{draft_note(kept)}", OK)
        return form

    def refresh_drafts(self: CapturePage) -> None:
        try:
            waiting = self.services.booth.drafts()
        except LeadlineError as error:
            waiting = []
            self._banner(str(error), BAD, flash=False)
        names = {e.id: e.name for e in self.services.events.events()} if waiting else {}
        self.side.show_drafts(waiting, names, self.event_id)

    def clear_form(self: CapturePage) -> None:
        """Esc: an empty form for the next visitor; Ctrl+Z or "Undo clear" brings it all back."""
        cleared = self.current_form() if self.is_dirty() else None
        self._reset_form()
        self.focus_first()
        if cleared is None:
            self._banner(READY, IDLE)
            return
        self._cleared = cleared
        self._banner(f"Cleared {cleared.title}. Ctrl+Z brings it back.", UNDO, flash=False,
                     undo=True)

    def can_undo_clear(self: CapturePage) -> bool:
        """Ctrl+Z restores a cleared form while nothing new was typed into it."""
        return self._cleared is not None and not self.is_dirty()

    def undo_clear(self: CapturePage) -> None:
        """Bring back everything Esc cleared: fields, rating, notes, answers, consent."""
        cleared = self._cleared
        if cleared is None:
            return
        try:
            kept = self._put_aside()
        except LeadlineError as error:
            self._banner(str(error), BAD)
            return
        self._open_form(cleared)
        self._banner(f"Restored {cleared.title}: Enter saves.{draft_note(kept)}", OK)

    def _put_aside(self: CapturePage) -> BoothDraft | None:
        if not self.is_dirty():
            return None
        draft = self.services.booth.keep_draft(self.current_form())
        self.refresh_drafts()
        return draft

    def _open_form(self: CapturePage, form: CaptureForm) -> None:
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
        self.fields.show_form(form)
        self.images.marks.restore(form.card)
        self.focus_first()


class UndoClearKeys(QObject):
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
