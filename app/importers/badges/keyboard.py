"""Recognise scans typed through the wrong keyboard layout (the scanner sends key positions).

A scanner set to US English sends the key *positions* of a US keyboard. On a German QWERTZ
layout ':' (Shift + the US ';' key) arrives as 'Ö', '@' as '"' and '/' as '-'; Y and Z swap,
although that never shows in "BEGIN:VCARD" (no Y or Z), so the colon is the tell. On French
AZERTY the unshifted digit row gives '&é"'(-è_çà' instead of 1234567890 and A/Q, Z/W swap.
On a UK layout '@' and '"' trade places.
"""

from __future__ import annotations

import re

from .text import looks_like_id

# What each US character turns into on another layout (only characters that differ).
_TO_DE = dict(zip('yzYZ:;/?-_@"\'[]{}\\&*()^<>#=+', 'zyZYÖö-_ß?"ÄäüÜ+*#/()=&;:§´`', strict=True))
_TO_FR = dict(zip("aqzwAQZWmM:;,./!@#-_'\"1234567890",
                  "qawzQAWZ,?Mm;:!123)°ù%&é\"'(-è_çà",
                  strict=True))
_TO_UK = {"@": '"', '"': "@", "#": "£", "\\": "#", "|": "~", "~": "¬"}
_LAYOUTS = (("German (QWERTZ)", _TO_DE), ("French (AZERTY)", _TO_FR), ("UK", _TO_UK))
#: (layout name, what each US character turns into) for the layouts scans arrive garbled from.
LAYOUT_TABLES: tuple[tuple[str, dict[str, str]], ...] = _LAYOUTS
_SIGNATURE_PREFIXES = ("BEGIN:VCARD", "MECARD:", "https://", "http://", "URLTO:", "WIFI:", '{"')
_AZERTY_DIGITS = "&é\"'(-è_çà"
_EMAIL_WITHOUT_AT = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+\"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
)


def _translate(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(char, char) for char in text)


def _reason(seen: str, meant: str) -> str:
    return (
        f"This scan looks typed with a different keyboard layout ({seen} instead of {meant}): "
        "set the scanner to the computer's layout, or type the badge id."
    )


def layout_mismatch(text: str) -> str | None:
    """A sentence explaining the mismatch, or None when the text looks right."""
    upper = text.upper()
    for _name, table in _LAYOUTS:
        for prefix in _SIGNATURE_PREFIXES:
            garbled = _translate(prefix, table)
            if garbled != prefix and upper.startswith(garbled.upper()) \
                    and not upper.startswith(prefix.upper()):
                return _reason(text[: len(garbled)], prefix)
    if re.match(r"MECARD[^:]", upper):
        return _reason(text[:7], "MECARD:")
    if re.match(r"BEGIN[^:]?V?C[AQ]RD", upper) and not upper.startswith("BEGIN:"):
        return _reason(text[:11], "BEGIN:VCARD")
    if not any(char.isdigit() for char in text):
        decoded = "".join(
            str((_AZERTY_DIGITS.index(c) + 1) % 10) if c in _AZERTY_DIGITS else c for c in text.strip()
        )
        typed = [c for c in text if c in _AZERTY_DIGITS]
        if len(typed) >= 3 and any(c in "é&èçà" for c in typed) and looks_like_id(decoded):
            return _reason(text.strip(), decoded)
    if "@" not in text:
        match = _EMAIL_WITHOUT_AT.search(text)
        if match:
            return _reason(match.group(), "an email address with @")
    return None
