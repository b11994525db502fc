"""The laptop's settings: declared once, typed on the way in and out, same keys on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from app.importers.badges import WedgeSettings
from app.ui import local_settings
from app.ui.local_settings import (
    Appearance,
    BoolSetting,
    Booth,
    Dashboard,
    LegacySync,
    LocalSettings,
    Reports,
    Scanner,
    SettingsDialogState,
    TextSetting,
    Tray,
    Window,
)


def _ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "laptop.ini"), QSettings.Format.IniFormat)


def test_nothing_kept_reads_the_declared_defaults(tmp_path: Path) -> None:
    local = LocalSettings(_ini(tmp_path))
    wedge = WedgeSettings()
    assert local.get(Tray.START_MINIMISED) is False
    assert local.get(Booth.SAVE_ON_SCAN) is False
    assert local.get(LegacySync.ON_START_AND_CLOSE) is True
    assert local.get(Appearance.THEME) == "system"
    assert local.get(Reports.PAGE_SIZE) == ""
    assert local.get(SettingsDialogState.PAGE) == 0
    assert local.get(Dashboard.PERIOD) == "any"
    assert local.get(Scanner.SCAN_GAP_MS) == round(wedge.max_gap_s * 1000)
    assert local.get(Scanner.SILENCE_MS) == round(wedge.silence_s * 1000)
    assert local.get(Window.GEOMETRY).isEmpty()
    assert local.get(Window.DIALOG_GEOMETRY.member("ReportDialog")).isEmpty()


def test_values_come_back_typed_from_the_file_on_disk(tmp_path: Path) -> None:
    local = LocalSettings(_ini(tmp_path))
    local.set(Tray.START_MINIMISED, True)
    local.set(Scanner.SCAN_GAP_MS, 45)
    local.set(Scanner.PREFIX, "\x02")
    local.set(Reports.PAGE_SIZE, "Letter")
    local.set(Window.STATE, QByteArray(b"\x00\x01layout"))
    local.set(Window.DIALOG_GEOMETRY.member("ScannerDialog"), QByteArray(b"geometry"))
    local.sync()

    reread = LocalSettings(_ini(tmp_path))  # INI keeps everything as text: "true", "45"
    assert reread.get(Tray.START_MINIMISED) is True
    assert reread.get(Scanner.SCAN_GAP_MS) == 45
    assert reread.get(Scanner.PREFIX) == "\x02"
    assert reread.get(Reports.PAGE_SIZE) == "Letter"
    assert reread.get(Window.STATE) == QByteArray(b"\x00\x01layout")
    assert reread.get(Window.DIALOG_GEOMETRY.member("ScannerDialog")) == QByteArray(b"geometry")


def test_the_on_disk_keys_stay_those_of_earlier_versions(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    local = LocalSettings(store)
    local.set(Booth.SAVE_ON_SCAN, True)
    local.set(Dashboard.EVENT, "abc")
    local.set(Window.DIALOG_GEOMETRY.member("ShortcutsDialog"), QByteArray(b"g"))
    assert store.value("booth/save_on_scan", type=bool) is True
    assert store.value("dashboard/event") == "abc"
    assert store.value("dialogs/ShortcutsDialog") == QByteArray(b"g")
    assert {"tray/start_minimised", "window/geometry", "window/state", "leads/splitter",
            "leads/header", "appearance/theme", "reports/page_size", "settings_dialog/page",
            "sync/folder", "sync/passphrase", "sync/interval_minutes", "sync/on_start_and_close",
            "scanner/prefix", "scanner/suffix", "scanner/device", "scanner/scan_gap_ms",
            "scanner/silence_ms", "dashboard/event", "dashboard/owner", "dashboard/period",
            "dashboard/from", "dashboard/to"} <= set(local_settings.declared())


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("false", False), ("1", True), ("0", False), (1, True), (0, False),
    ("maybe", False), ("", False)])
def test_a_switch_reads_the_text_qsettings_returns(tmp_path: Path, raw: object,
                                                   expected: bool) -> None:
    store = _ini(tmp_path)
    store.setValue(Booth.SAVE_ON_SCAN.key, raw)
    assert LocalSettings(store).get(Booth.SAVE_ON_SCAN) is expected


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 4 ", 4), (5, 5), ("three", 0),
                                               ("-2", 0), ("", 0), (True, 0)])
def test_a_number_reads_text_and_refuses_what_it_cannot_use(tmp_path: Path, raw: object,
                                                            expected: int) -> None:
    store = _ini(tmp_path)
    store.setValue(SettingsDialogState.PAGE.key, raw)
    assert LocalSettings(store).get(SettingsDialogState.PAGE) == expected


def test_a_choice_outside_its_list_and_a_blob_of_text_read_as_defaults(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    store.setValue(Appearance.THEME.key, "purple")
    store.setValue(Reports.PAGE_SIZE.key, "")
    store.setValue(Window.GEOMETRY.key, "not a blob")
    local = LocalSettings(store)
    assert local.get(Appearance.THEME) == "system"
    assert local.get(Reports.PAGE_SIZE) == ""
    assert local.get(Window.GEOMETRY).isEmpty()


def test_forgetting_removes_the_key(tmp_path: Path) -> None:
    store = _ini(tmp_path)
    local = LocalSettings(store)
    local.set(LegacySync.FOLDER, "/shared")
    assert local.is_kept(LegacySync.FOLDER)
    local.forget(LegacySync.FOLDER)
    assert not store.contains("sync/folder") and local.get(LegacySync.FOLDER) == ""


def test_a_key_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="tray/start_minimised"):
        BoolSetting("tray/start_minimised", True)
    assert isinstance(Tray.START_MINIMISED, BoolSetting)
    assert TextSetting("scratch/unregistered", register=False).key not in local_settings.declared()
