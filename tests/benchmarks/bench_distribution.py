"""Scoring and routing a stored database: 200 scoring rules and 200 routing rules.

Run: ``.venv/bin/python -m tests.benchmarks.bench_distribution [LEADS]`` (default 1,000,000).
Works on a copy of the cached demo database. Measures, through the services (SQLite reads and
writes included):
- re-scoring every lead with ~200 scoring rules (leads/s; limit >= 10,000 leads/s, i.e. a
  million leads in under 100 s, in batches that each commit);
- the re-assignment preview over every open lead with 200 routing rules after a
  reorganisation (limit < 10 s at 1,000,000 leads, scaled linearly);
- applying it (one transaction, recorded for undo), and that a second preview moves nothing.
"""

from __future__ import annotations

import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app.domain.people import Availability
from app.domain.routing import Condition, ConditionKind, TargetKind
from app.services.container import Services
from app.storage.opening import open_database
from tests.benchmarks import bench_engine
from tests.benchmarks.common import demo_database, report

RESCORE_LIMIT = 10_000.0  # leads/s
PREVIEW_LIMIT_PER_MILLION = 10.0  # seconds
SEED = 20261122


def _copy(source: Path) -> Path:
    copy = source.with_name(f"distribution-{source.name}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
    return copy


def install_rules(services: Services, rng: random.Random) -> int:
    """200 routing rules over the demo's real reps, teams and queues, plus a reorganisation."""
    people = services.people
    users = [u for u in people.users() if u.role.value == "rep"]
    teams, queues = people.teams(), people.queues()
    with services.context.db.raw_connection() as connection:
        companies = [r[0] for r in connection.execute(
            "SELECT DISTINCT company FROM lead WHERE company != '' LIMIT 400")]
        countries = [r[0] for r in connection.execute(
            "SELECT DISTINCT country FROM lead WHERE country != ''")]
    targets = ([(TargetKind.TEAM, t.id) for t in teams] + [(TargetKind.USER, u.id) for u in users]
               + [(TargetKind.QUEUE, q.id) for q in queues if not q.is_catch_all])
    rules = []
    for index in range(199):
        condition = rule_condition(rng, index, companies, countries)
        target_kind, target_id = rng.choice(targets)
        rules.append((f"Rule {index + 1:03d}", [condition], target_kind, target_id))
    for name, conditions, target_kind, target_id in rules:
        services.routing.add_rule(name, conditions, target_kind, target_id)
    # The reorganisation: a quarter of the reps away, so their open leads are orphans.
    for user in users[: max(1, len(users) // 4)]:
        people.set_availability(user.id, Availability.AWAY)
    return len(rules)


def main(leads: int = 1_000_000) -> bool:
    source = demo_database(leads)
    copy = _copy(source)
    database, _ = open_database(copy)
    try:
        services = Services.build(database)
        rng = random.Random(SEED)
        services.scoring.save_rules(bench_engine.scoring_config(rng).rules)
        print(f"{len(services.scoring.rules())} scoring rules, "
              f"{install_rules(services, rng)} routing rules, {leads:,} leads", flush=True)

        started = time.perf_counter()
        summary = services.scoring.rescore_all()
        seconds = time.perf_counter() - started
        print(f"re-scored {summary.leads:,} leads in {seconds:.1f} s: {summary.changed:,} "
              f"scores changed, {summary.promoted:,} promoted to MQL/SQL", flush=True)
        ok = report(f"re-score {summary.leads:,} leads with 200 rules", summary.leads / seconds,
                    RESCORE_LIMIT, "leads/s", higher_is_better=True)

        preview = services.routing.preview()
        limit = PREVIEW_LIMIT_PER_MILLION * max(leads, 100_000) / 1_000_000
        print(f"preview: {len(preview.moves):,} of {preview.considered:,} open leads would "
              "move", flush=True)
        ok &= report(f"re-assignment preview over {preview.considered:,} open leads",
                     preview.seconds, limit, "s",
                     basis=f"{PREVIEW_LIMIT_PER_MILLION:g} s per 1,000,000 leads")
        print(f"  {preview.considered / preview.seconds:,.0f} leads/s routed in the preview")

        started = time.perf_counter()
        result = services.routing.apply(expected=preview.moves)
        print(f"applied {len(result.moves):,} moves in {time.perf_counter() - started:.1f} s "
              "(one transaction, history and undo record included)", flush=True)
        again = services.routing.preview()
        ok &= report("moves when previewing again after applying", len(again.moves), 0, "")
        return ok
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)


def rule_condition(rng: random.Random, index: int, companies: Sequence[str],
                   countries: Sequence[str]) -> Condition:
    """The ``index``-th benchmark rule's condition: the six kinds in turn, values drawn from
    the demo data (bench_server builds the same rules on both databases)."""
    kind = index % 6
    if kind == 0:
        return Condition(ConditionKind.KEY_ACCOUNT, (rng.choice(companies),))
    if kind == 1:
        low = rng.randrange(10, 99) * 1000
        return Condition.parse(ConditionKind.POSTAL_RANGE, f"{low}-{low + 999}")
    if kind == 2:
        return Condition(ConditionKind.INDUSTRY, (rng.choice(bench_engine.INDUSTRIES),))
    if kind == 3:
        return Condition(ConditionKind.PHONE_AREA_CODE, (rng.choice(bench_engine.US_AREAS),))
    if kind == 4:
        return Condition(ConditionKind.SCORE_AT_LEAST, (str(rng.randint(60, 90)),))
    return Condition(ConditionKind.COUNTRY, tuple(rng.sample(list(countries), 2)))
