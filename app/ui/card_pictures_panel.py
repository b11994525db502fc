"""The lead detail's Card tab: the business card the lead was read from, front and back."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.card_pictures import CardPictureRecord, CardSide

_SIDE_NAMES = {CardSide.FRONT: "Front", CardSide.BACK: "Back"}
# Wide enough to read a card's print in the pane (narrower when the pane is); a click shows
# the stored size.
_THUMB_WIDTH = 420
_MARGIN = 40


class CardPicturesPanel(QScrollArea):
    """Each side as a button with its picture; clicking one shows it at full size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._buttons: list[tuple[QToolButton, QPixmap]] = []
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._body)
        self.pictures: list[CardPictureRecord] = []

    def show_pictures(self, pictures: Sequence[CardPictureRecord]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)  # gone from the panel now, freed once idle
                widget.deleteLater()
        self.pictures = list(pictures)
        self._buttons = []
        for picture in self.pictures:
            self._layout.addWidget(QLabel(f"<b>{_SIDE_NAMES[picture.side]}</b> · read "
                                          f"{picture.taken_at.astimezone():%Y-%m-%d}"))
            self._layout.addWidget(self._side_button(picture))
        if self.pictures:
            note = QLabel("Kept with the lead as the card was read; erasing the person "
                          "removes it.")
            note.setWordWrap(True)
            note.setObjectName("cardPictureNote")
            self._layout.addWidget(note)

    def _side_button(self, picture: CardPictureRecord) -> QWidget:
        pixmap = QPixmap()
        if not picture.jpeg or not pixmap.loadFromData(picture.jpeg):
            missing = QLabel("The picture cannot be shown (it is damaged or was removed).")
            missing.setWordWrap(True)
            return missing
        button = QToolButton()
        button.setObjectName(f"cardPicture_{picture.side.value}")
        button.setIcon(pixmap)
        self._buttons.append((button, pixmap))
        self._fit(button, pixmap)
        button.setAutoRaise(True)
        button.setToolTip("Show the card at full size")
        button.setAccessibleName(f"Business card, {_SIDE_NAMES[picture.side].lower()}")
        button.clicked.connect(lambda: show_full_size(self, pixmap, picture))
        return button

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_all()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_all()
        # Filled while its tab was hidden, the body's layout kept the width it had then.
        self._layout.invalidate()
        self._layout.activate()

    def _fit_all(self) -> None:
        for button, pixmap in self._buttons:
            self._fit(button, pixmap)

    def _fit(self, button: QToolButton, pixmap: QPixmap) -> None:
        width = max(120, min(_THUMB_WIDTH, self.viewport().width() - _MARGIN))
        button.setIconSize(pixmap.size().scaled(QSize(width, 10 * width),
                                                Qt.AspectRatioMode.KeepAspectRatio))


def show_full_size(parent: QWidget, pixmap: QPixmap, picture: CardPictureRecord) -> None:
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Business card — {_SIDE_NAMES[picture.side].lower()}")
    layout = QVBoxLayout(dialog)
    scroll = QScrollArea()
    label = QLabel()
    label.setPixmap(pixmap)
    scroll.setWidget(label)
    layout.addWidget(scroll, 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    screen = parent.screen().availableGeometry().size() * 0.9
    dialog.resize(min(pixmap.width() + 40, screen.width()),
                  min(pixmap.height() + 80, screen.height()))
    dialog.exec()
