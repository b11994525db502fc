"""Typing PINs: a new one twice (the booth lock, a profile's own PIN), or one to be let in."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth_lock import MIN_PIN_LENGTH, wait_message
from app.domain.errors import LeadlineError
from app.ui.style import alarm_colour


def _pin_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setMinimumWidth(220)
    return edit


class _PinDialogBase(QDialog):
    # What OK does: each dialog below defines it (check the PIN, or keep a new one).
    attempt: Callable[[], None]

    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.layout_.addWidget(self.intro)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("pinError")
        self.error_label.setStyleSheet(f"color: {alarm_colour()};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.layout_.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()



class NewPinDialog(_PinDialogBase):
    """A new PIN typed twice; ``save(pin, repeated)`` keeps it or raises saying why not."""

    def __init__(self, title: str, intro: str, ok_text: str,
                 save: Callable[[str, str], object], parent: QWidget | None = None) -> None:
        super().__init__(title, intro, ok_text, parent)
        self.save = save
        self.pin_edit = _pin_edit("New PIN")
        self.pin_edit.setPlaceholderText(f"at least {MIN_PIN_LENGTH} characters")
        self.repeat_edit = _pin_edit("New PIN again")
        self.form.addRow("&PIN:", self.pin_edit)
        self.form.addRow("&Again:", self.repeat_edit)

    def attempt(self) -> None:
        try:
            self.save(self.pin_edit.text(), self.repeat_edit.text())
        except LeadlineError as error:
            self.show_error(str(error))
            self.repeat_edit.clear()
            self.repeat_edit.setFocus()
            return
        self.accept()


class PinDialog(_PinDialogBase):
    """One PIN to be let in; ``check(pin)`` raises (WrongPinError naming the wait) when it is
    not the right one. ``waiting`` is the wait already due when the dialog opens."""

    def __init__(self, title: str, intro: str, ok_text: str, check: Callable[[str], None],
                 waiting: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(title, intro, ok_text, parent)
        self.check = check
        self.pin_edit = _pin_edit("PIN")
        self.form.addRow("&PIN:", self.pin_edit)
        if waiting:
            self.show_error(wait_message(waiting))

    def attempt(self) -> None:
        try:
            self.check(self.pin_edit.text())
        except LeadlineError as error:
            self.show_error(str(error))
            self.pin_edit.clear()
            self.pin_edit.setFocus()
            return
        self.accept()


def ask_new_pin(parent: QWidget | None, title: str, intro: str, ok_text: str,
                save: Callable[[str, str], object]) -> bool:
    return NewPinDialog(title, intro, ok_text, save, parent).exec() == QDialog.DialogCode.Accepted


def ask_pin(parent: QWidget | None, title: str, intro: str, ok_text: str,
            check: Callable[[str], None], waiting: int = 0) -> bool:
    dialog = PinDialog(title, intro, ok_text, check, waiting, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted
