"""Booth commands: events, qualifier questions, registration lists, badge layout, scanner, and
badge images and business cards read into the booth form."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.domain.booth_capture import RegistrationImport
from app.ui import messages
from app.ui.dialogs.event_dialog import EventDialog
from app.ui.dialogs.questions_dialog import QuestionsDialog
from app.ui.dialogs.scan_log_dialog import ScanLogDialog
from app.ui.dialogs.scanner_dialog import ScannerDialog
from app.ui.navigation import BOOTH
from app.ui.operations import Changes
from app.ui.pages.booth.banner import BAD
from app.ui.pages.booth.image_capture import IMAGE_FILTER
from app.ui.wording import counted

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class BoothCommands:
    """The Booth menu's commands (mixed into MainWindow)."""

    def new_event(self: MainWindow) -> None:
        event = EventDialog.ask(self.services.events, self)
        if event is not None:
            self.refresh_all()
            self.booth.select_event(event.id)
            self.statusBar().showMessage(f"Added event {event.name}", 4000)

    def _booth_event(self: MainWindow) -> uuid.UUID | None:
        event_id = self.booth.event_id
        if event_id is None:
            messages.info(self, "Booth", "Add an event first (File → New event…).")
        return event_id

    def edit_questions(self: MainWindow) -> None:
        event_id = self._booth_event()
        if event_id is not None and QuestionsDialog.ask(self.services.questions, event_id, self):
            self.booth.reload_events()

    def import_registrations(self: MainWindow) -> None:
        event_id = self._booth_event()
        if event_id is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import registration list", "", "Registration exports (*.csv *.tsv *.txt)"
        )
        if not path:
            return
        status = self.statusBar()
        status.showMessage("Importing the registration list…")
        booth = self.services.booth

        def done(result: RegistrationImport) -> None:
            status.clearMessage()
            skipped = (
                f"\n{counted(len(result.skipped), 'row')} skipped, e.g. {result.skipped[0]}"
                if result.skipped
                else ""
            )
            messages.info(
                self,
                "Registration list imported",
                f"{counted(result.added, 'attendee')} added, {result.updated:,} "
                f"updated; {counted(result.resolved_leads, 'badge-only lead')} now "
                f"named.{skipped}",
            )
            self.booth.refresh_side()
            self.apply_changes(Changes(leads=True))

        def failed(error: Exception, _details: str) -> None:
            status.clearMessage()
            messages.error(self, "Registration list not imported", str(error))

        # Filling in thousands of waiting leads takes a while: off the GUI thread, in batches.
        self.runner.start(
            lambda state: booth.import_registrations(event_id, Path(path), progress=state.report),
            on_done=done,
            on_error=failed,
            on_progress=lambda done_, total: status.showMessage(
                f"Filling in badge-only leads from the registration list: {done_:,} of {total:,}…"
            ),
            owner=self,
        )

    def edit_badge_layout(self: MainWindow) -> None:
        event_id = self._booth_event()
        if event_id is None:
            return
        current = next((e.badge_layout for e in self.services.events.events() if e.id == event_id), "")
        spec, ok = QInputDialog.getText(
            self,
            "Badge layout",
            "If this event's badges hold a delimited string, give the "
            "separator, a space and the columns in order,\ne.g.  ^ first_name,last_name,"
            "company,badge_id   (separators: any character, TAB, GS). Empty for none.",
            text=current,
        )
        if not ok:
            return
        with messages.reported(self, "Badge layout not saved"):
            self.services.booth.set_badge_layout(event_id, spec)

    def edit_scanner(self: MainWindow) -> None:
        wedge = ScannerDialog.ask(self.settings, self)
        if wedge is not None:
            self.booth.scan_filter.configure(wedge)

    def show_scan_log(self: MainWindow) -> None:
        ScanLogDialog.show_log(self.services.booth.scan_log(self.booth.event_id), self)

    def scan_badge_image(self: MainWindow) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Scan a badge image", "", IMAGE_FILTER)
        if path:
            self.show_page(BOOTH)
            self.booth.images.scan_badge_file(Path(path))

    def toggle_camera(self: MainWindow) -> None:
        """Show or hide the webcam scanner; Qt Multimedia loads on first use only, and a system
        without what it needs (PulseAudio's library on Linux, a build without it) is told so."""
        self.show_page(BOOTH)
        page = self.booth
        if page.camera is not None:
            page.camera.setVisible(not page.camera.isVisible())
            return
        try:
            from app.ui.camera.camera_panel import CameraPanel
        except (ImportError, OSError) as error:
            page.banner.say(f"The camera view cannot start on this computer ({error}). Scan "
                            "with a handheld scanner, or open a badge photo (Booth → Scan a "
                            "badge image…).", BAD)
            return
        page.add_camera(CameraPanel(page.settings))

    def paste_badge_image(self: MainWindow) -> None:
        self.show_page(BOOTH)
        self.booth.images.paste()

    def read_business_card(self: MainWindow) -> None:
        """The front's picture, then (if the back says more) the back's; read in the booth."""
        front, _filter = QFileDialog.getOpenFileName(self, "Read a business card: the front", "",
                                                     IMAGE_FILTER)
        if not front:
            return
        back = ""
        answer = messages.choose(
            self, "Read a business card", "Does the back of the card say more (a mobile "
            "number, another language)? Then choose its picture too.",
            ["Front only", "Add the back…"], default=0)
        if answer is None:
            return
        if answer == 1:
            back, _filter = QFileDialog.getOpenFileName(
                self, "Read a business card: the back", str(Path(front).parent), IMAGE_FILTER)
        self.show_page(BOOTH)
        self.booth.images.read_card(Path(front), Path(back) if back else None)
