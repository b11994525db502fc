"""The main window: navigation rail, toolbar with global search, menus, status bar, undo."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.domain.history import AutomaticChange
from app.domain.leads import LeadQuery, LeadRecord
from app.domain.people import Role
from app.domain.tasks import TaskKind
from app.services.booth_service import RegistrationImport
from app.services.container import Services
from app.services.followup_service import FollowUpCancelledError, NurtureReturn, SlaCheck
from app.services.scoring_service import RescoreSummary
from app.ui import messages
from app.ui.about_dialog import AboutDialog
from app.ui.dialogs import erasure_dialog, export_dialog
from app.ui.dialogs.backup_dialog import BackupDialog, back_up_now
from app.ui.dialogs.cadences_dialog import CadencesDialog
from app.ui.dialogs.conflicts_dialog import ConflictsDialog
from app.ui.dialogs.event_dialog import EventDialog
from app.ui.dialogs.followup_settings_dialog import FollowUpSettingsDialog
from app.ui.dialogs.hand_back_dialog import HandBackDialog, RecycleDialog
from app.ui.dialogs.import_history_dialog import ImportHistoryDialog
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.dialogs.new_lead_dialog import NewLeadDialog
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.dialogs.questions_dialog import QuestionsDialog
from app.ui.dialogs.reassign_dialog import ReassignDialog
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.dialogs.routing_rules_dialog import RoutingRulesDialog
from app.ui.dialogs.scan_log_dialog import ScanLogDialog
from app.ui.dialogs.scanner_dialog import ScannerDialog
from app.ui.dialogs.scoring_rules_dialog import ScoringRulesDialog, rescore_all
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from app.ui.dialogs.suppression_dialog import SuppressionDialog
from app.ui.dialogs.sync_settings_dialog import SyncSettingsDialog
from app.ui.notices import NoticeBar
from app.ui.pages.assignment import AssignmentPage
from app.ui.pages.booth.capture_page import CapturePage
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.data_health import DataHealthPage
from app.ui.pages.duplicates import DuplicatesPage
from app.ui.pages.home import HomePage
from app.ui.pages.leads import LeadsPage
from app.ui.pages.my_day import MyDayPage, log_touch_for
from app.ui.progress import run_with_progress
from app.ui.style import alarm_colour
from app.ui.sync_controller import START_DELAY_MS as SYNC_START_DELAY_MS
from app.ui.sync_controller import SyncController
from app.ui.tray import START_MINIMISED_KEY, TrayController
from app.ui.undo import AssignmentRunCommand, CreateLeadCommand
from app.ui.window_state import DialogGeometry
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner

log = logging.getLogger(__name__)

HOME, LEADS, BOOTH, DUPLICATES, HEALTH, ASSIGNMENT, MY_DAY, DASHBOARD = 0, 1, 2, 3, 4, 5, 6, 7
DAILY_RESCORE_DELAY_MS = 3000
SEARCH_DELAY_MS = 120
DEMO_DEFAULT = 2000
# First-touch deadlines and nurture returns: soon after start, then every ten minutes.
PERIODIC_FIRST_MS = 5000
PERIODIC_EVERY_MS = 10 * 60 * 1000


class MainWindow(QMainWindow):
    def __init__(self, services: Services, runner: TaskRunner, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.settings = services, runner, settings
        self.setWindowTitle("Leadline")
        self.undo_stack = QUndoStack(self)
        self.home = HomePage(services, runner, self.open_leads)
        self.leads = LeadsPage(services, runner, self.undo_stack, self.load_demo, self.new_lead,
                               lambda: self.import_leads())
        self.leads.countsChanged.connect(self._show_counts)
        self.leads.searchCleared.connect(lambda: self.search.clear())
        self.booth = CapturePage(services, settings)
        self.booth.leadSaved.connect(self._lead_captured)
        self.booth.newEventRequested.connect(self.new_event)
        self.booth.waitingLeadsRequested.connect(self.open_leads)
        self._leads_stale = False
        self._recounting = self._recount_again = False
        self._periodic_job: JobState | None = None
        self._rescoring = self._checks_waiting = False
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home)
        self.pages.addWidget(self.leads)
        self.pages.addWidget(self.booth)
        self.duplicates = DuplicatesPage(services, runner, self.undo_stack, self._leads_changed)
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
        self.rail = self._build_rail()
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
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.leads.set_search(self.search.text()))
        self.setAcceptDrops(True)
        self.restore_layout()
        self._show_counts(self.leads.model.rowCount(), self.leads.total)
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
        copied = self.sync.copied_database_notice()
        if copied:
            self.statusBar().showMessage(copied, 30000)

    # -- building -----------------------------------------------------------------------------
    def _build_rail(self) -> QListWidget:
        rail = QListWidget()
        rail.setObjectName("navigationRail")
        rail.setAccessibleName("Navigation")
        rail.setFixedWidth(120)
        rail.setIconSize(QSize(20, 20))
        for label, shortcut in (("Home", "Ctrl+1"), ("Leads", "Ctrl+2"), ("Booth", "Ctrl+3"),
                                ("Duplicates", "Ctrl+4"), ("Data health", "Ctrl+5"),
                                ("Assignment", "Ctrl+6"), ("My day", "Ctrl+7"),
                                ("Dashboard", "Ctrl+8")):
            item = QListWidgetItem(label)
            item.setToolTip(f"{label} ({shortcut})")
            item.setSizeHint(QSize(100, 36))
            rail.addItem(item)
        rail.currentRowChanged.connect(self.show_page)
        return rail

    def _action(self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                slot: object,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text.replace('&', '')}"
                          + (f" ({action.shortcut().toString()})" if shortcut else ""))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New lead…", QKeySequence.StandardKey.New, self.new_lead)
        self.save_action = self._action("&Save lead", QKeySequence.StandardKey.Save,
                                        self.leads.detail.save)
        self.delete_action = self._action("&Delete lead", QKeySequence.StandardKey.Delete,
                                          self.leads.delete_selected,
                                          "Delete the selected leads (undo with Ctrl+Z)")
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.leads.table.addAction(self.delete_action)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.find_action = self._action("&Find leads", "Ctrl+K", self.focus_search,
                                        "Search names, companies, emails, phones and notes")
        self.find_action.setShortcuts([QKeySequence("Ctrl+K"),
                                       QKeySequence(QKeySequence.StandardKey.Find)])
        self.refresh_action = self._action("&Refresh", "Ctrl+R", self.refresh_all)
        self.demo_action = self._action("Load &demo data…", None, self.load_demo)
        self.switch_user_action = self._action("S&witch user…", None, self.switch_user)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.home_action = self._action("&Home", "Ctrl+1", lambda: self.show_page(HOME))
        self.leads_action = self._action("&Leads", "Ctrl+2", lambda: self.show_page(LEADS))
        self.booth_action = self._action("&Booth capture", "Ctrl+3", lambda: self.show_page(BOOTH))
        self.duplicates_action = self._action("D&uplicates", "Ctrl+4",
                                              lambda: self.show_page(DUPLICATES))
        self.health_action = self._action("Data heal&th", "Ctrl+5", lambda: self.show_page(HEALTH))
        self.assignment_action = self._action("&Assignment board", "Ctrl+6",
                                              lambda: self.show_page(ASSIGNMENT),
                                              "Queues, orphans and reps' workload: assign leads")
        self.my_day_action = self._action("&My day", "Ctrl+7", lambda: self.show_page(MY_DAY),
                                          "Your overdue, today's and upcoming follow-ups")
        self.dashboard_action = self._action("Dashb&oard", "Ctrl+8",
                                             lambda: self.show_page(DASHBOARD),
                                             "Charts: funnel, sources, service level, lead age")
        self.reports_action = self._action("&Reports…", "Ctrl+Shift+P", self.show_reports,
                                           "Save or print the status, rep, return, funnel and "
                                           "follow-up reports")
        self.log_touch_action = self._action("&Log touch…", "Ctrl+L", self.log_touch,
                                             "Record a call, email or meeting with the selected "
                                             "lead")
        self.cadences_action = self._action("&Cadences…", None, self.edit_cadences,
                                            "The planned follow-up steps after a lead gets its "
                                            "owner")
        self.followup_settings_action = self._action(
            "&Follow-up settings…", None, self.edit_followup_settings,
            "Working calendar, first-touch deadlines and escalation")
        self.export_ics_action = self._action("Export my tasks to &calendar (.ics)…", None,
                                              self.export_calendar)
        self.reapply_action = self._action("Re-apply &routing rules…", "Ctrl+Shift+R",
                                           self.reapply_rules,
                                           "Preview and apply the routing rules to existing leads")
        self.routing_rules_action = self._action("Routing r&ules…", None, self.edit_routing_rules)
        self.scoring_rules_action = self._action("Scoring ru&les…", None, self.edit_scoring_rules)
        self.hand_back_action = self._action("&Hand back to queue…", "Ctrl+Shift+H",
                                             self.hand_back,
                                             "Give the selected lead back to the queue")
        self.recycle_action = self._action("Re&cycle to nurture…", None, self.recycle,
                                           "Not ready now: nurture until a date")
        self.why_score_action = self._action("&Why this score?", "Ctrl+Shift+W", self.why_score,
                                             "The scoring rules behind the selected lead's score")
        self.leads.detail.why_button.clicked.connect(self.why_score)
        self.new_event_action = self._action("New e&vent…", None, self.new_event)
        self.import_action = self._action("&Import leads…", "Ctrl+I", lambda: self.import_leads())
        self.export_action = self._action("&Export leads…", "Ctrl+E", self.export_leads,
                                          "Export the current list to CSV")
        self.import_history_action = self._action("Import &history…", None,
                                                  self.show_import_history)
        self.questions_action = self._action("&Qualifier questions…", None, self.edit_questions)
        self.registrations_action = self._action("Import &registration list…", None,
                                                 self.import_registrations)
        self.layout_action = self._action("Badge &layout…", None, self.edit_badge_layout)
        self.scan_log_action = self._action("Scan lo&g…", None, self.show_scan_log)
        self.scanner_action = self._action("Scanner &settings…", None, self.edit_scanner)
        self.suppression_action = self._action("&Suppression list…", None,
                                               self.show_suppression_list)
        self.directory_action = self._action("Import company &directory…", None,
                                             self.import_company_directory)
        self.export_person_action = self._action(
            "E&xport person's data…", None, self.export_person_data,
            "Save everything stored about the selected lead's person (access request)")
        self.erase_person_action = self._action(
            "Erase &person…", None, self.erase_person,
            "Erase the selected lead's person completely on request (cannot be undone)")
        self.leads.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        separator = QAction(self)
        separator.setSeparator(True)
        second = QAction(self)
        second.setSeparator(True)
        for action in (separator, self.hand_back_action, self.recycle_action,
                       self.why_score_action, second, self.export_person_action,
                       self.erase_person_action):
            self.leads.table.addAction(action)
        self.about_action = self._action("&About Leadline", None, self.about)
        self.shortcuts_action = self._action("&Keyboard shortcuts", "Ctrl+/",
                                             self.show_shortcuts,
                                             "Every command and its shortcut")
        self.settings_action = self._action("Se&ttings…", "Ctrl+,", self.edit_settings,
                                            "Profile, working time, regional, sync, backups, "
                                            "appearance, reports")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.sync_now_action = self._action("S&ync now", "F5", self.sync_now,
                                            "Exchange changes with the team's shared folder")
        self.conflicts_action = self._action("Review sync c&onflicts…", None,
                                             self.review_conflicts,
                                             "Decide fields changed on two laptops at the same "
                                             "time")
        self.backup_now_action = self._action("&Back up now", "Ctrl+Shift+B", self.back_up_now,
                                              "Write a backup of the database now")
        self.backups_action = self._action("Bac&kups and restore…", None, self.show_backups,
                                           "See the backups, make one, or restore one")
        self.sync_settings_action = self._action("Sync se&ttings…", None, self.edit_sync_settings,
                                                 "Shared folder, team passphrase and when to "
                                                 "sync (this laptop)")

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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.new_action, self.new_event_action, self.save_action, None,
                       self.import_action, self.import_history_action, self.export_action,
                       self.export_ics_action, self.demo_action, None, self.reports_action, None,
                       self.sync_now_action, self.conflicts_action, self.sync_settings_action,
                       None, self.backup_now_action, self.backups_action, None,
                       self.switch_user_action, None, self.quit_action):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = bar.addMenu("&Edit")
        for action in (self.undo_action, self.redo_action, None, self.delete_action, None,
                       self.find_action, None, self.settings_action):
            edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
        view_menu = bar.addMenu("&View")
        for action in (self.home_action, self.leads_action, self.booth_action,
                       self.duplicates_action, self.health_action, self.assignment_action,
                       self.my_day_action, self.dashboard_action, None,
                       self.refresh_action):
            view_menu.addSeparator() if action is None else view_menu.addAction(action)
        lead_menu = bar.addMenu("&Lead")
        for action in (self.save_action, self.log_touch_action, None, self.hand_back_action,
                       self.recycle_action, None,
                       self.why_score_action):
            lead_menu.addSeparator() if action is None else lead_menu.addAction(action)
        data_menu = bar.addMenu("&Data")
        for action in (self.import_action, self.import_history_action, self.export_action, None,
                       self.routing_rules_action, self.reapply_action,
                       self.scoring_rules_action, None,
                       self.cadences_action, self.followup_settings_action, None,
                       self.suppression_action, self.directory_action, None,
                       self.export_person_action, self.erase_person_action):
            data_menu.addSeparator() if action is None else data_menu.addAction(action)
        booth_menu = bar.addMenu("&Booth")
        for action in (self.questions_action, self.registrations_action, self.layout_action,
                       None, self.scanner_action, self.scan_log_action):
            booth_menu.addSeparator() if action is None else booth_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.db_label = QLabel(f"Database: {self.services.context.db.path}")
        self.db_label.setObjectName("databaseLabel")
        self.user_label = QLabel()
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

    # -- navigation ---------------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        if self.pages.currentIndex() != index:
            self.pages.setCurrentIndex(index)
        if self.rail.currentRow() != index:
            self.rail.setCurrentRow(index)  # emits currentRowChanged: that call refreshes
            return
        if index == HOME:
            self.home.refresh()
        elif index == HEALTH:
            self.health.refresh()
        elif index == ASSIGNMENT:
            self.assignment.refresh()
        elif index == MY_DAY:
            self.my_day.refresh()
        elif index == DASHBOARD:
            self.dashboard.refresh()
        elif index == LEADS and self._leads_stale:
            self._leads_stale = False
            self.leads.model.refresh()

    def show_home_for_role(self) -> None:
        """Booth staff start at the capture screen, managers on the assignment board,
        reps in My day, admins on the dashboard, the others on Home. With no leads at all
        everyone but booth staff sees the empty list, which explains how to get leads in."""
        user = self.services.people.current_user()
        if user and user.role is Role.BOOTH:
            self.show_page(BOOTH)
        elif user and user.role is Role.MANAGER and self.leads.total:
            self.show_page(ASSIGNMENT)
        elif user and user.role is Role.REP and self.leads.total:
            self.show_page(MY_DAY)
        elif user and user.role is Role.ADMIN and self.leads.total:
            self.show_page(DASHBOARD)
        else:
            self.show_page(LEADS if self.leads.total == 0 else HOME)

    def open_leads(self, query: LeadQuery) -> None:
        self.search.blockSignals(True)
        self.search.setText(query.search)
        self.search.blockSignals(False)
        self.leads.show_query(query)
        self.show_page(LEADS)

    def open_lead(self, lead_id: uuid.UUID) -> None:
        """Show one lead in the Leads page (selected when it is in the list)."""
        try:
            record = self.services.leads.get(lead_id)
        except LeadlineError as error:
            messages.error(self, "Open lead", str(error))
            return
        self.show_page(LEADS)
        if self.leads.model.locate(record) is None:
            # Not in the list as filtered (or not loaded that far): show it where it can be
            # selected, with the way back to every lead.
            self.leads.show_chosen([record.id], f"Opened {record.display_name}")
        self.leads.select_lead(record)
        self.leads.detail.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_typed(self, _text: str) -> None:
        if self.pages.currentIndex() != LEADS:
            self.show_page(LEADS)
        self._search_timer.start()

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.leads.set_search(self.search.text())

    # -- actions ------------------------------------------------------------------------------
    def new_lead(self) -> None:
        record = NewLeadDialog.ask(self.services.leads, self.leads._choices(), self)
        if record is None:
            return
        self.undo_stack.push(CreateLeadCommand(self.services.leads, record,
                                               self.leads.lead_stored))
        self.show_page(LEADS)
        self.leads.model.refresh()
        self.leads.select_lead(record)
        self.statusBar().showMessage(f"Added {record.display_name}", 4000)

    def _leads_changed(self) -> None:
        self._mark_leads_stale()

    def _mark_leads_stale(self) -> None:
        """Leads changed while the list is not in view: it re-reads when shown; the status bar's
        count follows now (one count on the read lane, merged while one is on its way)."""
        self._leads_stale = True
        if self._recounting:
            self._recount_again = True
            return
        self._recounting, self._recount_again = True, False
        leads = self.services.leads

        def counted(total: int) -> None:
            self._recounting = False
            if self._recount_again:
                self._mark_leads_stale()
                return
            self.leads.total = total
            if self._leads_stale:
                self._show_counts(total, total)

        def failed(_error: Exception, _details: str) -> None:
            self._recounting = False

        self.runner.start(lambda _state: leads.count(LeadQuery()), on_done=counted,
                          on_error=failed, lane=Lane.READ, owner=self)

    def _lead_captured(self, _record: object) -> None:
        self._mark_leads_stale()  # the list re-queries when it is shown, not on every capture

    # -- imports ------------------------------------------------------------------------------
    def import_leads(self, path: Path | None = None) -> None:
        if ImportWizard.ask(self.services, self.runner, path, self) is not None:
            self.refresh_all()
            self.show_page(LEADS)

    def show_suppression_list(self) -> None:
        if SuppressionDialog.ask(self.services.suppressions, self):
            self.refresh_all()

    def export_leads(self) -> None:
        export_dialog.export_leads(self, self.services, self.runner, self.leads.current_query(),
                                   self.leads.model.rowCount())

    def _single_selected(self, what: str) -> LeadRecord | None:
        records = self.leads.selected_records()
        if len(records) != 1:
            messages.info(self, what, "Select one lead in the list first.")
            self.show_page(LEADS)
            return None
        return records[0]

    def export_person_data(self) -> None:
        record = self._single_selected("Export person's data")
        if record is not None:
            erasure_dialog.export_person(self, self.services, record)

    def erase_person(self) -> None:
        record = self._single_selected("Erase person")
        if record is None or erasure_dialog.erase_person(self, self.services, record,
                                                         self.runner) is None:
            return
        # Undo commands hold the person's old values in memory; they must not write them back.
        self.undo_stack.clear()
        self.leads.detail.show_lead(None)
        self.refresh_all()

    def import_company_directory(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import company directory", "",
            "Company directory: domain, company, industry, size, country (*.csv *.txt)")
        if not path:
            return
        try:
            result = self.services.enrichment.import_directory(Path(path))
        except LeadlineError as error:
            messages.error(self, "Company directory not imported", str(error))
            return
        problems = f"\n{counted(len(result.problems), 'row')} skipped, e.g. " \
            f"{result.problems[0]}" if result.problems else ""
        messages.info(self, "Company directory imported",
                      f"{counted(result.added, 'company', 'companies')} added, "
                      f"{result.updated:,} updated; {counted(result.leads_enriched, 'lead')} had "
                      f"blanks filled (typed values are never replaced).{problems}")
        self.refresh_all()

    def show_import_history(self) -> None:
        if ImportHistoryDialog.ask(self.services.imports, self):
            self.refresh_all()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.import_leads(path)

    # -- booth administration -----------------------------------------------------------------
    def new_event(self) -> None:
        event = EventDialog.ask(self.services.events, self)
        if event is not None:
            self.refresh_all()
            self.booth.select_event(event.id)
            self.statusBar().showMessage(f"Added event {event.name}", 4000)

    def _booth_event(self) -> uuid.UUID | None:
        event_id = self.booth.event_id
        if event_id is None:
            messages.info(self, "Booth", "Add an event first (File → New event…).")
        return event_id

    def edit_questions(self) -> None:
        event_id = self._booth_event()
        if event_id is not None and QuestionsDialog.ask(self.services.questions, event_id, self):
            self.booth.reload_events()

    def import_registrations(self) -> None:
        event_id = self._booth_event()
        if event_id is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import registration list", "", "Registration exports (*.csv *.tsv *.txt)")
        if not path:
            return
        status = self.statusBar()
        status.showMessage("Importing the registration list…")
        booth = self.services.booth

        def done(result: RegistrationImport) -> None:
            status.clearMessage()
            skipped = f"\n{counted(len(result.skipped), 'row')} skipped, e.g. " \
                f"{result.skipped[0]}" if result.skipped else ""
            messages.info(self, "Registration list imported",
                          f"{counted(result.added, 'attendee')} added, {result.updated:,} "
                          f"updated; {counted(result.resolved_leads, 'badge-only lead')} now "
                          f"named.{skipped}")
            self.booth.refresh_side()
            self._mark_leads_stale()

        def failed(error: Exception, _details: str) -> None:
            status.clearMessage()
            messages.error(self, "Registration list not imported", str(error))

        # Filling in thousands of waiting leads takes a while: off the GUI thread, in batches.
        self.runner.start(lambda state: booth.import_registrations(
            event_id, Path(path), progress=state.report), on_done=done, on_error=failed,
            on_progress=lambda done_, total: status.showMessage(
                f"Filling in badge-only leads from the registration list: {done_:,} of "
                f"{total:,}…"), owner=self)

    def edit_badge_layout(self) -> None:
        event_id = self._booth_event()
        if event_id is None:
            return
        current = next((e.badge_layout for e in self.services.events.events()
                        if e.id == event_id), "")
        spec, ok = QInputDialog.getText(
            self, "Badge layout", "If this event's badges hold a delimited string, give the "
            "separator, a space and the columns in order,\ne.g.  ^ first_name,last_name,"
            "company,badge_id   (separators: any character, TAB, GS). Empty for none.",
            text=current)
        if not ok:
            return
        try:
            self.services.booth.set_badge_layout(event_id, spec)
        except LeadlineError as error:
            messages.error(self, "Badge layout not saved", str(error))

    def edit_scanner(self) -> None:
        wedge = ScannerDialog.ask(self.settings, self)
        if wedge is not None:
            self.booth.scan_filter.configure(wedge)

    def show_scan_log(self) -> None:
        ScanLogDialog.show_log(self.services.booth.scan_log(self.booth.event_id), self)

    def starts_in_tray(self) -> bool:
        """Start hidden behind the tray icon when this laptop asked for it and has a tray."""
        wanted = self.settings.value(START_MINIMISED_KEY, False, type=bool)
        return bool(wanted) and self.tray.available

    def rescore_daily(self) -> None:
        if not self.services.scoring.rescore_due() or self._rescoring:
            return
        status = self.statusBar()
        status.showMessage("Updating scores for today…")
        scoring = self.services.scoring

        def finished() -> None:
            self._rescoring = False
            if self._checks_waiting:  # the follow-up checks waited for the scores
                self._checks_waiting = False
                self.run_periodic_checks()

        def done(summary: RescoreSummary | None) -> None:
            finished()
            status.showMessage("Scores are up to date.", 5000)
            if summary is None:
                return
            self.report_automatic_changes(summary.changes)
            if summary.changed:
                self.leads.model.refresh()

        def failed(error: Exception, _details: str) -> None:
            finished()
            status.showMessage(f"Scores were not updated: {error}", 10000)

        self._rescoring = True
        self.runner.start(lambda state: scoring.rescore_daily(
            progress=state.report, cancelled=lambda: state.cancelled),
            on_done=done, on_error=failed, owner=self)

    def refresh_all(self) -> None:
        self.booth.reload_events()
        self.leads.reload_choices()
        self.leads.model.refresh()
        if self.pages.currentIndex() == HOME:
            self.home.refresh()
        elif self.pages.currentIndex() == ASSIGNMENT:
            self.assignment.refresh()
        elif self.pages.currentIndex() == MY_DAY:
            self.my_day.refresh()
        elif self.pages.currentIndex() == DASHBOARD:
            self.dashboard.refresh()
        self.tray.check()

    def switch_user(self) -> None:
        before = self.services.people.current_user()
        if ProfileDialog.ask(self.services.people, self) is not None:
            after = self.services.people.current_user()
            if (before and before.id) != (after and after.id):
                # Undo belongs to the person who did it: the next one never undoes it for them.
                self.undo_stack.clear()
            self._show_user()
            self.leads.reload_choices()
            self.tray.forget_user()
            self.tray.check()
            self.show_home_for_role()

    def load_demo(self) -> None:
        count, ok = QInputDialog.getInt(
            self, "Load demo data", "How many demo leads? (events, team and history are added "
            "too)", DEMO_DEFAULT, 10, 1_000_000, 1000)
        if not ok:
            return
        from app.services.demo_service import DemoService

        demo = DemoService(self.services.context)

        def work(state: JobState) -> object:
            return demo.generate(count, progress=state.report, cancelled=lambda: state.cancelled)

        def done(_summary: object) -> None:
            self.refresh_all()
            self.statusBar().showMessage("Demo data loaded", 5000)

        def failed(error: Exception, details: str) -> None:
            self.refresh_all()
            text = str(error) if isinstance(error, LeadlineError) else "Demo data failed."
            messages.error(self, "Demo data", text, details)

        run_with_progress(self.runner, self, "Creating demo leads…", work, on_done=done,
                          on_error=failed, title="Demo data")

    # -- distribution -------------------------------------------------------------------------
    def _leads_moved(self) -> None:
        """Owners changed (assignment, re-applied rules, undo): lists elsewhere re-read."""
        if self.pages.currentIndex() == LEADS:
            self.leads.model.refresh()
        else:
            self._mark_leads_stale()
        if self.pages.currentIndex() == HOME:
            self.home.refresh()

    def reapply_rules(self) -> None:
        if ReassignDialog.ask(self.services, self.runner, self.undo_stack,
                              self.assignment.after_change, self) is not None:
            self.statusBar().showMessage("Routing rules re-applied. Ctrl+Z undoes it.", 6000)

    def edit_routing_rules(self) -> None:
        if RoutingRulesDialog.ask(self.services, self):
            self.reapply_rules()

    def edit_scoring_rules(self) -> None:
        if not ScoringRulesDialog.ask(self.services, self):
            return
        if messages.confirm(self, "Scoring rules saved", "New and edited leads are scored with "
                            "the new rules. Re-score all existing leads now? (Statuses may "
                            "move up to MQL or SQL.)", "Re-score all"):
            rescore_all(self, self.services, self.runner, self._rescored)

    def _rescored(self, summary: object) -> None:
        self.refresh_all()
        self._mark_leads_stale()
        if summary is not None:
            changed = getattr(summary, "changed", 0)
            promoted = getattr(summary, "promoted", 0)
            self.statusBar().showMessage(f"Re-scored: {changed:,} scores changed, {promoted:,} "
                                         "leads promoted", 8000)

    def _lead_for(self, what: str) -> LeadRecord | None:
        """The lead in the detail pane, else the one selected lead."""
        if self.pages.currentIndex() == LEADS and self.leads.detail.record is not None:
            return self.leads.detail.record
        return self._single_selected(what)

    def hand_back(self) -> None:
        record = self._lead_for("Hand back to queue")
        if record is None:
            return
        reason = HandBackDialog.ask(record.display_name, self)
        if reason is None:
            return
        routing = self.services.routing
        try:
            result = routing.hand_back(record.id, reason)
        except LeadlineError as error:
            messages.error(self, "Lead not handed back", str(error))
            return
        if result.run_id is not None:
            self.undo_stack.push(AssignmentRunCommand(
                f"Hand back {record.display_name}", routing, result.run_id,
                lambda: routing.hand_back(record.id, reason), self._after_lead_moved))
        self._after_lead_moved()
        self.statusBar().showMessage(f"{record.display_name} handed back to the queue", 5000)

    def recycle(self) -> None:
        record = self._lead_for("Recycle to nurture")
        if record is None:
            return
        today = self.services.context.clock().date()
        chosen = RecycleDialog.ask(record.display_name, today, self)
        if chosen is None:
            return
        reason, come_back_on = chosen
        try:
            self.services.routing.recycle(record.id, reason, come_back_on)
        except LeadlineError as error:
            messages.error(self, "Lead not recycled", str(error))
            return
        self._after_lead_moved()
        self.statusBar().showMessage(f"{record.display_name} is in nurture until "
                                     f"{come_back_on:%Y-%m-%d}", 5000)

    def _after_lead_moved(self) -> None:
        record = self.leads.detail.record
        if record is not None:
            # Re-read the list (owner or status changed) but stay on the lead.
            self.leads.model.refresh()
            self.leads.select_lead(self.services.leads.get(record.id))
        else:
            self.leads.model.refresh()
        if self.pages.currentIndex() == ASSIGNMENT:
            self.assignment.refresh()

    def why_score(self) -> None:
        record = self._lead_for("Why this score?")
        if record is None:
            return
        try:
            lead, result = self.services.scoring.explain(record.id)
        except LeadlineError as error:
            messages.error(self, "Why this score?", str(error))
            return
        lines = "\n".join(result.explain().split("; "))
        messages.info(self, "Why this score?",
                      f"{lead.display_name}: score {result.total}\n\n{lines}")

    # -- follow-up ----------------------------------------------------------------------------
    def log_touch(self) -> None:
        """A touch on the lead in view (no task needed): My day's selected task, else the
        lead in the detail pane or the one selected lead."""
        if self.pages.currentIndex() == MY_DAY:
            self.my_day.log_touch()
            return
        record = self._lead_for("Log touch")
        if record is None:
            return
        if log_touch_for(self, self.services, record.id, record.display_name, None, "",
                         TaskKind.CALL):
            self.leads.detail.refresh_record()
            self._touched()

    def _touched(self) -> None:
        """A touch was logged or a task moved: counts, tray and lists follow."""
        self._mark_leads_stale()
        self.tray.check()
        if self.pages.currentIndex() == LEADS:
            self.leads.model.refresh()

    def _show_due(self, count: int) -> None:
        self.due_label.setText(f"{count:,} due" if count else "")
        self.due_label.setStyleSheet(f"color: {alarm_colour()}; font-weight: 600;" if count
                                     else "")

    def _raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def run_periodic_checks(self) -> None:
        """First-touch deadlines and nurture returns, on the runner; tests call it directly."""
        if self._periodic_job is not None and not self._periodic_job.finished:
            return  # the last round is still at work (a big file): never two at once
        if self._rescoring:
            # One pass over every lead at a time: the checks follow today's re-score (both
            # at once cost memory and slow the pages people are looking at).
            self._checks_waiting = True
            return
        followup = self.services.followup

        def work(state: JobState) -> tuple[SlaCheck, NurtureReturn]:
            stop = lambda: state.cancelled  # noqa: E731
            return (followup.check_service_levels(cancelled=stop),
                    followup.return_from_nurture(cancelled=stop))

        def failed(error: Exception, _details: str) -> None:
            if not isinstance(error, FollowUpCancelledError):  # the window closed: done later
                self.statusBar().showMessage(f"Follow-up checks failed: {error}", 10000)

        self._periodic_job = self.runner.start(work, on_done=self._periodic_done,
                                               on_error=failed, owner=self)

    def _periodic_done(self, result: tuple[SlaCheck, NurtureReturn]) -> None:
        check, back = result
        if check.breached:
            user = self.services.people.current_user()
            if user is not None and user.role is Role.MANAGER:
                self.tray.notify("Leadline", check.changes[0].summary)
        if self.report_automatic_changes((*check.changes, *back.changes)):
            self.tray.check()
            if self.pages.currentIndex() == MY_DAY:
                self.my_day.refresh()
            elif self.pages.currentIndex() == ASSIGNMENT:
                self.assignment.refresh()

    def report_automatic_changes(self, changes: Sequence[AutomaticChange]) -> bool:
        """What the app changed by itself: a notice each (with a link to the leads), the
        status bar, and lists that read again. Returns whether there was anything."""
        if not changes:
            return False
        at = f"{self.services.context.clock().astimezone():%H:%M}"
        for change in changes:
            self.notices.add(change.summary, change.lead_ids, at)
        self.statusBar().showMessage("; ".join(c.summary for c in changes), 15000)
        self._mark_leads_stale()
        return True

    def show_chosen_leads(self, lead_ids: list[uuid.UUID], caption: str) -> None:
        self.show_page(LEADS)
        self.leads.show_chosen(lead_ids, caption)

    def show_reports(self) -> None:
        ReportDialog.ask(self.services, self.runner, self)

    def edit_cadences(self) -> None:
        if CadencesDialog.ask(self.services, self):
            self.statusBar().showMessage("Cadences saved: new owners get the new plan.", 5000)

    def edit_followup_settings(self) -> None:
        if FollowUpSettingsDialog.ask(self.services, self.settings, self):
            self.statusBar().showMessage("Follow-up settings saved.", 5000)
            self.refresh_all()

    def export_calendar(self) -> None:
        user = self.services.people.current_user()
        if user is None:
            messages.info(self, "Export my tasks", "Sign in first (File → Switch user…).")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export my tasks to calendar",
                                              "leadline-tasks.ics", "iCalendar (*.ics)")
        if not path:
            return
        try:
            count = self.services.followup.export_calendar(user.id, Path(path))
        except LeadlineError as error:
            messages.error(self, "Tasks not exported", str(error))
            return
        self.statusBar().showMessage(f"{counted(count, 'open task')} written to {path}", 8000)

    def sync_now(self) -> None:
        self.sync.sync_now()

    def back_up_now(self) -> None:
        back_up_now(self, self.services, self.runner,
                    lambda text: self.statusBar().showMessage(text, 8000))

    def show_backups(self) -> None:
        BackupDialog.ask(self.services, self.runner, self)

    def review_conflicts(self) -> None:
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

    def conflicts_changed(self) -> None:
        """A sync brought or settled conflicts: an open inbox shows them."""
        if self._conflicts_dialog is not None:
            self._conflicts_dialog.reload()

    def edit_sync_settings(self) -> None:
        if SyncSettingsDialog.ask(self.services.sync_settings, self):
            self.sync.apply_settings()
            folder = self.sync.config().folder
            self.statusBar().showMessage(
                "Sync settings saved. Sync now with F5." if folder else
                "Sync settings saved: sync is off (no shared folder).", 6000)

    def edit_settings(self) -> None:
        if SettingsDialog.ask(self.services, self.settings, self):
            self.sync.apply_settings()
            self._show_user()
            self.refresh_all()
            self.statusBar().showMessage("Settings saved.", 5000)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.menuBar(), self).exec()

    def about(self) -> None:
        AboutDialog.show_about(self.services.context.db.path, self)

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
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("leads/splitter")
        if isinstance(splitter, QByteArray):
            self.leads.splitter.restoreState(splitter)
        else:
            self.leads.splitter.setSizes([780, 420])
        header = self.settings.value("leads/header")
        if isinstance(header, QByteArray):
            self.leads.table.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("leads/splitter", self.leads.splitter.saveState())
        self.settings.setValue("leads/header", self.leads.table.horizontalHeader().saveState())
        self.settings.sync()

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
