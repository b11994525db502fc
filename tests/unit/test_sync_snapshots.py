"""Snapshots (SYNC.md 4.12): file format, folder I/O and the dotted-version-vector join."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.changeset import MAGIC, ChangeSet, decode, encode
from app.sync.clock import Timestamp
from app.sync.conflicts import EDIT_VS_DELETE
from app.sync.envelope import seal
from app.sync.errors import (
    ChecksumMismatch,
    EmptyFile,
    NewerFormat,
    NotASyncFile,
    PassphraseRequired,
    TruncatedFile,
    WrongPassphrase,
)
from app.sync.heads import contiguous_through, is_covered
from app.sync.merge import Replica, RowDeletedError
from app.sync.ops import Op
from app.sync.publish import publish, publish_snapshot
from app.sync.scan import scan, scan_snapshots
from app.sync.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    SNAPSHOT_MAGIC,
    InvalidSnapshot,
    Snapshot,
    parse_snapshot_name,
)
from app.sync.snapshot_reader import decode_snapshot, snapshots_to_absorb
from app.sync.snapshot_writer import encode_snapshot
from app.sync.teamkey import TeamKey

FAST_SCRYPT = {"n": 2**10, "r": 8, "p": 1}
T0 = 1_767_000_000_000


class FakeWall:
    def __init__(self, ms: int = T0) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def replica(inc: str, wall: FakeWall | None = None) -> Replica:
    return Replica(inc, wall=wall or FakeWall())


def give(target: Replica, *sources: Replica) -> None:
    target.apply([op for s in sources for op in s.ops.values()])


def sample_replica() -> Replica:
    a = replica("inca")
    a.local_set("lead", "l1", "name", "Ann")
    a.local_set("lead", "l1", "name", "Anne")
    a.local_set("lead", "l2", "phone", "+49 1")
    a.local_delete("lead", "l2")
    a.local_append("activity", "a1", {"lead": "l1", "kind": "call", "note": "héllo"})
    return a


# ------------------------------------------------------------------------------------ file format


def test_snapshot_round_trip_holds_only_live_ops_and_contiguous_coverage() -> None:
    a = sample_replica()
    snap = Snapshot.of(a, "deva")
    # "Ann" was superseded by "Anne": not live; everything else is.
    assert [op.op_id for op in snap.ops] == ["inca:2", "inca:3", "inca:4", "inca:5"]
    assert dict(snap.coverage) == {"inca": 5}
    back = decode_snapshot(encode_snapshot(snap))
    assert back.ops == snap.ops and dict(back.coverage) == {"inca": 5} and back.created == snap.created
    assert back.device == "deva" and back.incarnation == "inca" and back.superseded == snap.superseded
    fresh = replica("incz")
    fresh.absorb_snapshot(back)
    assert fresh.digest() == a.digest()


def test_known_through_is_contiguous_and_matches_the_storage_helper() -> None:
    a, b = replica("inca"), replica("incb")
    ops = [a.local_set("lead", "l1", "n", i) for i in range(5)]
    b.apply([ops[0], ops[1], ops[3]])  # inca:3 still missing
    assert b.coverage() == {"inca": 4} and b.known_through() == {"inca": 2}
    assert contiguous_through({"inca": [1, 2, 4]}, {}) == {"inca": 2}
    assert contiguous_through({"inca": [4, 5]}, {"inca": 3, "incb": 7}) == {"inca": 5, "incb": 7}
    b.absorb_snapshot(Snapshot.of(a, "deva"))
    assert b.known_through() == {"inca": 5} == contiguous_through({"inca": [1, 2, 4]}, b.covered)


def test_snapshot_file_name_is_sortable_lowercase_ascii() -> None:
    snap = Snapshot(
        "deva", "inca", Timestamp(T0, 0x1F, "inca"), {"inca": 3, "incb": 9}, (), ()
    )
    name = snap.file_name()
    assert name.startswith(f"snapshot-{T0:013d}-001f-inca-") and name.endswith(".lsnap")
    assert name == name.lower() and name.isascii() and len(name) < 100
    assert parse_snapshot_name(name) == (T0, 0x1F, "inca", name.split("-")[4][:8])
    later = Snapshot("devb", "incb", Timestamp(T0 + 1, 0, "incb"), {"inca": 3}, (), ())
    assert sorted([later.file_name(), name]) == [name, later.file_name()]


def test_snapshot_encryption_round_trip_and_passphrase_errors() -> None:
    snap = Snapshot.of(sample_replica(), "deva")
    key = TeamKey("correct horse", scrypt_params=FAST_SCRYPT)
    data = encode_snapshot(snap, key)
    assert b"Anne" not in data and b"lead" not in data.split(b"\n", 1)[1]
    decoded = decode_snapshot(data, TeamKey("correct horse", scrypt_params=FAST_SCRYPT))
    assert decoded.ops == snap.ops and decoded.key_id
    with pytest.raises(WrongPassphrase):
        decode_snapshot(data, TeamKey("wrong", scrypt_params=FAST_SCRYPT))
    with pytest.raises(PassphraseRequired):
        decode_snapshot(data)


def test_corrupt_truncated_foreign_and_newer_snapshots_are_rejected_with_typed_errors() -> None:
    snap = Snapshot.of(sample_replica(), "deva")
    data = encode_snapshot(snap)
    with pytest.raises(EmptyFile):
        decode_snapshot(b"")
    with pytest.raises(TruncatedFile):
        decode_snapshot(data[:-10])
    with pytest.raises(TruncatedFile):
        decode_snapshot(SNAPSHOT_MAGIC[:5])
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    with pytest.raises(ChecksumMismatch):
        decode_snapshot(bytes(flipped))
    # A change set is not a snapshot and vice versa (distinct magic).
    cs = ChangeSet.build("deva", "inca", sample_replica().own_ops())
    with pytest.raises(NotASyncFile):
        decode_snapshot(encode(cs))
    with pytest.raises(NotASyncFile):
        decode(data)
    future = SNAPSHOT_FORMAT_VERSION + 1
    newer = seal(SNAPSHOT_MAGIC, {"format": future, "min_reader": future, "device": "d"}, b"whatever")
    with pytest.raises(NewerFormat) as exc:
        decode_snapshot(newer)
    assert exc.value.version == future
    # Checksum fine but broken content.
    header = {"format": 1, "min_reader": 1, "device": "deva", "inc": "inca", "created": "x",
              "coverage": {}, "op_count": 0, "sup_count": 0}
    with pytest.raises(InvalidSnapshot):
        decode_snapshot(seal(SNAPSHOT_MAGIC, header, b'{"sup": []}\n'))
    header["created"] = Timestamp(T0, 0, "inca").encode()
    header["coverage"] = {"inca": -1}
    with pytest.raises(InvalidSnapshot):
        decode_snapshot(seal(SNAPSHOT_MAGIC, header, b'{"sup": []}\n'))
    header["coverage"] = {"inca": 1}
    header["op_count"] = 1
    with pytest.raises(InvalidSnapshot):
        decode_snapshot(seal(SNAPSHOT_MAGIC, header, b'{"sup": []}\n'))
    with pytest.raises(InvalidSnapshot):
        decode_snapshot(seal(SNAPSHOT_MAGIC, header, b'{"sup": []}\n{"k": "set"}\n'))


def test_publish_and_scan_snapshots_alongside_change_sets(tmp_path: Path) -> None:
    a = sample_replica()
    cs = ChangeSet.build("deva", "inca", a.own_ops())
    publish(tmp_path, cs)
    first = Snapshot.of(a, "deva")
    path = publish_snapshot(tmp_path, first)
    assert publish_snapshot(tmp_path, first) == path  # idempotent
    a.local_set("lead", "l1", "name", "Annie")
    second = Snapshot.of(a, "deva")
    publish_snapshot(tmp_path, second)
    (tmp_path / f"{path.stem} (conflicted copy 1).lsnap").write_bytes(path.read_bytes())
    (tmp_path / "snapshot-broken.lsnap").write_bytes(encode_snapshot(second)[:-3])
    (tmp_path / "state-inca.json").write_text("{}")
    (tmp_path / ".tmp-123.part").write_bytes(b"junk")
    # scan() still sees the change set only.
    result = scan(tmp_path)
    assert [c.seq_last for c in result.changesets] == [5] and not result.skipped
    found = scan_snapshots(tmp_path)
    assert [f.info.coverage for f in found.snapshots] == [{"inca": 6}, {"inca": 5}]  # newest first
    assert found.newest() == found.snapshots[0].info
    assert [p.name for p, reason in found.skipped] == ["snapshot-broken.lsnap"]
    assert found.skipped[0][1].startswith("truncated")
    assert len(found.duplicates) == 1


def test_scan_skips_change_files_covered_by_name(tmp_path: Path) -> None:
    a = replica("inca")
    for i in range(4):
        a.local_set("lead", "l1", "n", i)
    publish(tmp_path, ChangeSet.build("deva", "inca", a.own_ops()[:2]))
    publish(tmp_path, ChangeSet.build("deva", "inca", a.own_ops(2)))
    result = scan(tmp_path, covered={"inca": 2})
    assert [c.seq_first for c in result.changesets] == [3]
    assert len(result.covered_files) == 1


# ------------------------------------------------------------------------------------ join cases


def test_bootstrap_from_snapshot_then_remaining_files_equals_full_history() -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "name", "A1")
    give(b, a)
    b.local_set("lead", "l1", "name", "B1")
    give(a, b)
    snap = Snapshot.of(a, "deva")
    a.local_set("lead", "l1", "status", "won")  # after the snapshot
    fresh = replica("incz")
    fresh.absorb_snapshot(snap)
    res = fresh.apply(op for op in a.ops.values() if not is_covered(snap.coverage, op.op_id))
    assert res.covered == 0
    assert fresh.digest() == a.digest()
    # Every covered op arriving late (a stale file) changes nothing.
    late = fresh.apply(a.ops.values())
    assert fresh.digest() == a.digest() and late.new == 0


def test_covered_superseded_op_arriving_late_after_absorb_is_ignored() -> None:
    a = replica("inca")
    old = a.local_set("lead", "l1", "name", "old")
    a.local_set("lead", "l1", "name", "mid")
    a.local_set("lead", "l1", "name", "new")
    snap = Snapshot.of(a, "deva")
    assert [op.op_id for op in snap.ops] == ["inca:3"]
    fresh = replica("incz")
    fresh.absorb_snapshot(snap)
    res = fresh.apply([old])
    assert res.covered == 1 and res.new == 0
    assert fresh.row("lead", "l1") == {"name": "new"} and not fresh.conflicts()


def test_returning_device_with_concurrent_unseen_edit_keeps_its_conflict() -> None:
    a, b, c = replica("inca"), replica("incb"), replica("incc")
    a.local_set("lead", "l1", "phone", "1")
    give(b, a)
    give(c, a)
    # c goes offline and edits; a and b keep working, then a snapshots everything it has.
    c_edit = c.local_set("lead", "l1", "phone", "c-phone")
    b.local_set("lead", "l1", "phone", "b-phone")
    give(a, b)
    a.local_set("lead", "l1", "phone", "a-phone")  # supersedes b's version
    snap = Snapshot.of(a, "deva")
    # c returns, its change files deleted meanwhile: absorbs the snapshot instead.
    res = c.absorb_snapshot(snap)
    assert res.superseded == []  # inca:1 was already superseded here by c's own edit
    heads = {h.op_id for h in c.heads("lead", "l1", "phone")}
    assert heads == {c_edit.op_id, "inca:2"}
    assert [cf.field for cf in c.conflicts()] == ["phone"]
    # a learns c's edit: the same conflict, same display.
    give(a, c)
    assert a.digest() == c.digest()


def test_local_head_superseded_in_snapshot_history_is_dropped() -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "name", "v1")
    give(b, a)
    v2 = b.local_set("lead", "l1", "name", "v2")
    a2 = replica("incc")
    give(a2, a, b)
    a2.local_set("lead", "l1", "name", "v3")  # supersedes v2
    snap = Snapshot.of(a2, "devc")
    # b holds v2 as its head; the snapshot covers incb:1 but does not keep it.
    res = b.absorb_snapshot(snap)
    assert v2.op_id in res.superseded
    assert b.row("lead", "l1") == {"name": "v3"} and not b.conflicts()
    assert v2.op_id in b.ops  # history kept
    # Persisted snapshot knowledge survives a restart (reload from store + covered + marks).
    restarted = Replica("incb", wall=FakeWall(), next_seq=b.next_seq, covered=b.covered,
                        marks=b.superseded_marks())
    restarted.apply(list(b.ops.values()), from_store=True)
    assert restarted.digest() == b.digest()


def test_snapshot_head_already_superseded_locally_stays_superseded() -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "name", "v1")
    snap = Snapshot.of(a, "deva")
    give(b, a)
    b.local_set("lead", "l1", "name", "v2")
    b.absorb_snapshot(snap)
    assert b.row("lead", "l1") == {"name": "v2"} and not b.conflicts()


def test_delete_and_restore_survive_absorb() -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "name", "x")
    a.local_set("lead", "l2", "name", "y")
    give(b, a)
    a.local_delete("lead", "l1")
    a.local_delete("lead", "l2")
    a.local_restore("lead", "l2")
    b.local_set("lead", "l2", "name", "edited")  # concurrent with the delete of l2 (restored anyway)
    snap = Snapshot.of(a, "deva")
    fresh = replica("incz")
    fresh.absorb_snapshot(snap)
    assert fresh.is_deleted("lead", "l1") and fresh.row("lead", "l2") == {"name": "y"}
    fresh.apply(b.ops.values())
    give(a, b)
    assert fresh.digest() == a.digest()
    with pytest.raises(RowDeletedError):
        fresh.local_set("lead", "l1", "name", "z")


def test_edit_vs_delete_conflict_is_kept_through_a_snapshot() -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "name", "x")
    give(b, a)
    a.local_delete("lead", "l1")
    b.local_set("lead", "l1", "name", "b")
    give(a, b)
    snap = Snapshot.of(a, "deva")
    fresh = replica("incz")
    fresh.absorb_snapshot(snap)
    assert [c.kind for c in fresh.conflicts()] == [EDIT_VS_DELETE]
    assert fresh.digest() == a.digest()


def test_superseded_hint_beyond_coverage_prevents_a_false_conflict() -> None:
    # c has d (= incb:2) but not incb:1, so its coverage stops before incb:2; e supersedes d
    # and is itself superseded. The hint keeps d from coming back as a head.
    a, b, c = replica("inca"), replica("incb"), replica("incc")
    b.local_set("lead", "l0", "x", 1)
    d = b.local_set("lead", "l1", "name", "d")
    c.apply([d])
    e = c.local_set("lead", "l1", "name", "e")
    c.local_set("lead", "l1", "name", "f")
    snap = Snapshot.of(c, "devc")
    assert snap.coverage.get("incb", 0) == 0 and ("lead", "l1", "name", d.op_id) in snap.superseded
    assert e.op_id not in {op.op_id for op in snap.ops}
    fresh = replica("incz")
    fresh.absorb_snapshot(snap)
    fresh.apply(b.ops.values())
    assert fresh.row("lead", "l1") == {"name": "f"} and not fresh.conflicts()
    give(a, b, c)
    assert fresh.digest() == a.digest()


def test_snapshot_covering_own_incarnation_beyond_local_seq_flags_a_restore() -> None:
    a = replica("inca")
    for i in range(3):
        a.local_set("lead", "l1", "n", i)
    snap = Snapshot.of(a, "deva")
    restored = Replica("inca", wall=FakeWall(), next_seq=2)
    assert restored.absorb_snapshot(snap).own_incarnation_ahead


def test_snapshots_to_absorb_picks_newest_and_undominated(tmp_path: Path) -> None:
    a, b = replica("inca"), replica("incb")
    a.local_set("lead", "l1", "n", 1)
    b.local_set("lead", "l2", "n", 2)
    publish_snapshot(tmp_path, Snapshot.of(a, "deva"))
    publish_snapshot(tmp_path, Snapshot.of(b, "devb"))
    give(a, b)
    a.clock._wall = FakeWall(T0 + 10)  # type: ignore[attr-defined]
    publish_snapshot(tmp_path, Snapshot.of(a, "deva"))
    found = scan_snapshots(tmp_path).snapshots
    chosen = snapshots_to_absorb(found, {})
    assert len(chosen) == 1 and dict(chosen[0].info.coverage) == {"inca": 1, "incb": 1}
    assert snapshots_to_absorb(found, {"inca": 1, "incb": 1}) == []
    only_old = [f for f in found if len(f.info.coverage) == 1]
    assert len(snapshots_to_absorb(only_old, {})) == 2  # concurrent compactions: both needed


# ------------------------------------------------------------------------ order independence


ROWS = ["r1", "r2", "r3"]
FIELDS = ["a", "b"]


def _random_history(rng: random.Random) -> tuple[list[Replica], dict[str, Op], list[Snapshot]]:
    wall = FakeWall()
    reps = [Replica(f"inc{i}", wall=wall) for i in range(3)]
    universe: dict[str, Op] = {}
    snaps: list[Snapshot] = []
    for _ in range(rng.randint(10, 60)):
        wall.ms += rng.randint(0, 3)
        r = rng.choice(reps)
        roll = rng.random()
        try:
            op: Op | None = None
            if roll < 0.4:
                op = r.local_set("t", rng.choice(ROWS), rng.choice(FIELDS), rng.randint(0, 9))
            elif roll < 0.47:
                op = r.local_delete("t", rng.choice(ROWS))
            elif roll < 0.52:
                op = r.local_restore("t", rng.choice(ROWS))
            elif roll < 0.57:
                conflicts = [c for c in r.conflicts() if c.field]
                if conflicts:
                    c = rng.choice(conflicts)
                    assert c.field is not None
                    op = r.local_set(c.table, c.row_id, c.field, "resolved", resolve=True)
            elif roll < 0.62:
                op = r.local_append("act", f"x{len(universe)}", {"row": rng.choice(ROWS)})
            elif roll < 0.85:  # partial, out-of-order delivery of a random subset
                r.apply(rng.sample(list(universe.values()), k=rng.randint(0, len(universe))))
            elif roll < 0.93:
                snaps.append(Snapshot.of(r, f"dev{r.incarnation[-1]}"))
            elif roll < 0.97:
                if snaps:
                    r.absorb_snapshot(rng.choice(snaps))
            else:  # restart: reload held ops plus the persisted snapshot knowledge
                i = reps.index(r)
                reps[i] = Replica(r.incarnation, wall=wall, next_seq=r.next_seq, covered=r.covered,
                                  marks=r.superseded_marks())
                reps[i].apply(sorted(r.ops.values(), key=lambda o: rng.random()), from_store=True)
                assert reps[i].digest() == r.digest()
            if op is not None:
                universe[op.op_id] = op
        except (KeyError, RowDeletedError):
            pass
    return reps, universe, snaps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_absorbing_snapshots_and_files_in_any_order_equals_applying_every_op(seed: int) -> None:
    rng = random.Random(seed)
    reps, universe, snaps = _random_history(rng)
    reference = Replica("ref", wall=FakeWall())
    reference.apply(universe.values())
    chosen = rng.sample(snaps, k=rng.randint(0, len(snaps)))
    # Compaction deleted (some of) the ops the chosen snapshots cover; the rest are still files.
    remaining = [
        op for op in universe.values()
        if not any(is_covered(s.coverage, op.op_id) for s in chosen) or rng.random() < 0.3
    ]
    for target in [Replica("fresh", wall=FakeWall()), *reps]:
        items: list[Snapshot | list[Op]] = [*chosen]
        ops = remaining[:]
        rng.shuffle(ops)
        while ops:
            batch = ops[: rng.randint(1, 4)]
            items.append(batch)
            ops = ops[len(batch) :]
        rng.shuffle(items)
        for item in items:
            if isinstance(item, Snapshot):
                target.absorb_snapshot(decode_snapshot(encode_snapshot(item)))
            else:
                target.apply(item)
        assert target.state() == reference.state(), f"seed {seed}: {target.incarnation}"
        assert target.conflicts() == reference.conflicts(), f"seed {seed}: {target.incarnation}"
        assert target.deleted_rows() == reference.deleted_rows()
        # The target's own snapshot reproduces its state in a fresh replica.
        again = Replica("again", wall=FakeWall())
        again.absorb_snapshot(Snapshot.of(target, "devx"))
        assert again.digest() == reference.digest()


def test_header_magic_constants_differ() -> None:
    assert MAGIC != SNAPSHOT_MAGIC
    assert json.loads(encode_snapshot(Snapshot.of(sample_replica(), "deva")).split(b"\n", 1)[0][
        len(SNAPSHOT_MAGIC):])["coverage"] == {"inca": 5}
