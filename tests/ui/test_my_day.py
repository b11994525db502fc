"""My day as a rep uses it: overdue, today and upcoming; log a touch, snooze, call, email;
the tray count and its notifications; reps start here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QIcon, QRawFont
from PySide6.QtWidgets import QLabel

from app.domain.leads import LeadStatus
from app.domain.people import Role, UserRecord
from app.domain.tasks import DueBucket, DueItem, TaskKind, TaskOutcome
from app.paths import resource
from app.services.container import Services
from app.ui.dialogs.touch_dialog import SnoozeDialog, Touch, TouchDialog
from app.ui.followup_actions import mailto_url, tel_url
from app.ui.main_window import MainWindow
from app.ui.models.due_model import DUE, KIND, DueModel
from app.ui.navigation import LEADS, MY_DAY
from app.ui.pages.my_day import MyDayPage
from app.ui.tray import TrayController, badge_icon, tooltip_text
from tests.conftest import FakeClock
from tests.due_tasks import add_due_tasks

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
    dialog = SnoozeDialog("Tom Kunde", "Call Tom", dt.date(2026, 11, 24))
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
    assert window.leads.detail.tasks.task_list.count() >= 1


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
    from app.ui.local_settings import Tray

    window = make_window()
    assert not window.starts_in_tray()  # not asked for
    settings.setValue(Tray.START_MINIMISED.key, True)
    assert window.starts_in_tray() == window.tray.available  # offscreen: no tray, so shown


# -- at scale: hundreds overdue, today still shown ----------------------------------------------
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # the clock fixture: Friday, 10:30 Berlin


@pytest.fixture
def busy_day(services: Services, rep: UserRecord) -> dict[str, Any]:
    """600 overdue tasks (one every 4 hours back from an hour ago) and 3 due later today."""
    services.settings.set("routing.auto_on_capture", False)
    lead = services.leads.create({"first_name": "Lena", "last_name": "Kunde",
                                  "phone": "+49 30 1234-56"})
    overdue = add_due_tasks(services, lead, rep.id,
                            (NOW - dt.timedelta(hours=1 + 4 * n) for n in range(600)))
    today = add_due_tasks(services, lead, rep.id,
                          (NOW + dt.timedelta(hours=h) for h in (5, 1, 3)), title="Today")
    return {"lead": lead, "overdue": overdue, "today": today}


def headings(page: MyDayPage) -> list[str]:
    model = page.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())
            if model.is_section(r) and model.more_at(r) is None]


def bucket_tasks(page: MyDayPage, bucket: DueBucket) -> list[DueItem]:
    model = page.model
    start = model.heading_row(bucket)
    assert start is not None
    items: list[DueItem] = []
    for row in range(start + 1, model.rowCount()):
        if model.is_section(row) and model.more_at(row) is None:
            break
        item = model.item(row)
        if item is not None:
            items.append(item)
    return items


def test_hundreds_overdue_count_true_and_today_is_listed(
        make_window: Make, services: Services, rep: UserRecord,
        busy_day: dict[str, Any]) -> None:
    window = make_window()
    page = window.my_day
    summary = page.summary.text()
    assert "600 overdue" in summary and "3 today" in summary, summary
    assert headings(page)[:2] == ["Overdue · 600", "Today · 3"]
    today = bucket_tasks(page, DueBucket.TODAY)
    assert [i.title for i in today] == ["Today 2", "Today 3", "Today 1"], "in due order"
    overdue = bucket_tasks(page, DueBucket.OVERDUE)
    assert [i.due_at for i in overdue] == sorted(i.due_at for i in overdue)
    assert window.due_label.text().replace(",", "") == "603 due" and window.tray.count == 603


def test_a_long_bucket_says_first_n_of_m_and_pages_on(make_window: Make, services: Services,
                                                     rep: UserRecord, qtbot: Any,
                                                     busy_day: dict[str, Any]) -> None:
    page = make_window().my_day
    model = page.model
    more = model.more_row(DueBucket.OVERDUE)
    assert more is not None
    shown = len(bucket_tasks(page, DueBucket.OVERDUE))
    assert model.data(model.index(more, 0)).startswith(f"First {shown} of 600 overdue")
    page.select_row(more)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter on "show more" reads the next page
    grown = bucket_tasks(page, DueBucket.OVERDUE)
    assert len(grown) > shown
    assert page.current_item() == grown[shown], "the selection goes on to the first new row"
    while (more := model.more_row(DueBucket.OVERDUE)) is not None:
        page.table.clicked.emit(model.index(more, 0))
    everything = bucket_tasks(page, DueBucket.OVERDUE)
    assert len(everything) == 600 == len({i.task_id for i in everything})
    assert [i.due_at for i in everything] == sorted(i.due_at for i in everything)
    assert len(bucket_tasks(page, DueBucket.TODAY)) == 3, "today stays below the overdue"


def test_a_refresh_keeps_the_pages_already_opened(make_window: Make, services: Services,
                                                 rep: UserRecord,
                                                 busy_day: dict[str, Any]) -> None:
    page = make_window().my_day
    page.show_more(DueBucket.OVERDUE)
    opened = len(bucket_tasks(page, DueBucket.OVERDUE))
    last = bucket_tasks(page, DueBucket.OVERDUE)[-1]
    page.select_row(page.model.row_of_task(last.task_id))
    page.refresh()
    assert len(bucket_tasks(page, DueBucket.OVERDUE)) == opened
    assert page.current_item() == last


def test_summary_links_jump_to_today(make_window: Make, rep: UserRecord,
                                    busy_day: dict[str, Any]) -> None:
    page = make_window().my_day
    page.summary.linkActivated.emit("today")
    current = page.current_item()
    assert current is not None and current.title == "Today 2"


def test_snooze_time_reads_the_same_in_status_bar_and_row_and_selection_stays(
        make_window: Make, services: Services, rep: UserRecord, day_leads: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    page = window.my_day
    task = first_task(services, day_leads["today"])
    row = page.model.row_of_task(task.id)
    following = page.model.neighbours(row)[0]  # the task listed after it
    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(SnoozeDialog, "ask", lambda *a: asked.append(a)
                        or (dt.date(2026, 11, 26), "customer at a fair"))
    page.select_row(row)
    page.snooze_button.click()
    assert asked[0][0] == "Tom Kunde", "the snooze dialog names the lead"
    status = window.statusBar().currentMessage()
    moved_row = page.model.row_of_task(task.id)
    assert moved_row is not None
    shown = page.model.data(page.model.index(moved_row, DUE))
    # 26 Nov 09:30 UTC is 10:30 in Berlin, the team's zone: both say so, whatever the
    # machine's own zone is.
    assert shown == "Thu 26 Nov 10:30" and status.endswith(f"until {shown}"), status
    assert "Tom Kunde" in status
    current = page.current_item()
    assert current is not None and current.task_id == following, "the selection stays put"


def test_snooze_dialog_names_the_lead(qtbot: Any) -> None:
    dialog = SnoozeDialog("Tom Kunde", "Call Tom", dt.date(2026, 11, 24))
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("Tom Kunde" in t and "Call Tom" in t for t in texts), texts


def test_an_email_touch_can_be_logged_as_sent(qtbot: Any, services: Services,
                                              day_leads: dict[str, Any]) -> None:
    dialog = TouchDialog("Tom Kunde", "Email Tom", TaskKind.EMAIL)
    qtbot.addWidget(dialog)
    offered = [dialog.outcome.itemText(i) for i in range(dialog.outcome.count())]
    assert "Sent" in offered and "Voicemail" not in offered
    assert dialog.touch().outcome is TaskOutcome.SENT, "an email is most often just sent"
    dialog.kind.setCurrentIndex(dialog.kind.findData(TaskKind.CALL))
    assert "Sent" not in [dialog.outcome.itemText(i) for i in range(dialog.outcome.count())]
    lead = day_leads["today"]
    email = first_task(services, lead)
    services.followup.log_touch(lead.id, TaskKind.EMAIL, TaskOutcome.SENT, task_id=email.id)
    done = next(t for t in services.followup.tasks_for_lead(lead.id) if t.id == email.id)
    assert done.outcome is TaskOutcome.SENT
    assert any(t.done_at is None for t in services.followup.tasks_for_lead(lead.id)), \
        "sent keeps the cadence going"


def test_every_task_kind_has_a_sign_the_bundled_font_draws(qapp: Any, clock: FakeClock) -> None:
    """The kind column shows a painted icon and plain text: no character that the system's
    fonts may lack (the meeting sign once rendered as an empty box)."""
    model = DueModel(clock, lambda: dt.UTC, 100)
    bundled = QRawFont(str(resource("fonts") / "DejaVuSans.ttf"), 12.0)
    for kind in TaskKind:
        item = DueItem(uuid.uuid4(), uuid.uuid4(), kind, "", "", NOW, None, "A", "", "", "",
                       None, 0, None, LeadStatus.SQL, None)
        model.rows = [item]
        text = model.data(model.index(0, KIND))
        icon = model.data(model.index(0, KIND), Qt.ItemDataRole.DecorationRole)
        assert text == kind.label
        assert isinstance(icon, QIcon) and not icon.isNull()
        assert all(bundled.supportsCharacter(ord(c)) for c in text)


def test_rows_show_before_the_counts_arrive(qtmodeltester: Any, services: Services,
                                            rep: UserRecord, busy_day: dict[str, Any],
                                            clock: FakeClock) -> None:
    model = DueModel(clock, lambda: services.cadences.calendar().zone, 100)
    rows_only = services.followup.due_overview(rep.id, count=False)
    model.set_overview(rows_only)
    heading = model.heading_row(DueBucket.OVERDUE)
    more = model.more_row(DueBucket.OVERDUE)
    assert heading is not None and more is not None
    assert model.data(model.index(heading, 0)) == "Overdue · 10+ (counting…)"
    assert model.data(model.index(more, 0)) == "First 10 overdue · show 100 more (Enter)"
    model.set_counts(services.followup.count_overview(rows_only))
    assert model.data(model.index(heading, 0)) == "Overdue · 600"
    assert model.data(model.index(more, 0)) == "First 10 of 600 overdue · show 100 more (Enter)"
    qtmodeltester.check(model)
