"""Personal data kept out of logs and crash reports: e-mail addresses, phone numbers, quoted
values (names, companies and notes reach error messages quoted) and SQL parameters.

Log lines and crash reports leave the laptop (sent to whoever looks after Leadline, attached to
a ticket), so they say what happened and where in the code, never to whom. Code logs ids, not
names; this is the net under that rule for what exception messages carry.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Seven or more digits, optionally led by + or (, with the separators people type between them.
_PHONE = re.compile(r"(?<![\w.:/-])(?:\+|\(\+?)?\d(?:[ ()./-]{0,2}\d){6,}(?![\w:])")
# What is not a phone number although it looks like one: dates, times, clock stamps, versions.
_NOT_A_PHONE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}:\d{2}|^\d+\.\d+\.\d+$")
# 'Müller GmbH', "Dear Ms Smith", 'Weber', "O'Brien" (a repr or a message quoting a value; an
# apostrophe between letters belongs to the name); not the path a traceback's File line names,
# nor the code's own quoted identifiers (KeyError: 'status', 'lead.owner_id'), which start
# with a small letter or an underscore. A capitalised single word may be a surname: redacted.
_QUOTED = re.compile(
    r"""(?<!\w)(?P<q>['"“‘])(?P<text>(?:[^'"”’\n]|(?<=\w)['’](?=\w))*?)(?:['"”’])(?!\w)""")
_IDENTIFIER = re.compile(r"^[a-z_][\w.]*$")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background|$))", re.S | re.M)
_TRACEBACK_FILE_LINE = re.compile(r'^\s*File "')


def redact(text: str) -> str:
    """``text`` with personal values replaced by ``[redacted]``, line structure kept."""
    text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    lines = text.split("\n")
    # A traceback's File line and the line of source under it are code, not data.
    return "\n".join(
        line if _TRACEBACK_FILE_LINE.match(line)
        or (index and _TRACEBACK_FILE_LINE.match(lines[index - 1])) else _redact_line(line)
        for index, line in enumerate(lines))


def _redact_line(line: str) -> str:
    line = _EMAIL.sub(REDACTED, line)
    line = _PHONE.sub(_phone_or_not, line)
    return _QUOTED.sub(_quoted_or_not, line)


def _phone_or_not(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if _NOT_A_PHONE.match(found) else REDACTED


def _quoted_or_not(match: re.Match[str]) -> str:
    text = match.group("text")
    if not text or _IDENTIFIER.match(text) or text == REDACTED:
        return match.group(0)
    return f"{match.group('q')}{REDACTED}{match.group('q')}"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the message and any traceback (not the time stamp)."""

    def format(self, record: logging.LogRecord) -> str:
        original = (record.msg, record.args, record.exc_text)
        try:
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            return super().format(record)
        finally:
            record.msg, record.args, record.exc_text = original
