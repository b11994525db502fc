"""Colours and small painted icons for the lead vocabulary (status, rating), cached per value."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QWidget

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
THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))
_DEFAULT_STYLE_PROPERTY = "leadlineDefaultStyle"


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
    style = (QStyleFactory.create("Fusion" if dark else str(default_style))
             or QStyleFactory.create("Fusion"))
    # The palette goes first: setting the style re-polishes every widget, and a widget with a
    # style sheet takes its colours at that moment. The other way round, every heading styled
    # by a sheet kept the old theme's text colour (black on dark grey).
    app.setPalette(dark_palette() if dark else style.standardPalette())
    app.setStyle(style)
    app.setProperty("leadlineDark", dark)
    for widget in app.allWidgets():
        if widget.property(TONE_PROPERTY):
            _apply_tone(widget)
    return dark


def is_dark(widget_palette: QPalette | None = None) -> bool:
    palette = widget_palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def alarm_colour() -> str:
    """Red for overdue and errors, light enough to read on the dark theme."""
    return "#ff8a80" if is_dark() else "#c62828"


def warning_colour() -> str:
    """Amber for "soon" and doubtful data; dark enough for 4.5:1 on the light window colour."""
    return "#ffb74d" if is_dark() else "#935600"


# -- text that reads in both themes ---------------------------------------------------------------
READABLE_CONTRAST = 4.5  # WCAG AA for ordinary text
TONE_PROPERTY = "leadlineTone"
SECONDARY, ALARM, WARNING, ACCENT = "secondary", "alarm", "warning", "accent"


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours, from 1 (same) to 21 (black on white)."""
    brighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (brighter + 0.05) / (darker + 0.05)


def secondary_colour(palette: QPalette | None = None) -> QColor:
    """Quieter than the normal text, yet readable (4.5:1) on the window colour of ``palette``.

    Blended from the palette's own text and window colours, so it suits any theme; the Mid
    role it replaces is a frame colour and reads at under 2:1 on a light window."""
    palette = palette or QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    share = 0.6
    while True:
        blend = QColor.fromRgbF(*(share * t + (1 - share) * w for t, w in (
            (text.redF(), window.redF()), (text.greenF(), window.greenF()),
            (text.blueF(), window.blueF()))))
        if share >= 1 or contrast_ratio(blend, window) >= READABLE_CONTRAST + 0.1:
            return blend
        share = min(share + 0.05, 1.0)


def _tone_colour(tone: str) -> QColor:
    palette = QGuiApplication.palette()
    if tone == SECONDARY:
        return secondary_colour(palette)
    if tone == ALARM:
        return QColor(alarm_colour())
    if tone == WARNING:
        return QColor(warning_colour())
    return palette.color(QPalette.ColorRole.Link)


def _apply_tone(widget: QWidget) -> None:
    tone = str(widget.property(TONE_PROPERTY) or "")
    if not tone:
        widget.setPalette(QPalette())  # nothing set of its own: inherit the theme's colours
        return
    palette = QPalette()
    palette.setColor(widget.foregroundRole(), _tone_colour(tone))
    widget.setPalette(palette)


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Colour ``widget``'s text by what it means (``SECONDARY``, ``ALARM``, ``WARNING``,
    ``ACCENT``; None: ordinary text). Unlike a style sheet with a fixed colour, the tone is
    worked out again from the new palette whenever :func:`apply_theme` switches themes."""
    widget.setProperty(TONE_PROPERTY, tone or "")
    _apply_tone(widget)


def emphasise(label: QLabel, tone: str | None) -> None:
    """Bold and coloured for a late or nearly late date (``tone``), plain otherwise."""
    set_tone(label, tone)
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold if tone else QFont.Weight.Normal)
    label.setFont(font)


def make_heading(label: QLabel, point_size: float | None = None) -> QLabel:
    """A page, card or group title: bold, optionally bigger, in the palette's text colour.

    Done with the label's font rather than a style sheet, so nothing pins a colour to it and
    it reads in the light and the dark theme alike."""
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    if point_size is not None:
        font.setPointSizeF(point_size)
    label.setFont(font)
    label.setProperty("leadlineHeading", True)
    return label
