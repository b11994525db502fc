"""File → Connect to a team server…: the server's address, its password (kept in the system
keyring only), a test connection off the GUI thread, and Connect, which remembers the server as
this laptop's database and reopens the window on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.paths import ServerAddress
from app.services.server_move_service import server_address
from app.services.team_server_service import check_connection, keep_password
from app.ui.database_choice import remember
from app.ui.local_settings import LocalSettings
from app.ui.operations import NOTHING, Operation, run_operation
from app.ui.workers import JobState, TaskRunner

EXAMPLE = "postgresql://anna@db.example.com/leads"
ADDRESS_HINT = (
    f"For example {EXAMPLE} (db.example.com:5433 for another port), or "
    "postgresql:///leads?service=team for an entry of a libpq service file.\n"
    "The password is not part of the address: type it below, or keep it in ~/.pgpass or the "
    "service file."
)


class TeamServerDialog(QDialog):
    """Connect this laptop to a team database on a PostgreSQL server. ``chosen`` holds the server
    once Connect has reached it, remembered it and kept its password."""

    def __init__(
        self, runner: TaskRunner, local: LocalSettings, current: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner, self.local = runner, local
        self.chosen: ServerAddress | None = None
        self._busy = False
        self.setWindowTitle("Connect to a team server")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Work on the team's shared database on a PostgreSQL server: everyone connected sees "
            "the same leads within seconds. This laptop remembers the server and opens it at "
            "every start; File → Use a database file on this laptop… goes back."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit(current)
        self.address.setPlaceholderText("postgresql://USER@HOST/DATABASE")
        self.address.setAccessibleName("Server address")
        self.address.setClearButtonEnabled(True)
        self.address.textChanged.connect(self._changed)
        form.addRow("Server &address:", self.address)
        hint = QLabel(ADDRESS_HINT)
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        form.addRow(hint)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("optional: none with ~/.pgpass, a service file or a kept one")
        self.password.textChanged.connect(self._changed)
        form.addRow("&Password:", self.password)
        self.keep = QCheckBox("&Keep the password in the system keyring")
        self.keep.setChecked(True)
        self.keep.setToolTip(
            "Leadline reads it from there at every start; it is never written to the settings or the logs."
        )
        form.addRow("", self.keep)
        layout.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection outcome")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton("&Test connection")
        self.connect_button = QPushButton("&Connect")
        self.connect_button.setDefault(True)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.test_button.clicked.connect(self.test)
        self.connect_button.clicked.connect(self.connect_to_server)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._changed()
        # Wide enough for a whole address and the hint in two or three lines.
        self.setMinimumWidth(100 * self.fontMetrics().averageCharWidth())
        self.adjustSize()

    def _changed(self) -> None:
        ready = bool(self.address.text().strip()) and not self._busy
        self.test_button.setEnabled(ready)
        self.connect_button.setEnabled(ready)
        if not self._busy:
            self.status.clear()

    def _address(self) -> ServerAddress | None:
        try:
            return server_address(self.address.text(), field="Server address")
        except ValidationError as error:
            self.status.setText(str(error))
            return None

    def _typed_password(self) -> str | None:
        return self.password.text() or None

    def test(self) -> None:
        """Log in with the password typed (else the kept one, ~/.pgpass or a service file)."""
        address = self._address()
        if address is not None:
            password = self._typed_password()
            self._check(
                address,
                password,
                lambda answered: self.status.setText(f"Connected: {answered} answered at {address}."),
            )

    def connect_to_server(self) -> None:
        """Reach the server as the window will (with the password only when it is kept), then
        keep the password, remember the server and close."""
        address = self._address()
        if address is None:
            return
        password = self._typed_password() if self.keep.isChecked() else None
        self._check(address, password, lambda _answered: self._connected(address, password))

    def _connected(self, address: ServerAddress, password: str | None) -> None:
        if password is not None:
            try:
                keep_password(address, password)
            except LeadlineError as error:
                self.status.setText(str(error))
                return
        remember(self.local, address)
        self.chosen = address
        self.accept()

    def _check(self, address: ServerAddress, password: str | None, then: Callable[[str], None]) -> None:
        self._set_busy(True)
        self.status.setText(f"Connecting to {address}…")

        def work(_state: JobState) -> Any:
            return check_connection(address, password)

        def done(answered: Any, _changes: object) -> None:
            self._set_busy(False)
            then(str(answered))

        def failed(error: Exception) -> bool:
            self._set_busy(False)
            if isinstance(error, LeadlineError):
                self.status.setText(str(error))
                return True
            self.status.setText("")
            return False  # the error box with its details follows

        operation = Operation(
            "Connect to a team server", f"Connecting to {address}…", work, NOTHING, can_cancel=False
        )
        run_operation(self.runner, self, operation, on_success=done, on_failure=failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.address, self.password, self.keep):
            widget.setEnabled(not busy)
        self._changed()

    def reject(self) -> None:
        if not self._busy:  # the check's answer comes back to this dialog (in 10 s at most)
            super().reject()

    @classmethod
    def ask(
        cls, runner: TaskRunner, local: LocalSettings, current: str = "", parent: QWidget | None = None
    ) -> ServerAddress | None:
        dialog = cls(runner, local, current, parent)
        dialog.exec()
        return dialog.chosen
