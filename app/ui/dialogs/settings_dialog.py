"""Settings in one dialog: a page list on the left, the chosen page on the right.

Pages: Profile, Working time and service levels, Regional, Sync, Backups, Appearance, Reports.
Every page offers ``problem()`` (checks without saving), ``show_problem(text)`` and ``save()``
(which may raise LeadlineError). OK checks every page first and opens the first one with a
problem; only when all are fine is anything saved. Cancel changes nothing.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.contact_data import country_name, normalise_country, normalise_email
from app.domain.errors import LeadlineError, ValidationError
from app.domain.people import Role
from app.services.backup_service import BackupPolicy
from app.services.container import Services
from app.ui.dialogs.followup_settings_dialog import FollowUpSettingsPage
from app.ui.dialogs.report_dialog import PAPER
from app.ui.dialogs.sync_settings_dialog import SyncSettingsPage
from app.ui.form_rows import error_label
from app.ui.local_settings import Appearance, LocalSettings, Reports, SettingsDialogState
from app.ui.style import THEMES, apply_theme


class SettingsPage(Protocol):
    title: str

    def problem(self) -> str | None: ...
    def show_problem(self, text: str | None) -> None: ...
    def save(self) -> None: ...


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


class SettingsDialog(QDialog):
    def __init__(self, services: Services, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.services, self.local = services, LocalSettings(settings)
        self.profile = ProfilePage(services)
        self.working_time = FollowUpSettingsPage(services, settings)
        self.regional = RegionalPage(services)
        self.sync = SyncSettingsPage(services.sync_settings)
        self.backups = BackupsPage(services)
        self.appearance = AppearancePage(settings)
        self.reports = ReportsPage(settings)
        self.pages: list[QWidget] = [self.profile, self.working_time, self.regional, self.sync,
                                     self.backups, self.appearance, self.reports]

        self.search = QLineEdit()
        self.search.setObjectName("settingsSearch")
        self.search.setAccessibleName("Search settings")
        self.search.setPlaceholderText("Search settings (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.find)
        self.search.returnPressed.connect(self.focus_match)
        find_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find_shortcut.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.no_match = QLabel("No setting matches.")
        self.no_match.setObjectName("settingsNoMatch")
        self.no_match.hide()
        self.page_list = QListWidget()
        self.page_list.setAccessibleName("Settings pages")
        self.page_list.setObjectName("settingsPages")
        self.stack = QStackedWidget()
        for page in self.pages:
            self.page_list.addItem(_page(page).title)
            scroller = QScrollArea()
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QScrollArea.Shape.NoFrame)
            scroller.setWidget(page)
            self.stack.addWidget(scroller)
        self.page_list.setSpacing(2)
        side_width = max(self.page_list.sizeHintForColumn(0),
                         self.fontMetrics().horizontalAdvance("Search settings (Ctrl+F)")) \
            + 4 * self.fontMetrics().averageCharWidth()
        self.page_list.setMaximumWidth(side_width)
        self.search.setMaximumWidth(side_width)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.currentChanged.connect(self.page_list.setCurrentRow)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

        side = QVBoxLayout()
        side.addWidget(self.search)
        side.addWidget(self.page_list, 1)
        side.addWidget(self.no_match)
        row = QHBoxLayout()
        row.addLayout(side)
        row.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.page_list.setCurrentRow(min(self.local.get(SettingsDialogState.PAGE), len(self.pages) - 1))
        self.page_list.setFocus()
        self._fit(buttons)

    def _fit(self, buttons: QWidget) -> None:
        """Tall enough for the longest page (no scroll bar), but never taller than the screen."""
        width = max(self.sizeHint().width(), 100 * self.fontMetrics().averageCharWidth())
        tallest = max(page.sizeHint().height() for page in self.pages)
        height = tallest + buttons.sizeHint().height() + 4 * self.layout().spacing() + 24
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, max(height, self.sizeHint().height()))

    def show_page(self, page: QWidget) -> None:
        self.page_list.setCurrentRow(self.pages.index(page))

    def find(self, text: str) -> list[QWidget]:
        """Keep the pages that mention ``text`` (labels, check boxes, group titles, control
        names), show the first; returns each matching page's first matching control."""
        wanted = text.strip().casefold()
        matches: list[QWidget] = []
        first_row = None
        for row, page in enumerate(self.pages):
            hit = _first_mention(page, wanted) if wanted else page
            self.page_list.setRowHidden(row, hit is None)
            if hit is not None:
                matches.append(hit)
                first_row = row if first_row is None else first_row
        self.no_match.setVisible(first_row is None)
        if first_row is not None and self.page_list.isRowHidden(self.page_list.currentRow()):
            self.page_list.setCurrentRow(first_row)
        return matches

    def focus_match(self) -> None:
        """Enter in the search box: to the first matching control of the page shown."""
        wanted = self.search.text().strip().casefold()
        hit = _first_mention(self.current_page(), wanted) if wanted else None
        if hit is not None:
            target = hit.buddy() if isinstance(hit, QLabel) and hit.buddy() else hit
            target.setFocus()

    def current_page(self) -> QWidget:
        return self.pages[self.stack.currentIndex()]

    def first_problem(self) -> QWidget | None:
        """Check every page; show each page's problem on it. The first page with one."""
        first: QWidget | None = None
        for page in self.pages:
            problem = _page(page).problem()
            _page(page).show_problem(problem)
            if problem and first is None:
                first = page
        return first

    def save(self) -> bool:
        """OK: check all pages, then save all; on a problem switch to its page and stay open."""
        failing = self.first_problem()
        if failing is not None:
            self.show_page(failing)
            return False
        # The pages whose service may still refuse (taken email, backup limits) go first, so a
        # refusal leaves the rest unsaved.
        first = [self.profile, self.backups]
        for page in first + [p for p in self.pages if p not in first]:
            try:
                _page(page).save()
            except ValidationError as error:
                _page(page).show_problem("\n".join(
                    f"{e.field.replace('_', ' ').capitalize()}: {e.message}"
                    for e in error.errors))
                self.show_page(page)
                return False
            except LeadlineError as error:
                _page(page).show_problem(str(error))
                self.show_page(page)
                return False
        self.services.cadences.forget()
        self.local.set(SettingsDialogState.PAGE, self.stack.currentIndex())
        self.local.sync()
        application = QApplication.instance()
        if isinstance(application, QApplication):
            apply_theme(application, self.appearance.chosen())
        self.accept()
        return True

    @classmethod
    def ask(cls, services: Services, settings: QSettings, parent: QWidget | None = None) -> bool:
        """Show the dialog; True when the settings were saved."""
        return cls(services, settings, parent).exec() == QDialog.DialogCode.Accepted


def _first_mention(page: QWidget, wanted: str) -> QWidget | None:
    """The first visible-to-the-page widget whose words contain ``wanted``, in reading order."""
    page_title = str(getattr(page, "title", ""))
    for widget in page.findChildren(QWidget):
        words = [widget.accessibleName()]
        if isinstance(widget, QLabel | QAbstractButton):
            words.append(widget.text().replace("&", ""))
        if isinstance(widget, QGroupBox):
            words.append(widget.title().replace("&", ""))
        if isinstance(widget, QComboBox):
            words += [widget.itemText(i) for i in range(widget.count())]
        if any(wanted in word.casefold() for word in words if word):
            return widget
    return page if wanted in page_title.casefold() else None


def _page(widget: QWidget) -> SettingsPage:
    return widget  # type: ignore[return-value]

