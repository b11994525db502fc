"""Move to a team server: copy this database file into an empty PostgreSQL database, once."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.services.container import Services
from app.services.server_move_service import (
    EXAMPLES,
    NO_PASSWORDS,
    ServerMoveService,
    next_steps,
    server_address,
)
from app.ui.operations import NOTHING, Operation, run_operation
from app.ui.workers import JobState, TaskRunner


class ServerMoveDialog(QDialog):
    """Asks for the server database, runs the copy behind a progress dialog with Cancel, and
    says what was copied and what to do next. The file stays as it is."""

    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.result: Any = None  # the ServerCopy once the move has succeeded
        self.setWindowTitle("Move to a team server")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Copy everything in {services.context.db.path} (leads, history, tasks, people, "
            "rules) into an empty PostgreSQL database, then check every table there. On any "
            "problem the server database is left empty; a database that already holds Leadline "
            "data is refused. This file is not changed.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit()
        self.address.setPlaceholderText("postgresql://USER@HOST/DATABASE")
        self.address.setAccessibleName("Server address")
        self.address.textChanged.connect(self._address_changed)
        form.addRow("Server &address:", self.address)
        layout.addLayout(form)
        hint = QLabel(f"{EXAMPLES}. {NO_PASSWORDS}")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Outcome")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.move_button = QPushButton("&Move")
        self.move_button.setEnabled(False)
        buttons.addButton(self.move_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.move_button.clicked.connect(self.move)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _address_changed(self, text: str) -> None:
        self.move_button.setEnabled(bool(text.strip()) and self.result is None)
        self.status.clear()

    def move(self) -> None:
        try:
            server = server_address(self.address.text(), field="Server address")
        except ValidationError as error:
            self.status.setText(str(error))
            return
        service = ServerMoveService(self.services.context)
        self.move_button.setEnabled(False)

        def work(state: JobState) -> Any:
            return service.move_to(server, progress=state.report,
                                   cancelled=lambda: state.cancelled)

        def done(result: Any) -> None:
            self.result = result
            steps = "\n".join(f"{number}. {step}" for number, step
                              in enumerate(next_steps(str(service.db.path), result), 1))
            self.status.setText(
                f"Copied {result.rows:,} rows ({result.count('lead'):,} leads) to {result.server} "
                f"in {result.seconds:.1f} s; every table matches on the server.\n\nNext:\n{steps}")

        def failed(_error: Exception) -> bool:
            self.move_button.setEnabled(True)
            return False  # the error box (or, when cancelled, nothing) follows as usual

        operation = Operation("Move to a team server", "Copying and checking every table…", work,
                              NOTHING, percent=True, failure_title="Nothing was moved")
        run_operation(self.runner, self, operation, on_failure=failed,
                      on_success=lambda result, _changes: done(result))

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> Any:
        dialog = cls(services, runner, parent)
        dialog.exec()
        return dialog.result
