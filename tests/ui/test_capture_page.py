"""The booth screen as staff use it: a scan typed as a fast key burst, human typing, Enter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.services.container import Services
from app.ui.booth.capture_page import CapturePage

VCARD = ("BEGIN:VCARD\rVERSION:3.0\rN:Weber;Jonas\rORG:Weber Maschinenbau\r"
         "EMAIL:jonas@weber-mb.de\rTEL;CELL:0171 2345678\rEND:VCARD\r")


@pytest.fixture
def page(qtbot: Any, services: Services, tmp_path: Any,
         confirmations: list[str]) -> Iterator[CapturePage]:
    user = services.people.add_user("Ben Booth", "ben@example.com", Role.BOOTH)
    services.people.sign_in(user.id)
    services.events.add("Hannover Messe 2026", country="DE")
    settings = QSettings(str(tmp_path / "booth.ini"), QSettings.Format.IniFormat)
    widget = CapturePage(services, settings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.focus_first()
    yield widget
    widget.hide()


def press(widget: Any, char: str) -> None:
    """One key as a keyboard (or wedge) delivers it to the focused widget, any character."""
    key = {"\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab}.get(
        char, Qt.Key.Key_unknown)
    text = "\r" if char == "\n" else char
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def burst(qtbot: Any, widget: Any, text: str) -> None:
    """A scanner: every key at once, Enter as Return (what a wedge sends for CR and LF)."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=1000)
    for char in text:
        press(QApplication.focusWidget(), char)


def test_scan_burst_fills_the_form_without_typing_into_the_field(
        qtbot: Any, page: CapturePage, services: Services) -> None:
    focused = page.edits["first_name"]
    burst(qtbot, focused, VCARD)
    qtbot.waitUntil(lambda: page.edits["last_name"].text() == "Weber", timeout=2000)
    assert page.edits["first_name"].text() == "Jonas"  # not "BEGIN:VCARD…" typed into it
    assert page.edits["company"].text() == "Weber Maschinenbau"
    assert services.leads.count(LeadQuery()) == 0  # filled, not yet saved
    press(page.edits["company"], "\r")
    leads = services.leads.list(LeadQuery())
    assert len(leads) == 1 and leads[0].mobile_e164 == "+491712345678"
    assert page.edits["last_name"].text() == ""  # cleared for the next visitor
    assert page.edits["first_name"].hasFocus()
    assert page.count_label.text().endswith("<b>1</b> captured by you")
    assert page.recent.count() == 1


def test_save_on_scan_stores_at_once(qtbot: Any, page: CapturePage,
                                     services: Services) -> None:
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.edits["first_name"], "SBpax001\r")
    qtbot.waitUntil(lambda: services.leads.count(LeadQuery()) == 1, timeout=2000)
    lead = services.leads.list(LeadQuery())[0]
    assert lead.badge_id == "SBpax001" and lead.needs_review  # pending the registration list
    assert page.edits["badge_id"].text() == ""


def test_human_typing_goes_into_the_field(qtbot: Any, page: CapturePage,
                                          services: Services) -> None:
    page.edits["first_name"].setFocus()
    qtbot.waitUntil(page.edits["first_name"].hasFocus, timeout=1000)
    for char in "Anna":
        press(page.edits["first_name"], char)
        qtbot.wait(80)  # people type far slower than scanners
    assert page.edits["first_name"].text() == "Anna"
    burst(qtbot, page.edits["email"], "an")  # two keys in a rush: too short for a badge
    qtbot.wait(250)
    assert page.edits["email"].text() == "an"  # typed back, nothing lost
    page.edits["email"].setText("anna@acme.de")
    press(page.edits["email"], "\r")
    assert services.leads.list(LeadQuery())[0].first_name == "Anna"


def test_garbled_scan_says_why_and_keeps_the_half_typed_lead(
        qtbot: Any, page: CapturePage, services: Services) -> None:
    page.edits["company"].setText("Wants a demo")
    burst(qtbot, page.edits["first_name"], "&àà\"'(\r")  # 100234 on an AZERTY keyboard
    qtbot.waitUntil(lambda: "not read" in page.banner.text(), timeout=2000)
    assert "keyboard" in page.banner.text().lower()
    assert page.edits["company"].text() == "Wants a demo"
    assert services.leads.count(LeadQuery()) == 0
    assert services.booth.scan_log(page.event_id)[0].outcome == "rejected"


def test_rescanning_a_captured_badge_opens_it(qtbot: Any, page: CapturePage,
                                              services: Services) -> None:
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.edits["first_name"], VCARD)
    qtbot.waitUntil(lambda: services.leads.count(LeadQuery()) == 1, timeout=2000)
    page.save_on_scan.setChecked(False)
    burst(qtbot, page.edits["first_name"], VCARD)
    qtbot.waitUntil(lambda: page.editing is not None, timeout=2000)
    assert "Already captured" in page.banner.text()
    page.notes.setPlainText("Second visit")
    page.save()
    assert services.leads.count(LeadQuery()) == 1
    assert services.leads.list(LeadQuery())[0].notes == "Second visit"


def test_minimum_missing_is_explained(qtbot: Any, page: CapturePage,
                                      services: Services) -> None:
    page.edits["company"].setText("Acme")
    assert page.save() is None
    assert "Not saved" in page.banner.text()
    assert services.leads.count(LeadQuery()) == 0


def test_a_configured_suffix_ends_a_scan_at_once(qtbot: Any, page: CapturePage,
                                                 services: Services, tmp_path: Any) -> None:
    from app.ui.dialogs.scanner_dialog import ScannerDialog, load_wedge_settings

    dialog = ScannerDialog(page.settings)
    qtbot.addWidget(dialog)
    dialog.suffix.setText("\\x03")  # ETX, as typed into the settings field
    dialog.save()
    wedge = load_wedge_settings(page.settings)
    assert wedge.suffix == "\x03"
    page.scan_filter.configure(wedge)
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.edits["first_name"], "A\tB\tC-123\x03")  # tabs inside, no timeout needed
    assert services.booth.scan_log(page.event_id)[0].raw == "A\tB\tC-123"
