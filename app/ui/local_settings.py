"""Settings that belong to this laptop, not to the database: window layout, theme, scanner,
remembered filters. Each is declared once here with its on-disk key, type and default, and read
or written through ``LocalSettings`` over the QSettings store, so no other module spells a key.

QSettings hands values back as it found them on disk (an INI file gives "true", "5" or "A4" as
text), so every setting turns what it reads into its own type and falls back to its default for
anything it cannot use."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from app.importers.badges import WedgeSettings

T = TypeVar("T")

_DECLARED: dict[str, Setting[object]] = {}


class Setting(ABC, Generic[T]):
    """One laptop setting: where it is kept and what it holds when nothing (usable) is kept."""

    def __init__(self, key: str, default: T, *, register: bool = True) -> None:
        if register:
            if key in _DECLARED:
                raise ValueError(f"laptop setting {key!r} is declared twice")
            _DECLARED[key] = self  # type: ignore[assignment]
        self.key, self.default = key, default

    @abstractmethod
    def coerce(self, raw: object) -> T:
        """The stored ``raw`` value as this setting's type, or the default."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.default!r})"


class BoolSetting(Setting[bool]):
    _TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})

    def coerce(self, raw: object) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int):
            return raw != 0
        text = str(raw).strip().lower() if isinstance(raw, str) else ""
        return True if text in self._TRUE else False if text in self._FALSE else self.default


class IntSetting(Setting[int]):
    def __init__(self, key: str, default: int, *, minimum: int | None = None,
                 register: bool = True) -> None:
        super().__init__(key, default, register=register)
        self.minimum = minimum

    def coerce(self, raw: object) -> int:
        if isinstance(raw, bool):
            return self.default
        try:
            value = int(raw) if isinstance(raw, int) else int(str(raw).strip())
        except ValueError:
            return self.default
        return value if self.minimum is None or value >= self.minimum else self.default


class TextSetting(Setting[str]):
    """Text; with ``choices``, anything else kept on disk reads as the default."""

    def __init__(self, key: str, default: str = "", *, choices: Iterable[str] | None = None,
                 register: bool = True) -> None:
        super().__init__(key, default, register=register)
        self.choices = None if choices is None else frozenset(choices)

    def coerce(self, raw: object) -> str:
        if raw is None or isinstance(raw, QByteArray | bytes | list | dict):
            return self.default
        text = str(raw)
        return text if self.choices is None or text in self.choices else self.default


class BytesSetting(Setting[QByteArray]):
    """Qt's saved geometry and layout blobs; empty when none is kept."""

    def __init__(self, key: str, *, register: bool = True) -> None:
        super().__init__(key, QByteArray(), register=register)

    def coerce(self, raw: object) -> QByteArray:
        return QByteArray(raw) if isinstance(raw, QByteArray | bytes) else QByteArray(self.default)


class BytesFamily:
    """Settings of one shape under a common prefix, one per name (each dialog's geometry)."""

    def __init__(self, prefix: str) -> None:
        if any(key.startswith(prefix) for key in _DECLARED):
            raise ValueError(f"laptop setting family {prefix!r} overlaps a declared setting")
        self.prefix = prefix

    def member(self, name: str) -> BytesSetting:
        return BytesSetting(self.prefix + name, register=False)


class LocalSettings:
    """Reads and writes the declared settings in one QSettings store."""

    def __init__(self, store: QSettings) -> None:
        self.store = store

    def get(self, setting: Setting[T]) -> T:
        raw = self.store.value(setting.key)
        return setting.default if raw is None else setting.coerce(raw)

    def set(self, setting: Setting[T], value: T) -> None:
        self.store.setValue(setting.key, value)

    def is_kept(self, setting: Setting[object]) -> bool:
        return self.store.contains(setting.key)

    def forget(self, setting: Setting[object]) -> None:
        self.store.remove(setting.key)

    def sync(self) -> None:
        self.store.sync()


def declared() -> dict[str, Setting[object]]:
    """Every declared setting by key (the families' members are not listed)."""
    return dict(_DECLARED)


class Window:
    GEOMETRY = BytesSetting("window/geometry")
    STATE = BytesSetting("window/state")
    DIALOG_GEOMETRY = BytesFamily("dialogs/")  # one per Leadline dialog class


class Leads:
    SPLITTER = BytesSetting("leads/splitter")
    HEADER = BytesSetting("leads/header")


class Tray:
    START_MINIMISED = BoolSetting("tray/start_minimised", False)


class Appearance:
    THEME = TextSetting("appearance/theme", "system", choices=("system", "light", "dark"))


class Reports:
    PAGE_SIZE = TextSetting("reports/page_size", "", choices=("", "A4", "Letter"))  # "": automatic


class SettingsDialogState:
    PAGE = IntSetting("settings_dialog/page", 0, minimum=0)


class LegacySync:
    """Laptop-wide sync of an older Leadline: read once, handed to the database, then forgotten."""
    FOLDER = TextSetting("sync/folder")
    PASSPHRASE = TextSetting("sync/passphrase")
    INTERVAL_MINUTES = IntSetting("sync/interval_minutes", 0, minimum=0)
    ON_START_AND_CLOSE = BoolSetting("sync/on_start_and_close", True)
    LAST_SYNCED = TextSetting("sync/last_synced")
    ALL = (FOLDER, PASSPHRASE, INTERVAL_MINUTES, ON_START_AND_CLOSE, LAST_SYNCED)


_WEDGE = WedgeSettings()


class Scanner:
    PREFIX = TextSetting("scanner/prefix")
    SUFFIX = TextSetting("scanner/suffix")
    DEVICE = TextSetting("scanner/device")
    # The key gap has its own key since its meaning changed: a scanner's typical gap (30 ms), no
    # longer the widest gap of a burst (50 ms, which let a fast typist pass for a scanner).
    SCAN_GAP_MS = IntSetting("scanner/scan_gap_ms", round(_WEDGE.max_gap_s * 1000))
    SILENCE_MS = IntSetting("scanner/silence_ms", round(_WEDGE.silence_s * 1000))


class Booth:
    SAVE_ON_SCAN = BoolSetting("booth/save_on_scan", False)
    CAMERA = TextSetting("booth/camera")  # the badge camera's device id; "": the first one


class Dashboard:
    """The dashboard's filters; event and owner are ids ("": all), from and to ISO days."""
    EVENT = TextSetting("dashboard/event")
    OWNER = TextSetting("dashboard/owner")
    PERIOD = TextSetting("dashboard/period", "any")  # one of the page's PERIODS
    FROM = TextSetting("dashboard/from")
    TO = TextSetting("dashboard/to")


class DatabaseChoice:
    """The database this laptop opens at start when neither --db nor $LEADLINE_DB names one: a
    team server's address (never a password) or a file path; "": the user data folder's file."""
    LOCATION = TextSetting("database/location")
