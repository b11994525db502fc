"""Badge images and business cards in the booth: decoded and read on the real worker threads,
every badge code through the wedge scan's path, card guesses marked until a person checks them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog

from app.domain.card_fields import CardFields, FieldGuess
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.services.container import Services
from app.services.image_decoding import CaptureUnavailableError
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.navigation import BOOTH, LEADS
from app.ui.pages.booth import image_capture
from app.ui.pages.booth.banner import BAD
from app.ui.pages.booth.capture_page import CapturePage
from app.ui.pages.booth.card_prefill import MARK_PROPERTY, mark_colour, merge_sides
from app.ui.workers import TaskRunner
from tests.card_rendering import Card, render_card
from tests.ui.test_capture_page import KeyClock, focus, typed

zxingcpp = pytest.importorskip("zxingcpp")
np = pytest.importorskip("numpy")
pytestmark = pytest.mark.timeout(180)

WAIT_MS = 30_000
VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weber;Jonas\r\nORG:Weber Maschinenbau\r\n"
         "EMAIL:jonas@weber-mb.de\r\nEND:VCARD\r\n")
CARD = Card({"first_name": "Anna", "last_name": "Schäfer", "title": "Leiter Vertrieb",
             "company": "Brightline Analytics GmbH",
             "email": "anna.schaefer@brightline-analytics.de",
             "website": "www.brightline-analytics.de", "street": "Friedrichstraße 123",
             "postal_code": "10117", "city": "Berlin", "country": "DE",
             "phone": "+49301234567", "mobile": "+491712345678"},
            phone_text="030 1234567", mobile_text="0171 2345678")


def badge(payload: str, symbology: str = "QRCode") -> Image.Image:
    """The code on a white page, as a screenshot of it would look."""
    barcode = zxingcpp.create_barcode(payload, getattr(zxingcpp.BarcodeFormat, symbology))
    code = Image.fromarray(np.asarray(barcode.to_image(scale=4)))
    page = Image.new("L", (code.width + 200, code.height + 200), 255)
    page.paste(code, (100, 100))
    return page


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    real = TaskRunner()
    yield real
    real.shut_down(5000)


@pytest.fixture
def page(qtbot: Any, services: Services, tmp_path: Path, runner: TaskRunner,
         confirmations: list[str]) -> Iterator[CapturePage]:
    """The booth page on the real worker threads, as the window runs it."""
    user = services.people.add_user("Ben Booth", "ben@example.com", Role.BOOTH)
    services.people.sign_in(user.id)
    services.events.add("Hannover Messe 2026", country="DE", starts="2026-11-19", ends="2026-11-21")
    settings = QSettings(str(tmp_path / "booth.ini"), QSettings.Format.IniFormat)
    widget = CapturePage(services, settings, runner=runner)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.hide()


def test_a_badge_image_is_decoded_off_the_gui_thread_and_scanned_like_a_wedge_scan(
        qtbot: Any, page: CapturePage, services: Services, tmp_path: Path) -> None:
    path = tmp_path / "badge.png"
    badge(VCARD).save(path)
    page.images.scan_badge_file(path)
    assert page.images.running and page.images.progress.isVisible()
    assert "badge.png" in page.images.progress.label.text()
    qtbot.waitUntil(lambda: page.fields.edits["last_name"].text() == "Weber", timeout=WAIT_MS)
    assert page.fields.edits["company"].text() == "Weber Maschinenbau"
    assert not page.images.running and not page.images.progress.isVisible()
    assert services.leads.count(LeadQuery()) == 0  # filled like a scan, saved by Enter
    page.images.scan_badge_file(path)  # the same badge again: the wedge's own duplicate check
    qtbot.waitUntil(lambda: "already in the form" in page.banner.text(), timeout=WAIT_MS)


def test_no_code_names_the_file_and_a_badge_with_two_codes_is_one_visitor(
        qtbot: Any, page: CapturePage, services: Services, tmp_path: Path) -> None:
    blank = tmp_path / "holiday.jpg"
    Image.new("RGB", (400, 300), "white").save(blank)
    page.images.scan_badge_file(blank)
    qtbot.waitUntil(lambda: not page.images.running, timeout=WAIT_MS)
    assert page.banner.tone == BAD and "No badge code found in holiday.jpg" in page.banner.text()
    two = Image.new("L", (1400, 700), 255)
    two.paste(badge(VCARD), (0, 0))
    two.paste(badge("SBpax001", "Code128"), (760, 200))
    both = tmp_path / "two.png"
    two.save(both)
    page.save_on_scan.setChecked(True)
    page.images.scan_badge_file(both)
    qtbot.waitUntil(lambda: services.leads.count(LeadQuery()) == 1, timeout=WAIT_MS)
    # A QR code with the details beside a barcode with only the badge id: one visitor, read
    # from the code that holds the most.
    assert "2 codes in two.png: the QR Code was read" in page.banner.text()
    (lead,) = services.leads.list(LeadQuery())
    assert lead.badge_id != "SBpax001" and lead.email


def test_pasting_a_screenshot_or_a_copied_image_file(qtbot: Any, page: CapturePage,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "copied.png"
    badge(VCARD).save(path)
    clipboard = QApplication.clipboard()
    clipboard.setImage(QImage(str(path)))
    page.images.paste()
    qtbot.waitUntil(lambda: page.fields.edits["first_name"].text() == "Jonas", timeout=WAIT_MS)
    page.clear_form()
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(path))])
    clipboard.setMimeData(files)
    page.images.paste()
    qtbot.waitUntil(lambda: page.fields.edits["first_name"].text() == "Jonas", timeout=WAIT_MS)
    clipboard.setText("just words")
    page.images.paste()
    assert page.banner.tone == BAD and "no picture" in page.banner.text()


def _files(path: Path) -> QMimeData:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    return data


def _drop(window: MainWindow, path: Path) -> None:
    data = _files(path)  # held: the event does not own it
    window.dropEvent(QDropEvent(QPointF(QPoint(20, 20)), Qt.DropAction.CopyAction, data,
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))


def _welcome(window: MainWindow, path: Path) -> bool:
    """Whether the window takes the file being dragged over it."""
    data = _files(path)  # held: the event does not own it
    event = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, data,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    event.setAccepted(False)
    window.dragEnterEvent(event)
    return event.isAccepted()


def test_an_image_dropped_on_the_booth_is_scanned_other_files_still_import(
        make_window: Any, services: Services, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    services.events.add("Hannover Messe 2026", country="DE", starts="2026-11-19", ends="2026-11-21")
    imported: list[Path] = []
    monkeypatch.setattr(MainWindow, "import_leads", lambda _self, path=None: imported.append(path))
    window = make_window()
    picture, table = tmp_path / "badge.webp", tmp_path / "leads.csv"
    badge(VCARD).save(picture)
    table.write_text("first_name,last_name\nAnna,Berg\n")
    window.show_page(LEADS)
    assert _welcome(window, table) and not _welcome(window, picture)
    _drop(window, picture)  # not the booth: an image is no import either
    _drop(window, table)
    assert imported == [table] and window.booth.fields.edits["last_name"].text() == ""
    window.show_page(BOOTH)
    assert _welcome(window, picture) and _welcome(window, table)
    _drop(window, picture)
    assert window.booth.fields.edits["last_name"].text() == "Weber"
    _drop(window, table)
    assert imported == [table, table]


def test_booth_menu_commands_open_files_and_paste(qtbot: Any, make_window: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    booth_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Booth")
    assert [a for a in booth_menu.actions()][:4] == [window.camera_action,
                                                    window.scan_image_action,
                                                    window.paste_image_action,
                                                    window.read_card_action]
    pasted: list[str] = []
    monkeypatch.setattr(window.booth.images, "paste", lambda: pasted.append("pasted"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.show_page(BOOTH)
    field = window.booth.fields.edits["first_name"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=1000)
    qtbot.keyClick(field, Qt.Key.Key_V,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pasted == ["pasted"] and field.text() == ""  # Ctrl+Shift+V, even in a booth field
    chosen: list[tuple[Path, Path | None]] = []
    monkeypatch.setattr(window.booth.images, "read_card", lambda f, b=None: chosen.append((f, b)))
    files = iter([str(tmp_path / "front.jpg"), str(tmp_path / "back.jpg")] * 3)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (next(files), ""))
    answers = iter([1, 0, None])  # Add the back…, Front only (Enter), Cancel (Esc)
    asked: list[list[str]] = []
    monkeypatch.setattr(messages, "choose", lambda _p, _t, _x, choices, default=None: (
        asked.append([*choices, f"default {default}"]), next(answers))[1])
    window.read_card_action.trigger()
    assert chosen == [(tmp_path / "front.jpg", tmp_path / "back.jpg")]
    assert asked[0] == ["Front only", "Add the back…", "default 0"]  # Enter reads the front
    window.read_card_action.trigger()
    assert chosen[1] == (tmp_path / "front.jpg", None)
    window.read_card_action.trigger()
    assert len(chosen) == 2  # cancelled: nothing read
    assert window.pages.currentWidget() is window.booth


def test_a_missing_extra_says_which_pip_command_adds_it(
        page: CapturePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ocr() -> None:
        raise CaptureUnavailableError("Business-card reading", "ocr", "rapidocr and onnxruntime")

    def no_zxing() -> None:
        raise CaptureUnavailableError("Badge reading from images", "camera", "zxing-cpp")

    monkeypatch.setattr(image_capture, "rapidocr_engine", no_ocr)
    monkeypatch.setattr(image_capture, "zxing", no_zxing)
    page.images.read_card(tmp_path / "card.png")
    assert page.banner.tone == BAD and "pip install 'leadline[ocr]'" in page.banner.text()
    page.images.scan_badge_file(tmp_path / "badge.png")
    assert "pip install 'leadline[camera]'" in page.banner.text()
    assert not page.images.running


def test_cancel_drops_the_card_and_a_new_visitor_stops_it(
        qtbot: Any, page: CapturePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    guess = FieldGuess("Anna", 0.9, "Anna Schäfer")

    def slow_card(_image: Any, _region: str = "") -> Any:
        release.wait(10)
        return type("Reading", (), {"fields": CardFields({"first_name": guess})})()

    monkeypatch.setattr(image_capture, "rapidocr_engine", lambda: None)
    monkeypatch.setattr(page.images.reader, "read_card", slow_card)
    page.images.read_card(tmp_path / "card.png")
    assert page.images.progress.cancel_button.isVisible()
    keys = page.scan_filter.clock = KeyClock()
    focus(qtbot, page.fields.edits["company"])
    typed(keys, "Typed", 0.2)  # the form stays usable meanwhile
    assert page.fields.edits["company"].text() == "Typed"
    page.images.progress.cancel_button.click()
    assert not page.images.running and "Stopped" in page.images.progress.label.text()
    release.set()
    qtbot.wait(300)
    assert page.fields.edits["first_name"].text() == ""  # the late result is dropped
    release.clear()
    page.images.read_card(tmp_path / "card.png")
    page.clear_form()  # the visitor is gone: the card was theirs
    assert not page.images.running and "moved on" in page.images.progress.label.text()
    release.set()
    qtbot.wait(300)
    assert page.fields.edits["first_name"].text() == ""


def test_a_card_prefills_empty_fields_marked_until_checked(
        qtbot: Any, page: CapturePage, services: Services, tmp_path: Path) -> None:
    """One real OCR run on the worker thread (about a second)."""
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    front = tmp_path / "anna.png"
    front.write_bytes(render_card(CARD))
    page.fields.edits["company"].setText("Brightline")  # typed already: never overwritten
    page.images.read_card(front)
    assert page.images.progress.bar.isVisible() and page.fields.isEnabled()
    qtbot.waitUntil(lambda: page.fields.edits["last_name"].text() != "", timeout=60_000)
    edits = page.fields.edits
    assert (edits["first_name"].text(), edits["last_name"].text()) == ("Anna", "Schäfer")
    assert edits["company"].text() == "Brightline" and "company" in page.banner.text()
    assert edits["email"].text() == "anna.schaefer@brightline-analytics.de"
    assert page.fields.scanned_extra["city"] == "Berlin"  # no editor: saved with the lead
    first = edits["first_name"]
    assert first.property(MARK_PROPERTY) and "% sure): check it" in first.toolTip()
    assert first.palette().color(QPalette.ColorRole.Base) == mark_colour()
    assert not edits["company"].property(MARK_PROPERTY)
    assert page.images.progress.confirm_button.isVisible()
    keys = page.scan_filter.clock = KeyClock()
    focus(qtbot, first)
    first.end(False)
    typed(keys, "-Maria", 0.2)  # edited: checked by the person
    assert not first.property(MARK_PROPERTY) and first.toolTip() == ""
    assert first.palette().color(QPalette.ColorRole.Base) != mark_colour()
    assert edits["last_name"].property(MARK_PROPERTY)
    assert f"{len(page.images.marks.marked)} fields to check" in page.images.progress.label.text()
    lead = page.save()
    assert lead is not None and lead.first_name == "Anna-Maria" and lead.city == "Berlin"
    assert lead.needs_review and "business card" in lead.review_reason  # marks left unchecked
    kept = services.card_pictures.pictures_of(lead.id)  # the card's picture, with the lead
    assert [(p.side.value, p.width, p.height) for p in kept] == [("front", 1050, 600)]
    assert not edits["last_name"].property(MARK_PROPERTY)  # the next visitor starts unmarked
    assert not page.images.progress.isVisible()


def test_the_two_sides_of_a_card_keep_the_surer_guess() -> None:
    front = CardFields({"first_name": FieldGuess("Anna", 0.9), "phone": FieldGuess("030 1", 0.4)},
                       ("tagline",))
    back = CardFields({"phone": FieldGuess("+49 30 1234567", 0.8),
                       "mobile": FieldGuess("0171 2345678", 0.7)}, ("Since 1905",))
    merged = merge_sides(front, back)
    assert merged.values() == {"phone": "+49 30 1234567", "mobile": "0171 2345678",
                               "first_name": "Anna"}
    assert merged.unused == ("tagline", "Since 1905")
    assert merge_sides(front, None) is front


# Qt Multimedia's backend names the hardware helpers (VA-API, a GPU) a headless machine lacks.
@pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) (va|pipewire)", "No RHI backend",
                           "does not support propagateSizeHints", extend=True)
def test_a_card_photographed_with_the_camera_fills_the_form_and_stays_with_the_lead(
        qtbot: Any, page: CapturePage, services: Services, tmp_path: Path) -> None:
    """The camera's Photograph card, fed by a picture feed: read on the worker thread."""
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    from app.ui.camera.camera_panel import CameraDevice, CameraPanel
    from app.ui.camera.picture_feed import PictureFeed

    settings = QSettings(str(tmp_path / "camera.ini"), QSettings.Format.IniFormat)
    panel = CameraPanel(settings, cameras=lambda: [CameraDevice("usb-1", "Desk webcam")])
    page.add_camera(panel)
    feed = PictureFeed(panel.sink, fps=15, parent=panel)
    feed.play([QImage.fromData(render_card(CARD))])
    qtbot.waitUntil(panel.card_button.isEnabled, timeout=10_000)
    panel._back_wait.setInterval(50)  # no back to turn over
    panel.card_button.click()
    qtbot.waitUntil(lambda: page.fields.edits["last_name"].text() != "", timeout=60_000)
    feed.stop()
    assert page.fields.edits["email"].text() == "anna.schaefer@brightline-analytics.de"
    assert "from the camera" in page.images.progress.label.text()
    lead = page.save()
    assert lead is not None and lead.last_name == "Schäfer"
    kept = services.card_pictures.pictures_of(lead.id)
    assert [(p.side.value, p.width, p.height) for p in kept] == [("front", 1050, 600)]


def test_a_card_in_the_form_survives_a_draft_and_an_undone_clear(
        qtbot: Any, page: CapturePage, services: Services) -> None:
    """A badge scanned over a card's visitor puts them aside: the marks and the card's picture
    come back with the draft, and with Ctrl+Z after Esc."""
    from app.services.card_pictures import card_pictures

    pictures = card_pictures(render_card(CARD))
    page.images.fill_from_card(CardFields({"first_name": FieldGuess("Anna", 0.91),
                                           "last_name": FieldGuess("Schäfer", 0.62),
                                           "email": FieldGuess("anna@brightline.de", 0.97)}),
                               "anna.png", pictures)
    edits = page.fields.edits
    page.images.marks.confirm("email")
    page.handle_scan("MECARD:N:Weber,Jonas;EMAIL:jonas@weber-mb.de;;")
    assert edits["last_name"].text() == "Weber" and not edits["last_name"].property(MARK_PROPERTY)
    assert page.images.marks.pictures == ()  # Jonas is not Anna's card
    draft = services.booth.drafts()[0]
    assert draft.form.card is not None and draft.form.card.source == "anna.png"
    page.resume_draft(draft.id)
    assert edits["last_name"].text() == "Schäfer" and edits["last_name"].property(MARK_PROPERTY)
    assert "62 % sure" in edits["last_name"].toolTip()
    assert not edits["email"].property(MARK_PROPERTY)  # checked before it was put aside
    assert page.images.marks.pictures == pictures
    assert "anna.png: 2 fields to check" in page.images.progress.label.text()
    page.clear_form()
    assert page.images.marks.pictures == ()
    page.undo_clear()
    assert edits["first_name"].property(MARK_PROPERTY) and page.images.marks.pictures == pictures
    lead = page.save()
    assert lead is not None and lead.needs_review
    assert "check later: read from a business card by OCR" in page.banner.text()  # no codes
    assert len(services.card_pictures.pictures_of(lead.id)) == 1
