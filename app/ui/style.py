"""Colours and small painted icons for the lead vocabulary (status, rating), cached per value."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

from app.domain.leads import LeadStatus, Rating

STATUS_COLOURS = {
    LeadStatus.INQUIRY: "#78909c",
    LeadStatus.SUSPECT: "#90a4ae",
    LeadStatus.PROSPECT: "#42a5f5",
    LeadStatus.MQL: "#7e57c2",
    LeadStatus.SQL: "#3949ab",
    LeadStatus.NURTURE: "#26a69a",
    LeadStatus.CONVERTED: "#ffa000",
    LeadStatus.WON: "#2e7d32",
    LeadStatus.LOST: "#6d4c41",
    LeadStatus.DISQUALIFIED: "#9e9e9e",
}
RATING_COLOURS = {Rating.HOT: "#e53935", Rating.WARM: "#fb8c00", Rating.COLD: "#1e88e5"}


def _dot(colour: str, size: int = 12, *, square: bool = False) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)  # drawn at 2x so it stays crisp on HiDPI screens
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    rect = QRectF(1, 1, size - 2, size - 2)
    if square:
        painter.drawRoundedRect(rect, 2, 2)
    else:
        painter.drawEllipse(rect)
    painter.end()
    return QIcon(pixmap)


@cache
def status_icon(status: LeadStatus) -> QIcon:
    return _dot(STATUS_COLOURS[status])


@cache
def rating_icon(rating: Rating) -> QIcon:
    return _dot(RATING_COLOURS[rating], square=True)


@cache
def review_icon() -> QIcon:
    """A small amber triangle: this lead has doubtful data waiting for a person."""
    size = 12
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#f9a825"))
    painter.drawPolygon(QPolygonF([QPointF(size / 2, 1), QPointF(size - 1, size - 1),
                                   QPointF(1, size - 1)]))
    painter.setPen(QColor("#000000"))
    painter.drawLine(QPointF(size / 2, 4.5), QPointF(size / 2, 7.5))
    painter.drawPoint(QPointF(size / 2, 9.3))
    painter.end()
    return QIcon(pixmap)


def release_cached_icons() -> None:
    """Drop cached pixmaps before QApplication goes away (a QPixmap must not outlive it)."""
    for cached in (status_icon, rating_icon, review_icon):
        cached.cache_clear()
