"""Dialogs remember their size and place, like the main window: resized once, they open that
way next time. One event filter on the application covers every Leadline dialog (message boxes,
file pickers and progress windows keep Qt's own sizing)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QDialog

from app.ui.local_settings import BytesSetting, LocalSettings, Window


def _geometry_setting(dialog: QDialog) -> BytesSetting | None:
    """One size per dialog class, or per object name for a class that shows several dialogs
    (PageDialog: Follow-up settings and Sync settings each keep their own)."""
    cls = type(dialog)
    if not cls.__module__.startswith("app.ui"):
        return None
    return Window.DIALOG_GEOMETRY.member(dialog.objectName() or cls.__name__)


class DialogGeometry(QObject):
    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.local = LocalSettings(settings)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if isinstance(watched, QDialog) and event.type() in (QEvent.Type.Show,
                                                             QEvent.Type.Hide):
            setting = _geometry_setting(watched)
            if setting is not None:
                if event.type() == QEvent.Type.Show:
                    saved = self.local.get(setting)
                    if not saved.isEmpty():
                        watched.restoreGeometry(saved)
                else:
                    self.local.set(setting, watched.saveGeometry())
        return False
