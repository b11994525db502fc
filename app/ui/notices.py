"""Notices of what the app changed by itself (follow-up checks, nurture returns, the daily
re-score): shown above the pages until dismissed, each with a link to exactly the leads it
changed, so numbers never move on the board without a word."""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

# Older notices drop off: the history of every lead still says what happened.
MAX_NOTICES = 4


@dataclass(frozen=True)
class Notice:
    text: str
    lead_ids: tuple[uuid.UUID, ...]
    at: str  # the local time it happened, as shown


class NoticeBar(QFrame):
    """``showLeads(lead ids, caption)`` when a notice's link is followed."""

    showLeads = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.notices: list[Notice] = []
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.linkActivated.connect(self._follow)
        self.label.setAccessibleName("What Leadline changed by itself")
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss these notices")
        self.dismiss_button.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def add(self, text: str, lead_ids: Sequence[uuid.UUID], at: str) -> None:
        self.notices = [Notice(text, tuple(lead_ids), at), *self.notices][:MAX_NOTICES]
        self._show()

    def clear(self) -> None:
        self.notices = []
        self.hide()

    def _show(self) -> None:
        lines = []
        for number, notice in enumerate(self.notices):
            link = (f" · <a href='{number}'>Show {'it' if len(notice.lead_ids) == 1 else 'them'}"
                    "</a>" if notice.lead_ids else "")
            lines.append(f"{html.escape(notice.at)} · Leadline (automatic): "
                         f"{html.escape(notice.text)}{link}")
        self.label.setText("<br>".join(lines))
        self.setVisible(bool(self.notices))

    def _follow(self, link: str) -> None:
        notice = self.notices[int(link)]
        self.showLeads.emit(list(notice.lead_ids), f"{notice.text} ({notice.at})")
