"""First start (and "Switch user"): who is using this laptop? The answer picks the home screen."""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import roles_a_new_profile_may_take
from app.domain.booth_lock import MIN_PIN_LENGTH, check_new_pin
from app.domain.errors import LeadlineError, ValidationError
from app.domain.ids import new_id
from app.domain.people import Role, UserRecord
from app.services.lock_service import LockService
from app.services.people_service import PeopleService
from app.ui.dialogs import pin_dialogs
from app.ui.style import alarm_colour

_ROLE_HINTS = {
    Role.BOOTH: "capture leads at the stand",
    Role.REP: "follow up my leads",
    Role.MANAGER: "assign leads and watch follow-up",
    Role.ADMIN: "set up Leadline and print reports",
}


class ProfileDialog(QDialog):
    def __init__(self, people: PeopleService, parent: QWidget | None = None,
                 lock: LockService | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Leadline")
        self.people, self.lock = people, lock
        self.chosen: UserRecord | None = None
        users = people.users()
        layout = QVBoxLayout(self)
        intro = QLabel("<b>Who is using this laptop?</b><br>Leadline records your name on "
                       "every change and opens on the screen that fits your job.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.pick_existing = QRadioButton("I am already on the team:")
        self.user_list = QListWidget()
        self.user_list.setAccessibleName("People on the team")
        for user in users:
            item = QListWidgetItem(f"{user.name} — {user.role.label} ({user.email})")
            item.setData(256, user)
            self.user_list.addItem(item)
        self.create_new = QRadioButton("I am new here:")
        self.name_edit = QLineEdit(getpass.getuser().replace(".", " ").title() if not users
                                   else "")
        self.name_edit.setPlaceholderText("Your name")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("you@company.com")
        self.role_combo = QComboBox()
        offered = roles_a_new_profile_may_take(people.current_user(), bool(users))
        for role in offered:
            self.role_combo.addItem(f"{role.label} — {_ROLE_HINTS[role]}", role.value)
        default = Role.MANAGER if Role.MANAGER in offered else offered[-1]
        self.role_combo.setCurrentIndex(self.role_combo.findData(default.value))
        self.pin_edit, self.pin_again = QLineEdit(), QLineEdit()
        for edit, name in ((self.pin_edit, "PIN"), (self.pin_again, "PIN again")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setAccessibleName(name)
        self.pin_edit.setPlaceholderText(f"optional, at least {MIN_PIN_LENGTH} characters")
        self.pin_edit.setToolTip("Asked when someone switches to your profile on this laptop, "
                                 "so a colleague cannot open your leads as you. Set or clear "
                                 "it later with Edit → Set my PIN…")
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {alarm_colour()};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Email:", self.email_edit)
        form.addRow("&Role:", self.role_combo)
        if lock is not None:
            form.addRow("&PIN:", self.pin_edit)
            form.addRow("PIN a&gain:", self.pin_again)
        if users:
            layout.addWidget(self.pick_existing)
            layout.addWidget(self.user_list)
            layout.addWidget(self.create_new)
            self.pick_existing.setChecked(True)
            self.user_list.setCurrentRow(0)
            self.user_list.itemDoubleClicked.connect(lambda _i: self.accept_choice())
            self.user_list.itemClicked.connect(lambda _i: self.pick_existing.setChecked(True))
            for edit in (self.name_edit, self.email_edit):
                edit.textEdited.connect(lambda _t: self.create_new.setChecked(True))
        else:
            self.create_new.setChecked(True)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept_choice)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, 480 if users else self.sizeHint().height())

    def accept_choice(self) -> None:
        try:
            if self.pick_existing.isChecked() and self.user_list.currentItem():
                user: UserRecord = self.user_list.currentItem().data(256)
                if not self._pin_typed(user):
                    return
            else:
                pin = self.pin_edit.text()
                if pin or self.pin_again.text():  # checked before the profile is added
                    pin = check_new_pin(pin, self.pin_again.text())
                user = self._add_profile(pin)
            self.chosen = self.people.sign_in(user.id)
        except ValidationError as error:
            self.error_label.setText("\n".join(f"{e.field.capitalize()}: {e.message}"
                                               for e in error.errors))
            self.error_label.show()
            return
        except LeadlineError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.accept()

    def _add_profile(self, pin: str) -> UserRecord:
        """The new profile, its PIN stored first: a profile never exists without it."""
        user_id, lock = new_id(), self.lock if pin else None
        if lock is not None:
            lock.keep_pin(user_id, pin)
        try:
            return self.people.add_user(self.name_edit.text(), self.email_edit.text(),
                                        Role(self.role_combo.currentData()), user_id=user_id)
        except BaseException:
            if lock is not None:
                lock.forget_pin(user_id)
            raise

    def _pin_typed(self, user: UserRecord) -> bool:
        """True when ``user`` has no PIN on this laptop, is signed in already, or their PIN
        was typed."""
        lock = self.lock
        if lock is None or not lock.has_pin(user.id) or \
                user.id == self.people.context.current_user_id:
            return True
        return pin_dialogs.ask_pin(self, f"{user.name}'s PIN",
                                   f"Type {user.name}'s PIN to switch to this profile.", "Switch",
                                   lambda pin: lock.check_pin(user.id, pin), lock.pin_wait(user.id))

    @classmethod
    def ask(cls, people: PeopleService, parent: QWidget | None = None,
            lock: LockService | None = None) -> UserRecord | None:
        dialog = cls(people, parent, lock)
        dialog.exec()
        return dialog.chosen
