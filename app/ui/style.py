"""Colours and small painted icons for the lead vocabulary (status, rating), cached per value."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

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


# -- appearance: light, dark or whatever the system uses ------------------------------------------
THEME_KEY = "appearance/theme"
THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))
_DEFAULT_STYLE_PROPERTY = "leadlineDefaultStyle"


def saved_theme(settings: QSettings) -> str:
    value = str(settings.value(THEME_KEY, "system") or "system")
    return value if value in dict(THEMES) else "system"


def system_prefers_dark(app: QGuiApplication) -> bool:
    """The platform's colour scheme (Qt 6.5+), else a guess from the default palette."""
    hints = app.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        value = scheme()
        if value == Qt.ColorScheme.Dark:
            return True
        if value == Qt.ColorScheme.Light:
            return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style; links and highlights stay readable."""
    palette = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1e1e1e"), QColor("#e8e8e8")
    disabled = QColor("#8c8c8c")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor("#262626"),
        QPalette.ColorRole.ToolTipBase: QColor("#3a3a3a"), QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#a0a0a0"), QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#353535"), QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff8a80"), QPalette.ColorRole.Light: QColor("#4a4a4a"),
        QPalette.ColorRole.Midlight: QColor("#3e3e3e"), QPalette.ColorRole.Mid: QColor("#9e9e9e"),
        QPalette.ColorRole.Dark: QColor("#1a1a1a"), QPalette.ColorRole.Shadow: QColor("#000000"),
        QPalette.ColorRole.Highlight: QColor("#2f65ca"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#8ab4f8"), QPalette.ColorRole.LinkVisited: QColor("#c58af9"),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, window)
    return palette


def apply_theme(app: QApplication, theme: str) -> bool:
    """Switch the whole application to ``theme`` ("system", "light" or "dark") at once.

    Dark is the Fusion style with :func:`dark_palette`; light is the platform's own style and
    palette; "system" follows the platform's colour scheme. Returns True when dark was applied.
    """
    default_style = app.property(_DEFAULT_STYLE_PROPERTY)
    if not default_style:
        default_style = app.style().name()
        app.setProperty(_DEFAULT_STYLE_PROPERTY, default_style)
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+: tell the platform style what we want
        hints.setColorScheme({"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
            theme, Qt.ColorScheme.Unknown))
    dark = theme == "dark" or (theme == "system" and system_prefers_dark(app))
    if dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    else:
        app.setStyle(str(default_style))
        app.setPalette(app.style().standardPalette())
    app.setProperty("leadlineDark", dark)
    return dark


def is_dark(widget_palette: QPalette | None = None) -> bool:
    palette = widget_palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def alarm_colour() -> str:
    """Red for overdue and errors, light enough to read on the dark theme."""
    return "#ff8a80" if is_dark() else "#c62828"


def warning_colour() -> str:
    return "#ffb74d" if is_dark() else "#b26a00"
