"""The tray icon: how many follow-ups are due now (overdue + today), as a badge and tooltip,
and a notification when a task becomes due.

The counting and "what became due since the last check" live in ``TrayController`` whatever
the icon is; on platforms without a tray (offscreen tests, some Linux desktops) there is no
icon and the controller still keeps the count (the status bar shows it too). Tests pass an
``icon_factory`` returning a stand-in object.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.services.container import Services
from app.ui.wording import counted

CHECK_INTERVAL_MS = 5 * 60 * 1000
START_MINIMISED_KEY = "tray/start_minimised"


class TrayIconLike(Protocol):
    def setIcon(self, icon: QIcon) -> None: ...  # noqa: N802
    def setToolTip(self, tip: str) -> None: ...  # noqa: N802
    def showMessage(self, title: str, text: str, *args: Any) -> None: ...  # noqa: N802
    def setContextMenu(self, menu: QMenu) -> None: ...  # noqa: N802
    def show(self) -> None: ...


def badge_icon(base: QIcon, count: int, size: int = 64) -> QIcon:
    """The app icon with a red circle holding the count (99+ above 99); plain when zero."""
    pixmap = base.pixmap(size, size) if not base.isNull() else QPixmap(size, size)
    if base.isNull():
        pixmap.fill(QColor("#1565c0"))
    if count <= 0:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = size * 0.62
    rect = QRectF(size - diameter, 0, diameter, diameter)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#c62828"))
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(diameter * (0.55 if count < 10 else 0.42)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "99+" if count > 99 else str(count))
    painter.end()
    return QIcon(pixmap)


def tooltip_text(count: int) -> str:
    if count == 0:
        return "Leadline · nothing due"
    return f"Leadline · {counted(count, 'follow-up')} due (overdue and today)"


def _default_icon(parent: QObject) -> TrayIconLike | None:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    return QSystemTrayIcon(parent)


class TrayController(QObject):
    """``showRequested``/``myDayRequested``/``quitRequested`` come from the tray menu;
    ``countChanged`` after every check."""

    showRequested = Signal()
    myDayRequested = Signal()
    quitRequested = Signal()
    countChanged = Signal(int)

    def __init__(self, services: Services, parent: QObject | None = None, *,
                 icon_factory: Callable[[QObject], TrayIconLike | None] = _default_icon,
                 interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.services = services
        self.count = 0
        self.notified: list[str] = []  # what was announced, newest last (also for tests)
        self._seen: set[uuid.UUID] | None = None  # tasks already due at the last check
        self._last_check: dt.datetime | None = None
        self.base_icon = QApplication.windowIcon()
        self.icon = icon_factory(self)
        self.menu: QMenu | None = None
        if self.icon is not None:
            self.menu = QMenu()
            for text, signal in (("Show Leadline", self.showRequested),
                                 ("My day", self.myDayRequested), ("Quit", self.quitRequested)):
                action = QAction(text, self.menu)
                action.triggered.connect(signal.emit)
                self.menu.addAction(action)
            self.icon.setContextMenu(self.menu)
            self.icon.setIcon(badge_icon(self.base_icon, 0))
            self.icon.setToolTip(tooltip_text(0))
            self.icon.show()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    @property
    def available(self) -> bool:
        return self.icon is not None

    def start(self) -> None:
        self.timer.start()

    def check(self) -> int:
        """Recount the due tasks of the signed-in user and announce the ones newly due."""
        user = self.services.people.current_user()
        if user is None:
            self._set_count(0)
            return 0
        count = self.services.followup.due_count(user.id)
        now = self.services.context.clock()
        day = self.services.followup.my_day(user.id, upcoming_days=0)
        due_now = [i for i in day.overdue + day.today if i.due_at <= now]
        if self._seen is not None:
            fresh = [i for i in due_now if i.task_id not in self._seen]
            if len(fresh) == 1:
                self.notify("Leadline", f"{fresh[0].title or fresh[0].kind.label} is due now")
            elif fresh:
                self.notify("Leadline", f"{len(fresh):,} follow-ups are due now, e.g. "
                                        f"{fresh[0].title or fresh[0].kind.label}")
        self._seen = {i.task_id for i in due_now}
        self._last_check = now
        self._set_count(count)
        return count

    def forget_user(self) -> None:
        """After switching user: the next check starts afresh without a flood of messages."""
        self._seen = None

    def notify(self, title: str, text: str) -> None:
        self.notified.append(text)
        if self.icon is not None:
            self.icon.showMessage(title, text)

    def _set_count(self, count: int) -> None:
        self.count = count
        if self.icon is not None:
            self.icon.setIcon(badge_icon(self.base_icon, count))
            self.icon.setToolTip(tooltip_text(count))
        self.countChanged.emit(count)

    def hide(self) -> None:
        self.timer.stop()
        if isinstance(self.icon, QSystemTrayIcon):
            self.icon.hide()
