"""Logs and crash reports never hold personal data: after a session of edits, an import, a
sync and forced crashes (in the GUI thread, in a worker, a database error carrying a row's
values), the log file and the crash report's details name none of the people."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from sqlalchemy import exc as sa_exc

from app.domain.imports import DuplicatePolicy
from app.logging_setup import configure_logging
from app.redaction import redact
from app.services.container import Services
from app.ui.crash_reporting import current_reporter, install_error_dialog, uninstall_error_dialog
from app.ui.main_window import MainWindow

PEOPLE = [
    {"first_name": "Henrietta", "last_name": "Quaglino", "company": "Brightwater Looms GmbH",
     "email": "henrietta.quaglino@brightwater-looms.de", "phone": "+49 89 2345 6789",
     "notes": "Wants the walnut sample before Easter"},
    {"first_name": "Bartholomew", "last_name": "Oyelaran", "company": "Ferrous Drift Ltd",
     "email": "b.oyelaran@ferrousdrift.co.uk", "phone": "+44 20 7946 0321",
     "notes": "Allergic to cold calls; email only"},
]
SECRETS = [value for person in PEOPLE for value in person.values()]


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's own logging (the rotating file) at its most talkative, for this test."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    path = configure_logging(tmp_path / "logs", level=logging.DEBUG)
    assert path is not None
    install_error_dialog(path)
    yield path
    reporter = current_reporter()
    if reporter is not None and reporter.dialog is not None:
        reporter.dialog.close()
    uninstall_error_dialog()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", "") == str(path)]:
        handler.close()
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def _crash_in_gui_thread(lead_name: str) -> None:
    try:
        raise ValueError(f"cannot merge '{lead_name}' into itself")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)


def _database_error(person: dict[str, str]) -> None:
    statement = "INSERT INTO leads (first_name, last_name, email, phone) VALUES (?, ?, ?, ?)"
    params = (person["first_name"], person["last_name"], person["email"], person["phone"])
    try:
        raise sa_exc.IntegrityError(statement, params, Exception("UNIQUE constraint failed"))
    except sa_exc.IntegrityError as error:
        sys.excepthook(type(error), error, error.__traceback__)


def test_a_session_and_its_crashes_leave_no_personal_data_in_the_log(
        log_file: Path, services: Services, make_window: Callable[[], MainWindow],
        tmp_path: Path, qtbot: Any) -> None:
    make_window()
    leads = [services.leads.create(dict(person)) for person in PEOPLE]
    services.leads.update(leads[0].id, {"title": "Head of Purchasing at Brightwater"})
    services.leads.add_note(leads[1].id, f"Spoke to {PEOPLE[1]['first_name']} at the booth")
    services.followup.log_touch(leads[0].id, "call", "reached",
                                 f"Called {PEOPLE[0]['phone']}")
    export = tmp_path / "booth.csv"
    export.write_text("First Name,Last Name,Email,Phone\n"
                      f"{PEOPLE[0]['first_name']},{PEOPLE[0]['last_name']},not-an-email,x\n"
                      f"Quentin,{PEOPLE[1]['last_name']},{PEOPLE[1]['email']},{PEOPLE[1]['phone']}\n",
                      encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    (tmp_path / "team-folder").mkdir()
    services.sync.sync(tmp_path / "team-folder")
    qtbot.wait(10)  # the window hears the changes

    _crash_in_gui_thread(f"{PEOPLE[0]['first_name']} {PEOPLE[0]['last_name']}")
    reporter = current_reporter()
    assert reporter is not None and reporter.dialog is not None
    details = reporter.dialog.details_text
    reporter.dialog.close()
    _database_error(PEOPLE[1])
    details += reporter.dialog.details_text if reporter.dialog is not None else ""

    def worker() -> None:
        raise RuntimeError(f"sending to {PEOPLE[1]['email']} ({PEOPLE[1]['phone']}) failed")

    thread = threading.Thread(target=worker, name="export-worker")
    thread.start()
    thread.join()
    QCoreApplication.sendPostedEvents()

    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error" in logged and "Traceback" in logged  # the crashes were logged
    assert "[redacted]" in logged and "[redacted]" in details
    leaked = [secret for secret in SECRETS
              for part in {secret, *secret.split()} if len(part) > 5 and part in logged + details]
    assert leaked == [], f"personal data in the log or crash report: {leaked}"


@pytest.mark.parametrize(("text", "kept"), [
    ("lead 01a25170-658e-7f59-abe6-e8cf35a0c732 saved at 2026-12-07 17:00:01", True),
    ("KeyError: 'status'", True),
    ('  File "/opt/leadline/app/services/lead_service.py", line 120, in update\n'
     '    raise ValueError(f"cannot merge {name!r}")', True),
    ("Qt 6.5.0, 1,234,567 rows in 12:30 min", True),
    ("mail to jane.doe@example.co.uk bounced", False),
    ("call (030) 123-4567 or 0612215803", False),
    ("Error: 'Müller & Söhne GmbH' exists", False),
    ("[parameters: ('Hans', 'x@y.de')]", False),
    ("no lead named 'Weber'", False),
    ("""no lead named "O'Brien" here""", False),
    ("no lead named 'O'Brien' here", False),
    ("KeyError: 'lead.owner_id'", True),
])
def test_redaction_keeps_what_helps_and_removes_what_names(text: str, kept: bool) -> None:
    assert (redact(text) == text) is kept
