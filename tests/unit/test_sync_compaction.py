"""Acknowledgement state files and compaction rules of SYNC.md 4.12."""

from __future__ import annotations

import errno
import json
from pathlib import Path

from app.sync.changeset import ChangeSet, encode
from app.sync.compaction import (
    DAY_MS,
    FolderStats,
    apply_compaction,
    folder_stats,
    plan_compaction,
    read_states,
    should_snapshot,
    state_path,
    write_state,
)
from app.sync.envelope import seal
from app.sync.merge import Replica
from app.sync.publish import publish, publish_snapshot
from app.sync.scan import scan, scan_snapshots
from app.sync.snapshot import SNAPSHOT_MAGIC, Snapshot
from app.sync.snapshot_reader import snapshots_to_absorb
from app.sync.teamkey import TeamKey

FAST_SCRYPT = {"n": 2**10, "r": 8, "p": 1}
T0 = 1_767_000_000_000
GRACE = 14 * DAY_MS


class FakeWall:
    def __init__(self, ms: int = T0) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


class Dev:
    def __init__(self, name: str, wall: FakeWall) -> None:
        self.name = name
        self.replica = Replica(f"inc{name}", wall=wall)
        self.exported = 0
        self.wall = wall

    def edit(self, row: str, value: object, field: str = "name") -> None:
        self.replica.local_set("lead", row, field, value)

    def sync(self, folder: Path, key: TeamKey | None = None) -> None:
        """Absorb what snapshots teach, import change files, export own ops, write state."""
        rep = self.replica
        for found in snapshots_to_absorb(scan_snapshots(folder, key).snapshots, rep.covered):
            rep.absorb_snapshot(found.load(key))
        for cs in scan(folder, key, covered=rep.covered).changesets:
            rep.apply(cs.ops)
        pending = rep.own_ops(self.exported)
        if pending:
            publish(folder, ChangeSet.build(f"dev{self.name}", rep.incarnation, pending), key)
            self.exported = int(pending[-1].op_id.rpartition(":")[2])
        write_state(folder, f"dev{self.name}", rep.incarnation, rep.known_through(), self.wall())

    def snapshot(self, folder: Path, key: TeamKey | None = None) -> Path:
        return publish_snapshot(folder, Snapshot.of(self.replica, f"dev{self.name}"), key)


def team(folder: Path, wall: FakeWall, key: TeamKey | None = None) -> list[Dev]:
    devs = [Dev(n, wall) for n in "abc"]
    for i, d in enumerate(devs):
        d.edit("l1", f"{d.name}{i}")
        d.edit(f"own{d.name}", "x")
        d.sync(folder, key)
    for d in devs:
        d.sync(folder, key)
    devs[0].edit("l1", "resolved", "name")
    for d in devs:
        d.sync(folder, key)
    for d in devs:
        d.sync(folder, key)
    return devs


def change_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".lsync"))


def snapshot_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".lsnap"))


# -------------------------------------------------------------------------------- state files


def test_state_round_trip_and_corrupt_state_counts_as_knowing_nothing(tmp_path: Path) -> None:
    write_state(tmp_path, "deva", "inca", {"inca": 4, "incb": 2}, T0)
    write_state(tmp_path, "deva", "inca", {"inca": 5, "incb": 2}, T0 + 1)  # owner overwrites
    write_state(tmp_path, "devb", "incb", {"incb": 2}, T0)
    states = read_states(tmp_path)
    assert states["inca"].known_through == {"inca": 5, "incb": 2} and states["inca"].updated_ms == T0 + 1
    assert states["inca"].has_applied("incb", 2) and not states["inca"].has_applied("incb", 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    # Partial write, tampering, a foreign file: invalid, empty knowledge.
    state_path(tmp_path, "incb").write_bytes(state_path(tmp_path, "inca").read_bytes()[:30])
    doc = json.loads(state_path(tmp_path, "inca").read_text())
    doc["known_through"]["incb"] = 99
    state_path(tmp_path, "inca").write_text(json.dumps(doc))
    (tmp_path / "state-incc.json").write_text(json.dumps({"magic": "leadline-state"}))
    states = read_states(tmp_path)
    assert all(not s.valid and not s.known_through for s in states.values())
    assert not states["inca"].has_applied("incb", 1)


def test_should_snapshot_policy(tmp_path: Path) -> None:
    assert not should_snapshot(FolderStats(10, 1000, 10, 1000))
    assert should_snapshot(FolderStats(600, 1000, 501, 1000))
    assert should_snapshot(FolderStats(1, 60 * 2**20, 1, 60 * 2**20))
    a = Dev("a", FakeWall())
    for i in range(3):
        a.edit("l1", i)
        a.sync(tmp_path)
    stats = folder_stats(tmp_path, {"inca": 2})
    assert (stats.change_files, stats.uncovered_files) == (3, 1)
    assert should_snapshot(stats, max_files=0) and not should_snapshot(stats, max_files=1)


# -------------------------------------------------------------------------------- rules


def test_compaction_deletes_covered_acknowledged_files_after_grace(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    before = change_files(tmp_path)
    devs[1].snapshot(tmp_path)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    assert sorted(d.path.name for d in plan.delete_changes) == before
    deleted = apply_compaction(plan)
    assert sorted(p.name for p in deleted) == before and change_files(tmp_path) == []
    # A brand-new device bootstraps from the snapshot (plus nothing else) and equals the others.
    new = Dev("n", wall)
    new.sync(tmp_path)
    assert new.replica.digest() == devs[0].replica.digest()
    # Everyone keeps working on top of the compacted folder.
    devs[2].edit("l1", "after")
    for d in [*devs, new, *devs, new]:
        d.sync(tmp_path)
    assert len({d.replica.digest() for d in [*devs, new]}) == 1


def test_rule_a_no_covering_snapshot_blocks(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    devs[0].snapshot(tmp_path)
    devs[2].edit("l9", "late")
    for d in devs:
        d.sync(tmp_path)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    kept = {p.name: why for p, why in plan.kept}
    late = [n for n in kept if n.startswith("devc-incc-") and kept[n].startswith("a")]
    assert len(late) == 1 and late[0] not in {d.path.name for d in plan.delete_changes}
    assert plan.delete_changes  # the covered ones go
    apply_compaction(plan)
    assert change_files(tmp_path) == late
    # A brand-new device: snapshot + the remaining file = everyone else.
    new = Dev("n", wall)
    new.sync(tmp_path)
    assert new.replica.row("lead", "l9") == {"name": "late"}
    assert new.replica.digest() == devs[0].replica.digest() == devs[2].replica.digest()


def test_rule_b_young_snapshot_blocks(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    devs[0].snapshot(tmp_path)
    wall.ms += GRACE - 1
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    assert not plan.delete_changes and all(why.startswith("b") for _p, why in plan.kept)


def test_rule_c_device_behind_blocks_but_retired_device_does_not(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    devs[0].edit("l2", "new")
    devs[0].sync(tmp_path)
    devs[0].snapshot(tmp_path)
    wall.ms += GRACE
    devs[0].sync(tmp_path)
    devs[1].sync(tmp_path)
    # c is offline (its state is from before a's last file): blocks that file only.
    plan = plan_compaction(tmp_path, None, wall.ms)
    blocked = [(p.name, why) for p, why in plan.kept]
    assert len(blocked) == 1 and blocked[0][1].startswith("c: not yet applied by incc")
    assert blocked[0][0].startswith("deva-inca-")
    # A corrupt state file of c also blocks (knows nothing)...
    state_path(tmp_path, "incc").write_bytes(b"{")
    plan = plan_compaction(tmp_path, None, wall.ms)
    assert not plan.delete_changes
    # ...but once c has been silent longer than retire_after it no longer does.
    write_state(tmp_path, "devc", "incc", devs[2].replica.known_through(), T0)
    plan = plan_compaction(tmp_path, None, wall.ms, retire_after_ms=GRACE - 1)
    assert plan.retired == ["incc"] and not plan.kept and plan.delete_changes


def test_retired_device_returning_after_compaction_converges_and_keeps_its_edits(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    a, b, c = devs
    c.edit("l1", "c-offline")  # concurrent with what follows, never exported before compaction
    c.edit("l5", "c-new")
    a.edit("l1", "a-later")
    b.edit("own" + "b", "y")
    a.sync(tmp_path)
    b.sync(tmp_path)
    a.sync(tmp_path)
    a.snapshot(tmp_path)
    wall.ms += 70 * DAY_MS
    a.sync(tmp_path)
    b.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    assert plan.retired == ["incc"]
    apply_compaction(plan)
    assert change_files(tmp_path) == []
    c.sync(tmp_path)  # returns: absorbs the snapshot, exports its edits
    a.sync(tmp_path)
    b.sync(tmp_path)
    assert len({d.replica.digest() for d in devs}) == 1
    assert a.replica.row("lead", "l5") == {"name": "c-new"}
    assert [cf.field for cf in a.replica.conflicts()] == ["name"]  # c's offline edit kept as a conflict
    values = {h.value for h in a.replica.heads("lead", "l1", "name")}
    assert values == {"a-later", "c-offline"}


def test_keep_two_snapshots_and_delete_older_only_when_dominated_after_grace(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    names = []
    for i in range(4):
        devs[0].edit("l1", f"v{i}")
        devs[0].sync(tmp_path)
        names.append(devs[0].snapshot(tmp_path).name)
        wall.ms += DAY_MS
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    assert not plan.delete_snapshots  # dominating ones are younger than grace
    wall.ms += GRACE
    plan = plan_compaction(tmp_path, None, wall.ms, keep_snapshots=2)
    assert sorted(d.path.name for d in plan.delete_snapshots) == sorted(names[:2])
    apply_compaction(plan)
    assert snapshot_files(tmp_path) == sorted(names[2:])
    plan = plan_compaction(tmp_path, None, wall.ms, keep_snapshots=2)
    assert not plan.delete_snapshots


def test_older_snapshot_not_dominated_is_kept(tmp_path: Path) -> None:
    wall = FakeWall()
    a, b = Dev("a", wall), Dev("b", wall)
    a.edit("l1", 1)
    b.edit("l2", 2)
    old = a.snapshot(tmp_path)  # covers inca only
    wall.ms += 1
    b.snapshot(tmp_path)
    wall.ms += 1
    b.edit("l2", 3)
    b.snapshot(tmp_path)
    wall.ms += GRACE
    plan = plan_compaction(tmp_path, None, wall.ms, keep_snapshots=2)
    assert old not in {d.path for d in plan.delete_snapshots}
    assert len(plan.delete_snapshots) == 0  # b's older one is among the two newest


def test_undecodable_files_are_never_deleted(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    key = TeamKey("other team", scrypt_params=FAST_SCRYPT)
    foreign_ops = Replica("incx", wall=wall)
    foreign_ops.local_set("lead", "lx", "n", 1)
    (tmp_path / "devx-incx-0000000001-0000000001.lsync").write_bytes(
        encode(ChangeSet.build("devx", "incx", foreign_ops.own_ops()), key))
    first = sorted(tmp_path.glob("*.lsync"))[0]
    (tmp_path / f"{first.stem} (1).lsync").write_bytes(first.read_bytes()[:-5])  # partial download
    (tmp_path / "snapshot-9999999999999-0000-incz-00000000.lsnap").write_bytes(
        seal(SNAPSHOT_MAGIC, {"format": 99, "min_reader": 99}, b"future"))
    (tmp_path / "desktop.ini").write_text("x")
    for _ in range(4):
        devs[0].edit("l1", "v")
        devs[0].sync(tmp_path)
        devs[0].snapshot(tmp_path)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms, keep_snapshots=1)
    undecodable = {p.name for p in plan.undecodable}
    assert undecodable >= {f"{first.stem} (1).lsync",
                           "snapshot-9999999999999-0000-incz-00000000.lsnap"}
    # No snapshot covers the foreign team's file by its name: kept without even being read.
    kept = {p.name for p, _why in plan.kept}
    assert "devx-incx-0000000001-0000000001.lsync" in kept
    planned = {d.path.name for d in plan.deletions}
    assert not planned & (undecodable | {"devx-incx-0000000001-0000000001.lsync"})
    assert "desktop.ini" not in planned
    apply_compaction(plan)
    assert undecodable <= {p.name for p in tmp_path.iterdir()}


def test_encrypted_folder_compacts_with_the_key(tmp_path: Path) -> None:
    wall = FakeWall()
    key = TeamKey("team pass", scrypt_params=FAST_SCRYPT)
    devs = team(tmp_path, wall, key)
    devs[0].snapshot(tmp_path, key)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path, key)
    assert not plan_compaction(tmp_path, None, wall.ms).deletions  # no key: nothing is valid
    apply_compaction(plan_compaction(tmp_path, key, wall.ms))
    assert change_files(tmp_path) == []
    new = Dev("n", wall)
    new.sync(tmp_path, key)
    assert new.replica.digest() == devs[0].replica.digest()


def test_apply_compaction_retries_busy_files_and_tolerates_missing_or_changed(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    devs[0].snapshot(tmp_path)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path)
    plan = plan_compaction(tmp_path, None, wall.ms)
    paths = [d.path for d in plan.delete_changes]
    assert len(paths) >= 3
    paths[0].unlink()  # someone else compacted it already
    paths[1].write_bytes(b"replaced")  # not what the plan verified
    busy = {paths[2]: 2}

    def fault(path: Path) -> None:
        if busy.get(path, 0) > 0:
            busy[path] -= 1
            raise OSError(errno.EBUSY, "busy")

    sleeps: list[float] = []
    deleted = apply_compaction(plan, sleep=sleeps.append, fault=fault)
    assert paths[0] not in deleted and paths[1] not in deleted and paths[1].exists()
    assert paths[2] in deleted and len(sleeps) == 2
    assert set(deleted) == set(paths[2:])
    # Always busy: given up, file kept for the next compaction.
    stubborn = plan_compaction(tmp_path, None, wall.ms)
    stubborn.delete_changes[:] = [d for d in plan.delete_changes if d.path == paths[1]]

    def always(_p: Path) -> None:
        raise OSError(errno.EBUSY, "busy")

    assert apply_compaction(stubborn, retries=2, sleep=lambda _s: None, fault=always) == []


def test_two_devices_compacting_concurrently_both_snapshots_valid(tmp_path: Path) -> None:
    wall = FakeWall()
    devs = team(tmp_path, wall)
    devs[0].edit("l1", "a-only")
    devs[1].edit("l2", "b-only")
    devs[0].snapshot(tmp_path)
    devs[1].snapshot(tmp_path)
    for d in devs:
        d.sync(tmp_path)
    for d in devs:
        d.sync(tmp_path)
    wall.ms += GRACE
    for d in devs:
        d.sync(tmp_path)
    apply_compaction(plan_compaction(tmp_path, None, wall.ms))
    apply_compaction(plan_compaction(tmp_path, None, wall.ms))
    assert len(scan_snapshots(tmp_path).snapshots) == 2
    new = Dev("n", wall)
    new.sync(tmp_path)
    assert new.replica.digest() == devs[0].replica.digest() == devs[1].replica.digest()


def test_knowledge_ranges_merge_and_give_contiguous_knowledge() -> None:
    from app.sync.compaction import add_range, through

    ranges: dict[str, list[list[int]]] = {}
    add_range(ranges, "a", 11, 20)
    assert through(ranges) == {}  # 1..10 not held yet: nothing may be claimed
    add_range(ranges, "a", 1, 10)
    add_range(ranges, "a", 30, 40)
    add_range(ranges, "b", 1, 5)
    assert through(ranges) == {"a": 20, "b": 5}
    add_range(ranges, "a", 21, 29)
    assert ranges["a"] == [[1, 40]] and through(ranges)["a"] == 40
    add_range(ranges, "a", 5, 12)  # a duplicate file changes nothing
    assert ranges["a"] == [[1, 40]]
