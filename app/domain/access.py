"""What each role may open on this laptop, and what the booth lock leaves open."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import LeadlineError
from app.domain.people import Role, UserRecord


class Area(StrEnum):
    """A part of the app a command or page belongs to; roles and the lock allow areas."""

    ANYONE = "anyone"  # help, quitting, switching user: never guarded
    CAPTURE = "capture"  # booth mode, scanning, the current staff member's last captures
    LEADS = "leads"  # the lead list and lead commands (a rep's: their own leads)
    FOLLOW_UP = "follow_up"  # My day, touches, hand back, recycle
    ASSIGNMENT = "assignment"  # queues, routing, duplicates, data health, dashboard
    REPORTS = "reports"
    SETTINGS = "settings"  # settings, sync, booth set-up, team server, backups
    IMPORTS = "imports"
    EXPORTS = "exports"  # exports, access requests, erasure

    @property
    def label(self) -> str:
        return _AREA_LABELS[self]


_AREA_LABELS = {
    Area.ANYONE: "this",
    Area.CAPTURE: "booth capture",
    Area.LEADS: "the lead list",
    Area.FOLLOW_UP: "follow-up",
    Area.ASSIGNMENT: "assignment and data quality",
    Area.REPORTS: "reports",
    Area.SETTINGS: "settings",
    Area.IMPORTS: "imports",
    Area.EXPORTS: "exports",
}

_BOOTH = frozenset({Area.ANYONE, Area.CAPTURE})
_REP = _BOOTH | {Area.LEADS, Area.FOLLOW_UP}
_MANAGER = _REP | {Area.ASSIGNMENT, Area.REPORTS}
_ADMIN = frozenset(Area)

ROLE_AREAS: dict[Role, frozenset[Area]] = {
    Role.BOOTH: _BOOTH,
    Role.REP: _REP,
    Role.MANAGER: _MANAGER,
    Role.ADMIN: _ADMIN,
}
# While the laptop is locked for the booth, whoever is signed in.
LOCKED_AREAS = _BOOTH


@dataclass(frozen=True)
class Access:
    """What may be opened now: who is signed in, whether the laptop is locked for the booth,
    and whether any profile on it has a PIN. The one place the window, its pages and the
    command line ask."""

    user: UserRecord | None
    locked: bool = False
    pins_set: bool = False

    @property
    def role_areas(self) -> frozenset[Area]:
        """What the profile may open once the laptop is unlocked. With nobody signed in:
        everything while no profile here has a PIN (anyone may sign in to any profile, so
        there is nothing a role could keep), capture only once one has (else signing out
        would get round that PIN)."""
        if self.user is not None:
            return ROLE_AREAS[self.user.role]
        return _BOOTH if self.pins_set else _ADMIN

    @property
    def areas(self) -> frozenset[Area]:
        return self.role_areas & LOCKED_AREAS if self.locked else self.role_areas

    def allows(self, area: Area) -> bool:
        return area in self.areas

    def unlock_opens(self, area: Area) -> bool:
        """True when the booth PIN (not another profile) is what stands in the way."""
        return self.locked and area in self.role_areas and area not in self.areas

    def shows(self, area: Area) -> bool:
        """Pages and commands are listed when open now or behind the booth PIN."""
        return self.allows(area) or self.unlock_opens(area)

    def refusal(self, area: Area, switch: str = "File → Switch user…") -> str:
        if self.user is None and self.pins_set:
            return (f"Nobody is signed in on this laptop, so only booth capture is open: say "
                    f"who you are first ({switch}).")
        role = self.user.role.label.lower() if self.user else "signed-out"
        return (f"A {role} profile cannot open {area.label} on this laptop: ask an "
                f"administrator, or switch to a profile that may ({switch}).")


def roles_a_new_profile_may_take(signed_in: UserRecord | None, anyone_yet: bool) -> list[Role]:
    """The roles someone may give a profile they create: any on a laptop with nobody on the team
    yet, any for an administrator, else none above their own (so a booth or a rep cannot make
    themselves an administrator from the profile switch); nobody signed in: a rep at most."""
    order = list(Role)
    if not anyone_yet or (signed_in is not None and signed_in.role is Role.ADMIN):
        return order
    highest = order.index(signed_in.role) if signed_in is not None else order.index(Role.REP)
    return order[:highest + 1]


def own_leads_only(user: UserRecord | None) -> uuid.UUID | None:
    """The owner a rep's lead list is filtered to (None: every lead)."""
    return user.id if user is not None and user.role is Role.REP else None


class AccessDeniedError(LeadlineError):
    """A command or page outside the signed-in profile's role."""
