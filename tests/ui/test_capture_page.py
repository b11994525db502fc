"""The booth screen as staff use it: a scan typed as a fast key burst, human typing, Enter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QInputDevice, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.importers.badges import WedgeSettings
from app.services.container import Services
from app.ui.pages.booth.capture_fields import TEXT_FIELDS
from app.ui.pages.booth.capture_page import MENU_MNEMONICS, CapturePage

VCARD = ("BEGIN:VCARD\rVERSION:3.0\rN:Weber;Jonas\rORG:Weber Maschinenbau\r"
         "EMAIL:jonas@weber-mb.de\rTEL;CELL:0171 2345678\rEND:VCARD\r")


@pytest.fixture
def page(qtbot: Any, services: Services, tmp_path: Any,
         confirmations: list[str]) -> Iterator[CapturePage]:
    user = services.people.add_user("Ben Booth", "ben@example.com", Role.BOOTH)
    services.people.sign_in(user.id)
    # Running on the fixture clock's day in every time zone, so the booth opens on it.
    services.events.add("Hannover Messe 2026", country="DE", starts="2026-11-19", ends="2026-11-21")
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
    focused = page.fields.edits["first_name"]
    burst(qtbot, focused, VCARD)
    qtbot.waitUntil(lambda: page.fields.edits["last_name"].text() == "Weber", timeout=2000)
    assert page.fields.edits["first_name"].text() == "Jonas"  # not "BEGIN:VCARD…" typed into it
    assert page.fields.edits["company"].text() == "Weber Maschinenbau"
    assert services.leads.count(LeadQuery()) == 0  # filled, not yet saved
    press(page.fields.edits["company"], "\r")
    leads = services.leads.list(LeadQuery())
    assert len(leads) == 1 and leads[0].mobile_e164 == "+491712345678"
    assert page.fields.edits["last_name"].text() == ""  # cleared for the next visitor
    assert page.fields.edits["first_name"].hasFocus()
    assert page.count_label.text().endswith("<b>1</b> captured by you")
    assert page.side.recent.count() == 1


def test_save_on_scan_stores_at_once(qtbot: Any, page: CapturePage,
                                     services: Services) -> None:
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.fields.edits["first_name"], "SBpax001\r")
    qtbot.waitUntil(lambda: services.leads.count(LeadQuery()) == 1, timeout=2000)
    lead = services.leads.list(LeadQuery())[0]
    assert lead.badge_id == "SBpax001" and lead.awaiting_registration  # until the list comes
    assert page.fields.edits["badge_id"].text() == ""


def test_human_typing_goes_into_the_field(qtbot: Any, page: CapturePage,
                                          services: Services) -> None:
    page.fields.edits["first_name"].setFocus()
    qtbot.waitUntil(page.fields.edits["first_name"].hasFocus, timeout=1000)
    for char in "Anna":
        press(page.fields.edits["first_name"], char)
        qtbot.wait(80)  # people type far slower than scanners
    assert page.fields.edits["first_name"].text() == "Anna"
    burst(qtbot, page.fields.edits["email"], "an")  # two keys in a rush: too short for a badge
    qtbot.wait(250)
    assert page.fields.edits["email"].text() == "an"  # typed back, nothing lost
    page.fields.edits["email"].setText("anna@acme.de")
    press(page.fields.edits["email"], "\r")
    assert services.leads.list(LeadQuery())[0].first_name == "Anna"


def test_garbled_scan_says_why_and_keeps_the_half_typed_lead(
        qtbot: Any, page: CapturePage, services: Services) -> None:
    page.fields.edits["company"].setText("Wants a demo")
    burst(qtbot, page.fields.edits["first_name"], "&àà\"'(\r")  # 100234 on an AZERTY keyboard
    qtbot.waitUntil(lambda: "not read" in page.banner.text(), timeout=2000)
    assert "keyboard" in page.banner.text().lower()
    assert page.fields.edits["company"].text() == "Wants a demo"
    assert services.leads.count(LeadQuery()) == 0
    assert services.booth.scan_log(page.event_id)[0].outcome == "rejected"


def test_rescanning_a_captured_badge_opens_it(qtbot: Any, page: CapturePage,
                                              services: Services) -> None:
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.fields.edits["first_name"], VCARD)
    qtbot.waitUntil(lambda: services.leads.count(LeadQuery()) == 1, timeout=2000)
    page.save_on_scan.setChecked(False)
    # The visitor comes back later: a burst straight after the last one (within the scanner's
    # key gap) is the trigger held, which the filter rightly ignores as a repeat.
    qtbot.wait(int(WedgeSettings().max_gap_s * 1000) * 4 + 50)
    burst(qtbot, page.fields.edits["first_name"], VCARD)
    qtbot.waitUntil(lambda: page.editing is not None, timeout=2000)
    assert "Already captured" in page.banner.text()
    page.fields.notes.setPlainText("Second visit")
    page.save()
    assert services.leads.count(LeadQuery()) == 1
    assert services.leads.list(LeadQuery())[0].notes == "Second visit"


def test_minimum_missing_is_explained(qtbot: Any, page: CapturePage,
                                      services: Services) -> None:
    page.fields.edits["company"].setText("Acme")
    assert page.save() is None
    assert "Not saved" in page.banner.text()
    assert services.leads.count(LeadQuery()) == 0


def test_a_configured_suffix_ends_a_scan_at_once(qtbot: Any, page: CapturePage,
                                                 services: Services, tmp_path: Any) -> None:
    from app.ui.dialogs.scanner_dialog import ScannerDialog, load_wedge_settings

    dialog = ScannerDialog(page.local.store)
    qtbot.addWidget(dialog)
    dialog.suffix.setText("\\x03")  # ETX, as typed into the settings field
    dialog.save()
    wedge = load_wedge_settings(page.local.store)
    assert wedge.suffix == "\x03"
    page.scan_filter.configure(wedge)
    page.save_on_scan.setChecked(True)
    burst(qtbot, page.fields.edits["first_name"], "A\tB\tC-123\x03")  # tabs inside, no timeout needed
    # One scan with its tabs inside: read token by token (no layout), the id and the rest kept.
    leads = services.leads.list(LeadQuery())
    assert [(lead.badge_id, lead.notes) for lead in leads] == [("C-123", "Badge text: A · B")]


# -- the booth under real use: a fake key clock drives the scan filter, no sleeps -------------
class KeyClock:
    """The scan filter's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keys(page: CapturePage) -> KeyClock:
    ticks = KeyClock()
    page.scan_filter.clock = ticks
    return ticks


def key(char: str, *, key_code: Qt.Key | None = None,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        device: QInputDevice | None = None) -> None:
    """One key press and release, to the focused widget, as a keyboard or wedge sends it."""
    code = key_code if key_code is not None else {
        "\r": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab}.get(char, Qt.Key.Key_unknown)
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, code, modifiers, 0, 0, 0, char, False, 1,
                          device or QInputDevice.primaryKeyboard())
        QApplication.sendEvent(QApplication.focusWidget(), event)


def typed(keys: KeyClock, text: str, gap: float, **how: Any) -> None:
    for char in text:
        keys.now += gap
        key(char, **how)


def focus(qtbot: Any, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=1000)


def fill_a_visitor(qtbot: Any, page: CapturePage, question_id: Any) -> None:
    page.fields.edits["first_name"].setText("Anna")
    page.fields.edits["last_name"].setText("Kowalski")
    page.fields.edits["company"].setText("Acme")
    page.fields.notes.setPlainText("Wants a demo of the 3000 series")
    page.fields.rating_group.buttons()[0].setChecked(True)
    page.fields.qualifiers.set_answers({question_id: "yes"})
    page.fields.consent.setChecked(True)


def test_a_scan_over_a_half_typed_lead_keeps_it_as_a_draft_and_starts_clean(
        qtbot: Any, page: CapturePage, services: Services, keys: KeyClock) -> None:
    question = services.questions.add("Budget this year?", "yes_no", event_id=page.event_id)
    page.reload_events()
    fill_a_visitor(qtbot, page, question.id)
    focus(qtbot, page.fields.edits["email"])
    typed(keys, "anna@", 0.09)  # half typed when the next visitor's badge is scanned
    keys.now += 1.0
    typed(keys, VCARD, 0.01)
    edits = page.fields.edits
    assert edits["last_name"].text() == "Weber" and edits["first_name"].text() == "Jonas"
    assert page.fields.notes.toPlainText() == ""  # nothing of Anna's stays on Jonas
    assert page.fields.edits["email"].text() == "jonas@weber-mb.de"
    assert page.fields.rating_group.checkedButton() is None and not page.fields.consent.isChecked()
    assert page.fields.qualifiers.all_answers() == {question.id: ""}
    assert "Anna Kowalski · Acme was not saved yet" in page.banner.text()
    assert page.side.drafts.isVisibleTo(page) and page.side.drafts.count() == 1
    assert "Anna Kowalski · Acme" in page.side.drafts.item(0).text()
    jonas = page.save()
    assert jonas is not None and jonas.notes == "" and jonas.consent.value != "granted"
    page.resume_draft(services.booth.drafts()[0].id)
    assert page.fields.edits["email"].text() == "anna@"
    assert page.fields.notes.toPlainText().startswith("Wants")
    assert page.fields.consent.isChecked() and page.fields.rating_group.checkedButton() is not None
    assert page.fields.qualifiers.all_answers() == {question.id: "yes"}
    assert services.booth.drafts() == [] and not page.side.drafts.isVisibleTo(page)
    page.fields.edits["email"].setText("anna@acme.example")
    anna = page.save()
    assert anna is not None and anna.notes == "Wants a demo of the 3000 series"
    assert services.questions.answers_for(anna.id) == {question.id: "yes"}
    assert services.questions.answers_for(jonas.id) == {}


def test_esc_then_ctrl_z_restores_everything(qtbot: Any, page: CapturePage,
                                             services: Services) -> None:
    question = services.questions.add("Budget this year?", "yes_no", event_id=page.event_id)
    page.reload_events()
    fill_a_visitor(qtbot, page, question.id)
    focus(qtbot, page.fields.edits["company"])
    qtbot.keyClick(page.fields.edits["company"], Qt.Key.Key_Escape)
    assert page.fields.edits["first_name"].text() == "" and page.fields.notes.toPlainText() == ""
    assert "Cleared Anna Kowalski · Acme" in page.banner.text()
    assert page.undo_clear_button.isVisibleTo(page)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.fields.edits["first_name"].text() == "Anna" and page.fields.edits["company"].text() == "Acme"
    assert page.fields.notes.toPlainText() == "Wants a demo of the 3000 series"
    assert page.fields.rating_group.checkedButton() is page.fields.rating_group.buttons()[0]
    assert page.fields.qualifiers.all_answers() == {question.id: "yes"} and page.fields.consent.isChecked()
    assert not page.undo_clear_button.isVisibleTo(page)
    page.clear_form()
    qtbot.mouseClick(page.undo_clear_button, Qt.MouseButton.LeftButton)  # the banner's button
    assert page.fields.edits["last_name"].text() == "Kowalski"


def test_40_ms_typing_stays_typed_in_the_focused_field(qtbot: Any, page: CapturePage,
                                                       keys: KeyClock) -> None:
    focus(qtbot, page.fields.edits["company"])
    typed(keys, "Weber Maschinenbau", 0.04)
    assert page.fields.edits["company"].text() == "Weber Maschinenbau"  # at once, nothing held back
    focus(qtbot, page.fields.edits["first_name"])
    keys.now += 0.5
    key("J")
    for char, gap in zip("ohanna", (0.05, 0.05, 0.05, 0.012, 0.05, 0.05), strict=True):
        keys.now += gap  # one near-simultaneous pair ("nn") among 50 ms keys
        key(char)
    assert page.fields.edits["first_name"].text() == "Johanna"
    focus(qtbot, page.fields.edits["title"])
    key("C")  # the very next instant, in another field: nothing is taken back from the first
    assert page.fields.edits["first_name"].text() == "Johanna" and page.fields.edits["title"].text() == "C"
    assert page.fields.edits["company"].text() == "Weber Maschinenbau"
    assert "Scanned" not in page.banner.text()


def test_a_10_ms_burst_ending_in_enter_is_a_scan(qtbot: Any, page: CapturePage,
                                                 keys: KeyClock) -> None:
    focus(qtbot, page.fields.edits["first_name"])
    typed(keys, "SBpax001\r", 0.01)
    assert page.fields.edits["badge_id"].text() == "SBpax001"
    assert page.fields.edits["first_name"].text() == ""  # not typed into the field that had focus
    assert "Scanned SBpax001" in page.banner.text()


LF_CARD = VCARD.replace("\r", "\n")


@pytest.mark.parametrize("delivery", [
    {"key_code": Qt.Key.Key_Return},  # a wedge mapping LF to Enter
    {"key_code": Qt.Key.Key_unknown},  # the LF character itself
    {"key_code": Qt.Key.Key_J, "modifiers": Qt.KeyboardModifier.ControlModifier},  # Ctrl+J
], ids=["Key_Return", "LF character", "Ctrl+J"])
def test_a_vcard_with_linefeeds_is_read(qtbot: Any, page: CapturePage, keys: KeyClock,
                                        delivery: dict[str, Any]) -> None:
    focus(qtbot, page.fields.edits["first_name"])
    for char in LF_CARD:
        keys.now += 0.008
        key(char, **delivery) if char == "\n" else key(char)
    edits = page.fields.edits
    assert edits["last_name"].text() == "Weber" and edits["first_name"].text() == "Jonas"
    assert page.fields.edits["company"].text() == "Weber Maschinenbau"


def test_ctrl_j_without_text_is_a_linefeed_too(qtbot: Any, page: CapturePage,
                                               keys: KeyClock) -> None:
    focus(qtbot, page.fields.edits["first_name"])
    for char in LF_CARD:
        keys.now += 0.008
        if char == "\n":
            key("", key_code=Qt.Key.Key_J, modifiers=Qt.KeyboardModifier.ControlModifier)
        else:
            key(char)
    assert page.fields.edits["email"].text() == "jonas@weber-mb.de"


def test_the_scanner_device_decides_when_configured(qtbot: Any, page: CapturePage,
                                                    keys: KeyClock) -> None:
    page.scan_filter.configure(WedgeSettings(device="Honeywell 1900GSR"))
    scanner = QInputDevice("Honeywell 1900GSR", 42, QInputDevice.DeviceType.Keyboard)
    focus(qtbot, page.fields.edits["company"])
    typed(keys, "SBpax001\r", 0.045, device=scanner)  # slow, but the scanner's own keys
    assert page.fields.edits["badge_id"].text() == "SBpax001" and page.fields.edits["company"].text() == ""
    focus(qtbot, page.fields.edits["title"])
    typed(keys, "CTO\t", 0.004)  # keyboard keys, however fast, are typing
    assert page.fields.edits["title"].text() == "CTO"


def test_a_held_trigger_reads_the_badge_once(qtbot: Any, page: CapturePage,
                                             services: Services, keys: KeyClock) -> None:
    focus(qtbot, page.fields.edits["first_name"])
    typed(keys, "SBpax001\rSBpax001\r", 0.01)
    keys.now += 2.0
    typed(keys, "SBpax001\r", 0.01)  # scanned again later: still the one visitor in the form
    assert page.fields.edits["badge_id"].text() == "SBpax001"
    assert services.booth.drafts() == [] and "already in the form" in page.banner.text()


def test_field_mnemonics_leave_the_menus_alone(page: CapturePage) -> None:
    letters = []
    for label in page.findChildren(QLabel) + page.findChildren(QPushButton):
        text = label.text()
        if "&" in text.replace("&&", ""):
            letters.append(text[text.index("&") + 1].upper())
    assert len(letters) >= len(TEXT_FIELDS) + 1  # every field (and the notes) keeps a shortcut
    assert not set(letters) & MENU_MNEMONICS, letters
    assert len(letters) == len(set(letters)), letters


# -- which event the booth is at --------------------------------------------------------------
def _booth(qtbot: Any, services: Services, tmp_path: Any) -> CapturePage:
    widget = CapturePage(services, QSettings(str(tmp_path / "other.ini"),
                                             QSettings.Format.IniFormat))
    qtbot.addWidget(widget)
    return widget


def test_the_booth_opens_on_todays_event_and_remembers_the_last_used(
        qtbot: Any, page: CapturePage, services: Services, tmp_path: Any) -> None:
    assert page.event_combo.currentText() == "Hannover Messe 2026"  # running today
    old = services.events.add("Messe Essen 2025", starts="2025-03-01", ends="2025-03-03")
    page.select_event(old.id)
    later = _booth(qtbot, services, tmp_path)  # another start on the same database
    assert later.event_combo.currentText() == "Hannover Messe 2026"  # today's beats the last used


def test_with_no_event_today_the_booth_asks_and_fills_the_list_when_data_arrives(
        qtbot: Any, services: Services, tmp_path: Any, confirmations: list[str]) -> None:
    booth = _booth(qtbot, services, tmp_path)
    assert booth.event_id is None and "Add the event you are at" in booth.banner.text()
    services.events.add("Messe Essen 2025", starts="2025-03-01", ends="2025-03-03")
    services.events.add("Webinar", starts="2026-12-01")
    booth.reload_events()  # what the window calls after demo data, an import, a sync
    assert booth.event_combo.count() == 2 and booth.event_id is None  # none picked at random
    assert "Choose the event you are at" in booth.banner.text()
    assert not booth.save_button.isEnabled()
    booth.event_combo.setCurrentIndex(booth.event_combo.findText("Webinar"))
    booth.event_combo.activated.emit(booth.event_combo.currentIndex())  # as a user's pick
    assert booth.save_button.isEnabled() and "Ready" in booth.banner.text()
    services.events.add("Roadshow", starts="2027-01-10")
    booth.reload_events()
    assert booth.event_combo.currentText() == "Webinar" and booth.event_combo.count() == 3
    assert _booth(qtbot, services, tmp_path).event_combo.currentText() == "Webinar"  # last used


def test_scanner_settings_learn_the_scanners_device(qtbot: Any, page: CapturePage) -> None:
    from app.ui.dialogs.scanner_dialog import ScannerDialog, load_wedge_settings

    dialog = ScannerDialog(page.local.store)
    qtbot.addWidget(dialog)
    dialog.show()
    scanner = QInputDevice("Zebra DS2208", 7, QInputDevice.DeviceType.Keyboard)
    focus(qtbot, dialog.trial)
    for char in "000012\r":
        key(char, device=scanner)
    dialog.summarise_trial()
    assert dialog.isVisible()  # the scan's Enter stayed in the try-it field
    assert "7 keys" in dialog.trial_result.text() and "“Zebra DS2208”" in dialog.trial_result.text()
    qtbot.mouseClick(dialog.use_device, Qt.MouseButton.LeftButton)
    dialog.save()
    assert load_wedge_settings(page.local.store).device == "Zebra DS2208"
