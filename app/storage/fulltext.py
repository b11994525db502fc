"""SQLite FTS5 (trigram) index over lead names, company, email, phones and notes.

Contentless: the index holds only trigrams, keyed by ``lead.key``; triggers keep it in step
with the lead table in the same transaction as every write. A PostgreSQL server database uses a
pg_trgm GIN index over the same text instead (migration 0019), without touching services.
"""

from __future__ import annotations

import re

_COLUMNS = {
    "name": "{r}.first_name || ' ' || {r}.last_name",
    "company": "{r}.company",
    "email": "{r}.email",
    "phone": "{r}.phone || ' ' || {r}.phone_e164 || ' ' || {r}.mobile || ' ' || {r}.mobile_e164",
    "notes": "{r}.notes",
}
_WATCHED = (
    "first_name, last_name, company, email, phone, phone_e164, mobile, mobile_e164, notes"
)


def _values(row: str) -> str:
    return ", ".join(expr.format(r=row) for expr in _COLUMNS.values())


_NAMES = ", ".join(_COLUMNS)

CREATE_STATEMENTS: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE lead_search USING fts5({_NAMES}, content='', tokenize='trigram')",
    f"""CREATE TRIGGER lead_search_insert AFTER INSERT ON lead BEGIN
        INSERT INTO lead_search(rowid, {_NAMES}) VALUES (new.key, {_values('new')});
    END""",
    f"""CREATE TRIGGER lead_search_delete AFTER DELETE ON lead BEGIN
        INSERT INTO lead_search(lead_search, rowid, {_NAMES})
        VALUES ('delete', old.key, {_values('old')});
    END""",
    f"""CREATE TRIGGER lead_search_update AFTER UPDATE OF {_WATCHED} ON lead BEGIN
        INSERT INTO lead_search(lead_search, rowid, {_NAMES})
        VALUES ('delete', old.key, {_values('old')});
        INSERT INTO lead_search(rowid, {_NAMES}) VALUES (new.key, {_values('new')});
    END""",
)
# The whole index at once from the lead table (a bulk load, with the triggers dropped meanwhile).
FILL_STATEMENT = f"INSERT INTO lead_search(rowid, {_NAMES}) SELECT key, {_values('lead')} FROM lead"
DROP_STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS lead_search_update",
    "DROP TRIGGER IF EXISTS lead_search_delete",
    "DROP TRIGGER IF EXISTS lead_search_insert",
    "DROP TABLE IF EXISTS lead_search",
)
# Tables the FTS5 module creates for itself; schema comparison must ignore them.
SHADOW_TABLES = frozenset(
    {"lead_search", "lead_search_data", "lead_search_idx", "lead_search_docsize",
     "lead_search_config", "lead_search_content"}
)

# PostgreSQL (team server): a GIN trigram index over the same text, one lowercased expression
# (every column is NOT NULL, so || never turns the whole text NULL).
POSTGRESQL_INDEX = "ix_lead_search_trigram"
POSTGRESQL_SEARCH_TEXT = (
    "lower(first_name || ' ' || last_name || ' ' || company || ' ' || email || ' ' || phone"
    " || ' ' || phone_e164 || ' ' || mobile || ' ' || mobile_e164 || ' ' || notes)"
)
POSTGRESQL_CREATE_STATEMENTS: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX {POSTGRESQL_INDEX} ON lead USING gin (({POSTGRESQL_SEARCH_TEXT}) gin_trgm_ops)",
)
POSTGRESQL_DROP_STATEMENTS: tuple[str, ...] = (f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}",)

MIN_TRIGRAM = 3
_PHONEISH = re.compile(r"^[+\d][\d\s()./-]*$")


def search_alternatives(text: str) -> list[list[str]] | None:
    """What a person typed as alternatives, each a list of texts that must all occur somewhere
    (substring, any column, any case); None if it is too short for trigrams.

    Every word must occur; if a word is shorter than a trigram the whole text is one phrase
    instead. Phone-like input is also tried without separators and a leading trunk zero, so
    "030 1234" finds "+49301234…".
    """
    text = text.strip()
    if _PHONEISH.match(text) and sum(c.isdigit() for c in text) >= MIN_TRIGRAM:
        digits = "".join(c for c in text if c.isdigit()).lstrip("0")
        if len(digits) >= MIN_TRIGRAM:
            return [[text], [digits]]
        return [[text]]
    words = text.split()
    if all(len(w) >= MIN_TRIGRAM for w in words):
        return [words]  # any order: "müller anna" finds Anna
    if len(text) >= MIN_TRIGRAM:
        return [[text]]  # a short word in it: keep the phrase, e.g. "Hall 4"
    return None


def match_expression(text: str) -> str | None:
    """Turn what a person typed into an FTS5 query, or None if it is too short for trigrams."""
    alternatives = search_alternatives(text)
    if alternatives is None:
        return None
    return " OR ".join(" AND ".join(_quote(part) for part in alternative)
                       for alternative in alternatives)


def escape_like(text: str) -> str:
    """``text`` matched literally by LIKE with ``\\`` as the escape (``%`` and ``_`` too)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(part: str) -> str:
    """``%part%`` for LIKE with ``\\`` as the escape, lowercased as the server's index is."""
    return f"%{escape_like(part.lower())}%"


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'
