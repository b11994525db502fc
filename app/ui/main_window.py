"""The main window: navigation rail, toolbar with global search, menus, status bar, undo.
Commands: app/ui/commands (a mixin per area); menus: app/ui/actions; pages: app/ui/navigation;
which views re-read after a change: app/ui/window_changes."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Area
from app.domain.errors import LeadlineError
from app.services.container import Services
from app.ui import messages
from app.ui.actions import build_actions, build_menus
from app.ui.commands.booth import BoothCommands
from app.ui.commands.data import DataCommands
from app.ui.commands.followup import FollowUpCommands
from app.ui.commands.leads import LeadCommands
from app.ui.commands.lock import LockCommands
from app.ui.commands.team import TeamCommands
from app.ui.dialogs.conflicts_dialog import ConflictsDialog
from app.ui.local_settings import Leads, LocalSettings, Tray, Window
from app.ui.navigation import MY_DAY, NavigationCommands, build_rail
from app.ui.notices import NoticeBar
from app.ui.operations import NOTHING
from app.ui.pages.assignment import AssignmentPage
from app.ui.pages.booth.capture_page import CapturePage
from app.ui.pages.booth.image_capture import is_image_file
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.data_health import DataHealthPage
from app.ui.pages.duplicates import DuplicatesPage
from app.ui.pages.home import HomePage
from app.ui.pages.leads import LeadsPage
from app.ui.pages.my_day import MyDayPage
from app.ui.style import alarm_colour
from app.ui.sync_controller import START_DELAY_MS as SYNC_START_DELAY_MS
from app.ui.sync_controller import SyncController
from app.ui.tray import TrayController
from app.ui.window_changes import ELSEWHERE_EVERY_MS, LEADS_CHANGED, ChangeFollowing
from app.ui.window_state import DialogGeometry
from app.ui.workers import JobState, TaskRunner

log = logging.getLogger(__name__)

DAILY_RESCORE_DELAY_MS = 3000
SEARCH_DELAY_MS = 120
# First-touch deadlines and nurture returns: soon after start, then every ten minutes.
PERIODIC_FIRST_MS = 5000
PERIODIC_EVERY_MS = 10 * 60 * 1000


class MainWindow(NavigationCommands, LeadCommands, DataCommands, BoothCommands, FollowUpCommands,
                 TeamCommands, LockCommands, ChangeFollowing, QMainWindow):
    def __init__(self, services: Services, runner: TaskRunner, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.settings = services, runner, settings
        self.local = LocalSettings(settings)
        self.setWindowTitle("Leadline")
        self.undo_stack = QUndoStack(self)
        self.home = HomePage(services, runner, self.open_leads)
        self.leads = LeadsPage(services, runner, self.undo_stack, self.load_demo, self.new_lead,
                               lambda: self.import_leads())
        self.leads.countsChanged.connect(self._show_counts)
        self.leads.searchCleared.connect(lambda: self.search.clear())
        self.booth = CapturePage(services, settings, runner=runner)
        self.booth.leadSaved.connect(lambda _record: self.apply_changes(LEADS_CHANGED))
        self.booth.newEventRequested.connect(self.new_event)
        self.booth.waitingLeadsRequested.connect(self.open_leads)
        self.unseen_changes = NOTHING  # leads changed while the list was not in view
        self._recounting = self._recount_again = False
        self._periodic_job: JobState | None = None
        self._rescoring = self._checks_waiting = False
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home)
        self.pages.addWidget(self.leads)
        self.pages.addWidget(self.booth)
        self.duplicates = DuplicatesPage(services, runner, self.undo_stack,
                                         lambda: self.apply_changes(LEADS_CHANGED))
        self.pages.addWidget(self.duplicates)
        self.health = DataHealthPage(services, runner, self.open_leads)
        self.pages.addWidget(self.health)
        self.assignment = AssignmentPage(services, runner, self.undo_stack, self.load_demo,
                                         lambda: self.import_leads(), self.reapply_rules)
        self.assignment.leadsChanged.connect(self._leads_moved)
        self.pages.addWidget(self.assignment)
        self.my_day = MyDayPage(services, runner)
        self.my_day.openLead.connect(self.open_lead)
        self.my_day.changed.connect(self._touched)
        self.my_day.loaded.connect(self._show_due)
        self.pages.addWidget(self.my_day)
        self.dashboard = DashboardPage(services, runner, self.open_leads, self.load_demo,
                                       lambda: self.import_leads(), settings=settings)
        self.pages.addWidget(self.dashboard)
        self.leads.detail.attach_followup(services)
        self.leads.detail.touched.connect(self._touched)
        self.tray = TrayController(services, self, runner=runner)
        self.tray.showRequested.connect(self._raise)
        self.tray.myDayRequested.connect(lambda: (self._raise(), self.show_page(MY_DAY)))
        self.tray.quitRequested.connect(self.close)
        self.tray.countChanged.connect(self._show_due)
        self._conflicts_dialog: ConflictsDialog | None = None
        self.dialog_geometry = DialogGeometry(settings, self)
        application = QApplication.instance()
        if application is not None:
            application.installEventFilter(self.dialog_geometry)
        self.sync = SyncController(self, services, runner, settings)
        self.rail = build_rail()
        self.rail.currentRowChanged.connect(self.show_page)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.rail)
        self.notices = NoticeBar()
        self.notices.showLeads.connect(self.show_chosen_leads)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notices)
        column.addWidget(self.pages, 1)
        row.addLayout(column, 1)
        self.setCentralWidget(body)
        actions = build_actions(self)
        self.leads.detail.why_button.clicked.connect(self.why_score)
        build_menus(self, actions)
        self._build_toolbar()
        self._build_status_bar()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.leads.set_search(self.search.text()))
        self.setAcceptDrops(True)
        self.restore_layout()
        self._show_counts(self.leads.model.rowCount(), self.leads.total)
        self.apply_access()
        self.show_home_for_role()
        self.tray.check()
        # Decay changes scores as days pass: re-score once a day, after the window is up.
        QTimer.singleShot(DAILY_RESCORE_DELAY_MS, self, self.rescore_daily)
        self.tray.start()
        self.periodic_timer = QTimer(self, interval=PERIODIC_EVERY_MS)
        self.periodic_timer.timeout.connect(self.run_periodic_checks)
        self.periodic_timer.start()
        QTimer.singleShot(PERIODIC_FIRST_MS, self, self.run_periodic_checks)
        # Sync on start: a few seconds after the window is up (only if configured and wanted).
        QTimer.singleShot(SYNC_START_DELAY_MS, self, self.sync.sync_on_start)
        self.elsewhere_timer = QTimer(self, interval=ELSEWHERE_EVERY_MS)
        self.elsewhere_timer.timeout.connect(self.follow_changes_elsewhere)
        self.elsewhere_timer.start()
        self.services.context.others_wrote()  # from now on
        copied = self.sync.copied_database_notice()
        if copied:
            self.statusBar().showMessage(copied, 30000)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.delete_action, self.undo_action, self.redo_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.search = QLineEdit()
        self.search.setObjectName("globalSearch")
        self.search.setAccessibleName("Search leads")
        self.search.setPlaceholderText("Search leads (Ctrl+K): name, company, email, phone, notes")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.textChanged.connect(self._search_typed)
        self.search.installEventFilter(self)
        self.search.returnPressed.connect(self._search_now)
        toolbar.addWidget(self.search)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        database = self.services.context.db
        # The address never holds a password (app.paths refuses one), so it may be shown.
        self.db_label = QLabel(f"Team server: {database.location}" if database.is_server
                               else f"Database: {database.location}")
        self.db_label.setObjectName("databaseLabel")
        if database.is_server:
            self.db_label.setToolTip("Everyone connected works on this database; others' changes "
                                     "show within seconds. File → Use a database file on this "
                                     "laptop… goes back to a file.")
        self.user_label = QLabel()
        self.lock_label = QLabel()
        self.lock_label.setObjectName("lockLabel")
        self.lock_label.setStyleSheet(f"color: {alarm_colour()}; font-weight: 600;")
        self.lock_label.setToolTip("File → Unlock… (the booth PIN) opens everything again")
        status.addPermanentWidget(self.lock_label)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        status.addWidget(self.db_label, 1)
        self.due_label = QLabel()
        self.due_label.setObjectName("dueLabel")
        self.due_label.setToolTip("Your follow-ups due now: overdue and today (Ctrl+7)")
        status.addPermanentWidget(self.due_label)
        status.addPermanentWidget(self.sync.label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.count_label)
        self._show_user()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Z / Ctrl+Shift+Z in the search box undo the last change (a merge, an assignment)
        when the box has no typing of its own to undo."""
        if watched is self.search and event.type() == QEvent.Type.ShortcutOverride:
            key = QKeySequence(event.keyCombination())  # type: ignore[attr-defined]
            if key.matches(QKeySequence(QKeySequence.StandardKey.Undo)) == \
                    QKeySequence.SequenceMatch.ExactMatch and not self.search.isUndoAvailable():
                return True  # not accepted: the window's Undo action takes the key
            if key.matches(QKeySequence(QKeySequence.StandardKey.Redo)) == \
                    QKeySequence.SequenceMatch.ExactMatch and not self.search.isRedoAvailable():
                return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None or self._dropped_badge(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        badge = self._dropped_badge(event.mimeData())
        if badge is not None:  # a badge photo or screenshot, scanned like a wedge scan
            event.acceptProposedAction()
            if self.may_open(Area.CAPTURE):
                self.booth.images.scan_badge_file(badge)
            return
        path = _dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            if self.may_open(Area.IMPORTS):
                self.import_leads(path)

    def _dropped_badge(self, data: QMimeData) -> Path | None:
        """One image file dropped while the booth shows; anywhere else files go to the import."""
        urls = [u for u in data.urls() if u.isLocalFile()]
        if self.pages.currentWidget() is not self.booth or len(urls) != 1:
            return None
        path = Path(urls[0].toLocalFile())
        return path if is_image_file(path) else None

    def starts_in_tray(self) -> bool:
        """Start hidden behind the tray icon when this laptop asked for it and has a tray."""
        return self.local.get(Tray.START_MINIMISED) and self.tray.available

    def _show_due(self, count: int) -> None:
        self.due_label.setText(f"{count:,} due" if count else "")
        self.due_label.setStyleSheet(f"color: {alarm_colour()}; font-weight: 600;" if count
                                     else "")

    def _raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- status -------------------------------------------------------------------------------
    def _show_user(self) -> None:
        user = self.services.people.current_user()
        self.user_label.setText(f"{user.name} · {user.role.label}" if user else "No user")

    def _show_counts(self, shown: int, total: int) -> None:
        noun = "lead" if total == 1 else "leads"
        if shown == total:
            self.count_label.setText(f"{total:,} {noun}")
        else:
            more = "" if self.leads.model.count_is_exact else "+"
            self.count_label.setText(f"{shown:,}{more} of {total:,} {noun}")

    # -- window state -------------------------------------------------------------------------
    def restore_layout(self) -> None:
        geometry = self.local.get(Window.GEOMETRY)
        if geometry.isEmpty():
            self.resize(1280, 800)
        else:
            self.restoreGeometry(geometry)
        self.restoreState(self.local.get(Window.STATE))
        splitter = self.local.get(Leads.SPLITTER)
        if splitter.isEmpty():
            self.leads.splitter.setSizes([780, 420])
        else:
            self.leads.splitter.restoreState(splitter)
        header = self.local.get(Leads.HEADER)
        if not header.isEmpty():
            self.leads.table.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        self.local.set(Window.GEOMETRY, self.saveGeometry())
        self.local.set(Window.STATE, self.saveState())
        self.local.set(Leads.SPLITTER, self.leads.splitter.saveState())
        self.local.set(Leads.HEADER, self.leads.table.horizontalHeader().saveState())
        self.local.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.leads.detail.has_unsaved_changes():
            name = self.leads.detail.record.display_name if self.leads.detail.record else ""
            if messages.confirm(self, "Unsaved changes", f"Save your changes to {name} before "
                                "closing?", "Save") and not self.leads.detail.save():
                event.ignore()
                return
        try:
            self.booth.keep_unsaved()  # a half-typed visitor waits as a draft for the next start
        except LeadlineError as error:
            log.warning("the booth's unsaved visitor could not be kept as a draft: %s", error)
        self.save_layout()
        self.leads.model.stop_background_work()
        self.home.stop_background_work()
        self.health.stop_background_work()
        self.assignment.stop_background_work()
        self.dashboard.stop_background_work()
        self.periodic_timer.stop()
        self.elsewhere_timer.stop()
        self.services.context.db.stop_watching()
        self.sync.sync_before_close()
        self.tray.hide()
        self.runner.shut_down(5000)
        application = QApplication.instance()
        if application is not None:
            # Installed on the whole application: a window opened after this one (a restore,
            # another database) must not leave every event passing through this one's filter.
            application.removeEventFilter(self.dialog_geometry)
        event.accept()


IMPORTABLE = (".csv", ".tsv", ".txt", ".xlsx")


def _dropped_file(data: QMimeData) -> Path | None:
    """The one importable local file being dragged onto the window, if that is what it is."""
    urls = [u for u in data.urls() if u.isLocalFile()]
    if len(urls) != 1:
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in IMPORTABLE else None
