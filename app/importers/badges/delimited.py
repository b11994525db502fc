"""Badges whose payload is a list of fields joined by a separator (BADGE-FORMATS.md §1.4).

With the event's layout the columns are known. Without one, each token is read by what it is:
a registered badge id (the event's registration list), an email, a phone number, a country or
an id; the text nobody can place is kept in the notes, never dropped. Keyboard wedges damage
separators: GS/RS may be lost (the fields run together) and a punctuation separator may come
out as another key on a different keyboard layout (US '^' is '&' on German QWERTZ).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.domain.contact_data import normalise_country

from .keyboard import LAYOUT_TABLES
from .model import BadgeData, DelimitedLayout
from .text import build, looks_like_id, split_full_name

#: Separators that mark a payload as delimited when no layout is configured.
COMMON_SEPARATORS = ("^", "|", "\x1d", "\x1e", "\t", ";")
#: Looks a scanned token up in the event's registration list: the registered id, or None.
RegisteredId = Callable[[str], "str | None"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^(?:\+|00)?[\d\s().\-/]{6,}$")
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{3,}(?![0-9])")


def _international_number(token: str) -> bool:
    """'0049170…' dialled from abroad, not a zero-padded badge id like '0042817'."""
    return token.startswith("00") and token.isdigit() and len(token) >= 11


def _separator_variants(separator: str) -> list[str]:
    """The separator, then what it becomes when the scanner's keyboard layout is not the PC's."""
    variants = [separator]
    for _name, table in LAYOUT_TABLES:
        typed = table.get(separator)
        if typed and not typed.isalnum() and typed not in variants:
            variants.append(typed)
    return variants


def parse_delimited(text: str, layout: DelimitedLayout,
                    registered: RegisteredId | None = None) -> BadgeData | None:
    """The badge when ``text`` splits into exactly the layout's columns, else None.

    One empty trailing column (a separator at the end) is tolerated. With a GS layout, RS also
    separates, since wedges and printers mix them up.
    """
    payload = text.replace("\n", "") if layout.separator not in "\n" else text
    if layout.separator == "\x1d":
        payload = payload.replace("\x1e", "\x1d")
    for separator in _separator_variants(layout.separator):
        data = _by_layout(payload, layout, separator)
        if data is not None:
            if separator != layout.separator:
                shown = {"\x1d": "GS", "\x1e": "RS", "\t": "TAB"}.get(layout.separator,
                                                                       layout.separator)
                note = (f"the scanner typed '{separator}' for the layout's separator '{shown}' "
                        "(its keyboard layout differs from this computer's)")
                data = build(data.format, data.badge_id, data.fields, (*data.warnings, note))
            return data
    if len(layout.fields) > 1 and not any(s in payload for s in COMMON_SEPARATORS):
        return run_together(payload, registered, registered_only=looks_like_id(payload))
    return None


def _by_layout(payload: str, layout: DelimitedLayout, separator: str) -> BadgeData | None:
    if len(layout.fields) > 1 and separator not in payload:
        return None
    parts = payload.split(separator)
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


def run_together(payload: str, registered: RegisteredId | None, *,
                 registered_only: bool = False) -> BadgeData | None:
    """Fields whose separators the wedge dropped: find the badge id inside the run of text.

    Only an id the registration list knows is taken from the middle; without the list (and
    unless ``registered_only``), a number at the very start or end, where layouts put the id,
    is taken, with a warning.
    """
    runs = [match.group() for match in _DIGIT_RUN.finditer(payload)]
    badge_id = ""
    if registered is not None:
        badge_id = next((run for run in runs if registered(run)), "")
    if not badge_id and not registered_only and runs \
            and (payload.startswith(runs[0]) or payload.endswith(runs[-1])):
        badge_id = runs[0] if payload.startswith(runs[0]) else runs[-1]
    if not badge_id:
        return None
    rest = payload.replace(badge_id, " ", 1) if badge_id in payload else payload
    note = ("the scanner dropped the separators between the badge's fields: check the details "
            "or set the scanner to send GS")
    return build("delimited", badge_id, {"notes": f"Badge text: {' '.join(rest.split())}"},
                 (note,))


def split_tokens(text: str) -> tuple[str, list[str]] | None:
    """The separator found and the tokens, for a payload with one of the common separators."""
    payload = text.replace("\x1e", "\x1d")
    for separator in COMMON_SEPARATORS:
        if separator in payload:
            return separator, [token.strip() for token in payload.split(separator)]
    return None


def _country(token: str) -> str:
    """The token as a country code when it clearly names one ("DE", "U.S.A.", "Deutschland").

    Two- and three-letter tokens count only in capitals: "Li" is a name, "LI" Liechtenstein.
    """
    bare = token.replace(".", "").strip()
    words = bare.replace("-", " ").split()
    if len(bare) <= 3 and not (bare.isalpha() and bare.isupper()):
        return ""
    if not words or not all(word.isalpha() for word in words):
        return ""
    try:
        return normalise_country(token)
    except ValueError:
        return ""


def parse_by_shape(text: str, registered: RegisteredId | None = None) -> BadgeData | None:
    """Read a delimited payload without a layout, token by token; None when nothing fits.

    A token the registration list knows is the badge id; then emails, phones and countries by
    their shape; a lone token of letters and digits is the id when the list is not there.
    Everything else is kept verbatim in the notes with a warning to set the event's layout.
    """
    split = split_tokens(text)
    if split is None:
        return None
    _separator, tokens = split
    tokens = [token for token in tokens if token]
    fields: dict[str, str] = {}
    badge_id = ""
    unplaced: list[str] = []
    id_like: list[str] = []
    for token in tokens:
        found = registered(token) if registered is not None and not badge_id else None
        if found:
            badge_id = token
        elif _EMAIL.match(token) and "email" not in fields:
            fields["email"] = token
        elif looks_like_id(token) and any(c.isdigit() for c in token) \
                and not _international_number(token):
            id_like.append(token)
        elif _PHONE.match(token) and sum(c.isdigit() for c in token) >= 7 and "phone" not in fields:
            fields["phone"] = token
        elif (country := _country(token)) and "country" not in fields:
            fields["country"] = country
            if len(token) > 3:
                unplaced.append(token)  # "Jordan" may be a first name: keep the words too
        else:
            unplaced.append(token)
    if not badge_id and id_like:
        badge_id = id_like.pop(0)
    unplaced += id_like
    warnings: list[str] = []
    if unplaced:
        fields["notes"] = "Badge text: " + " · ".join(unplaced)
        warnings.append("the event has no badge layout, so names and company on this badge were "
                        "kept in the notes: set the layout (events layout) to read them")
    if not (badge_id or "email" in fields or "phone" in fields):
        return None
    return build("delimited", badge_id, fields, warnings)
