"""The booth lock and roles in the window: guarded commands and pages, locking, PINs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from app.domain.access import Access, Area, own_leads_only
from app.domain.booth_lock import may_lock
from app.domain.people import Role
from app.ui import messages
from app.ui.dialogs import pin_dialogs

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

LOCKED_NOTICE = "Locked for the booth: capture only"


class LockCommands:
    """Who may open what now, and the commands that lock, unlock and set PINs (mixed into
    MainWindow)."""

    def access(self: MainWindow) -> Access:
        people = self.services.people
        return self.services.lock.access(people.current_user(), people.users)

    def may_open(self: MainWindow, area: Area) -> bool:
        """True when ``area`` may be opened now; while locked, asks for the booth PIN first."""
        access = self.access()
        if access.allows(area):
            return True
        if access.unlock_opens(area):
            return self.unlock_booth()
        messages.error(self, "Not for this profile", access.refusal(area))
        return False

    def lock_for_booth(self: MainWindow) -> None:
        user = self.services.people.current_user()
        if not may_lock(user):
            messages.error(self, "Lock this laptop", "Only an administrator or a sales manager "
                           "can lock this laptop for the booth.")
            return
        if self.services.lock.is_locked():
            self.statusBar().showMessage("This laptop is locked for the booth already.", 6000)
            return
        if not pin_dialogs.ask_new_pin(
                self, "Lock this laptop for the booth",
                "Until it is unlocked with this PIN, this laptop only captures leads: booth "
                "mode, scanning and the last few captures of whoever is signed in. The lead "
                "list, settings, reports, imports and exports ask for the PIN. The lock stays "
                "after a restart.", "Lock",
                lambda pin, again: self.services.lock.lock(pin, again, by=user)):
            return
        # Whoever stands at the booth next must not undo the changes made before the lock.
        self.undo_stack.clear()
        self.apply_access()
        self.statusBar().showMessage("Locked for the booth. File → Unlock… opens everything "
                                     "again.", 8000)

    def unlock_booth(self: MainWindow) -> bool:
        """Ask for the booth PIN; True once the laptop is unlocked."""
        lock = self.services.lock
        if not lock.is_locked():
            return True
        if not pin_dialogs.ask_pin(
                self, "Unlock this laptop",
                "This laptop is locked for the booth. Type the booth PIN to open everything "
                "else.", "Unlock", lock.unlock, lock.unlock_wait()):
            return False
        self.apply_access()
        self.statusBar().showMessage("Unlocked.", 5000)
        return True

    def set_my_pin(self: MainWindow) -> None:
        user = self.services.people.current_user()
        if user is None:
            messages.error(self, "Set my PIN", "Choose who you are first (File → Switch user…).")
            return
        if pin_dialogs.ask_new_pin(
                self, "Set my PIN",
                f"Switching to {user.name} will ask for this PIN on this laptop (it is kept "
                f"here only, as a salted hash, and never synced).", "Set PIN",
                lambda pin, again: self.services.lock.set_pin(user, pin, again)):
            self.statusBar().showMessage(f"{user.name}'s PIN is set on this laptop.", 6000)

    def clear_pin(self: MainWindow) -> None:
        """Clear one's own PIN; an administrator may pick anyone's."""
        me = self.services.people.current_user()
        lock = self.services.lock
        if me is None:
            return
        candidates = [me] if me.role is not Role.ADMIN else \
            [u for u in self.services.people.users() if lock.has_pin(u.id)]
        if not any(lock.has_pin(u.id) for u in candidates):
            self.statusBar().showMessage("No PIN to clear.", 6000)
            return
        target = me
        if len(candidates) > 1 or candidates[0].id != me.id:
            names = [u.name for u in candidates]
            name, chosen = QInputDialog.getItem(self, "Clear a PIN", "Whose PIN?", names, 0, False)
            if not chosen:
                return
            target = candidates[names.index(name)]
        with messages.reported(self, "Clear a PIN") as attempt:
            lock.clear_pin(target, me)
        if not attempt.failed:
            self.statusBar().showMessage(f"{target.name}'s PIN is cleared.", 6000)

    def apply_access(self: MainWindow) -> None:
        """Show what the lock and the signed-in role allow: rail rows, search, lead scope."""
        from app.ui.navigation import BOOTH, PAGES

        access = self.access()
        user, locked = access.user, access.locked
        for page in PAGES:
            self.rail.item(page.index).setHidden(not access.shows(page.area))
        self.search.setEnabled(access.allows(Area.LEADS))
        self.lock_action.setVisible(not locked)
        self.unlock_action.setVisible(locked)
        self.lock_label.setText(LOCKED_NOTICE if locked else "")
        self.lock_label.setVisible(locked)
        self.count_label.setVisible(not locked)
        self.leads.set_owner_scope(own_leads_only(user))
        if locked and self.pages.currentIndex() != BOOTH:
            self.show_page(BOOTH)
