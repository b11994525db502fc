"""One window per database: a second start asks the first to come to the front."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.ui.single_instance import SingleInstance, bring_to_front, server_name_for


def test_second_instance_raises_the_first(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "leadline.sqlite"
    first, second = SingleInstance(path), SingleInstance(path)
    try:
        assert first.claim()
        with qtbot.waitSignal(first.raiseRequested):
            assert not second.claim()
        assert second.server is None
    finally:
        first.release()
        second.release()


def test_different_databases_run_side_by_side(tmp_path: Path) -> None:
    one, other = SingleInstance(tmp_path / "a.sqlite"), SingleInstance(tmp_path / "b.sqlite")
    try:
        assert one.claim() and other.claim()
    finally:
        one.release()
        other.release()


def test_the_name_follows_the_file_not_the_spelling(tmp_path: Path) -> None:
    path = tmp_path / "leadline.sqlite"
    assert server_name_for(path) == server_name_for(tmp_path / "x" / ".." / "leadline.sqlite")
    assert server_name_for(path) != server_name_for(tmp_path / "other.sqlite")
    assert len(server_name_for(path)) < 40


def test_released_name_can_be_claimed_again(tmp_path: Path) -> None:
    path = tmp_path / "leadline.sqlite"
    first = SingleInstance(path)
    assert first.claim()
    first.release()
    again = SingleInstance(path)
    try:
        assert again.claim()
    finally:
        again.release()


def test_bring_to_front_unminimises_and_shows(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    window.hide()
    bring_to_front(window)
    assert window.isVisible()
    assert not window.windowState() & Qt.WindowState.WindowMinimized
