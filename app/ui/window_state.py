"""Dialogs remember their size and place, like the main window: resized once, they open that
way next time. One event filter on the application covers every Leadline dialog (message boxes,
file pickers and progress windows keep Qt's own sizing)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QDialog

_PREFIX = "dialogs/"


def _key(dialog: QDialog) -> str | None:
    cls = type(dialog)
    return _PREFIX + cls.__name__ if cls.__module__.startswith("app.ui") else None


class DialogGeometry(QObject):
    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if isinstance(watched, QDialog) and event.type() in (QEvent.Type.Show,
                                                             QEvent.Type.Hide):
            key = _key(watched)
            if key is not None:
                if event.type() == QEvent.Type.Show:
                    saved = self.settings.value(key)
                    if isinstance(saved, QByteArray | bytes) and saved:
                        watched.restoreGeometry(QByteArray(saved))
                else:
                    self.settings.setValue(key, watched.saveGeometry())
        return False
