"""Result types of the badge-scan layer and the per-event delimited layout setting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Lead field names a badge may fill (badge_id travels separately on BadgeData).
BADGE_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "title", "company", "email", "phone", "mobile", "website",
    "street", "postal_code", "city", "region", "country", "notes",
)

#: Column names a delimited layout may use: the lead fields, the badge id and "full_name"
#: (a "First Last" column that is split into first_name and last_name).
LAYOUT_FIELDS: frozenset[str] = frozenset(BADGE_FIELDS) | {"badge_id", "full_name"}


@dataclass(frozen=True)
class BadgeData:
    """What a badge scan said, as raw text per lead field (not yet normalised)."""

    format: str  # "vcard" | "mecard" | "json" | "url" | "delimited" | "id"
    badge_id: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


#: Why a contact card cut short is refused whole: half a card would save a wrong email or phone.
INCOMPLETE = ("Incomplete scan, scan again: this {what} badge was cut short (no {end}), so nothing "
              "was saved. Scan more slowly, or type the badge id.")


@dataclass(frozen=True)
class ScanRejected:
    """A scan that cannot become a lead, with a sentence saying what to do."""

    kind: str  # "empty" | "keyboard_layout" | "truncated" | "not_a_badge" | "unreadable"
    reason: str


_SEPARATOR_NAMES: dict[str, str] = {
    "TAB": "\t", "\\T": "\t", "GS": "\x1d", "<GS>": "\x1d", "\\X1D": "\x1d",
    "RS": "\x1e", "<RS>": "\x1e", "\\X1E": "\x1e", "SPACE": " ",
}
_SEPARATOR_WORDS: dict[str, str] = {"\t": "TAB", "\x1d": "GS", "\x1e": "RS", " ": "SPACE"}


@dataclass(frozen=True)
class DelimitedLayout:
    """How an event's delimited badges are laid out: a separator and the column meanings."""

    separator: str
    fields: tuple[str, ...]

    @classmethod
    def parse(cls, spec: str) -> DelimitedLayout:
        """Read "^ first_name,last_name,company,badge_id": separator, a space, column names.

        The separator may be one character or a word: TAB, GS, RS, SPACE. An empty column
        name ("^ ,badge_id") skips that column.
        """
        text = spec.strip("\r\n").lstrip(" ")
        sep_token, space, names_text = text.partition(" ")
        if not sep_token or not space:
            raise ValueError(
                f"'{spec}' is not a badge layout: write the separator, a space, then the column "
                "names, e.g. '^ first_name,last_name,company,badge_id'"
            )
        separator = _SEPARATOR_NAMES.get(sep_token.upper(), sep_token)
        if len(separator) > 3 or separator.isalnum():
            raise ValueError(
                f"'{sep_token}' cannot separate badge fields: use one punctuation character "
                "such as ^ | ; or one of TAB, GS, RS, SPACE"
            )
        names = tuple(name.strip() for name in names_text.split(","))
        unknown = [name for name in names if name and name not in LAYOUT_FIELDS]
        if unknown:
            raise ValueError(
                f"'{unknown[0]}' is not a field a badge can fill: use "
                + ", ".join(sorted(LAYOUT_FIELDS))
            )
        used = [name for name in names if name]
        if not used:
            raise ValueError(f"'{spec}' names no columns: list at least one field, e.g. badge_id")
        repeated = {name for name in used if used.count(name) > 1}
        if repeated:
            raise ValueError(f"'{sorted(repeated)[0]}' appears twice in the badge layout")
        if "full_name" in used and ({"first_name", "last_name"} & set(used)):
            raise ValueError("use either full_name or first_name/last_name in a badge layout")
        return cls(separator=separator, fields=names)

    def describe(self) -> str:
        """The spec text that parse() reads back into this layout."""
        sep = _SEPARATOR_WORDS.get(self.separator, self.separator)
        return f"{sep} {','.join(self.fields)}"
