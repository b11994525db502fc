"""What every settings page offers, and the one-page dialog that shows a page on its own."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.ui import messages
from app.ui.form_rows import save_cancel_buttons


class SettingsPage(Protocol):
    """``problem()`` checks without saving, ``show_problem(text)`` shows it on the page and
    ``save()`` stores the values (and may raise LeadlineError)."""

    title: str

    def problem(self) -> str | None: ...
    def show_problem(self, text: str | None) -> None: ...
    def save(self) -> None: ...


class PageDialog(QDialog):
    """One settings page with Save and Cancel, for the menu entries that open a single page
    (Follow-up settings, Sync settings) instead of the whole Settings dialog."""

    def __init__(self, page: QWidget, title: str, width: int, geometry_key: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(geometry_key)  # the remembered size is this page's, not every PageDialog's
        self.page = page
        page.setParent(self)
        layout = QVBoxLayout(self)
        layout.addWidget(page, 1)
        layout.addWidget(save_cancel_buttons(self, self.save))
        self.resize(width, self.sizeHint().height())

    def _settings_page(self) -> SettingsPage:
        return self.page  # type: ignore[return-value]

    def problem(self) -> str | None:
        return self._settings_page().problem()

    def save(self) -> None:
        page = self._settings_page()
        problem = page.problem()
        if problem:
            page.show_problem(problem)
            return
        with messages.reported(self, "Settings not saved") as attempt:
            page.save()
        if attempt.failed:
            return
        self.accept()

    def ask(self) -> bool:
        """Show the dialog; True when the page was saved."""
        return self.exec() == QDialog.DialogCode.Accepted
