"""The tray icon: how many follow-ups are due now (overdue + today), as a badge and tooltip,
and a notification when a task becomes due.

The counting and "what became due since the last check" live in ``TrayController`` whatever
the icon is; on platforms without a tray (offscreen tests, some Linux desktops) there is no
icon and the controller still keeps the count (the status bar shows it too). Tests pass an
``icon_factory`` returning a stand-in object.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.domain.tasks import DueItem
from app.services.container import Services
from app.ui.wording import counted
from app.ui.workers import Lane, TaskRunner

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 5 * 60 * 1000


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
                 interval_ms: int = CHECK_INTERVAL_MS, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.count = 0
        self.notified: list[str] = []  # what was announced, newest last (also for tests)
        self.runner = runner
        self._last_check: dt.datetime | None = None
        self._checked_user: uuid.UUID | None = None  # whose tasks the last check counted
        self._checking = self._check_again = False
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
        """Recount the due tasks of the signed-in user and announce the ones that became due
        since the last check (the first check only takes stock). With a runner the counting
        runs on its read lane; the count shown until it ends is the last one."""
        user = self.services.people.current_user()
        if user is None:
            self._last_check = None
            self._set_count(0)
            return 0
        if self._checking:
            self._check_again = True
            return self.count
        followup, since = self.services.followup, self._last_check
        if self._checked_user != user.id:
            since = None
        now = self.services.context.clock()

        def work(_state: object) -> tuple[uuid.UUID, int, tuple[tuple[DueItem, ...], int],
                                          dt.datetime]:
            fresh = followup.newly_due(user.id, since, now) if since is not None else ((), 0)
            return user.id, followup.due_count(user.id), fresh, now

        self._checking = True
        if self.runner is None:
            self._checked(work(None))
        else:
            self.runner.start(work, on_done=self._checked, on_error=self._failed,
                              lane=Lane.READ, owner=self)
        return self.count

    def _checked(self, result: tuple[uuid.UUID, int, tuple[tuple[DueItem, ...], int],
                                     dt.datetime]) -> None:
        self._checking = False
        user_id, count, (first, fresh), now = result
        if self.services.context.current_user_id == user_id:  # else switched user meanwhile
            if fresh == 1:
                self.notify("Leadline", f"{first[0].title or first[0].kind.label} is due now")
            elif fresh:
                self.notify("Leadline", f"{fresh:,} follow-ups are due now, e.g. "
                                        f"{first[0].title or first[0].kind.label}")
            self._checked_user, self._last_check = user_id, now
            self._set_count(count)
        if self._check_again:
            self._check_again = False
            self.check()

    def _failed(self, error: Exception, _details: str) -> None:
        self._checking = False
        log.warning("counting due follow-ups failed: %s", error)

    def forget_user(self) -> None:
        """After switching user: the next check starts afresh without a flood of messages."""
        self._checked_user = None

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
