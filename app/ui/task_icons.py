"""Small icons for the kinds of task (call, email, meeting, task) that look the same everywhere.

The signs are drawn from the bundled DejaVu Sans (resources/fonts), never from whatever fonts
the system happens to have: a meeting sign taken from an emoji font once rendered as an empty
box. DejaVu has no sign for people meeting, so that one is painted.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPainterPath, QPixmap

from app.domain.tasks import TaskKind
from app.paths import resource

SIZE = 16
_COLOUR = "#607d8b"  # blue grey: readable on the light and the dark theme
_GLYPHS = {TaskKind.CALL: "\u260e", TaskKind.EMAIL: "\u2709", TaskKind.TASK: "\u2713"}
_families: list[str] = []


def bundled_family() -> str:
    """The family name of the bundled DejaVu Sans, registered with Qt on first use."""
    if not _families:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts") / "DejaVuSans.ttf"))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _families.append(families[0] if families else "DejaVu Sans")
    return _families[0]


def task_kind_icons() -> dict[TaskKind, QIcon]:
    """One icon per kind. The caller keeps them (a model, for its lifetime): pixmaps must not
    outlive the QApplication, so nothing is cached at module level."""
    return {kind: _icon(kind) for kind in TaskKind}


def _icon(kind: TaskKind) -> QIcon:
    icon = QIcon(_pixmap(kind, QColor(_COLOUR)))
    # On a selected row's highlight the sign turns white, as the row's text does.
    icon.addPixmap(_pixmap(kind, QColor("#ffffff")), QIcon.Mode.Selected)
    return icon


def _pixmap(kind: TaskKind, colour: QColor) -> QPixmap:
    pixmap = QPixmap(SIZE * 2, SIZE * 2)  # drawn at 2x so it stays crisp on HiDPI screens
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind is TaskKind.MEETING:
        _paint_two_people(painter, colour)
    else:
        font = QFont(bundled_family())
        font.setPixelSize(SIZE - 2)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, _GLYPHS[kind])
    painter.end()
    return pixmap


def _paint_two_people(painter: QPainter, colour: QColor) -> None:
    """Two head-and-shoulders figures side by side, the one behind a little lighter."""
    behind = QColor(colour)
    behind.setAlphaF(0.6)
    for dx, shade in ((3.6, behind), (-2.2, colour)):
        cx = SIZE / 2 + dx
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        painter.drawEllipse(QRectF(cx - 2.4, 2.2, 4.8, 4.8))
        shoulders = QPainterPath()
        shoulders.moveTo(cx - 4.6, SIZE - 2.0)
        shoulders.cubicTo(cx - 4.6, 8.2, cx + 4.6, 8.2, cx + 4.6, SIZE - 2.0)
        shoulders.closeSubpath()
        painter.drawPath(shoulders)
