"""The Settings dialog's own pages: Profile, Regional, Backups, Appearance and Reports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from app.domain.contact_data import country_name, normalise_country, normalise_email
from app.domain.people import Role
from app.services.backup_service import BackupPolicy
from app.services.container import Services
from app.ui.dialogs.report_dialog import PAPER
from app.ui.form_rows import error_label
from app.ui.local_settings import Appearance, LocalSettings, Reports
from app.ui.style import THEMES


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the file manager (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class _Page(QWidget):
    """A page with a red problem line at the bottom."""

    title = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error_label()
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)

    def finish_layout(self) -> None:
        self.body.addWidget(self.error)
        self.body.addStretch(1)

    def problem(self) -> str | None:
        return None

    def show_problem(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def save(self) -> None:
        """Nothing to store by default."""


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class ProfilePage(_Page):
    title = "Profile"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.people = services.people
        self.user = self.people.current_user()
        self.name = QLineEdit(self.user.name if self.user else "")
        self.name.setMaxLength(100)
        self.email = QLineEdit(self.user.email if self.user else "")
        self.email.setPlaceholderText("you@company.com")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        if self.user:
            self.role.setCurrentIndex(self.role.findData(self.user.role.value))
        box = QGroupBox("You, on this laptop")
        form = QFormLayout(box)
        form.addRow("&Name:", self.name)
        form.addRow("&Email:", self.email)
        form.addRow("&Role:", self.role)
        form.addRow(_note("Your name is recorded on every change; your role decides the screen "
                          "Leadline opens with. Someone else at this laptop? Use File → "
                          "Switch user…"))
        if self.user is None:
            box.setEnabled(False)
            form.addRow(_note("No one is signed in on this laptop yet."))
        self.body.addWidget(box)
        self.finish_layout()

    def problem(self) -> str | None:
        if self.user is None:
            return None
        if not self.name.text().strip():
            return "Name: is empty: give your name."
        try:
            normalise_email(self.email.text())
        except ValueError as error:
            return f"Email: {error}"
        return None

    def save(self) -> None:
        if self.user is None:
            return
        self.user = self.people.update_user(self.user.id, name=self.name.text(),
                                            email=self.email.text(),
                                            role=str(self.role.currentData()))


class RegionalPage(_Page):
    title = "Regional"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = services.context
        self.country = QLineEdit(self.context.default_country)
        self.country.setPlaceholderText("e.g. DE, AT, US, or a name such as Deutschland")
        self.country_hint = _note("")
        self.country.textChanged.connect(self._show_country)
        box = QGroupBox("Phone numbers")
        form = QFormLayout(box)
        form.addRow("Default &country:", self.country)
        form.addRow("", self.country_hint)
        form.addRow(_note("Phone numbers typed without a +country code (in the lead form, at "
                          "the booth, in imports) are read as numbers of this country when "
                          "neither the lead nor its event has a country (this laptop)."))
        self.body.addWidget(box)
        self.finish_layout()
        self._show_country()

    def _code(self) -> str:
        return normalise_country(self.country.text())

    def _show_country(self) -> None:
        try:
            code = self._code()
        except ValueError:
            self.country_hint.setText("Not a country yet.")
            return
        self.country_hint.setText(f"{code}: {country_name(code)}" if code else
                                  "None: numbers need their +country code.")

    def problem(self) -> str | None:
        try:
            self._code()
        except ValueError as error:
            return f"Default country: {error}"
        return None

    def save(self) -> None:
        code = self._code()
        if code != self.context.default_country:
            self.context.set_default_country(code)


class BackupsPage(_Page):
    title = "Backups"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backups = services.backups
        self.policy: BackupPolicy = self.backups.policy()
        self.daily = QCheckBox("Once a &day, at the first start of the day")
        self.on_close = QCheckBox("When Leadline &closes")
        self.before_big = QCheckBox("&Before big operations (imports, merges, re-routing, "
                                    "erasure)")
        self.keep = QSpinBox()
        self.keep.setRange(1, 999)
        self.keep.setSuffix(" of each kind")
        self.daily.setChecked(bool(self.policy.daily))
        self.on_close.setChecked(bool(self.policy.on_close))
        self.before_big.setChecked(bool(self.policy.before_big_operations))
        self.keep.setValue(int(self.policy.keep))
        when = QGroupBox("Copy the database")
        column = QVBoxLayout(when)
        for box in (self.daily, self.on_close, self.before_big):
            column.addWidget(box)
        self.folder = QLineEdit(str(self.backups.folder()))
        self.folder.setReadOnly(True)
        self.open_button = QPushButton("&Open folder")
        self.open_button.setAccessibleName("Open the backup folder")
        self.open_button.clicked.connect(lambda: open_folder(Path(self.folder.text())))
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.open_button)
        where = QGroupBox("Where and how many")
        form = QFormLayout(where)
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        form.addRow("&Keep the newest:", self.keep)
        form.addRow(_note("Older backups are deleted automatically. The folder sits next to "
                          "the database; copy it to another drive now and then."))
        self.body.addWidget(when)
        self.body.addWidget(where)
        self.finish_layout()

    def save(self) -> None:
        policy = dataclasses.replace(
            self.policy, daily=self.daily.isChecked(), on_close=self.on_close.isChecked(),
            before_big_operations=self.before_big.isChecked(), keep=self.keep.value())
        if policy != self.policy:
            self.backups.set_policy(policy)
            self.policy = policy


class AppearancePage(_Page):
    title = "Appearance"

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.local = LocalSettings(settings)
        self.theme = QComboBox()
        for value, label in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(self.theme.findData(self.local.get(Appearance.THEME)))
        box = QGroupBox("Colours (this laptop)")
        form = QFormLayout(box)
        form.addRow("&Theme:", self.theme)
        form.addRow(_note("“Follow the system” uses the light or dark mode chosen in the "
                          "operating system's settings."))
        self.body.addWidget(box)
        self.finish_layout()

    def chosen(self) -> str:
        return str(self.theme.currentData())

    def save(self) -> None:
        self.local.set(Appearance.THEME, self.chosen())


class ReportsPage(_Page):
    title = "Reports"

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.local = LocalSettings(settings)
        self.paper = QComboBox()
        for label, value in PAPER:
            self.paper.addItem(label, value or "")
        self.paper.setCurrentIndex(max(0, self.paper.findData(self.local.get(Reports.PAGE_SIZE))))
        box = QGroupBox("Printed reports (this laptop)")
        form = QFormLayout(box)
        form.addRow("&Paper size:", self.paper)
        form.addRow(_note("Automatic prints on Letter where the locale uses it (US, Canada, "
                          "Mexico…) and on A4 everywhere else. File → Reports… starts with this "
                          "choice."))
        self.body.addWidget(box)
        self.finish_layout()

    def save(self) -> None:
        self.local.set(Reports.PAGE_SIZE, str(self.paper.currentData() or ""))
