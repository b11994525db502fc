"""The main window's commands in one table, and the menus and lead-list context menu built from it.

Each command is an ``ActionSpec``; ``build_actions`` makes one QAction per spec (stored on the
window as ``<id>_action``, which tests and the shortcuts dialog use), ``MENUS`` says where each
one appears. The page commands (View menu, Ctrl+1…8) come from the rail's table in navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from app.domain.access import Area
from app.ui.navigation import PAGES

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

Key = QKeySequence.StandardKey | str
Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One command: ``handler`` names the window method it calls; the first key is the one its
    tooltip shows. ``in_lead_table`` puts it in the lead list's own actions (context menu)."""

    id: str
    text: str
    handler: str
    keys: tuple[Key, ...] = ()
    tip: str = ""
    menu_role: QAction.MenuRole | None = None


ACTIONS = (
    ActionSpec("new", "&New lead…", "new_lead", (Std.New,)),
    ActionSpec("save", "&Save lead", "save_lead", (Std.Save,)),
    ActionSpec(
        "delete",
        "&Delete lead",
        "delete_selected_leads",
        (Std.Delete,),
        "Delete the selected leads (undo with Ctrl+Z)",
    ),
    ActionSpec(
        "find",
        "&Find leads",
        "focus_search",
        ("Ctrl+K", Std.Find),
        "Search names, companies, emails, phones and notes",
    ),
    ActionSpec("refresh", "&Refresh", "refresh_all", ("Ctrl+R",)),
    ActionSpec("demo", "Load &demo data…", "load_demo"),
    ActionSpec("switch_user", "S&witch user…", "switch_user"),
    ActionSpec(
        "lock",
        "&Lock this laptop for the booth…",
        "lock_for_booth",
        ("Ctrl+Shift+L",),
        "Capture only until the booth PIN is typed: no lead list, settings, reports or exports",
    ),
    ActionSpec("unlock", "&Unlock…", "unlock_booth", (), "Type the booth PIN to open everything again"),
    ActionSpec("set_pin", "Set my &PIN…", "set_my_pin", (), "Switching to you asks for this PIN"),
    ActionSpec("clear_pin", "Clear a P&IN…", "clear_pin", (), "Your own; an administrator anyone's"),
    ActionSpec("quit", "&Quit", "close", (Std.Quit,)),
    ActionSpec(
        "reports",
        "&Reports…",
        "show_reports",
        ("Ctrl+Shift+P",),
        "Save or print the status, rep, return, funnel and follow-up reports",
    ),
    ActionSpec(
        "plan",
        "Lead-flow &planner…",
        "show_plan",
        ("Ctrl+Shift+G",),
        "From a revenue target to the leads needed each month, compared with the leads so far",
    ),
    ActionSpec(
        "log_touch",
        "&Log touch…",
        "log_touch",
        ("Ctrl+L",),
        "Record a call, email or meeting with the selected lead",
    ),
    ActionSpec(
        "cadences",
        "&Cadences…",
        "edit_cadences",
        (),
        "The planned follow-up steps after a lead gets its owner",
    ),
    ActionSpec(
        "followup_settings",
        "&Follow-up settings…",
        "edit_followup_settings",
        (),
        "Working calendar, first-touch deadlines and escalation",
    ),
    ActionSpec("export_ics", "Export my tasks to &calendar (.ics)…", "export_calendar"),
    ActionSpec(
        "reapply",
        "Re-apply &routing rules…",
        "reapply_rules",
        ("Ctrl+Shift+R",),
        "Preview and apply the routing rules to existing leads",
    ),
    ActionSpec("routing_rules", "Routing r&ules…", "edit_routing_rules"),
    ActionSpec("scoring_rules", "Scoring ru&les…", "edit_scoring_rules"),
    ActionSpec(
        "hand_back",
        "&Hand back to queue…",
        "hand_back",
        ("Ctrl+Shift+H",),
        "Give the selected lead back to the queue",
    ),
    ActionSpec("recycle", "Re&cycle to nurture…", "recycle", (), "Not ready now: nurture until a date"),
    ActionSpec(
        "why_score",
        "&Why this score?",
        "why_score",
        ("Ctrl+Shift+W",),
        "The scoring rules behind the selected lead's score",
    ),
    ActionSpec("new_event", "New e&vent…", "new_event"),
    ActionSpec("import", "&Import leads…", "import_leads_chosen", ("Ctrl+I",)),
    ActionSpec("export", "&Export leads…", "export_leads", ("Ctrl+E",), "Export the current list to CSV"),
    ActionSpec("import_history", "Import &history…", "show_import_history"),
    ActionSpec("import_customers", "Import customers and &orders…", "import_customers_chosen",
               (), "Orders from the accounting or ERP system, credited to the leads they came "
               "from"),
    ActionSpec("customer_review", "Customer &matches to review…", "review_customer_matches",
               (), "Orders whose lead is only a guess: credit them, or say it is not the lead"),
    ActionSpec("questions", "&Qualifier questions…", "edit_questions"),
    ActionSpec("registrations", "Import &registration list…", "import_registrations"),
    ActionSpec("layout", "Badge &layout…", "edit_badge_layout"),
    ActionSpec("scan_log", "Scan lo&g…", "show_scan_log"),
    ActionSpec("scanner", "Scanner &settings…", "edit_scanner"),
    ActionSpec("scan_image", "Scan a badge &image…", "scan_badge_image", (),
               "Read the badge code in a photo or screenshot, as if it had been scanned"),
    ActionSpec("paste_image", "&Paste a badge image", "paste_badge_image", ("Ctrl+Shift+V",),
               "Read the badge code in the picture on the clipboard"),
    ActionSpec("read_card", "Read a business &card…", "read_business_card", (),
               "Fill the booth form from a photo of a business card (read on this laptop)"),
    ActionSpec("camera", "Scan with ca&mera", "toggle_camera", ("Ctrl+Shift+K",),
               "Show or hide the webcam badge scanner on the Booth page"),
    ActionSpec("suppression", "&Suppression list…", "show_suppression_list"),
    ActionSpec("audit", "&Audit trail…", "show_audit_trail", (),
               "Who exported, reported, printed, erased or changed many leads at once, and when"),
    ActionSpec("retention", "Re&tention rule…", "edit_retention_rule", (),
               "List, and on confirmation erase, leads never converted after N months"),
    ActionSpec("directory", "Import company &directory…", "import_company_directory"),
    ActionSpec(
        "export_person",
        "E&xport person's data…",
        "export_person_data",
        (),
        "Save everything stored about the selected lead's person (access request)",
    ),
    ActionSpec(
        "erase_person",
        "Erase &person…",
        "erase_person",
        (),
        "Erase the selected lead's person completely on request (cannot be undone)",
    ),
    ActionSpec("about", "&About Leadline", "about"),
    ActionSpec(
        "shortcuts", "&Keyboard shortcuts", "show_shortcuts", ("Ctrl+/",), "Every command and its shortcut"
    ),
    ActionSpec(
        "settings",
        "Se&ttings…",
        "edit_settings",
        ("Ctrl+,",),
        "Profile, working time, regional, sync, backups, appearance, reports",
        QAction.MenuRole.PreferencesRole,
    ),
    ActionSpec(
        "sync_now", "S&ync now", "sync_now", ("F5",), "Exchange changes with the team's shared folder"
    ),
    ActionSpec(
        "conflicts",
        "Review sync c&onflicts…",
        "review_conflicts",
        (),
        "Decide fields changed on two laptops at the same time",
    ),
    ActionSpec(
        "backup_now", "&Back up now", "back_up_now", ("Ctrl+Shift+B",), "Write a backup of the database now"
    ),
    ActionSpec(
        "backups", "Bac&kups and restore…", "show_backups", (), "See the backups, make one, or restore one"
    ),
    ActionSpec(
        "move_to_server",
        "&Move to a team server…",
        "move_to_server",
        (),
        "Copy this database into an empty PostgreSQL server database, once, checked table by table",
    ),
    ActionSpec(
        "connect_server",
        "Connect to &a team server…",
        "connect_team_server",
        (),
        "Work on the team's shared database on a PostgreSQL server; this laptop remembers it",
    ),
    ActionSpec(
        "use_laptop_file",
        "Use a database &file on this laptop…",
        "use_laptop_file",
        (),
        "Work on a database file on this laptop again (the team server is left as it is)",
    ),
    ActionSpec(
        "sync_settings",
        "Sync se&ttings…",
        "edit_sync_settings",
        (),
        "Shared folder, team passphrase and when to sync (this laptop)",
    ),
)

# Which area each command belongs to: the signed-in role must allow it, and while the laptop
# is locked for the booth anything but capture asks for the PIN first. Every action is listed
# but undo and redo: they only take back what the signed-in person did since signing in or
# since the lock (switching profile and locking clear the undo stack).
AREAS: dict[str, Area] = {
    **dict.fromkeys(
        ("refresh", "switch_user", "quit", "about", "shortcuts", "lock", "unlock", "set_pin",
         "clear_pin"),
        Area.ANYONE,
    ),
    **dict.fromkeys(("new_event", "scan_image", "paste_image", "read_card", "camera"), Area.CAPTURE),
    **dict.fromkeys(("new", "save", "delete", "find", "why_score", "scan_log", "sync_now",
                     "conflicts"), Area.LEADS),
    **dict.fromkeys(("log_touch", "hand_back", "recycle", "export_ics"), Area.FOLLOW_UP),
    **dict.fromkeys(("cadences", "followup_settings", "reapply", "routing_rules", "scoring_rules"),
                    Area.ASSIGNMENT),
    **dict.fromkeys(("reports", "plan"), Area.REPORTS),
    **dict.fromkeys(("import", "import_history", "import_customers", "customer_review",
                     "registrations", "directory", "demo"), Area.IMPORTS),
    **dict.fromkeys(("export", "export_person", "erase_person", "retention"), Area.EXPORTS),
    **dict.fromkeys(("settings", "questions", "layout", "scanner", "suppression", "backup_now",
                     "backups", "move_to_server", "connect_server", "use_laptop_file",
                     "sync_settings", "audit"), Area.SETTINGS),
}

SEPARATOR = "-"
# Menu title, then the action ids in order ("-" for a separator). "undo"/"redo" come from the
# undo stack; the page ids from navigation.PAGES.
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "&File",
        (
            "new",
            "new_event",
            "save",
            "-",
            "import",
            "import_history",
            "export",
            "export_ics",
            "demo",
            "-",
            "reports",
            "plan",
            "-",
            "sync_now",
            "conflicts",
            "sync_settings",
            "-",
            "backup_now",
            "backups",
            "-",
            "connect_server",
            "use_laptop_file",
            "move_to_server",
            "-",
            "switch_user",
            "lock",
            "unlock",
            "-",
            "quit",
        ),
    ),
    ("&Edit", ("undo", "redo", "-", "delete", "-", "find", "-", "settings", "set_pin", "clear_pin")),
    ("&View", (*(page.action_id for page in PAGES), "-", "refresh")),
    ("&Lead", ("save", "log_touch", "-", "hand_back", "recycle", "-", "why_score")),
    (
        "&Data",
        (
            "import",
            "import_history",
            "export",
            "-",
            "import_customers",
            "customer_review",
            "-",
            "routing_rules",
            "reapply",
            "scoring_rules",
            "-",
            "cadences",
            "followup_settings",
            "-",
            "suppression",
            "directory",
            "-",
            "export_person",
            "erase_person",
            "retention",
            "audit",
        ),
    ),
    ("&Booth", ("camera", "scan_image", "paste_image", "read_card", "-", "questions",
                "registrations", "layout", "-", "scanner", "scan_log")),
    ("&Help", ("shortcuts", "about")),
)
# The lead list's context menu (after Delete, which the list holds for its Del key).
LEAD_TABLE_ACTIONS = ("-", "hand_back", "recycle", "why_score", "-", "export_person", "erase_person")


def _make(
    window: MainWindow, text: str, keys: tuple[Key, ...], slot: Callable[[], object], tip: str
) -> QAction:
    action = QAction(text, window)
    # A standard key this platform has no binding for (Quit on Linux) gives no shortcut at all.
    action.setShortcuts([seq for seq in map(QKeySequence, keys) if not seq.isEmpty()])
    shown = QKeySequence(keys[0]).toString() if keys else ""
    action.setToolTip(f"{tip or text.replace('&', '')}" + (f" ({shown})" if keys else ""))
    action.triggered.connect(slot)
    return action


def _guarded(window: MainWindow, area: Area, slot: Callable[[], object]) -> Callable[[], object]:
    """``slot`` once the role allows ``area`` and, while locked, the booth PIN was typed."""
    if area is Area.ANYONE:
        return slot
    return lambda: slot() if window.may_open(area) else None


def _page_slot(window: MainWindow, index: int) -> Callable[[], None]:
    return lambda: window.show_page(index)


def build_actions(window: MainWindow) -> dict[str, QAction]:
    """Every command as a QAction on the window (``window.<id>_action``), keyed by id."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        slot = _guarded(window, AREAS[spec.id], getattr(window, spec.handler))
        action = _make(window, spec.text, spec.keys, slot, spec.tip)
        if spec.menu_role is not None:
            action.setMenuRole(spec.menu_role)
        actions[spec.id] = action
    for page in PAGES:
        actions[page.action_id] = _make(
            window, page.menu_text, (page.shortcut,), _page_slot(window, page.index), page.tip
        )
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    actions["undo"], actions["redo"] = undo, redo
    # Del deletes leads only while the list has the focus (elsewhere it edits text).
    actions["delete"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for key, action in actions.items():
        setattr(window, f"{key}_action", action)
    return actions


def _add_all(window: MainWindow, target: object, ids: tuple[str, ...], actions: dict[str, QAction]) -> None:
    for key in ids:
        if key == SEPARATOR:
            separator = QAction(window)
            separator.setSeparator(True)
            target.addAction(separator)  # type: ignore[attr-defined]
        else:
            target.addAction(actions[key])  # type: ignore[attr-defined]


def build_menus(window: MainWindow, actions: dict[str, QAction]) -> None:
    """The menu bar and the lead list's context menu, as ``MENUS`` lays them out."""
    bar = window.menuBar()
    for title, ids in MENUS:
        menu = bar.addMenu(title)
        for key in ids:
            menu.addSeparator() if key == SEPARATOR else menu.addAction(actions[key])
    table = window.leads.table
    table.addAction(actions["delete"])
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    _add_all(window, table, LEAD_TABLE_ACTIONS, actions)
