"""One Leadline window per database: a second start on the same file raises the first and exits.

The first instance listens on a local socket (a named pipe on Windows) whose name is derived
from the database path, so two different databases can still be open side by side.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

RAISE = b"raise\n"
CONNECT_TIMEOUT_MS = 500


def server_name_for(db_path: Path) -> str:
    """Stable per user and database file; short enough for a Unix socket path."""
    text = str(Path(db_path).expanduser().resolve())
    if sys.platform in ("win32", "darwin"):  # case-insensitive file systems by default
        text = text.lower()
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        user = ""
    digest = hashlib.sha256(f"{user}\0{text}".encode()).hexdigest()[:24]
    return f"leadline-{digest}"


class SingleInstance(QObject):
    """Claim the database for this process, or hand over to the process that already has it."""

    raiseRequested = Signal()  # noqa: N815 (Qt naming)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name_for(db_path)
        self.server: QLocalServer | None = None
        self._connections: list[QLocalSocket] = []

    def claim(self) -> bool:
        """True when this is the first instance (now listening); False when another answered.

        A second instance has already asked the first to come to the front when this returns.
        """
        if self._ask_running_instance():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A crashed instance leaves its socket file behind on Unix; nobody answered it.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("single-instance check unavailable: %s", server.errorString())
                return True
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _ask_running_instance(self) -> bool:
        socket = QLocalSocket(self)
        try:
            socket.connectToServer(self.name)
            if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
                return False
            socket.write(RAISE)
            socket.flush()
            socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            socket.disconnectFromServer()
            return True
        finally:
            socket.deleteLater()

    def _accept(self) -> None:
        if self.server is None:
            return
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            self._connections.append(connection)
            connection.readyRead.connect(self._read)
            connection.disconnected.connect(self._forget)
        self._read()

    def _read(self) -> None:
        for connection in self._connections:
            if connection.bytesAvailable() and RAISE.strip() in bytes(connection.readAll().data()):
                self.raiseRequested.emit()

    def _forget(self) -> None:
        for connection in [c for c in self._connections
                           if c.state() == QLocalSocket.LocalSocketState.UnconnectedState]:
            self._read()
            self._connections.remove(connection)
            connection.disconnected.disconnect(self._forget)
            connection.readyRead.disconnect(self._read)
            connection.deleteLater()

    def release(self) -> None:
        """Stop listening; closes the sockets while this object is whole (not during its
        destruction, when their last signals would reach a half-deleted object)."""
        for connection in self._connections:
            connection.disconnected.disconnect(self._forget)
            connection.readyRead.disconnect(self._read)
            connection.abort()
        self._connections.clear()
        if self.server is not None:
            self.server.newConnection.disconnect(self._accept)
            self.server.close()
            self.server = None


def bring_to_front(window: QWidget) -> None:
    """Show a window hidden in the tray or minimised, and give it the focus."""
    window.show()
    state = window.windowState() & ~Qt.WindowState.WindowMinimized
    window.setWindowState(state | Qt.WindowState.WindowActive)
    window.raise_()
    window.activateWindow()
