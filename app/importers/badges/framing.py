"""Remove what scanners wrap around a payload: BOM, STX/ETX, AIM ids, Code 39 stars, terminators."""

from __future__ import annotations

import re

_BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")  # a BOM, and a BOM read as cp1252 ("ï»¿")
# Control characters that only ever frame a payload (STX, ETX, EOT, BEL as a Ctrl-G prefix, ...),
# plus whitespace terminators. GS (0x1D) and RS (0x1E) are kept inside: they separate fields.
_EDGE = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17" \
    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\r\n\t \u00a0"
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# How hosts render GS/RS when a wedge sends them as Alt+029 / Ctrl+] instead of a control code.
_GS_RENDERINGS = re.compile(r"<GS>|\[GS\]|\{GS\}|Alt\+0?029|\^\]", re.IGNORECASE)
_RS_RENDERINGS = re.compile(r"<RS>|\[RS\]|\{RS\}|Alt\+0?030", re.IGNORECASE)
_INNER_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1c\x1f\x7f]")


def strip_framing(raw: str) -> str:
    """The payload without framing; line breaks and GS/RS inside are kept (CR/CRLF become LF)."""
    text = raw
    for _ in range(3):  # framing can nest (STX + AIM id + BOM), so peel a few times
        before = text
        text = text.strip(_EDGE)
        for bom in _BOMS:
            if text.startswith(bom):
                text = text[len(bom):]
        text = text.replace("\ufeff", "")
        if _AIM.match(text):
            text = text[3:]
        if len(text) > 2 and text.startswith("*") and text.endswith("*"):
            text = text[1:-1]
        if text == before:
            break
    text = _GS_RENDERINGS.sub("\x1d", text)
    text = _RS_RENDERINGS.sub("\x1e", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INNER_JUNK.sub("", text)


def preview(text: str, limit: int = 30) -> str:
    """The first characters of a payload with control characters made visible, for messages."""
    shown = []
    for char in text[:limit]:
        if char == "\n":
            shown.append("⏎")
        elif char == "\t":
            shown.append("⇥")
        elif char == "\x1d":
            shown.append("<GS>")
        elif char == "\x1e":
            shown.append("<RS>")
        elif ord(char) < 32 or ord(char) == 127:
            shown.append(f"<{ord(char):02X}>")
        else:
            shown.append(char)
    return "".join(shown) + ("…" if len(text) > limit else "")
