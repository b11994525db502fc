"""The lead detail's Card tab: shown only for a lead read from a card, each side full size a
click away, a damaged picture said to be so."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QToolButton

from app.domain.card_pictures import CardPictureRecord, CardSide
from app.services.card_pictures import card_pictures
from app.services.container import Services
from app.ui.lead_detail import LeadDetailPane
from app.ui.lead_form import FormChoices

SHOTS = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def _card_photo(colour: str) -> bytes:
    image = Image.new("RGB", (1600, 900), colour)
    image.paste("navy", (120, 120, 900, 220))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_the_card_tab_shows_the_sides_of_a_lead_read_from_a_card(
        qtbot: Any, services: Services, monkeypatch: Any) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    carded = services.booth.capture(event.id, {
        "first_name": "Anna", "last_name": "Schäfer", "email": "anna@brightline.example"},
        pictures=card_pictures(_card_photo("ivory"), _card_photo("lightgrey"))).lead
    typed = services.leads.create({"first_name": "Ben", "email": "ben@example.com"})
    pane = LeadDetailPane(services.leads, QUndoStack(), FormChoices(), services.context.clock)
    pane.attach_followup(services)
    qtbot.addWidget(pane)
    pane.resize(560, 760)
    pane.show()

    pane.show_lead(typed)
    assert not pane.tabs.isTabVisible(2)
    pane.show_lead(services.leads.get(carded.id))
    assert pane.tabs.isTabVisible(2) and pane.tabs.tabText(2) == "Card"
    pane.tabs.setCurrentIndex(2)
    front = pane.card_pictures.findChild(QToolButton, "cardPicture_front")
    back = pane.card_pictures.findChild(QToolButton, "cardPicture_back")
    assert front is not None and back is not None
    assert 300 <= front.iconSize().width() <= 420 and not front.icon().isNull()
    assert front.iconSize().width() <= pane.card_pictures.viewport().width()  # no sideways scroll
    pane.resize(400, 760)
    QApplication.processEvents()
    assert front.iconSize().width() <= pane.card_pictures.viewport().width() - 40
    SHOTS.mkdir(parents=True, exist_ok=True)
    pane.grab().save(str(SHOTS / "lead-detail-card.png"))

    shown: list[QDialog] = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    front.click()
    assert shown and "front" in shown[0].windowTitle()
    label = shown[0].findChild(QLabel)
    assert label is not None and label.pixmap().width() == 1400  # the stored size

    pane.card_pictures.show_pictures([CardPictureRecord(
        carded.id, carded.id, CardSide.FRONT, 10, 10, b"not a jpeg", carded.created_at)])
    QApplication.processEvents()
    texts = [w.text() for w in pane.card_pictures.findChildren(QLabel)]
    assert any("cannot be shown" in text for text in texts)
    assert pane.card_pictures.findChild(QToolButton, "cardPicture_front") is None
