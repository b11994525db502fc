"""What the app changes by itself is said: a notice with a link to exactly those leads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.domain.leads import LeadRecord
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import LEADS
from tests.conftest import FakeClock


def test_nurture_returns_show_a_notice_that_lists_those_leads(
        make_window: Callable[[], MainWindow], manager: UserRecord, services: Services,
        add_leads: Callable[..., list[LeadRecord]], clock: FakeClock) -> None:
    rep = services.people.add_user("Anna Berger", "anna@example.com", Role.REP)
    back, stay = add_leads(2, owner="anna@example.com")
    add_leads(3)
    services.routing.recycle(back.id, "budget in December", dt.date(2026, 12, 1))
    services.routing.recycle(stay.id, "next year", dt.date(2027, 6, 1))
    window = make_window()
    assert not window.notices.isVisible()
    clock.now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    window.run_periodic_checks()
    assert window.notices.isVisible()
    text = window.notices.label.text()
    assert "Leadline (automatic)" in text and "1 lead back from nurture" in text
    assert "Show it" in text
    window.notices.label.linkActivated.emit("0")
    assert window.pages.currentIndex() == LEADS
    page = window.leads
    assert page.model.rowCount() == 1 and page.model.record(0).id == back.id
    assert page.chosen_banner.isVisible() and "back from nurture" in page.chosen_banner.text()
    assert services.leads.get(back.id).owner_id == rep.id
    window.notices.dismiss_button.click()
    assert not window.notices.isVisible()


def test_a_quiet_check_says_nothing(make_window: Callable[[], MainWindow], manager: UserRecord,
                                    add_leads: Callable[..., list[LeadRecord]]) -> None:
    add_leads(3)
    window = make_window()
    window.run_periodic_checks()
    assert not window.notices.isVisible() and window.notices.notices == []


def test_a_daily_rescore_that_promotes_leads_says_so(
        make_window: Callable[[], MainWindow], manager: UserRecord, services: Services,
        monkeypatch: Any) -> None:
    from app.services.scoring_service import RescoreSummary

    window = make_window()
    promoted = services.leads.create({"first_name": "Vera", "last_name": "Boss"})
    monkeypatch.setattr(services.scoring, "rescore_due", lambda: True)
    monkeypatch.setattr(services.scoring, "rescore_daily", lambda **_kw: RescoreSummary(
        1, 1, to_mql=(promoted.id,)))
    window.rescore_daily()
    assert "1 lead reached" in window.notices.label.text()
    assert window.notices.notices[0].lead_ids == (promoted.id,)
