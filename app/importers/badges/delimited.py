"""Badges whose payload is a list of fields joined by a separator, read with the event's layout."""

from __future__ import annotations

from .model import BadgeData, DelimitedLayout
from .text import build, split_full_name

#: Separators that mark a payload as delimited when no layout is configured.
COMMON_SEPARATORS = ("^", "|", "\x1d", "\x1e", "\t")


def parse_delimited(text: str, layout: DelimitedLayout) -> BadgeData | None:
    """The badge when ``text`` splits into exactly the layout's columns, else None.

    One empty trailing column (a separator at the end) is tolerated. With a GS layout, RS also
    separates, since wedges and printers mix them up.
    """
    payload = text.replace("\n", "") if layout.separator not in "\n" else text
    if layout.separator == "\x1d":
        payload = payload.replace("\x1e", "\x1d")
    if len(layout.fields) > 1 and layout.separator not in payload:
        return None
    parts = payload.split(layout.separator)
    if len(parts) == len(layout.fields) + 1 and not parts[-1].strip():
        parts = parts[:-1]
    if len(parts) != len(layout.fields):
        return None
    fields: dict[str, str] = {}
    badge_id = ""
    for name, value in zip(layout.fields, parts, strict=True):
        value = value.strip()
        if not name or not value:
            continue
        if name == "badge_id":
            badge_id = value
        elif name == "full_name":
            fields["first_name"], fields["last_name"] = split_full_name(value)
        else:
            fields[name] = value
    data = build("delimited", badge_id, fields)
    return data if (data.badge_id or data.fields) else None
