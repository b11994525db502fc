"""A tolerant vCard 2.1 / 3.0 / 4.0 reader for badge scans (damaged line breaks included)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from .model import INCOMPLETE, BadgeData, ScanRejected
from .text import build, is_usable, split_full_name, split_unescaped, unescape

_KNOWN_PROPS = (
    "BEGIN|END|VERSION|N|FN|ORG|TITLE|ROLE|TEL|EMAIL|ADR|LABEL|URL|NOTE|UID|PHOTO|LOGO|REV|PRODID|"
    "NICKNAME|BDAY|CATEGORIES|KIND|LANG|GENDER|SOURCE|GEO|TZ|IMPP|X-[A-Z0-9-]+"
)
# Where a scanner turned line breaks into spaces, a new property starts at "<space>NAME;" or "NAME:".
_SPACE_SPLIT = re.compile(rf"\s+(?=(?:item\d+\.)?(?:{_KNOWN_PROPS})[;:])", re.IGNORECASE)
_QP_BYTE = re.compile(r"=([0-9A-Fa-f]{2})")
_BADGE_ID_PROP = re.compile(
    r"^X-.*(BADGE|REG(ISTRATION)?-?(ID|NO|NUMBER)|ATTENDEE|REFERENCE|BARCODE|SCAN-?ID|TICKET)"
)


@dataclass
class _Prop:
    name: str
    value: str
    types: set[str] = field(default_factory=set)


def _physical_lines(text: str) -> list[str]:
    if "\n" not in text:
        text = text.replace("\t", "\n") if "\t" in text else _SPACE_SPLIT.sub("\n", text)
    return text.split("\n")


def _is_qp(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _logical_lines(text: str) -> tuple[list[str], bool]:
    """Unfolded lines, QP soft breaks joined; the flag says a soft break was left hanging."""
    out: list[str] = []
    pending_soft_break = False
    for raw in _physical_lines(text):
        if pending_soft_break and out:
            out[-1] = out[-1].rstrip()[:-1] + raw
        elif raw[:1] in (" ", "\t") and out:
            out[-1] += raw[1:]
        else:
            out.append(raw)
        pending_soft_break = _is_qp(out[-1]) and out[-1].rstrip().endswith("=")
    return out, pending_soft_break


def _split_head(line: str) -> tuple[str, str] | None:
    in_quotes = False
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return line[:index], line[index + 1:]
    return None


def _decode_qp(value: str, charset: str) -> str:
    data = bytearray()
    last = 0
    for match in _QP_BYTE.finditer(value):
        data += value[last:match.start()].encode("utf-8")
        data.append(int(match.group(1), 16))
        last = match.end()
    data += value[last:].encode("utf-8")
    try:
        codec = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        codec = "utf-8"
    for candidate in (codec, "utf-8"):
        try:
            return bytes(data).decode(candidate)
        except UnicodeDecodeError:
            continue
    return bytes(data).decode("cp1252", errors="replace")


def _parse_prop(line: str) -> _Prop | None:
    split = _split_head(line)
    if split is None:
        return None
    head, value = split
    parts = head.split(";")
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    types: set[str] = set()
    encoding = charset = ""
    for param in parts[1:]:
        key, eq, raw = param.partition("=")
        key = key.strip().upper()
        raw = raw.strip().strip('"')
        if not eq:
            if key in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"):
                encoding = key
            else:
                types.add(key)
        elif key == "ENCODING":
            encoding = raw.upper()
        elif key == "CHARSET":
            charset = raw
        elif key == "TYPE":
            types.update(token.strip().upper() for token in raw.split(","))
        elif key == "PREF":
            types.add("PREF")
        elif key == "VALUE" and raw.lower() == "uri":
            types.add("URI")
    if encoding == "QUOTED-PRINTABLE":
        value = _decode_qp(value, charset)
    elif encoding in ("BASE64", "B"):
        value = ""
    return _Prop(name=name, value=value, types=types)


def _first(props: list[_Prop], name: str, prefer: tuple[str, ...] = ("PREF",)) -> _Prop | None:
    matching = [prop for prop in props if prop.name == name and prop.value.strip()]
    for wanted in prefer:
        for prop in matching:
            if wanted in prop.types:
                return prop
    return matching[0] if matching else None


def _tel_text(prop: _Prop) -> str:
    value = unescape(prop.value).strip()
    if value.lower().startswith("tel:"):
        number, _, params = value[4:].partition(";")
        ext = re.search(r"(?:^|;)ext=([^;]+)", params)
        value = number + (f" ext. {ext.group(1)}" if ext else "")
    return value


def _phones(props: list[_Prop]) -> dict[str, str]:
    tels = [p for p in props if p.name == "TEL" and p.value.strip() and not ({"FAX", "PAGER"} & p.types)]
    cells = [p for p in tels if "CELL" in p.types]
    others = [p for p in tels if "CELL" not in p.types]
    out: dict[str, str] = {}
    cell = next((p for p in cells if "PREF" in p.types), cells[0] if cells else None)
    if cell:
        out["mobile"] = _tel_text(cell)
    for wanted in ("PREF", "WORK", "VOICE", ""):
        best = next((p for p in others if not wanted or wanted in p.types), None)
        if best:
            out["phone"] = _tel_text(best)
            break
    return out


def _badge_id(props: list[_Prop]) -> str:
    for prop in props:
        if _BADGE_ID_PROP.match(prop.name) and prop.value.strip():
            return unescape(prop.value).strip()
    uid = _first(props, "UID")
    if uid:
        value = unescape(uid.value).strip()
        return re.sub(r"^urn:uuid:", "", value, flags=re.IGNORECASE)
    return ""


def _components(prop: _Prop | None, size: int) -> list[str]:
    if prop is None:
        return [""] * size
    parts = [unescape(p).strip() for p in split_unescaped(prop.value, ";")]
    return (parts + [""] * size)[:size]


def parse_vcard(text: str) -> BadgeData | ScanRejected:
    """Read the first vCard in ``text`` (which starts with BEGIN:VCARD)."""
    lines, hanging = _logical_lines(text)
    props: list[_Prop] = []
    ended = False
    for line in lines[1:]:
        if re.fullmatch(r"\s*END\s*:\s*VCARD\s*", line, re.IGNORECASE):
            ended = True
            break
        prop = _parse_prop(line)
        if prop is not None:
            props.append(prop)
    if not ended or hanging:
        return ScanRejected("truncated", INCOMPLETE.format(what="vCard", end="END:VCARD"))
    fields: dict[str, str] = {}
    family, given = _components(_first(props, "N"), 2)
    formatted = _first(props, "FN")
    if not (family or given) and formatted:
        given, family = split_full_name(unescape(formatted.value))
    fields["first_name"], fields["last_name"] = given, family
    fields["company"] = _components(_first(props, "ORG"), 1)[0]
    title = _first(props, "TITLE") or _first(props, "ROLE")
    fields["title"] = unescape(title.value) if title else ""
    email = _first(props, "EMAIL", ("PREF", "WORK", "INTERNET"))
    if email:
        fields["email"] = re.sub(r"^mailto:", "", unescape(email.value).strip(), flags=re.IGNORECASE)
    fields.update(_phones(props))
    url = _first(props, "URL", ("PREF", "WORK"))
    fields["website"] = unescape(url.value) if url else ""
    note = _first(props, "NOTE")
    fields["notes"] = unescape(note.value) if note else ""
    _po, extended, street, city, region, postal, country = _components(
        _first(props, "ADR", ("PREF", "WORK")), 7
    )
    fields["street"] = ", ".join(
        part for part in (extended, street.replace("\n", ", ")) if part
    )
    fields.update(city=city, region=region, postal_code=postal, country=country)
    data = build("vcard", _badge_id(props), fields)
    if not is_usable(data):
        return ScanRejected(
            "truncated",
            "This vCard scan has no name, email, phone, company or badge id: scan the badge "
            "again or type the badge id.",
        )
    return data
