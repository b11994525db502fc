"""The Qt binding itself must survive a long session (see the pyside6 pin in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

LONG_SESSION = textwrap.dedent("""
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    class Source(QObject):
        changed = Signal(int)

    app = QApplication([])
    source = Source()
    timer = QTimer()
    timer.setInterval(300)
    for i in range(200_000):  # a few hours of a busy GUI, compressed
        app.processEvents()
        source.changed.emit(i)
        timer.start()
    print("survived")
""")


def test_many_events_signals_and_timers_do_not_exhaust_python_bools() -> None:
    """PySide6 6.12.0 drops a reference to True/False per call; Python 3.11 then aborts."""
    result = subprocess.run([sys.executable, "-c", LONG_SESSION], capture_output=True, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
