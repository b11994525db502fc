"""Unit tests of the pure sync core: HLC, ops, merge rules, change-set format, folder I/O."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.changeset import FORMAT_VERSION, MAGIC, ChangeSet, decode, encode
from app.sync.clock import MAX_DRIFT_MS, HybridClock, Timestamp
from app.sync.conflicts import EDIT_VS_DELETE
from app.sync.errors import (
    ChangeSetError,
    ChecksumMismatch,
    EmptyFile,
    NewerFormat,
    NotASyncFile,
    PassphraseRequired,
    TruncatedFile,
    WrongPassphrase,
)
from app.sync.merge import Replica, RowDeletedError
from app.sync.ops import Append, FieldSet, Op, RowDelete, RowRestore, op_from_dict, op_to_dict
from app.sync.publish import publish
from app.sync.scan import scan
from app.sync.teamkey import TeamKey

FAST_SCRYPT = {"n": 2**10, "r": 8, "p": 1}


class FakeWall:
    def __init__(self, ms: int = 1_700_000_000_000) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def replica(inc: str, wall: FakeWall | None = None) -> Replica:
    return Replica(inc, wall=wall or FakeWall())


def sync_all(*replicas: Replica) -> None:
    everything = [op for r in replicas for op in r.ops.values()]
    for r in replicas:
        r.apply(everything)


# ------------------------------------------------------------------------------------------ HLC


def test_hlc_is_monotonic_even_when_the_wall_clock_stalls_or_goes_back() -> None:
    wall = FakeWall()
    clock = HybridClock("a", wall)
    stamps = [clock.now() for _ in range(5)]
    wall.ms -= 5000
    stamps += [clock.now() for _ in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 10
    assert clock.wall_went_backwards


def test_hlc_observe_moves_past_remote_and_flags_far_ahead_without_following_it() -> None:
    wall = FakeWall()
    clock = HybridClock("a", wall)
    near = Timestamp(wall.ms + 60_000, 7, "b")
    assert clock.observe(near) is False
    assert clock.now() > near
    far = Timestamp(wall.ms + MAX_DRIFT_MS + 1, 0, "c")
    assert clock.observe(far) is True
    # Not dragged ahead: our clock stays within wall + MAX_DRIFT.
    assert clock.now().wall_ms <= wall.ms + MAX_DRIFT_MS


def test_timestamp_encoding_sorts_like_the_timestamp_and_has_no_colon() -> None:
    stamps = [Timestamp(1_700_000_000_000 + i % 3, i % 5, f"d{i % 2}") for i in range(30)]
    encoded = [t.encode() for t in stamps]
    assert all(":" not in e for e in encoded)
    assert [Timestamp.decode(e) for e in encoded] == stamps
    assert sorted(stamps) == [Timestamp.decode(e) for e in sorted(encoded)]


# ------------------------------------------------------------------------------------------ ops

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=20),
    st.floats(allow_nan=False, allow_infinity=False),
)
ids = st.text("abcdef0123456789", min_size=1, max_size=8)
hlcs = st.builds(Timestamp, st.integers(0, 10**13 - 1), st.integers(0, 0xFFFF), ids)
preds = st.lists(st.builds(lambda i, s: f"{i}:{s}", ids, st.integers(1, 99)), max_size=3).map(
    lambda p: tuple(sorted(set(p)))
)


def ops_strategy(inc: str = "inc1") -> st.SearchStrategy[list[Op]]:
    one = st.one_of(
        st.builds(lambda *a: ("set", a), ids, ids, ids, json_scalars, hlcs, preds),
        st.builds(lambda *a: ("del", a), ids, ids, hlcs, preds),
        st.builds(lambda *a: ("restore", a), ids, ids, hlcs, preds),
        st.builds(lambda *a: ("app", a), ids, ids, st.dictionaries(ids, json_scalars, max_size=3), hlcs),
    )

    def build(items: list[tuple[str, tuple]]) -> list[Op]:  # type: ignore[type-arg]
        out: list[Op] = []
        for seq, (kind, a) in enumerate(items, start=1):
            op_id = f"{inc}:{seq}"
            if kind == "set":
                out.append(FieldSet.single(op_id, *a))
            elif kind == "del":
                out.append(RowDelete(op_id, *a))
            elif kind == "restore":
                out.append(RowRestore(op_id, *a))
            else:
                out.append(Append(op_id, *a))
        return out

    return st.lists(one, min_size=1, max_size=12).map(build)


@given(ops_strategy())
def test_ops_round_trip_through_json(ops: list[Op]) -> None:
    for op in ops:
        assert op_from_dict(json.loads(json.dumps(op_to_dict(op)))) == op


# ------------------------------------------------------------------------------------------ merge


def test_sequential_edits_supersede_and_concurrent_edits_conflict() -> None:
    a, b = replica("a"), replica("b")
    a.local_set("lead", "L1", "status", "new")
    sync_all(a, b)
    b.local_set("lead", "L1", "status", "qualified")  # b saw "new": supersedes it
    sync_all(a, b)
    assert a.state() == b.state() == {"lead": {"L1": {"status": "qualified"}}}
    assert a.conflicts() == []
    x = a.local_set("lead", "L1", "owner", "maria")
    y = b.local_set("lead", "L1", "owner", "tom")
    sync_all(a, b)
    assert a.digest() == b.digest()
    [conflict] = a.conflicts()
    assert conflict.field == "owner" and set(conflict.heads) == {x.op_id, y.op_id}
    # Displayed value: the head with the greatest HLC, identical on both devices.
    winner = max((x, y), key=lambda o: (o.hlc, o.op_id))
    assert a.row("lead", "L1")["owner"] == b.row("lead", "L1")["owner"] == winner.values["owner"]  # type: ignore[index]
    b.local_set("lead", "L1", "owner", "maria", resolve=True)
    sync_all(a, b)
    assert a.conflicts() == b.conflicts() == []
    assert a.row("lead", "L1") == {"status": "qualified", "owner": "maria"}


def test_causality_beats_a_fast_clock() -> None:
    """T-C2: B's clock is 2 h ahead; A edits after importing B's edit: A's value wins, no conflict."""
    a = replica("a", FakeWall(1_700_000_000_000))
    b = replica("b", FakeWall(1_700_000_000_000 + 2 * 3600 * 1000))
    b.local_set("lead", "L1", "status", "lost")
    result = a.apply(b.ops.values())
    assert result.clock_ahead  # flagged ...
    a.local_set("lead", "L1", "status", "won")  # ... but A's later edit still supersedes
    sync_all(a, b)
    assert a.row("lead", "L1") == b.row("lead", "L1") == {"status": "won"}
    assert a.conflicts() == b.conflicts() == []


def test_delete_propagates_and_concurrent_edit_wins_flagged() -> None:
    a, b = replica("a"), replica("b")
    a.local_set("lead", "L1", "name", "Ada")
    a.local_set("lead", "L2", "name", "Bob")
    sync_all(a, b)
    a.local_delete("lead", "L1")
    sync_all(a, b)
    assert b.row("lead", "L1") is None and b.is_deleted("lead", "L1")
    with pytest.raises(RowDeletedError):
        b.local_set("lead", "L1", "name", "x")
    # T-D1: A deletes L2 while B, offline, changes it.
    a.local_delete("lead", "L2")
    b.local_set("lead", "L2", "owner", "tom")
    sync_all(a, b)
    assert a.digest() == b.digest()
    assert a.row("lead", "L2") == {"name": "Bob", "owner": "tom"}
    [flag] = a.conflicts()
    assert (flag.row_id, flag.field, flag.kind) == ("L2", None, EDIT_VS_DELETE)
    # "Delete anyway" covers the new heads and the old delete.
    b.local_delete("lead", "L2")
    sync_all(a, b)
    assert a.is_deleted("lead", "L2") and a.conflicts() == [] and a.digest() == b.digest()


def test_restore_supersedes_the_delete_without_a_false_conflict() -> None:
    a, b, c = replica("a"), replica("b"), replica("c")
    a.local_set("lead", "L1", "name", "Ada")
    sync_all(a, b, c)
    a.local_delete("lead", "L1")
    b.apply(a.ops.values())
    b.local_restore("lead", "L1")
    c.local_set("lead", "L1", "phone", "123")  # offline since before the delete
    sync_all(a, b, c)
    assert a.row("lead", "L1") == {"name": "Ada", "phone": "123"}
    assert a.conflicts() == [] and a.digest() == b.digest() == c.digest()


def test_appends_are_a_union_without_duplicates() -> None:
    a, b = replica("a"), replica("b")
    a.local_append("activity", "A1", {"lead": "L1", "kind": "call"})
    b.local_append("activity", "A2", {"lead": "L1", "kind": "email"})
    sync_all(a, b)
    sync_all(a, b)
    expected = {"A1": {"lead": "L1", "kind": "call"}, "A2": {"lead": "L1", "kind": "email"}}
    assert a.state()["activity"] == expected
    assert a.digest() == b.digest()


def test_apply_is_idempotent_and_reports_duplicates_and_collisions() -> None:
    a, b = replica("a"), replica("b")
    op = a.local_set("lead", "L1", "name", "Ada")
    first = b.apply([op])
    again = b.apply([op, op])
    assert (first.new, first.duplicates) == (1, 0) and (again.new, again.duplicates) == (0, 2)
    clone = FieldSet.single(op.op_id, "lead", "L1", "name", "Eve", op.hlc)
    assert b.apply([clone]).collisions == [op.op_id]
    assert b.row("lead", "L1") == {"name": "Ada"}
    stale = Replica("a", wall=FakeWall())  # a restored copy of a's database
    assert stale.apply([op]).own_incarnation_ahead


# Reference model: deliberately naive, recomputes everything from the op set (SYNC.md 6.1).
def reference_model(ops: list[Op]) -> tuple[dict, set]:  # type: ignore[type-arg]
    by_id = {op.op_id: op for op in ops}
    state: dict[str, dict[str, dict]] = {}  # type: ignore[type-arg]
    conflicts: set[tuple[str, str, str | None]] = set()
    rows = {(op.table, op.row_id) for op in by_id.values()}
    for table, row_id in rows:
        row_ops = [o for o in by_id.values() if (o.table, o.row_id) == (table, row_id)]
        sets = [o for o in row_ops if isinstance(o, FieldSet)]
        values: dict = {}  # type: ignore[type-arg]
        for app in sorted((o for o in row_ops if isinstance(o, Append)), key=lambda o: (o.hlc, o.op_id)):
            values.update(app.values)
        versions = {o.op_id for o in row_ops if isinstance(o, Append)}
        field_conflicts = []
        for f in sorted({name for o in sets for name in o.values}):
            fs = [o for o in sets if f in o.values]
            heads = [o for o in fs if not any(o.op_id in w.pred(f) for w in fs)]
            versions |= {h.op_id for h in heads}
            if heads:
                values[f] = max(heads, key=lambda o: (o.hlc, o.op_id)).values[f]
            if len(heads) > 1:
                field_conflicts.append(f)
        life = [o for o in row_ops if isinstance(o, RowDelete | RowRestore)]
        live_deletes = [
            o for o in life if isinstance(o, RowDelete) and not any(o.op_id in w.pred for w in life)
        ]
        deleted = any(versions <= set(d.pred) for d in live_deletes)
        if not deleted:
            state.setdefault(table, {})[row_id] = values
            conflicts |= {(table, row_id, f) for f in field_conflicts}
            if live_deletes:
                conflicts.add((table, row_id, None))
    return state, conflicts


def random_session(rng: random.Random, n_devices: int, steps: int) -> list[Replica]:
    walls = [FakeWall(1_700_000_000_000 + rng.randint(-(10**6), 10**6)) for _ in range(n_devices)]
    devices = [replica(f"d{i}", wall) for i, wall in enumerate(walls)]
    rows, fields = ["r1", "r2", "r3"], ["owner", "status", "notes"]
    for _ in range(steps):
        dev = rng.choice(devices)
        action = rng.random()
        row = rng.choice(rows)
        try:
            if action < 0.55:
                names = rng.sample(fields, rng.choice([1, 1, 2]))
                dev.local_set_fields("lead", row, {n: rng.randint(0, 9) for n in names})
            elif action < 0.65:
                dev.local_delete("lead", row)
            elif action < 0.7:
                dev.local_restore("lead", row)
            elif action < 0.8:
                dev.local_append("activity", f"a{rng.randint(0, 30)}", {"lead": row, "n": rng.randint(0, 9)})
            else:
                other = rng.choice(devices)
                ops = list(other.ops.values())
                dev.apply(rng.sample(ops, k=rng.randint(0, len(ops))))
        except (KeyError, RowDeletedError):
            pass
    return devices


@pytest.mark.parametrize("seed", range(40))
def test_incremental_replica_matches_reference_model(seed: int) -> None:
    rng = random.Random(seed)
    devices = random_session(rng, 3, 60)
    for dev in devices:  # partial knowledge, mid-run
        state, conflicts = reference_model(list(dev.ops.values()))
        assert dev.state() == state
        assert {(c.table, c.row_id, c.field) for c in dev.conflicts()} == conflicts
    all_ops = [op for d in devices for op in d.ops.values()]
    fresh = [replica(f"x{i}") for i in range(3)]
    for i, r in enumerate(fresh):  # order independence: different shuffles, duplicates, batches
        shuffled = all_ops * 2
        random.Random(seed * 10 + i).shuffle(shuffled)
        for k in range(0, len(shuffled), 7):
            r.apply(shuffled[k : k + 7])
    state, conflicts = reference_model(all_ops)
    assert len({r.digest() for r in fresh}) == 1
    assert fresh[0].state() == state
    assert {(c.table, c.row_id, c.field) for c in fresh[0].conflicts()} == conflicts


def test_a_large_batch_applies_to_the_same_state() -> None:
    # Speed of the same batch is measured in tests/benchmarks/bench_sync.py, not here.
    author = replica("w")
    rng = random.Random(1)
    for i in range(3_000):
        lead = f"L{rng.randint(0, 500)}"
        if i % 10 == 9:
            author.local_append("activity", f"A{i}", {"lead": lead})
        else:
            author.local_set("lead", lead, rng.choice(["owner", "status", "notes", "phone"]), i)
    target = replica("r")
    target.apply(list(author.ops.values()))
    assert target.digest() == author.digest()


# ------------------------------------------------------------------------------------------ files


def sample_changeset(n: int = 5, inc: str = "inc1") -> ChangeSet:
    r = replica(inc)
    for i in range(n):
        r.local_set("lead", f"L{i % 3}", "status", f"s{i}")
    r.local_append("activity", "A1", {"lead": "L1", "kind": "call", "note": "über"})
    return ChangeSet.build("dev1", inc, r.own_ops())


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(ops_strategy("inc1"))
def test_changeset_round_trip(ops: list[Op]) -> None:
    cs = ChangeSet.build("dev1", "inc1", ops)
    assert decode(encode(cs)) == cs


def test_every_truncation_and_every_single_byte_corruption_is_detected() -> None:
    data = encode(sample_changeset(3))
    for cut in range(len(data)):
        with pytest.raises(ChangeSetError):
            decode(data[:cut])
    rng = random.Random(7)
    for pos in range(len(data)):
        corrupt = bytearray(data)
        corrupt[pos] ^= rng.randint(1, 255)
        with pytest.raises(ChangeSetError):
            decode(bytes(corrupt))
    assert isinstance(_error(b""), EmptyFile)
    assert isinstance(_error(data[:-1]), TruncatedFile)
    assert isinstance(_error(b"desktop.ini content"), NotASyncFile)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 1
    assert isinstance(_error(bytes(flipped)), ChecksumMismatch)


def _error(data: bytes, key: TeamKey | None = None) -> ChangeSetError:
    with pytest.raises(ChangeSetError) as info:
        decode(data, key)
    return info.value


def _newer_format_file() -> bytes:
    import hashlib

    future = FORMAT_VERSION + 1
    header = {"format": future, "min_reader": future, "device": "dev9", "inc": "inc9", "op_count": 0}
    content = MAGIC + json.dumps(header).encode() + b"\n" + b"future body"
    return content + b"LEADLINE-END " + hashlib.sha256(content).hexdigest().encode() + b"\n"


def test_newer_format_is_reported_with_its_version() -> None:
    err = _error(_newer_format_file())
    assert isinstance(err, NewerFormat) and err.version == FORMAT_VERSION + 1


def test_encryption_round_trip_and_clear_passphrase_errors() -> None:
    cs = sample_changeset()
    key = TeamKey("correct horse", scrypt_params=FAST_SCRYPT)
    data = encode(cs, key)
    # The compressed plain text is nowhere in the file (32 bytes: random ciphertext cannot
    # contain them by chance, unlike the bare b"s1" checked here before, one run in seventy).
    plain_body = encode(cs).split(b"\n", 1)[1]
    assert plain_body[:32] not in data and plain_body[32:64] not in data
    assert b'"device":"dev1"' in data.split(b"\n", 1)[0]  # the header stays readable
    reader = TeamKey("correct horse", scrypt_params=FAST_SCRYPT)  # own salt; derives from header
    decoded = decode(data, reader)
    assert decoded.ops == cs.ops and decoded.key_id
    assert isinstance(_error(data, TeamKey("wrong", scrypt_params=FAST_SCRYPT)), WrongPassphrase)
    assert isinstance(_error(data), PassphraseRequired)


# ------------------------------------------------------------------------------------------ folder


def test_publish_scan_and_republish(tmp_path: Path) -> None:
    cs = sample_changeset()
    path = publish(tmp_path, cs)
    assert path.name == "dev1-inc1-0000000001-0000000006.lsync"
    assert publish(tmp_path, cs) == path  # same content: no-op
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp left behind
    other = sample_changeset(5, "inc1")
    changed = Append("inc1:6", "activity", "A9", {}, other.ops[-1].hlc)
    object.__setattr__(other, "ops", other.ops[:-1] + (changed,))
    second = publish(tmp_path, other)  # same range, different content (restored DB): new name
    assert second != path and path.read_bytes() == encode(cs)
    result = scan(tmp_path)
    assert len(result.changesets) == 2 and result.skipped == []


def test_scan_handles_hostile_folder_contents(tmp_path: Path) -> None:
    cs = sample_changeset()
    path = publish(tmp_path, cs)
    data = path.read_bytes()
    (tmp_path / f"{path.stem} (conflicted copy 2026-01-02).lsync").write_bytes(data)
    (tmp_path / f"{path.stem}.sync-conflict-20260101-101010-ABCDEFG.lsync").write_bytes(data)
    (tmp_path / ".tmp-abc.part").write_bytes(data[:10])
    (tmp_path / "~syncthing~x.lsync.tmp").write_bytes(data[:10])
    (tmp_path / "desktop.ini").write_bytes(b"[.ShellClassInfo]")
    (tmp_path / "zero.lsync").write_bytes(b"")
    (tmp_path / "partial.lsync").write_bytes(data[: len(data) // 2])
    (tmp_path / "newer.lsync").write_bytes(_newer_format_file())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = scan(tmp_path)
    assert result.changesets == [cs]
    assert len(result.duplicates) == 2
    assert sorted(p.name for p in result.skipped_kind("empty")) == ["zero.lsync"]
    assert [p.name for p in result.skipped_kind("truncated")] == ["partial.lsync"]
    assert result.needs_update
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing deleted or touched


def test_scan_missing_or_empty_folder_yields_nothing(tmp_path: Path) -> None:
    assert scan(tmp_path / "nope").folder_missing
    empty = scan(tmp_path)
    assert empty.changesets == [] and empty.skipped == [] and not empty.folder_missing


def test_wrong_passphrase_is_reported_not_silently_skipped(tmp_path: Path) -> None:
    publish(tmp_path, sample_changeset(), TeamKey("team", scrypt_params=FAST_SCRYPT))
    result = scan(tmp_path, TeamKey("other", scrypt_params=FAST_SCRYPT))
    assert result.changesets == [] and len(result.wrong_passphrase) == 1


class CrashError(Exception):
    pass


@pytest.mark.parametrize("point", ["temp-written", "fsynced"])
def test_killed_publish_leaves_only_an_ignored_temp_file(tmp_path: Path, point: str) -> None:
    def fault(name: str) -> None:
        if name == point:
            raise CrashError(name)

    cs = sample_changeset()
    with pytest.raises(CrashError):
        publish(tmp_path, cs, fault=fault)
    assert [p.name.startswith(".tmp-") for p in tmp_path.iterdir()] == [True]
    assert scan(tmp_path).changesets == [] and scan(tmp_path).skipped == []
    publish(tmp_path, cs)  # the retry publishes normally
    assert scan(tmp_path).changesets == [cs]
