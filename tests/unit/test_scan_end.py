"""When a keyboard-wedge burst already holds a whole badge."""

from __future__ import annotations

import pytest

from app.importers.scan_end import payload_complete


@pytest.mark.parametrize(("typed", "complete"), [
    ("000123\r", True),
    ("SBpax001\t", True),
    ("000123", False),  # no terminator yet
    ("A\t", False),  # too short: maybe the first column of a tab-separated badge
    ("BEGIN:VCARD\r", False),
    ("BEGIN:VCARD\rN:Weber;Jonas\rEND:VCARD\r", True),
    ("\ufeffBEGIN:VCARD\r\nEND:VCARD\r\n", True),
    ("MECARD:N:Weber,Jonas;\r", False),
    ("MECARD:N:Weber,Jonas;;\r", True),
    ('{"id": "B-1"\r', False),
    ('{"id": "B-1"}\r', True),
    ("Anna\tMüller\t2427\r", False),  # a delimited line waits for silence
    ("https://badge.example/p/ABC123\r", True),
])
def test_payload_complete(typed: str, complete: bool) -> None:
    assert payload_complete(typed) is complete
