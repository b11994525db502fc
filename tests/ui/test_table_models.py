"""Qt's model checker on every item model in app/ui, each over a few real leads and tasks.

The checker walks rows, columns, parents, roles and headers and fails on answers a view would
trip over (an index for a child of a table cell, a header for a column that does not exist...).
The last test fails when a model is added to app/ui without being checked here.
"""

from __future__ import annotations

import ast
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel

from app.domain.audit import AuditAction
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.domain.routing import Move
from app.services.container import Services
from app.services.sync.report import ConflictVersion, OpenConflict
from app.ui.dialogs.reassign_dialog import MovesModel
from app.ui.models.audit_model import AuditModel
from app.ui.models.conflict_model import ConflictModel, ValueFormatter
from app.ui.models.due_model import DueModel
from app.ui.models.history_model import HistoryModel
from app.ui.models.lead_table_model import LeadTableModel
from app.ui.pages.dashboard_conversion import ConversionModel
from app.ui.workers import SynchronousRunner
from tests.conftest import FakeClock
from tests.due_tasks import add_due_tasks

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
MODEL_BASES = {"QAbstractItemModel", "QAbstractTableModel", "QAbstractListModel"}
CHECKED: set[type[QAbstractItemModel]] = {LeadTableModel, HistoryModel, DueModel, ConflictModel,
                                          MovesModel, AuditModel, ConversionModel}


@pytest.fixture(autouse=True)
def _application(qapp: Any) -> None:
    """Models that own a QTimer need a running QApplication."""


def test_lead_table_model(qtmodeltester: Any, services: Services,
                          add_leads: Callable[..., list[Any]]) -> None:
    add_leads(3)
    model = LeadTableModel(services.leads, SynchronousRunner(), services.context.clock)
    model.set_query(LeadQuery())
    assert model.rowCount() == 3
    qtmodeltester.check(model, force_py=True)


def test_audit_model(qtmodeltester: Any, services: Services) -> None:
    for records in (3, 1, 40):
        services.audit.record(AuditAction.EXPORT, "CSV (leads.csv)", records)
    model = AuditModel()
    model.set_rows(services.audit.entries(limit=2))
    model.append_rows(services.audit.entries(offset=2))
    assert model.rowCount() == 3 and model.columnCount() == 5
    qtmodeltester.check(model)


def test_history_model(qtmodeltester: Any, services: Services, clock: FakeClock) -> None:
    lead = services.leads.create({"last_name": "Timeline", "status": "inquiry"})
    clock.advance(minutes=5)
    services.leads.add_note(lead.id, "Asked for a quote")
    model = HistoryModel()
    model.set_rows(services.leads.history(lead.id))
    assert model.rowCount() >= 2
    qtmodeltester.check(model, force_py=True)


def test_due_model(qtmodeltester: Any, services: Services, clock: FakeClock) -> None:
    rep = services.people.sign_in(
        services.people.add_user("Rita Rep", "rita@example.com", Role.REP).id)
    services.settings.set("routing.auto_on_capture", False)
    lead = services.leads.create({"first_name": "Lena", "last_name": "Kunde"})
    now = clock()
    add_due_tasks(services, lead, rep.id, (now - dt.timedelta(hours=h) for h in (1, 30)))
    add_due_tasks(services, lead, rep.id, (now + dt.timedelta(hours=h) for h in (2, 50)),
                  title="Later")
    model = DueModel(clock, lambda: services.cadences.calendar().zone, 100)
    model.set_overview(services.followup.due_overview(rep.id))
    assert model.task_count == 4
    qtmodeltester.check(model, force_py=True)


def _conflict(lead_id: uuid.UUID, field: str | None, *values: Any) -> OpenConflict:
    written = dt.datetime(2026, 11, 19, 16, 0, tzinfo=dt.UTC)
    versions = tuple(ConflictVersion(value, f"laptop-{n}", written + dt.timedelta(minutes=n),
                                     shown=n == 0) for n, value in enumerate(values))
    return OpenConflict(table="lead", row_id=str(lead_id), field=field, kind="field" if field else "row",
                        lead_id=lead_id, title="Anna Weber", field_label=field or "Lead",
                        versions=versions, can_type=field == "company")


def test_conflict_model(qtmodeltester: Any) -> None:
    lead_id = uuid.uuid4()
    model = ConflictModel(ValueFormatter({}, None))
    model.set_conflicts([_conflict(lead_id, "company", "Acme", "ACME GmbH", "Acme AG"),
                         _conflict(lead_id, None, "<deleted>", "<kept>")])
    assert model.columnCount() == 5
    qtmodeltester.check(model, force_py=True)
    model.remove(0)
    qtmodeltester.check(model, force_py=True)


def test_moves_model(qtmodeltester: Any, services: Services,
                     add_leads: Callable[..., list[Any]]) -> None:
    leads = add_leads(2)
    owner = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    moves = [Move(lead.id, None, owner.id, None, None, None, "", "orphan") for lead in leads]
    model = MovesModel(lambda lead_id: services.leads.get(lead_id).display_name,
                       {owner.id: owner.name})
    model.set_moves(moves)
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)


def test_conversion_model(qtmodeltester: Any) -> None:
    from app.domain.attribution import FunnelRow

    model = ConversionModel()
    model.set_rows([FunnelRow("Hannover Messe 2026", (120, 40, 30, 20, 6), (4.0, 2.5, 9.0, 30.0),
                              (("EUR", 9_000_000),), 4_800_000, "EUR", 61.0),
                    FunnelRow("No event", (80, 10, 5, 2, 1), (None, None, None, None))])
    assert model.rowCount() == 2 and model.data(model.index(0, 7)) == "+88%"
    qtmodeltester.check(model, force_py=True)


def test_every_item_model_in_the_ui_is_checked_here() -> None:
    found = set()
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id in MODEL_BASES for base in node.bases):
                found.add(f"{path.relative_to(UI.parent.parent)}:{node.name}")
    checked = {f"{Path(*cls.__module__.split('.'))}.py:{cls.__name__}" for cls in CHECKED}
    assert found <= checked, f"item models without a model-checker test: {sorted(found - checked)}"
