"""Home: what needs attention now, chosen by role. Each card opens the matching lead list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.domain.leads import LeadQuery, Rating
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.style import ALARM, SECONDARY, make_heading, set_tone
from app.ui.workers import JobState, Lane, TaskRunner


@dataclass(frozen=True)
class Card:
    title: str
    explanation: str
    query: LeadQuery
    alarming: bool = False  # red when not zero: orphans and overdue work


def cards_for(user: UserRecord | None, now: dt.datetime) -> list[Card]:
    """The cards a role sees first. Orphans and overdue work are never hidden from managers."""
    me = user.id if user else None
    today = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    role = user.role if user else Role.ADMIN
    # The board's orphans, counted the same way: its header and this card never disagree.
    unassigned = Card("Orphans", "Nobody can work them: no owner and no queue, or the owner "
                      "is away", LeadQuery(orphaned=True), alarming=True)
    overdue = Card("Overdue follow-ups", "Open leads whose next step is late",
                   LeadQuery(overdue=True, open_only=True), alarming=True)
    review = Card("Needs review", "Doubtful data kept for a person to check",
                  LeadQuery(needs_review=True))
    open_leads = Card("Open leads", "Everything still being worked", LeadQuery(open_only=True))
    hot = Card("Hot leads, open", "Rated hot and not closed",
               LeadQuery(ratings=(Rating.HOT,), open_only=True))
    if role is Role.BOOTH:
        return [Card("Captured by me today", "Leads you entered since midnight",
                     LeadQuery(captured_by_id=me, created_since=today.astimezone(dt.UTC))),
                Card("All captured today", "Everyone's leads since midnight",
                     LeadQuery(created_since=today.astimezone(dt.UTC))), review, open_leads]
    if role is Role.REP:
        return [Card("My overdue follow-ups", "Your leads whose next step is late",
                     LeadQuery(owner_id=me, overdue=True, open_only=True), alarming=True),
                Card("My open leads", "Leads you own that are still open",
                     LeadQuery(owner_id=me, open_only=True)),
                Card("My hot leads", "Rated hot, yours, still open",
                     LeadQuery(owner_id=me, ratings=(Rating.HOT,), open_only=True)), review]
    return [unassigned, overdue, hot, review, open_leads]


class CardButton(QFrame):
    """A focusable, clickable card: big number, title, one-line explanation."""

    clicked = Signal()

    def __init__(self, card: Card, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setObjectName("homeCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(card.title)
        self.setMinimumSize(240, 120)
        self.setToolTip(f"Open: {card.title} (Enter)")
        layout = QVBoxLayout(self)
        self.number = QLabel("–")
        font = self.number.font()
        font.setPointSize(26)
        font.setBold(True)
        self.number.setFont(font)
        title = make_heading(QLabel(card.title), 12)
        title.setWordWrap(True)
        explanation = QLabel(card.explanation)
        explanation.setWordWrap(True)
        set_tone(explanation, SECONDARY)
        for label in (self.number, title, explanation):
            layout.addWidget(label)
        layout.addStretch(1)

    def set_count(self, count: int) -> None:
        self.number.setText(f"{count:,}")
        set_tone(self.number, ALARM if self.card.alarming and count else None)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)


class HomePage(QWidget):
    def __init__(self, services: Services, runner: TaskRunner,
                 open_list: Callable[[LeadQuery], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.open_list = services, runner, open_list
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 24, 24, 24)
        self.greeting = make_heading(QLabel(), 18)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.layout_.addWidget(self.greeting)
        self.layout_.addWidget(self.subtitle)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.layout_.addSpacing(12)
        self.layout_.addLayout(self.grid)
        self.layout_.addStretch(1)
        self.buttons: list[CardButton] = []
        self._job: JobState | None = None

    def headline(self) -> tuple[str, str]:
        user = self.services.people.current_user()
        role = user.role.label if user else "Administrator"
        return (f"Hello, {user.name.split()[0]}" if user else "Hello",
                f"Signed in as {role}. Click a card to open those leads.")

    def cards(self) -> list[Card]:
        return cards_for(self.services.people.current_user(), self.services.context.clock())

    def refresh(self) -> None:
        """Rebuild the cards and count them off the GUI thread."""
        title, subtitle = self.headline()
        self.greeting.setText(title)
        self.subtitle.setText(subtitle)
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.buttons.clear()
        cards = self.cards()
        for i, card in enumerate(cards):
            button = CardButton(card)
            button.clicked.connect(lambda q=card.query: self.open_list(q))
            self.grid.addWidget(button, i // 3, i % 3)
            self.buttons.append(button)
        if self._job is not None:
            self._job.cancel()
        queries = [card.query for card in cards]
        shown = list(self.buttons)

        def count_all(state: JobState) -> list[int | None]:
            return [None if state.cancelled else self.services.leads.count(q) for q in queries]

        self._job = self.runner.start(count_all,
                                      on_done=lambda counts: self._show_counts(shown, counts),
                                      lane=Lane.READ, owner=self)

    def stop_background_work(self) -> None:
        """The window is closing: counts still on their way are dropped, not shown."""
        if self._job is not None:
            self._job.cancel()
        self._job = None
        self.buttons = []

    def _show_counts(self, buttons: list[CardButton], counts: list[int | None]) -> None:
        if not buttons or buttons != self.buttons:
            return  # cards were rebuilt (or the window closed) meanwhile
        for button, count in zip(buttons, counts, strict=True):
            if count is not None:
                button.set_count(count)
