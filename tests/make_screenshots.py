"""Write PNG screenshots of the main screens to resources/screenshots/ (used by the README).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.make_screenshots [OUT_DIR]``.
Uses a throwaway database with deterministic demo data, so the pictures are reproducible.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.domain.card_fields import CardFields, FieldGuess  # noqa: E402
from app.domain.leads import LeadQuery, LeadStatus  # noqa: E402
from app.services.card_pictures import card_pictures  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.services.demo_service import DemoService  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.ui.application import build_main_window, create_application  # noqa: E402
from app.ui.dialogs.erasure_dialog import ErasureDialog  # noqa: E402
from app.ui.dialogs.import_wizard import ImportWizard  # noqa: E402
from app.ui.dialogs.reassign_dialog import ReassignDialog  # noqa: E402
from app.ui.dialogs.report_dialog import ReportDialog  # noqa: E402
from app.ui.dialogs.routing_rules_dialog import RoutingRulesDialog  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.navigation import ASSIGNMENT, BOOTH, DASHBOARD, DUPLICATES, HOME, LEADS  # noqa: E402
from app.ui.workers import SynchronousRunner  # noqa: E402
from tests.card_rendering import Card, render_card  # noqa: E402
from tests.screenshot_revenue import revenue_screens  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"


def _save(app: QApplication, widget: QWidget, path: Path) -> None:
    app.processEvents()
    # Redrawn charts drop their old drawings on the next turn of the event loop, which this
    # script never takes: without this a picture shows both.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path}")


def _window(services: Services, folder: Path) -> MainWindow:
    window = build_main_window(services, QSettings(str(folder / "s.ini"),
                                                   QSettings.Format.IniFormat))
    window.resize(1360, 820)
    window.show()
    return window


def main(out: Path = DEFAULT_OUT, leads: int = 2000) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database, _ = open_database(folder / "empty.sqlite")
        services = Services.build(database)
        services.people.sign_in(services.people.add_user(
            "Maria Keller", "maria.keller@example.com", "manager").id)
        window = _window(services, folder)
        _save(app, window, out / "empty.png")
        window.close()
        database.dispose()

        database, _ = open_database(folder / "demo.sqlite")
        services = Services.build(database)
        DemoService(services.context).generate(leads, seed=1)
        manager = next(u for u in services.people.users() if u.role.value == "manager")
        services.people.sign_in(manager.id)
        window = _window(services, folder)
        revenue_screens(app, services, window, folder, out, _save)  # before the dashboard's
        window.show_page(HOME)
        window.runner.wait()
        _save(app, window, out / "home.png")
        window.show_page(DASHBOARD)
        window.runner.wait()
        app.processEvents()
        _save(app, window, out / "dashboard.png")
        _save(app, window.dashboard.conversion, out / "dashboard_conversion.png")
        reports = ReportDialog(services, SynchronousRunner(), window)
        reports.event_combo.setCurrentIndex(1)
        reports.show()
        _save(app, reports, out / "report_dialog.png")
        reports.close()
        window.show_page(LEADS)
        window.runner.wait()
        window.leads.table.selectRow(3)
        _save(app, window, out / "leads.png")
        window.leads.detail.tabs.setCurrentIndex(1)
        _save(app, window, out / "history.png")
        window.search.setText(services.leads.list(LeadQuery(), limit=1)[0].last_name[:4])
        window._search_now()
        window.runner.wait()
        _save(app, window, out / "search.png")
        event = services.events.events()[0]
        question = services.questions.add("Looking to buy within 6 months?", "yes_no",
                                          required=True, event_id=event.id)
        services.questions.add("Which budget range?", "single_choice",
                               choices=("< 50k", "50k-250k", "> 250k"), event_id=event.id,
                               parent_id=question.id, parent_answer="yes")
        window.booth.reload_events()
        window.booth.event_combo.setCurrentIndex(window.booth.event_combo.findText(event.name))
        window.show_page(BOOTH)
        window.booth.handle_scan("BEGIN:VCARD\rVERSION:3.0\rN:Weber;Jonas\rORG:Weber "
                                 "Maschinenbau GmbH\rTITLE:Head of Production\r"
                                 "EMAIL:jonas.weber@weber-mb.de\rTEL;CELL:+49 171 2345678\r"
                                 "END:VCARD\r")
        window.booth.fields.qualifiers.set_answers({question.id: "yes"})
        _save(app, window, out / "booth.png")
        export = folder / "Lead export.csv"
        export.write_text(
            "Lead export – stand B12\n\nVorname;Nachname;Firma;E-Mail;Telefon;Land;Kommentar\n"
            "Jonas;Weber;Weber Maschinenbau;jonas@weber-mb.de;0171 2345678;DE;Demo\n"
            "Élise;Blot;Garcia SA;elise.blot@;+33 1 25 42 68 09;Frankreich;\n"
            ";;Nameless;;;;\n"
            "Zoë;Ng;Ng Ltd;zoe@ng.io;12;UK;\"Call back\nin January\"\n", encoding="cp1252")
        wizard = ImportWizard(services, SynchronousRunner(), export)
        wizard.show()
        wizard.next()
        wizard.next()
        _save(app, wizard, out / "import.png")
        wizard.close()
        services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                               "company": "Schneider Automation GmbH", "title": "CTO",
                               "email": "k.schneider@schneider-automation.de"})
        services.leads.create({"first_name": "Kate", "last_name": "Schneider",
                               "company": "Schneider Automation", "phone": "+49 511 123456",
                               "email": "K.Schneider@schneider-automation.de",
                               "title": "Chief Technology Officer"})
        window.show_page(DUPLICATES)
        window.duplicates.scan()
        window.runner.wait()
        _save(app, window, out / "duplicates.png")
        katherine = services.leads.list(LeadQuery(search="Katherine"))[0]
        erase = ErasureDialog(services, katherine, window)
        erase.show()
        _save(app, erase, out / "erase.png")
        erase.close()
        _distribution(app, services, window, out)
        _follow_up(app, services, window, out)
        _sync_settings(app, window, folder, out)
        _team_server(app, window, out)
        _conflicts(app, folder, out)
        _settings_and_about(app, services, window, out)
        services.people.sign_in(manager.id)  # the follow-up shots signed a rep in
        window.apply_access()
        _privacy(app, services, window, folder, out)
        _booth_lock(app, services, window, out)
        _small_screen(app, window, out)
        _dark(app, window, out)
        window.show_page(BOOTH)
        window.booth.clear_form()  # a business card read into the form: guesses to check
        card = {"first_name": "Anna", "last_name": "Schäfer", "title": "Leiter Vertrieb",
                "company": "Brightline Analytics GmbH", "email": "anna.schaefer@brightline.de",
                "phone": "+49301234567"}
        picture = card_pictures(render_card(Card(card | {
            "street": "Friedrichstraße 123", "postal_code": "10117", "city": "Berlin",
            "country": "DE", "website": "www.brightline.de", "mobile": ""},
            phone_text="030 1234567")))
        window.booth.images.fill_from_card(
            CardFields({n: FieldGuess(v, 0.86) for n, v in card.items()}),
            "card.png", picture)
        _save(app, window, out / "booth_card.png")
        # Saved (the show's qualifier answered), the card's picture is the lead's Card tab.
        saved = services.booth.capture(event.id, card, pictures=picture).lead
        window.show_page(LEADS)
        window.leads.model.refresh()
        window.runner.wait()
        window.leads.select_lead(saved)
        window.leads.detail.tabs.setCurrentIndex(2)
        _save(app, window, out / "lead_card.png")
        window.close()
        database.dispose()


def _distribution(app: QApplication, services: Services, window: MainWindow, out: Path) -> None:
    """The board with a few queues, one rep away and some orphans; the rules; a preview."""
    from app.domain.people import Availability
    from app.domain.routing import Condition, ConditionKind, TargetKind

    people = services.people
    people.add_queue("Trade show follow-up")
    people.add_queue("Web inbound")
    reps = [u for u in people.users() if u.role.value == "rep"][:4]
    if reps:
        people.set_availability(reps[-1].id, Availability.AWAY)
        services.routing.add_rule("DACH to " + reps[0].name,
                                  [Condition.parse(ConditionKind.COUNTRY, "DE, AT, CH")],
                                  TargetKind.USER, reps[0].id)
    if len(reps) > 1:
        services.routing.add_rule("Hot leads to " + reps[1].name,
                                  [Condition.parse(ConditionKind.RATING, "hot")],
                                  TargetKind.USER, reps[1].id)
    services.settings.set("routing.auto_on_capture", False)
    for i in range(6):  # true orphans: no owner and no queue
        services.leads.create({"first_name": f"Walk-in {i + 1}", "last_name": "Visitor",
                               "company": f"Booth visitor {i + 1}"})
    window.search.clear()
    window.leads.clear_filters()
    window.refresh_all()
    window.show_page(ASSIGNMENT)
    window.runner.wait()
    window.assignment.table.selectRow(0)
    _save(app, window, out / "assignment.png")
    rules = RoutingRulesDialog(services, window)
    rules.show()
    rules.rule_list.setCurrentRow(0)
    _save(app, rules, out / "routing_rules.png")
    rules.close()
    reassign = ReassignDialog(services, SynchronousRunner(), window.undo_stack, lambda: None,
                              window)
    reassign.show()
    reassign.run_preview()
    _save(app, reassign, out / "reassign.png")
    reassign.close()


def _follow_up(app: QApplication, services: Services, window: MainWindow, out: Path) -> None:
    """A rep's day with overdue, today and upcoming tasks; the cadence and settings dialogs."""
    from app.ui.dialogs.cadences_dialog import CadencesDialog
    from app.ui.dialogs.followup_settings_dialog import followup_settings_dialog
    from app.ui.navigation import MY_DAY

    reps = [u for u in services.people.users() if u.role.value == "rep"]
    rep = max(reps, key=lambda u: services.followup.my_day(u.id).due_now)
    services.people.sign_in(rep.id)
    window._show_user()
    window.tray.forget_user()
    window.tray.check()
    window.show_page(MY_DAY)
    window.runner.wait()
    app.processEvents()
    _save(app, window, out / "my_day.png")
    cadences = CadencesDialog(services, window)
    cadences.show()
    _save(app, cadences, out / "cadences.png")
    cadences.close()
    settings = followup_settings_dialog(services, window.settings, window)
    settings.show()
    _save(app, settings, out / "followup_settings.png")
    settings.close()


def _sync_settings(app: QApplication, window: MainWindow, folder: Path, out: Path) -> None:
    """The database's sync settings: a shared folder, a passphrase, a 15-minute timer."""
    from app.ui.dialogs.sync_settings_dialog import sync_settings_dialog

    shared = folder / "Team share" / "leadline-sync"
    shared.mkdir(parents=True, exist_ok=True)
    dialog = sync_settings_dialog(window.services.sync_settings, window)
    dialog.page.folder.setText(str(shared))
    dialog.page.passphrase.setText("correct horse battery")
    dialog.page.interval.setValue(15)
    dialog.show()
    _save(app, dialog, out / "sync_settings.png")
    dialog.close()


def _team_server(app: QApplication, window: MainWindow, out: Path) -> None:
    """File → Connect to a team server…, filled in, as a test connection leaves it."""
    from app.ui.dialogs.team_server_dialog import TeamServerDialog

    dialog = TeamServerDialog(SynchronousRunner(), window.local, parent=window)
    dialog.address.setText("postgresql://maria.keller@leads.example.com/leadline")
    dialog.password.setText("correct horse battery")
    dialog.status.setText("Connected: PostgreSQL 16.4 answered at "
                          "postgresql+psycopg://maria.keller@leads.example.com/leadline.")
    dialog.show()
    _save(app, dialog, out / "team_server.png")
    dialog.close()


def _booth_lock(app: QApplication, services: Services, window: MainWindow, out: Path) -> None:
    """File → Lock this laptop for the booth…: the locked window and the unlock prompt."""
    from app.ui.dialogs.pin_dialogs import PinDialog

    services.lock.lock("4711")
    window.apply_access()
    _save(app, window, out / "booth_locked.png")
    dialog = PinDialog("Unlock this laptop", "This laptop is locked for the booth. Type the "
                       "booth PIN to open everything else.", "Unlock", services.lock.unlock,
                       waiting=8, parent=window)
    dialog.show()
    _save(app, dialog, out / "unlock.png")
    dialog.close()
    services.lock.unlock("4711")
    window.apply_access()


def _conflicts(app: QApplication, folder: Path, out: Path) -> None:
    """The review inbox after two laptops changed the same fields between two syncs."""
    from app.domain.people import Role
    from app.ui.dialogs.conflicts_dialog import ConflictsDialog

    shared = folder / "conflict-share"
    shared.mkdir(exist_ok=True)
    laptops = [open_database(folder / f"laptop-{name}.sqlite")[0] for name in ("a", "b")]
    office, booth = (Services.build(database) for database in laptops)
    jonas = office.people.add_user("Jonas Becker", "jonas.becker@example.com", Role.REP).id
    lena = office.people.add_user("Lena Hoffmann", "lena.hoffmann@example.com", Role.REP).id
    mehmet = office.people.add_user("Mehmet Yilmaz", "mehmet.yilmaz@example.com", Role.REP).id
    anna = office.leads.create({"first_name": "Anna", "last_name": "Weber",
                                "company": "Weber Maschinenbau GmbH", "phone": "+49 30 1234567",
                                "owner": str(jonas)}).id
    tom = office.leads.create({"first_name": "Tom", "last_name": "Novak",
                               "company": "Novak Logistics s.r.o."}).id
    gone = office.leads.create({"first_name": "Eva", "last_name": "Lindqvist",
                                "company": "Nordic Packaging AB"}).id

    def sync_both() -> None:
        for services in (office, booth, office):
            services.sync.sync(shared)

    sync_both()
    office.leads.update(anna, {"phone": "+49 30 7654321", "owner": str(lena)})
    booth.leads.update(anna, {"phone": "+49 171 2345678", "owner": str(mehmet)})
    office.leads.update(tom, {"company": "Novak Logistics"})
    booth.leads.update(tom, {"company": "NOVAK Logistik GmbH"})
    office.leads.delete(gone)
    booth.leads.update(gone, {"city": "Malmö"})
    sync_both()
    dialog = ConflictsDialog(office, SynchronousRunner())
    dialog.resize(1080, 600)
    dialog.show()
    app.processEvents()
    _save(app, dialog, out / "conflicts.png")
    dialog.close()
    for database in laptops:
        database.dispose()


def _privacy(app: QApplication, services: Services, window: MainWindow, folder: Path,
             out: Path) -> None:
    """Data → Audit trail… after a real export and report, and Data → Retention rule… at 6
    months over the demo data (a year of captures)."""
    from app.domain.exports import ExportFormat
    from app.ui.dialogs.audit_dialog import AuditDialog
    from app.ui.dialogs.retention_dialog import RetentionDialog

    services.exports.export(LeadQuery(), folder / "all-leads.csv", ExportFormat.CSV)
    services.reports.report("reps", folder / "reps.pdf")
    services.exports.export(LeadQuery(statuses=(LeadStatus.MQL,)), folder / "mql.xlsx", ExportFormat.XLSX)
    audit = AuditDialog(services.audit, window)
    audit.show()
    _save(app, audit, out / "audit_trail.png")
    audit.close()
    retention = RetentionDialog(services.retention, SynchronousRunner(), window)
    retention.months.setValue(6)
    retention.show()
    _save(app, retention, out / "retention.png")
    retention.close()


def _settings_and_about(app: QApplication, services: Services, window: MainWindow,
                        out: Path) -> None:
    """Settings in one dialog (on its working-time page) and Help → About."""
    from app.ui.about_dialog import AboutDialog
    from app.ui.dialogs.settings_dialog import SettingsDialog

    settings = SettingsDialog(services, window.settings, window)
    settings.show_page(settings.working_time)
    settings.show()
    _save(app, settings, out / "settings.png")
    settings.close()
    about = AboutDialog(services.context.db.path, parent=window)
    about.show()
    _save(app, about, out / "about.png")
    about.close()


def _dark(app: QApplication, window: MainWindow, out: Path) -> None:
    """The lead list and the dashboard in the dark theme (switched to as in Settings →
    Appearance, with the pages already drawn in light), then back to light."""
    from app.ui.style import apply_theme

    apply_theme(app, "dark")
    window.show_page(LEADS)
    window.runner.wait()
    window.leads.table.selectRow(3)
    app.processEvents()
    _save(app, window, out / "leads_dark.png")
    window.show_page(DASHBOARD)
    window.runner.wait()
    _save(app, window, out / "dashboard_dark.png")
    apply_theme(app, "light")


def _small_screen(app: QApplication, window: MainWindow, out: Path) -> None:
    """Leads with the detail pane in a 1024x700 window: every field whole, nothing past the
    edge."""
    size = window.size()
    window.resize(1024, 700)
    window.show_page(LEADS)
    window.runner.wait()
    window.leads.splitter.setSizes([780, 420])  # the split a first start gives
    window.leads.table.selectRow(3)
    window.leads.detail.tabs.setCurrentIndex(0)
    _save(app, window, out / "leads_1024.png")
    if window.width() > 1024:
        print(f"the window cannot get narrower than {window.width()} px: page widths "
              f"{[window.pages.widget(i).minimumSizeHint().width() for i in range(window.pages.count())]}")
    window.resize(size)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)

