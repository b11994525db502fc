"""Settings the whole team shares (scoring thresholds, decay, automatic routing).

Stored in the ``shared_setting`` table, so they travel with sync like any other data; settings
that belong to one laptop (window layout, the scanner) stay in QSettings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.errors import ValidationError
from app.services.context import ServiceContext
from app.storage.orm import SharedSetting
from app.storage.repositories.distribution import DistributionRepository


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: int | bool | str


SHARED_SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("scoring.mql_threshold", "Score that makes a lead an MQL", 40),
    SettingSpec("scoring.sql_threshold", "Score that makes a lead an SQL", 70),
    SettingSpec("scoring.decay_points_per_week", "Points lost per week without a touch", 2),
    SettingSpec("scoring.decay_max", "Most points decay can take", 20),
    SettingSpec("routing.auto_on_capture", "Route new leads from the booth and the app", True),
    SettingSpec("routing.auto_on_import", "Route imported leads", True),
    SettingSpec("calendar.timezone", "Time zone of the working day", "Europe/Berlin"),
    SettingSpec("calendar.country", "Country whose public holidays are days off", "DE"),
    SettingSpec("calendar.subdivision", "State or region for its own holidays (e.g. BY)", ""),
    SettingSpec("calendar.day_start", "Working day starts (hour)", 9),
    SettingSpec("calendar.day_end", "Working day ends (hour)", 17),
    SettingSpec("sla.hot_days", "First touch of a hot lead within (working days; 0 = same day)",
                0),
    SettingSpec("sla.warm_days", "First touch of a warm lead within (working days)", 2),
    SettingSpec("sla.cold_days", "First touch of a cold or unrated lead within (working days)",
                5),
    SettingSpec("sla.escalation", "When a first touch is missed", "manager_queue"),
    SettingSpec("privacy.retention_months",
                "List leads never converted for erasure after (months; 0 = keep them)", 0),
)}


# Fixed namespace: a setting's row id is derived from its key, so two laptops that set the same
# setting before they ever synced edit one synced row instead of clashing on the unique key.
_SETTING_IDS = uuid.UUID("6a3c1f7e-4b1d-5c2a-9e8f-0d7b6c5a4e31")


def setting_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_SETTING_IDS, key)


class SettingsService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self._cache: dict[str, str] | None = None

    def _values(self) -> dict[str, str]:
        if self._cache is None:
            with self.context.db.read() as session:
                self._cache = DistributionRepository(session).settings()
        return self._cache

    def get_int(self, key: str) -> int:
        spec = SHARED_SETTINGS[key]
        raw = self._values().get(key)
        try:
            return int(raw) if raw is not None else int(spec.default)
        except ValueError:
            return int(spec.default)

    def get_bool(self, key: str) -> bool:
        raw = self._values().get(key)
        return bool(SHARED_SETTINGS[key].default) if raw is None else raw == "1"

    def get_str(self, key: str) -> str:
        raw = self._values().get(key)
        return str(SHARED_SETTINGS[key].default) if raw is None else raw

    def set(self, key: str, value: int | bool | str) -> None:
        if key not in SHARED_SETTINGS:
            raise ValidationError.single(key, "is not a known setting")
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = value.strip()
        now, device = self.context.clock(), self.context.device_id
        with self.context.db.write() as session:
            repo = DistributionRepository(session)
            row = repo.setting_row(key)
            if row is None:
                repo.add_setting(SharedSetting(id=setting_id(key), key=key, value=text, updated_at=now,
                                               device_id=device))
            elif row.value != text:
                row.value, row.updated_at, row.device_id = text, now, device
        self._cache = None

    def forget(self) -> None:
        """Another laptop's changes arrived (sync): read again on next use."""
        self._cache = None
