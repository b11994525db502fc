"""The webcam scanner in the booth window: Booth → Scan with camera shows it on the Booth page,
and a badge held up to it becomes the visitor in the form exactly as a handheld scan does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.domain.people import Role
from app.services.container import Services
from app.ui.camera.camera_panel import NO_CAMERA
from app.ui.camera.picture_feed import PictureFeed
from app.ui.main_window import MainWindow
from app.ui.navigation import BOOTH
from tests.ui.test_camera_panel import VCARD, badge_frame

pytestmark = pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) (va|pipewire)", "No RHI backend",
                                       extend=True)


def test_scan_with_camera_shows_the_panel_and_its_reads_fill_the_form(
        make_window: Callable[[], MainWindow], services: Services, qtbot: Any) -> None:
    services.people.sign_in(services.people.add_user("Bea", "bea@example.com", Role.BOOTH).id)
    services.events.add("Hannover Messe 2026", country="DE")
    window = make_window()
    page = window.booth
    assert page.camera is None, "Qt Multimedia is not loaded before someone wants the camera"
    window.camera_action.trigger()
    assert window.pages.currentIndex() == BOOTH
    panel = page.camera
    assert panel is not None and panel.isVisible()
    assert NO_CAMERA in panel.status.text()  # this machine has none: the panel says so
    page.event_combo.setCurrentIndex(page.event_combo.findText("Hannover Messe 2026"))
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([badge_frame(VCARD, "QRCode")])
    qtbot.waitUntil(lambda: page.fields.edits["last_name"].text() == "Müller", timeout=15000)
    feed.stop()
    assert page.fields.edits["email"].text() == "anna.mueller@brightline.de"
    window.camera_action.trigger()
    assert not panel.isVisible(), "the same command hides it (and stops the camera)"


def test_a_system_without_qt_multimedia_is_told_so(
        make_window: Callable[[], MainWindow], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt Multimedia needs PulseAudio's library on Linux: without it, a message, not a crash."""
    import builtins

    real_import = builtins.__import__

    def no_multimedia(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "app.ui.camera.camera_panel":
            raise ImportError("libpulse.so.0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    services.people.sign_in(services.people.add_user("Bea", "bea@example.com", Role.BOOTH).id)
    window = make_window()
    monkeypatch.setattr(builtins, "__import__", no_multimedia)
    window.camera_action.trigger()
    monkeypatch.undo()
    page = window.booth
    assert page.camera is None and window.pages.currentIndex() == BOOTH
    assert "camera view cannot start" in page.banner.text() and "libpulse" in page.banner.text()
