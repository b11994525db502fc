"""My day as a rep uses it: overdue, today and upcoming; log a touch, snooze, call, email;
the tray count and its notifications; reps start here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QDesktopServices

from app.domain.people import Role, UserRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui.dialogs.touch_dialog import SnoozeDialog, Touch, TouchDialog
from app.ui.main_window import LEADS, MY_DAY, MainWindow
from app.ui.models.due_model import DUE
from app.ui.my_day_page import mailto_url, tel_url
from app.ui.tray import TrayController, badge_icon, tooltip_text
from tests.conftest import FakeClock

Make = Callable[[], MainWindow]
UTC = dt.UTC


@pytest.fixture
def rep(services: Services) -> UserRecord:
    user = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    return services.people.sign_in(user.id)


@pytest.fixture
def day_leads(services: Services, rep: UserRecord, clock: FakeClock) -> dict[str, Any]:
    """One lead per bucket at Tuesday 24 Nov 08:00 UTC (09:00 Berlin)."""
    def lead(name: str, when: dt.datetime, **extra: Any) -> Any:
        clock.now = when
        return services.leads.create({"first_name": name, "last_name": "Kunde",
                                      "company": f"{name} GmbH", "email": f"{name}@x.example",
                                      "phone": "+49 30 1234-56", "owner": "rita@example.com",
                                      **extra})
    leads = {"late": lead("Lena", dt.datetime(2026, 11, 19, 9, 0, tzinfo=UTC)),
             "today": lead("Tom", dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
             "soon": lead("Uli", dt.datetime(2026, 11, 23, 13, 0, tzinfo=UTC))}
    clock.now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    return leads


def first_task(services: Services, lead: Any) -> Any:
    return min((t for t in services.followup.tasks_for_lead(lead.id) if t.done_at is None),
               key=lambda t: t.due_at)


def test_rep_starts_on_my_day_with_three_sections(make_window: Make, services: Services,
                                                  rep: UserRecord,
                                                  day_leads: dict[str, Any]) -> None:
    window = make_window()
    assert window.pages.currentIndex() == MY_DAY
    page = window.my_day
    day = services.followup.my_day(rep.id)
    assert [i.lead_id for i in day.overdue] == [day_leads["late"].id]
    assert [i.lead_id for i in day.today] == [day_leads["today"].id]
    assert day_leads["soon"].id in [i.lead_id for i in day.upcoming]
    model = page.model
    sections = [model.data(model.index(r, 0)) for r in range(model.rowCount())
                if model.is_section(r)]
    assert sections[0] == "Overdue · 1" and sections[1] == "Today · 1"
    assert sections[2].startswith("Upcoming (7 days)")
    late_row = model.row_of_task(day.overdue[0].task_id)
    assert model.data(model.index(late_row, DUE)) == "1 day late"
    today_row = model.row_of_task(day.today[0].task_id)
    assert model.data(model.index(today_row, DUE)) == "today 10:30"
    assert page.current_item() == day.overdue[0], "the most urgent task is selected"
    assert "1 overdue" in page.summary.text()
    assert window.due_label.text() == "2 due" and window.tray.count == 2


def test_log_touch_completes_the_task_and_moves_on(make_window: Make, services: Services,
                                                   rep: UserRecord, day_leads: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    page = window.my_day
    lead = day_leads["late"]
    task = first_task(services, lead)
    asked: list[str] = []

    def answer(name: str, title: str, kind: TaskKind, _parent: Any) -> Touch:
        asked.append(name)
        return Touch(kind, None, "sent it")
    monkeypatch.setattr(TouchDialog, "ask", answer)
    page.select_row(page.model.row_of_task(task.id))
    page.log_button.click()
    done = next(t for t in services.followup.tasks_for_lead(lead.id) if t.id == task.id)
    assert done.done_at == services.context.clock() and asked == ["Lena Kunde"]
    assert page.model.row_of_task(task.id) is None
    assert services.leads.get(lead.id).first_touch_at is not None
    assert services.leads.history(lead.id)[0].text == "sent it"
    assert window.tray.count == 1 and window.due_label.text() == "1 due"


def test_snooze_needs_a_reason(make_window: Make, services: Services, rep: UserRecord,
                               day_leads: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                               confirmations: list[str], qtbot: Any) -> None:
    dialog = SnoozeDialog("Call Tom", dt.date(2026, 11, 24))
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.reason.setText("at a fair")
    assert dialog.ok.isEnabled() and dialog.chosen()[0] == dt.date(2026, 11, 25)

    window = make_window()
    page = window.my_day
    task = first_task(services, day_leads["today"])
    page.select_row(page.model.row_of_task(task.id))
    monkeypatch.setattr(SnoozeDialog, "ask",
                        lambda *_a: (dt.date(2026, 11, 26), "  "))
    page.snooze_button.click()
    assert first_task(services, day_leads["today"]).due_at == task.due_at
    assert any("Task not snoozed" in c for c in confirmations)
    monkeypatch.setattr(SnoozeDialog, "ask",
                        lambda *_a: (dt.date(2026, 11, 26), "customer at a fair"))
    page.snooze_button.click()
    moved = next(t for t in services.followup.tasks_for_lead(day_leads["today"].id)
                 if t.id == task.id)
    assert moved.due_at == dt.datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert "customer at a fair" in services.leads.history(day_leads["today"].id)[0].text


def test_call_and_email_links(make_window: Make, rep: UserRecord, day_leads: dict[str, Any],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    url = mailto_url("tom@x.example", "Hello & welcome?", "Dear Tom,\nsee you — ü")
    assert url.startswith("mailto:tom@x.example?subject=Hello%20%26%20welcome%3F&body=")
    assert "Dear%20Tom%2C%0D%0Asee%20you%20%E2%80%94%20%C3%BC" in url
    assert tel_url("+49 (30) 1234-56") == "tel:+4930123456"
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda u: opened.append(bytes(u.toEncoded()).decode()) or True))
    window = make_window()
    page = window.my_day
    page.call_button.click()
    page.email_button.click()
    item = page.current_item()
    assert item is not None and opened[0] == "tel:+4930123456"
    assert opened[1] == mailto_url(item.email, item.title, item.notes)
    assert opened[1].startswith("mailto:lena@x.example?subject=") and "%20" in opened[1]


def test_open_lead_goes_to_leads_with_it_selected(make_window: Make, rep: UserRecord,
                                                  day_leads: dict[str, Any]) -> None:
    window = make_window()
    window.my_day.open_button.click()
    assert window.pages.currentIndex() == LEADS
    record = window.leads.detail.record
    assert record is not None and record.id == day_leads["late"].id
    assert window.leads.detail.task_list.count() >= 1


def test_empty_state_says_what_next(make_window: Make, rep: UserRecord) -> None:
    window = make_window()
    window.show_page(MY_DAY)
    assert window.my_day.stack.currentWidget() is window.my_day.empty
    assert window.my_day.empty.text().startswith("Nothing due.")
    assert not window.my_day.log_button.isEnabled()


class FakeIcon:
    def __init__(self) -> None:
        self.tip, self.messages, self.icons = "", [], 0

    def setIcon(self, _icon: Any) -> None:  # noqa: N802
        self.icons += 1

    def setToolTip(self, tip: str) -> None:  # noqa: N802
        self.tip = tip

    def showMessage(self, title: str, text: str, *_a: Any) -> None:  # noqa: N802
        self.messages.append((title, text))

    def setContextMenu(self, _menu: Any) -> None:  # noqa: N802
        pass

    def show(self) -> None:
        pass


def test_tray_counts_and_announces_newly_due_tasks(qapp: Any, services: Services,
                                                   rep: UserRecord, day_leads: dict[str, Any],
                                                   clock: FakeClock) -> None:
    icon = FakeIcon()
    tray = TrayController(services, icon_factory=lambda _parent: icon)
    assert tray.check() == 2
    assert icon.tip == tooltip_text(2) and "2 follow-ups due" in icon.tip
    assert icon.messages == [], "the first check only takes stock"
    clock.now = dt.datetime(2026, 11, 24, 9, 31, tzinfo=UTC)  # Tom's email became due
    assert tray.check() == 2
    assert icon.messages == [("Leadline", f"{first_task(services, day_leads['today']).title} "
                                          "is due now")]
    tray.check()
    assert len(icon.messages) == 1, "announced once"
    assert not badge_icon(tray.base_icon, 3).isNull()
    tray.hide()


def test_start_minimised_needs_a_tray(make_window: Any, settings: Any, manager: Any) -> None:
    from app.ui.tray import START_MINIMISED_KEY

    window = make_window()
    assert not window.starts_in_tray()  # not asked for
    settings.setValue(START_MINIMISED_KEY, True)
    assert window.starts_in_tray() == window.tray.available  # offscreen: no tray, so shown
