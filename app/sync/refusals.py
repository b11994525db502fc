"""Notes that a laptop was refused for its team passphrase (issue 17, SYNC.md decision 5).

A laptop whose passphrase reads none of the folder's files writes nothing of its own into the
folder: no change set, no snapshot, no state file (one would hold back compaction for 60 days).
It leaves only ``passphrase-refused-<device>.txt``, so the laptops that can read the folder are
told that someone fails to join. The note is plain text on purpose and carries no data: no
lead, no name, no key id or salt (either would let someone test guesses of the passphrase
typed), only that a refusal happened and when. Its owner rewrites it on every refused sync and
deletes it at its first sync that is not refused; the folder's upkeep deletes notes older than
``REFUSAL_KEPT_MS`` (compaction's rules never apply to them: they are neither change files nor
state files). A hostile or damaged note can only cause (or hide) that one warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.sync.changeset import CHANGESET_ID_RE
from app.sync.publish import replace_in_folder

REFUSAL_PREFIX = "passphrase-refused-"
REFUSAL_SUFFIX = ".txt"
REFUSAL_MAGIC = "leadline-passphrase-refused"
# Long enough for every laptop of the team to see it, short enough not to nag for ever.
REFUSAL_KEPT_MS = 14 * 24 * 60 * 60 * 1000
# A note is a few hundred bytes; anything bigger is not one of ours and is not read.
_MAX_NOTE_BYTES = 4096
# The last millisecond a datetime can hold (9999-12-31): later times are not a real clock's.
_LATEST_MS = 253_402_300_799_999
_EXPLANATION = ("A Leadline laptop tried to sync with this folder using another team "
                "passphrase (or none), so it read and wrote nothing. Give it the team's "
                "passphrase in File > Sync settings. This note holds no data.")


@dataclass(frozen=True, slots=True)
class Refusal:
    device: str
    written_ms: int
    path: Path

    @property
    def written(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.written_ms / 1000, tz=dt.UTC)


def refusal_path(folder: Path, device: str) -> Path:
    return folder / f"{REFUSAL_PREFIX}{device}{REFUSAL_SUFFIX}"


def write_refusal(folder: Path, device: str, now_ms: int) -> Path:
    """(Re)write this laptop's note atomically (temp file, fsync, replace)."""
    if not CHANGESET_ID_RE.match(device):
        raise ValueError("device ids must be lower-case alnum")
    text = json.dumps({"magic": REFUSAL_MAGIC, "device": device, "written_ms": int(now_ms),
                       "explanation": _EXPLANATION}, indent=1) + "\n"
    return replace_in_folder(refusal_path(folder, device), text.encode("utf-8"))


def remove_refusal(folder: Path, device: str) -> None:
    """This laptop syncs now: its note goes (already gone, or not removable now: no matter)."""
    with contextlib.suppress(OSError):
        refusal_path(folder, device).unlink()


def read_refusals(folder: Path) -> list[Refusal]:
    """Every valid note in ``folder``, oldest first; cloud copies of a note ("… (1).txt") and
    anything that does not parse are passed over."""
    found: list[Refusal] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        if not (name.startswith(REFUSAL_PREFIX) and name.endswith(REFUSAL_SUFFIX)):
            continue
        device = name[len(REFUSAL_PREFIX):-len(REFUSAL_SUFFIX)]
        if not CHANGESET_ID_RE.match(device):
            continue
        try:
            if not entry.is_file() or entry.stat().st_size > _MAX_NOTE_BYTES:
                continue
            doc = json.loads(Path(entry.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or doc.get("magic") != REFUSAL_MAGIC \
                or doc.get("device") != device:
            continue
        written = doc.get("written_ms")
        if not isinstance(written, int) or isinstance(written, bool) \
                or not 0 <= written <= _LATEST_MS:
            continue
        found.append(Refusal(device, written, Path(entry.path)))
    return sorted(found, key=lambda r: (r.written_ms, r.device))


def recent_refusals(folder: Path, now_ms: int, *, own_device: str = "") -> list[Refusal]:
    """The notes of other laptops written within ``REFUSAL_KEPT_MS`` (a note from a clock far
    ahead counts as recent)."""
    return [r for r in read_refusals(folder)
            if r.device != own_device and now_ms - r.written_ms <= REFUSAL_KEPT_MS]


def remove_stale_refusals(folder: Path, now_ms: int) -> int:
    """Delete the notes older than ``REFUSAL_KEPT_MS`` (part of the folder's upkeep; a note is
    no data, so unlike change files it needs no snapshot or acknowledgement first)."""
    removed = 0
    for refusal in read_refusals(folder):
        if now_ms - refusal.written_ms > REFUSAL_KEPT_MS:
            with contextlib.suppress(OSError):
                refusal.path.unlink()
                removed += 1
    return removed
