"""The formula-injection guard for every file a spreadsheet may open (CSV, XLSX, CRM layouts).

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before looking for one) is run as a formula when the file is opened or
the cell is edited: ``=cmd|'/C calc'!A0`` starts a program through DDE, ``=HYPERLINK(...)`` leaks
data. The full-width forms (``＝ ＋ － ＠``, U+FF1D, U+FF0B, U+FF0D, U+FF20, what Japanese,
Chinese and Korean input methods type) and the small forms (U+FE66, U+FE62, U+FE63, U+FE6B)
count too: spreadsheets set up for those languages take them for the ASCII operators.

Where a spreadsheet reads the text itself, a CSV file, such text gets a leading apostrophe, as
OWASP recommends ("CSV Injection"): the spreadsheet shows it as text and the apostrophe tells a
reader it was altered. Phone numbers in a phone column are the one exception there, because
"+49 30 1234567" is the correct way to write them and a CRM importing "'+49 30 1234567" keeps
the apostrophe: a value made only of a leading ``+`` and digits, spaces and ``( ) - . /`` is
left as it is. Such text can at most be read as arithmetic by a spreadsheet; without letters,
quotes, ``!`` or ``|`` it can call no function, reference no cell or file and start no program.

An XLSX file says what each cell is: text written as a text cell is never evaluated, on opening
or otherwise, so the XLSX writer keeps such text unaltered (a score reason reads "+20 title
contains Director", not "'+20 …") and marks the cell with Excel's hidden quote prefix, so
editing it keeps it text (:func:`needs_quote_prefix`).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_OPERATORS = frozenset("=+-@" "\uff1d\uff0b\uff0d\uff20" "\ufe66\ufe62\ufe63\ufe6b")
RISKY_FIRST_CHARACTERS = FORMULA_OPERATORS | frozenset("\t\r")
PHONE_COLUMNS = frozenset({"phone", "phone_e164", "mobile", "mobile_e164"})
_PHONE = re.compile(r"\+[0-9][0-9 ()./-]*")
_MIN_PHONE_DIGITS = 5


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula."""
    return bool(text) and text[0] in RISKY_FIRST_CHARACTERS


def looks_like_phone(text: str) -> bool:
    """A phone number in international form: ``+``, digits and separators only."""
    return (_PHONE.fullmatch(text) is not None
            and sum(ch.isdigit() for ch in text) >= _MIN_PHONE_DIGITS)


def neutralise(text: str, *, phone: bool = False) -> str:
    """The text, with an apostrophe in front if a spreadsheet reading it could run it.

    ``phone`` marks a phone column: an international phone number there stays as it is.
    """
    if not is_risky(text) or (phone and looks_like_phone(text)):
        return text
    return "'" + text


def safe_value(value: Any, *, phone: bool = False) -> Any:
    """A CSV cell value with text neutralised; numbers, booleans and None pass unchanged."""
    return neutralise(value, phone=phone) if isinstance(value, str) else value


def needs_quote_prefix(value: Any) -> bool:
    """Whether an XLSX text cell needs Excel's quote prefix to stay text when edited."""
    return isinstance(value, str) and is_risky(value)
