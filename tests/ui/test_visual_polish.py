"""What the eye checks on the main screens: readable text in both themes, nothing cut or past
the edge at 1024x700, counts worded right."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QFont, QPalette, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.main_window import MainWindow
from app.ui.navigation import DASHBOARD, DUPLICATES, HEALTH, HOME, LEADS
from app.ui.pages.leads import LeadsPage
from app.ui.style import apply_theme
from app.ui.workers import SynchronousRunner

Make = Callable[[], MainWindow]
READABLE = 4.5  # WCAG AA contrast for ordinary text
PAGES = {HOME: "Home", LEADS: "Leads", DUPLICATES: "Duplicates", HEALTH: "Data health",
         DASHBOARD: "Dashboard"}


@pytest.fixture
def restore_theme() -> Iterator[QApplication]:
    """Themes are application-wide: put the style and palette back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette = app.style().name(), QPalette(app.palette())
    yield app
    app.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
    app.setPalette(palette)
    app.setStyle(style)


@pytest.fixture
def some_leads(services: Services, manager: UserRecord) -> list[Any]:
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.events.add("Hannover Messe 2026")
    return [services.leads.create({"first_name": f"Person{i}", "last_name": "Example",
                                   "company": f"Company {i}", "email": f"p{i}@example.com",
                                   "event": "Hannover Messe 2026", "rating": "hot",
                                   "owner": rep.email if i % 2 else ""})
            for i in range(4)]


def _settle(app: QCoreApplication) -> None:
    app.processEvents()
    # Qt Charts drops replaced drawings on the next turn of the event loop, which a test
    # without one never reaches.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast of two opaque colours: 1 (same) to 21 (black on white)."""
    def luminance(colour: QColor) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                    for c in (colour.redF(), colour.greenF(), colour.blueF())]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _background(widget: QWidget) -> QColor:
    """The colour actually behind ``widget``: the nearest one that paints its background."""
    current: QWidget | None = widget
    while current is not None:
        if current.autoFillBackground() or current.isWindow():
            return current.palette().color(current.backgroundRole())
        current = current.parentWidget()
    raise AssertionError(f"{widget!r} has no window")


def _is_heading(label: QLabel, body: QFont) -> bool:
    font = label.font()
    return font.weight() >= QFont.Weight.DemiBold or font.pointSizeF() > body.pointSizeF() + 1


def _unreadable(page: QWidget, body: QFont) -> tuple[list[str], set[str]]:
    """Visible labels on ``page`` whose text is below 4.5:1 on what is behind them, and the
    headings looked at."""
    problems, headings = [], set()
    for label in page.findChildren(QLabel):
        if not label.isVisible() or not label.isEnabled() or not label.text().strip():
            continue
        text = label.palette().color(label.foregroundRole())
        ratio = contrast_ratio(text, _background(label))
        if _is_heading(label, body):
            headings.add(label.text())
        if ratio < READABLE:
            problems.append(f"{label.text()[:40]!r}: {text.name()} on "
                            f"{_background(label).name()} is {ratio:.1f}:1")
    return problems, headings


@pytest.mark.parametrize(("built_in", "switched_to"), [
    ("dark", None), ("light", "dark"), ("dark", "light"), ("light", None)])
def test_every_title_and_text_reads_in_either_theme_even_after_switching(
        make_window: Make, some_leads: list[Any], restore_theme: QApplication,
        built_in: str, switched_to: str | None) -> None:
    app = restore_theme
    apply_theme(app, built_in)
    window = make_window()
    window.resize(1280, 800)
    window.open_lead(some_leads[0].id)
    for index in PAGES:  # every page drawn once before the switch, as in real use
        window.show_page(index)
    _settle(app)
    if switched_to:
        apply_theme(app, switched_to)  # Settings → Appearance
        _settle(app)
    body = app.font()
    problems, headings = [], set()
    for index, name in PAGES.items():
        window.show_page(index)
        _settle(app)
        found, seen = _unreadable(window.pages.widget(index), body)
        problems += [f"{name}: {problem}" for problem in found]
        headings |= seen
    assert not problems, "\n".join(problems)
    assert {"Hello, Maria", "Person0 Example", "Person", "Data health", "Dashboard",
            "Funnel", "Age of open leads"} <= headings


def test_quiet_text_is_readable_on_both_themes(restore_theme: QApplication) -> None:
    from app.ui.style import secondary_colour

    for theme in ("light", "dark"):
        apply_theme(restore_theme, theme)
        palette = restore_theme.palette()
        window = palette.color(QPalette.ColorRole.Window)
        assert contrast_ratio(secondary_colour(), window) >= READABLE, theme
        # quieter than the normal text all the same
        assert contrast_ratio(secondary_colour(), window) < contrast_ratio(
            palette.color(QPalette.ColorRole.WindowText), window)
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21)


def _right_edge(widget: QWidget, within: QWidget) -> int:
    return widget.mapTo(within, QPoint(widget.width(), 0)).x()


def test_detail_pane_shows_every_field_whole_at_1024_by_700(
        qtbot: Any, services: Services, manager: UserRecord, clock: Any) -> None:
    services.people.add_user("Maximiliane Wolfenstein-Oberhausen", "max@example.com", Role.REP)
    services.events.add("International Trade Fair for Industrial Automation Hannover 2026")
    lead = services.leads.create({
        "first_name": "Katharina-Maximiliane", "last_name": "Schneider-Wolfenstein",
        "title": "Head of Production Planning and Procurement",
        "company": "Schneider Automation und Antriebstechnik GmbH & Co. KG",
        "email": "katharina-maximiliane.schneider-wolfenstein@schneider-automation.de",
        "website": "https://www.schneider-automation-und-antriebstechnik.de/kontakt",
        "country": "DE", "event": "International Trade Fair for Industrial Automation "
        "Hannover 2026", "owner": "max@example.com", "come_back_on": "2026-12-31",
        "deal_value": "1250000"})
    # The Leads page as a 1024x700 window holds it: beside the 120 px rail, under the menu,
    # tool and status bars, split as the window first splits it.
    page = LeadsPage(services, SynchronousRunner(), QUndoStack(), lambda: None, lambda: None,
                     lambda: None)
    qtbot.addWidget(page)
    page.detail.attach_followup(services)
    page.resize(1024 - 120, 700 - 71)
    page.splitter.setSizes([780, 420])
    page.show()
    _settle(QApplication.instance())
    assert page.width() == 1024 - 120, f"the page needs {page.minimumSizeHint().width()} px"
    detail = page.detail
    due = clock() + dt.timedelta(days=3)
    detail.show_lead(replace(services.leads.get(lead.id), next_due_at=due, needs_review=True,
                             review_reason="Email looks like a personal address; phone "
                             "number has too few digits for Germany; company name unusual"))
    _settle(QApplication.instance())

    when = due.astimezone(services.cadences.calendar().zone).strftime("%Y-%m-%d %H:%M")
    assert detail.next_step.text().endswith(when)
    assert detail.next_step.width() >= detail.next_step.sizeHint().width()
    assert _right_edge(detail.next_step, detail) <= detail.width()
    for label in (detail.title, detail.subtitle, detail.review_note, detail.tasks.sla_label):
        if label.isVisible():
            assert _right_edge(label, detail) <= detail.width(), label.text()
    form = detail.form
    viewport = form.parentWidget()
    assert viewport is not None
    for name, editor in form.editors.items():
        assert editor.width() >= editor.minimumSizeHint().width(), name
        assert _right_edge(editor, viewport) <= viewport.width(), (
            f"{name} runs {_right_edge(editor, viewport) - viewport.width()} px past the edge")
    for name in ("come_back_on", "deal_value"):
        line = form.editors[name]
        assert isinstance(line, QLineEdit)
        whole = line.fontMetrics().horizontalAdvance(line.text())
        assert whole < line.width(), f"{name} {line.text()!r} is cut"
    website = form.editors["website"]
    assert isinstance(website, QLineEdit) and website.toolTip() == website.text()


def test_my_pages_fit_a_1024_pixel_window(make_window: Make, some_leads: list[Any]) -> None:
    window = make_window()
    room = 1024 - window.rail.width()
    for index, name in PAGES.items():
        window.show_page(index)
        width = window.pages.widget(index).minimumSizeHint().width()
        assert width <= room, f"{name} needs {width} px, a 1024 px window has {room}"


def test_counts_are_worded_for_one_and_for_many() -> None:
    from app.ui.wording import counted, noun_for

    assert counted(1, "lead") == "1 lead"
    assert counted(0, "lead") == "0 leads"
    assert counted(690_005, "change") == "690,005 changes"
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(2, "entry", "entries") == "2 entries"
    assert noun_for(1, "duplicate") == "duplicate" and noun_for(3, "duplicate") == "duplicates"


def test_import_preview_says_1_duplicate(qtbot: Any, services: Services, tmp_path: Path,
                                         confirmations: list[str]) -> None:
    path = tmp_path / "export.csv"
    path.write_text("First name;Last name;Company;Email\n"
                    "Anna;Müller;Acme GmbH;anna@acme.de\n"
                    "Anna;Müller;Acme GmbH;anna@acme.de\n", encoding="utf-8")
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    text = re.sub("<[^>]+>", "", wizard.preview_page.counts.text())
    assert "2 rows: 1 new" in text and "1 duplicate," in text, text


def test_dashboard_and_duplicates_say_1_lead_and_1_pair(
        make_window: Make, services: Services, manager: UserRecord) -> None:
    services.leads.create({"first_name": "Kate", "last_name": "Schneider",
                           "company": "Schneider Automation", "email": "kate@schneider.de"})
    window = make_window()
    window.show_page(DASHBOARD)
    summary = re.sub("<[^>]+>", "", window.dashboard.summary.text())
    assert summary.startswith("1 lead · 1 open"), summary
    services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                           "company": "Schneider Automation GmbH", "email": "KATE@schneider.de"})
    window.show_page(DUPLICATES)
    window.duplicates.scan()
    assert window.duplicates.status.text().startswith("1 likely duplicate pair:")


def test_every_page_and_the_window_fit_1024_pixels_with_a_long_event_name(
        make_window: Make, services: Services) -> None:
    services.events.add("Hannover Messe 2026 – Industrial Automation, Hall 11 and Hall 12",
                        country="DE", starts="2026-11-19", ends="2026-11-21")
    window = make_window()
    room = 1024 - window.rail.width()
    for index in range(window.pages.count()):
        window.show_page(index)
        width = window.pages.widget(index).minimumSizeHint().width()
        assert width <= room, f"page {index} needs {width} px, a 1024 px window has {room}"
    assert window.minimumSizeHint().width() <= 1024
