"""A laptop refused for its passphrase (issue 17 item 10): it writes nothing into the folder but
a note without data, and the laptops that can read the folder are told."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import app.sync.teamkey as teamkey_module
from app.sync.compaction import plan_compaction
from app.sync.refusals import REFUSAL_PREFIX, read_refusals, refusal_path, write_refusal
from tests.sync_laptops import Laptop

SECRET = "team secret"


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys as the app derives them, only cheaper: these tests are about files, not scrypt."""
    monkeypatch.setattr(teamkey_module, "DEFAULT_SCRYPT", {"n": 2**10, "r": 8, "p": 1})


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _notes(folder: Path) -> set[str]:
    return {n for n in _files(folder) if n.startswith(REFUSAL_PREFIX)}


def _lead(laptop: Laptop) -> None:
    laptop.services.leads.create({"first_name": "Max", "last_name": "Muster",
                                  "email": "max@muster.de", "company": "Muster GmbH"})


def test_a_refused_laptop_writes_nothing_but_a_note_without_data(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    _lead(a)
    a.sync(folder, SECRET)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _lead(b)
    refused = b.sync(folder, "team secrte")
    assert refused.passphrase_rejected and refused.published is None
    added = _files(folder) - set(before)
    assert added == _notes(folder) and len(added) == 1, added  # no state file, no change set
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before
    note = folder / added.pop()
    for secret in ("Max", "Muster", "muster.de", "key_id", "salt", "nonce", refused.incarnation):
        assert secret not in note.read_text(encoding="utf-8")
    # Compaction neither deletes nor waits for it: the note is not a change or state file.
    plan = plan_compaction(folder, None, int(a.clock().timestamp() * 1000) + 10**12)
    assert note not in {d.path for d in plan.deletions} | set(plan.undecodable) | {
        p for p, _ in plan.kept}
    assert not any(name.startswith("state-") for name in added)


def test_the_laptops_that_read_the_folder_are_told_until_it_joins(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    _lead(a)
    a.sync(folder, SECRET)
    fifteen_days_ago = a.clock() - dt.timedelta(days=15)
    gone = write_refusal(folder, "0ld1aptop", int(fifteen_days_ago.timestamp() * 1000))
    assert a.sync(folder, SECRET).refused_laptops == 0
    assert not gone.exists()  # refused long ago: the folder's upkeep removed its note
    b.sync(folder, "wrong")
    told = a.sync(folder, SECRET)
    assert told.refused_laptops == 1 and not told.passphrase_rejected
    assert any("tried to sync with another passphrase" in w for w in told.warnings)
    assert json.loads(json.dumps(told.to_json()))["refused_laptops"] == 1

    joined = b.sync(folder, SECRET)
    assert not joined.passphrase_rejected and joined.received_ops > 0
    assert _notes(folder) == set()
    again = a.sync(folder, SECRET)
    assert again.refused_laptops == 0 and not again.warnings


def test_a_folder_holding_only_a_snapshot_refuses_the_wrong_passphrase_too(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    _lead(a)
    a.sync(folder, SECRET)
    a.services.sync.sync(folder, SECRET, snapshot=True)
    for path in folder.glob("*.lsync"):  # compacted: the snapshot stands for the change files
        path.unlink()
    before = _files(folder)
    _lead(b)
    refused = b.sync(folder, "wrong")
    assert refused.passphrase_rejected and refused.published is None
    assert _files(folder) - before == _notes(folder)


def test_only_well_formed_notes_count(tmp_path: Path) -> None:
    write_refusal(tmp_path, "laptop2", 1_795_000_000_000)
    (tmp_path / f"{REFUSAL_PREFIX}bogus.txt").write_text("{not json", encoding="utf-8")
    (tmp_path / f"{REFUSAL_PREFIX}huge.txt").write_bytes(b" " * 100_000)
    (tmp_path / f"{REFUSAL_PREFIX}list.txt").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / f"{REFUSAL_PREFIX}Bad-Name.txt").write_text("{}", encoding="utf-8")
    refusal_path(tmp_path, "other").write_text(json.dumps(
        {"magic": "leadline-passphrase-refused", "device": "someone", "written_ms": 1}),
        encoding="utf-8")
    refusal_path(tmp_path, "future").write_text(json.dumps(
        {"magic": "leadline-passphrase-refused", "device": "future", "written_ms": 10**20}),
        encoding="utf-8")
    assert [(r.device, r.written.year) for r in read_refusals(tmp_path)] == [("laptop2", 2026)]


def test_a_passphrase_mistyped_later_is_refused_with_nothing_new_to_read(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    _lead(a)
    a.sync(folder, SECRET)
    assert b.sync(folder, SECRET).received_ops > 0  # B's passphrase read A's changes
    before = _files(folder)
    _lead(b)
    mistyped = b.sync(folder, "team secret ")  # retyped in the settings, nothing new from A
    assert mistyped.passphrase_rejected and mistyped.published is None
    assert _files(folder) - before == _notes(folder)
    assert b.sync(folder, SECRET).published is not None
