"""Whether a keyboard-wedge burst already holds a whole badge, so the scan can end at once.

Scanners end with Enter, but a vCard carries an Enter on every line, so Enter alone cannot end
a scan. Waiting for silence is always correct but costs ~100 ms; these checks end it sooner.
"""

from __future__ import annotations

import json

_TERMINATORS = ("\r", "\n", "\t")


def payload_complete(typed: str, min_length: int = 4) -> bool:
    """True when ``typed`` (ending in a terminator key) cannot be the start of something longer.

    Shorter than ``min_length`` is never complete: "A" then Tab may be the first column of a
    tab-separated badge.
    """
    if not typed or typed[-1] not in _TERMINATORS:
        return False
    body = typed.rstrip("\r\n\t").lstrip("\ufeff")
    if len(body) < min_length:
        return False
    upper = body.upper()
    if "BEGIN:VCARD" in upper:
        return upper.rstrip().endswith("END:VCARD")
    if upper.startswith("MECARD:"):
        return body.endswith(";;")
    if body.startswith(("{", "[")):
        try:
            json.loads(body)
        except ValueError:
            return False
        return True
    # One line and no line break inside: an id, a URL or a delimited string is whole.
    return bool(body) and not any(t in body for t in _TERMINATORS)
