"""Badge ids as printed versus as registered: vendor prefixes, zero padding and letter case.

BADGE-FORMATS.md §1.1: SpotMe badges print "SB" + the confirmation number the registration list
holds ("SBpax001" for "pax001"); Aptify pads a PersonID to six digits ("000012" for "12"); Code 39
only has capitals, so "pax001" scans as "SBPAX001". Matching undoes each of these, exact first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_VENDOR_PREFIX = re.compile(r"^[A-Za-z]{2}(?=[A-Za-z0-9_\-]*\d)")


def match_key(badge_id: str) -> str:
    """What two spellings of one badge id share: no leading zeros, no letter case."""
    text = badge_id.strip()
    unpadded = text.lstrip("0")
    return (unpadded or ("0" if text else "")).casefold()


def id_candidates(scanned: str) -> tuple[str, ...]:
    """The scanned id, then the same without a two-letter vendor prefix ("SBpax001" → "pax001")."""
    text = scanned.strip()
    if not text:
        return ()
    prefix = _VENDOR_PREFIX.match(text)
    return (text, text[2:]) if prefix and len(text) > 4 else (text,)


class RegistrationIndex:
    """The registered badge ids of one event, looked up the way a scan must be matched."""

    def __init__(self, registered: Iterable[str]) -> None:
        self._exact: dict[str, str] = {}
        self._loose: dict[str, str] = {}
        for badge_id in registered:
            self._exact.setdefault(badge_id, badge_id)
            self._loose.setdefault(match_key(badge_id), badge_id)

    def __len__(self) -> int:
        return len(self._exact)

    def find(self, scanned: str) -> str | None:
        """The registered id this scan stands for, or None."""
        candidates = id_candidates(scanned)
        for candidate in candidates:
            if candidate in self._exact:
                return self._exact[candidate]
        for candidate in candidates:
            found = self._loose.get(match_key(candidate))
            if found is not None:
                return found
        return None
