"""Settings in one dialog: a page list on the left, the chosen page on the right.

Pages: Profile, Working time and service levels, Regional, Sync, Backups, Appearance, Reports.
Every page follows the SettingsPage contract (app/ui/dialogs/settings_page.py). OK checks every
page first and opens the first one with a problem; only when all are fine is anything saved.
Cancel changes nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.services.container import Services
from app.ui.dialogs.followup_settings_dialog import FollowUpSettingsPage
from app.ui.dialogs.settings_page import SettingsPage
from app.ui.dialogs.settings_pages import (
    AppearancePage,
    BackupsPage,
    ProfilePage,
    RegionalPage,
    ReportsPage,
)
from app.ui.dialogs.sync_settings_dialog import SyncSettingsPage
from app.ui.local_settings import LocalSettings, SettingsDialogState
from app.ui.style import apply_theme


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

