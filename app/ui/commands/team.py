"""The team and this laptop: user, sync, conflicts, backups, settings, help."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.ui import messages
from app.ui.about_dialog import AboutDialog
from app.ui.database_choice import laptop_file, remember, request_switch
from app.ui.dialogs.backup_dialog import BackupDialog, back_up_now
from app.ui.dialogs.conflicts_dialog import ConflictsDialog
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.dialogs.server_move_dialog import ServerMoveDialog
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from app.ui.dialogs.sync_settings_dialog import sync_settings_dialog
from app.ui.dialogs.team_server_dialog import TeamServerDialog
from app.ui.startup_checks import ask_other_file

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class TeamCommands:
    """Sync, backup, settings and help commands (mixed into MainWindow)."""

    def switch_user(self: MainWindow) -> None:
        before = self.services.people.current_user()
        if ProfileDialog.ask(self.services.people, self, lock=self.services.lock) is not None:
            after = self.services.people.current_user()
            if (before and before.id) != (after and after.id):
                # Undo belongs to the person who did it: the next one never undoes it for them.
                self.undo_stack.clear()
            self._show_user()
            self.leads.reload_choices()
            self.tray.forget_user()
            self.tray.check()
            self.apply_access()
            self.show_home_for_role()

    def sync_now(self: MainWindow) -> None:
        self.sync.sync_now()

    def back_up_now(self: MainWindow) -> None:
        back_up_now(self, self.services, self.runner, lambda text: self.statusBar().showMessage(text, 8000))

    def show_backups(self: MainWindow) -> None:
        BackupDialog.ask(self.services, self.runner, self)

    def move_to_server(self: MainWindow) -> None:
        ServerMoveDialog.ask(self.services, self.runner, self)

    def connect_team_server(self: MainWindow) -> None:
        database = self.services.context.db
        current = database.location if database.is_server else ""
        address = TeamServerDialog.ask(self.runner, self.local, current, self)
        if address is None:
            return
        if str(address) == current:
            self.statusBar().showMessage(f"Connected to {address} already.", 6000)
        elif not request_switch(self, address):
            self.statusBar().showMessage(f"Leadline opens {address} at the next start.", 8000)

    def use_laptop_file(self: MainWindow) -> None:
        database, file = self.services.context.db, laptop_file()
        left = (
            f"The team server {database.location} and its leads stay as they are. "
            if database.is_server
            else ""
        )
        choice = messages.choose(
            self,
            "Use a database file on this laptop",
            f"Leadline opens this laptop's own database file, {file}, now and at every start. "
            f"{left}Or choose another database file.",
            [f"&Use {file.name}", "&Choose another file…"],
        )
        if choice is None:
            return
        path = file if choice == 0 else ask_other_file(self, file)
        if path is None:
            return
        remember(self.local, path)
        if not database.is_server and Path(database.location).resolve() == path.expanduser().resolve():
            self.statusBar().showMessage(f"{path} is open already.", 6000)
        elif not request_switch(self, path):
            self.statusBar().showMessage(f"Leadline opens {path} at the next start.", 8000)

    def review_conflicts(self: MainWindow) -> None:
        """The review inbox, modeless so "Open lead" shows the lead behind it."""
        if self._conflicts_dialog is None:
            dialog = ConflictsDialog(self.services, self.runner, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open_lead_requested.connect(self.open_lead)
            dialog.conflict_resolved.connect(self.refresh_all)
            dialog.conflict_resolved.connect(self.sync.refresh_pending)
            dialog.destroyed.connect(lambda *_: setattr(self, "_conflicts_dialog", None))
            self._conflicts_dialog = dialog
        else:
            self._conflicts_dialog.reload()
        self._conflicts_dialog.show()
        self._conflicts_dialog.raise_()
        self._conflicts_dialog.activateWindow()

    def conflicts_changed(self: MainWindow) -> None:
        """A sync brought or settled conflicts: an open inbox shows them."""
        if self._conflicts_dialog is not None:
            self._conflicts_dialog.reload()

    def edit_sync_settings(self: MainWindow) -> None:
        if sync_settings_dialog(self.services.sync_settings, self).ask():
            self.sync.apply_settings()
            folder = self.sync.config().folder
            self.statusBar().showMessage(
                "Sync settings saved. Sync now with F5."
                if folder
                else "Sync settings saved: sync is off (no shared folder).",
                6000,
            )

    def edit_settings(self: MainWindow) -> None:
        if SettingsDialog.ask(self.services, self.settings, self):
            self.sync.apply_settings()
            self._show_user()
            self.refresh_all()
            self.statusBar().showMessage("Settings saved.", 5000)

    def show_shortcuts(self: MainWindow) -> None:
        ShortcutsDialog(self.menuBar(), self).exec()

    def about(self: MainWindow) -> None:
        database = self.services.context.db
        AboutDialog.show_about(database.location, self, on_server=database.is_server)
