"""The lazy lead model: Qt's model checker, data roles, SQL sorting, bounded memory."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.domain.leads import LeadQuery, SortKey
from app.services.container import Services
from app.services.lead_listing import MAX_PAGES
from app.ui.models.lead_table_model import COLUMN_OF_SORT, COLUMNS, RECORD_ROLE, LeadTableModel
from app.ui.workers import SynchronousRunner


def make_model(services: Services, keys_delay_ms: int = 0) -> LeadTableModel:
    model = LeadTableModel(services.leads, SynchronousRunner(), services.context.clock,
                           keys_delay_ms=keys_delay_ms)
    model.set_query(LeadQuery())
    return model


@pytest.fixture(autouse=True)
def _application(qapp: Any) -> None:
    """The model owns a QTimer, which needs a running QApplication."""


@pytest.mark.parametrize("count", [0, 1, 450])
def test_model_passes_qt_model_checker(qtmodeltester: Any, services: Services,
                                       add_leads: Any, count: int) -> None:
    add_leads(count)
    model = make_model(services)
    assert model.rowCount() == count
    qtmodeltester.check(model, force_py=True)


def test_display_and_record_roles(services: Services, add_leads: Any) -> None:
    created = add_leads(1, phone="+49 30 1234567", status="mql", rating="hot")[0]
    model = make_model(services)
    name = model.index(0, COLUMN_OF_SORT[SortKey.NAME])
    assert model.data(name) == "Person000 Example"
    assert model.data(name, RECORD_ROLE).id == created.id
    assert model.data(model.index(0, COLUMN_OF_SORT[SortKey.PHONE])) == "+49 30 1234567"
    assert model.data(model.index(0, COLUMN_OF_SORT[SortKey.STATUS])) == "MQL"
    assert model.data(model.index(0, COLUMN_OF_SORT[SortKey.OWNER])) == "Unassigned"
    assert model.headerData(0, Qt.Orientation.Horizontal) == COLUMNS[0][0]


def test_sorting_happens_in_sql_in_both_directions(services: Services, add_leads: Any) -> None:
    add_leads(30)
    model = make_model(services)
    column = COLUMN_OF_SORT[SortKey.NAME]
    model.sort(column, Qt.SortOrder.AscendingOrder)
    names = [model.data(model.index(r, column)) for r in range(model.rowCount())]
    assert names == sorted(names)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, column)) == max(names)
    assert model.query.sort is SortKey.NAME and model.query.descending


def test_only_a_bounded_number_of_pages_stay_in_memory(services: Services,
                                                         add_leads: Any) -> None:
    add_leads(450)
    model = make_model(services)
    assert model.listing is not None
    model.listing.page_size = 10  # many small pages: the cache bound is what is tested
    model.listing.attach_keys(model.listing._keys)  # type: ignore[arg-type]
    seen = {model.data(model.index(row, 0)) for row in range(model.rowCount())}
    assert len(seen) == 450
    assert len(model.listing._pages) <= MAX_PAGES


def test_edited_record_updates_in_place(services: Services, add_leads: Any) -> None:
    lead = add_leads(3)[1]
    model = make_model(services)
    for r in range(model.rowCount()):
        model.data(model.index(r, 0))  # what the view does when it paints
    row = model.row_of(lead)
    assert row is not None
    updated = services.leads.update(lead.id, {"company": "Renamed AG"})
    model.update_record(updated)
    assert model.data(model.index(row, COLUMN_OF_SORT[SortKey.COMPANY])) == "Renamed AG"


def test_full_ordering_is_read_once_the_query_settles(qtbot: Any, services: Services,
                                                      add_leads: Any) -> None:
    add_leads(250)
    model = make_model(services, keys_delay_ms=50)
    assert model.listing is not None and not model.listing.has_keys
    model.set_query(LeadQuery(search="Person1"))  # typing on: the pending load moves along
    assert model.listing is not None and not model.listing.has_keys
    qtbot.waitUntil(lambda: model.listing is not None and model.listing.has_keys, timeout=2000)
    assert model.rowCount() == 111  # Person1, Person10..19, Person100..199
