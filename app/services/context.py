"""What every service needs: the database, a clock, and who is acting on this device."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from app.clock import utc_now
from app.storage.db import Database

CURRENT_USER_KEY = "current_user_id"
DEFAULT_COUNTRY_KEY = "default_country"
_UNSET = object()


@dataclass
class ServiceContext:
    """Shared by the services built in the composition root; tests pass a fixed clock."""

    db: Database
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    _current_user: object = field(default=_UNSET, repr=False)
    _default_country: str | None = field(default=None, repr=False)

    @property
    def device_id(self) -> uuid.UUID:
        return self.db.device_id

    @property
    def current_user_id(self) -> uuid.UUID | None:
        """The person using this laptop (chosen at first start); recorded as actor in history."""
        if self._current_user is _UNSET:
            stored = self.db.get_local(CURRENT_USER_KEY)
            self._current_user = uuid.UUID(stored) if stored else None
        return self._current_user  # type: ignore[return-value]

    def others_wrote(self) -> bool:
        """Another program saved to this database since the last time this was asked."""
        return self.db.others_wrote()

    def set_current_user(self, user_id: uuid.UUID | None) -> None:
        self.db.set_local(CURRENT_USER_KEY, str(user_id) if user_id else None)
        self._current_user = user_id

    @property
    def default_country(self) -> str:
        """Default region for phone numbers when neither the lead nor its event has a country."""
        if self._default_country is None:
            self._default_country = self.db.get_meta(DEFAULT_COUNTRY_KEY) or ""
        return self._default_country

    def set_default_country(self, code: str) -> None:
        self.db.set_meta(DEFAULT_COUNTRY_KEY, code or None)
        self._default_country = code or ""
