"""Sync settings of the open database: the shared folder, the team passphrase, when to sync.

Stored with the database (app/services/sync_settings.py), not with the laptop: another database
opened on this laptop has its own folder, or none.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.paths import DatabaseLocationError, ServerAddress, database_location
from app.services.sync_settings import SyncSettings, SyncSettingsStore
from app.ui.dialogs.settings_page import PageDialog
from app.ui.form_rows import error_label
from app.ui.local_settings import LegacySync, LocalSettings


def legacy_laptop_settings(local: LocalSettings) -> SyncSettings | None:
    """The laptop-wide sync settings of Leadline up to 0.12, if this laptop has any."""
    folder = local.get(LegacySync.FOLDER).strip()
    if not folder:
        return None
    return SyncSettings(Path(folder), local.get(LegacySync.PASSPHRASE) or None,
                        local.get(LegacySync.INTERVAL_MINUTES), local.get(LegacySync.ON_START_AND_CLOSE))


def forget_legacy_laptop_settings(local: LocalSettings) -> None:
    for setting in LegacySync.ALL:
        local.forget(setting)


class SyncSettingsPage(QWidget):
    """The fields, checks and saving; shown on its own and in the Settings dialog."""

    title = "Sync"

    def __init__(self, store: SyncSettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        stored = store.stored()
        current = stored.settings

        intro = QLabel("Laptops of the team exchange their changes through a shared folder (a "
                       "network drive, a cloud-synced folder such as OneDrive or Dropbox, a USB "
                       "stick) or through the team server. Only changes travel; this laptop's "
                       "database stays here and works offline.")
        intro.setWordWrap(True)

        self.folder = QLineEdit(str(current.folder) if current.folder else "")
        self.folder.setPlaceholderText("No shared folder: sync is off")
        self.folder.setAccessibleName("Shared folder")
        self.folder.setClearButtonEnabled(True)
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Browse for the shared folder")
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)

        self.server = QLineEdit(current.server.url if current.server is not None else "")
        self.server.setPlaceholderText("or a team server: postgresql+psycopg://USER@HOST/DBNAME")
        self.server.setAccessibleName("Team server")
        self.server.setClearButtonEnabled(True)
        self.server.setToolTip("This laptop keeps working offline on its own file and exchanges "
                               "changes with the team server. The password is never part of "
                               "the address: ~/.pgpass, a service file or the system keyring.")

        self.passphrase = QLineEdit(current.passphrase or "")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("optional: encrypts the change files it sends")
        self.passphrase.setAccessibleName("Team passphrase")
        self.show_passphrase = QCheckBox("S&how")
        self.show_passphrase.setAccessibleName("Show the passphrase")
        self.show_passphrase.toggled.connect(lambda on: self.passphrase.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        pass_row = QHBoxLayout()
        pass_row.setContentsMargins(0, 0, 0, 0)
        pass_row.addWidget(self.passphrase, 1)
        pass_row.addWidget(self.show_passphrase)
        pass_note = QLabel("Every laptop of the team needs the same passphrase. It is kept in "
                           "this database on this laptop only, never in the shared folder.")
        pass_note.setWordWrap(True)
        pass_note.setStyleSheet("color: palette(placeholder-text);")

        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" minutes")
        self.interval.setSpecialValueText("never (only on start, close and Sync now)")
        self.interval.setValue(current.interval_minutes)
        self.on_start_close = QCheckBox("Sync when Leadline &starts and closes")
        self.on_start_close.setChecked(current.on_start_and_close)

        where = QGroupBox("Where to sync")
        form = QFormLayout(where)
        form.addRow(intro)
        form.addRow(_buddy("&Folder:", self.folder), folder_row)
        form.addRow(_buddy("Team ser&ver:", self.server), self.server)
        form.addRow(_buddy("Team &passphrase:", self.passphrase), pass_row)
        form.addRow("", pass_note)
        when = QGroupBox("When to sync (F5 syncs at any time)")
        form = QFormLayout(when)
        form.addRow("Sync &every:", self.interval)
        form.addRow(self.on_start_close)

        scope = QLabel(f"For this database only: {store.db.path}. Another database opened on "
                       "this laptop has its own sync folder, or none.")
        scope.setObjectName("syncScope")
        scope.setWordWrap(True)
        self.error = error_label()
        if stored.set_aside_folder is not None:
            self.show_problem(
                f"This database file was copied or moved since it synced with "
                f"{stored.set_aside_folder}, so sync is off for it. Choose the folder again "
                "only if this copy is the team's database.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scope)
        layout.addWidget(where)
        layout.addWidget(when)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Shared sync folder",
                                                  self.folder.text().strip())
        if chosen:
            self.folder.setText(chosen)

    def problem(self) -> str | None:
        text = self.folder.text().strip()
        server = self.server.text().strip()
        if text and server:
            return ("Choose the shared folder or the team server, not both: clear one of them.")
        if server:
            try:
                if not isinstance(database_location(server), ServerAddress):
                    return f"{server} is not a team server address."
            except DatabaseLocationError as error:
                return f"The team server address is not usable: {error}."
            return None
        if text and not Path(text).expanduser().is_dir():
            return (f"The folder {text} does not exist. If it is on a network drive or USB "
                    "stick, connect or mount it first (or open the cloud client), then save "
                    "again; Leadline never creates the shared folder itself.")
        return None

    def show_problem(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def save(self) -> None:
        text = self.folder.text().strip()
        server = database_location(self.server.text().strip()) if self.server.text().strip() \
            else None
        self.store.save(SyncSettings(Path(text).expanduser() if text else None,
                                     self.passphrase.text() or None, self.interval.value(),
                                     self.on_start_close.isChecked(),
                                     server if isinstance(server, ServerAddress) else None))


def sync_settings_dialog(store: SyncSettingsStore, parent: QWidget | None = None) -> PageDialog:
    """Team ▸ Sync settings: the sync page on its own."""
    return PageDialog(SyncSettingsPage(store), "Sync settings", 560, "SyncSettingsDialog",
                      parent)


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose mnemonic focuses ``widget`` (rows holding a layout get no buddy)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
