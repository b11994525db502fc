"""Reading a scan is a lookup: it must not wait for the write turn held by an import or a sync."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from app.services.container import Services

pytestmark = pytest.mark.both_databases

VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna;;;\r\nFN:Anna Müller\r\n"
         "EMAIL:anna@acme.de\r\nUID:B-1001\r\nEND:VCARD\r\n")


def test_reading_a_new_scan_takes_no_write_turn(services: Services,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    event_id = services.events.add("Hannover Messe 2026", country="DE").id
    turns: list[str] = []

    @contextlib.contextmanager
    def counted_turn() -> Iterator[None]:
        turns.append("write")
        yield

    monkeypatch.setattr(services.booth.db, "writing", counted_turn)
    reading = services.booth.read_scan(event_id, VCARD)
    assert reading.status == "new" and reading.fields["email"] == "anna@acme.de"
    assert turns == []
    services.booth.read_scan(event_id, "")  # a refused scan is logged: that one write is wanted
    assert turns == ["write"]
