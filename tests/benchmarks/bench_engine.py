"""Scoring and routing engine speed: 200 scoring rules, 200 routing rules, N leads in memory.

Run: ``.venv/bin/python -m tests.benchmarks.bench_engine [N]`` (default 1,000,000).

Measures, on N synthetic leads (fixed seed, pools recombined; no database, no Faker):
- scoring rate with ~200 rules (limit >= 50,000 leads/s), and, for information, the rate when
  every title is new (the scorer remembers what each distinct title matched);
- routing rate of new leads through ~200 rules with round robin, least-open and capacities
  (limit >= 100,000 leads/s);
- plan_reassignment over all N leads after a reorganisation (rules re-targeted, people away)
  (limit < 5 s per 1,000,000 leads), and that planning again after applying moves nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import uuid
from dataclasses import replace

from app.domain.leads import Channel, LeadStatus, Rating
from app.domain.people import Availability, QueueRecord, RoutingMode, TeamRecord
from app.domain.routing import (
    Condition,
    ConditionKind,
    Member,
    Roster,
    Router,
    RoutingFacts,
    RoutingRule,
    TargetKind,
    plan_reassignment,
)
from app.domain.scoring import Scorer, ScoreRule, ScoreRuleKind, ScoringConfig, ScoringFacts
from tests.benchmarks.common import report

SEED = 20261122
SCORING_LIMIT = 50_000.0  # leads/s
ROUTING_LIMIT = 100_000.0  # leads/s
PLAN_LIMIT_1M = 5.0  # seconds per 1,000,000 leads
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

COUNTRIES = ["DE", "AT", "CH", "US", "GB", "FR", "IT", "ES", "NL", "BE", "PL", "SE", "DK", "NO",
             "FI", "CZ", "CA", "MX", "BR", "JP", "CN", "IN", "AU", "IE", "PT"]
COUNTRY_WEIGHTS = [20, 4, 4, 20, 8, 6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 3, 1, 1, 2, 2, 2, 1, 1, 1]
US_STATES = ["CA", "NY", "TX", "FL", "IL", "WA", "MA", "GA", "OH", "MI", "NC", "PA", "AZ",
             "CO", "NJ", "VA", "MN", "OR", "WI", "TN"]
US_AREAS = ["+1415", "+1212", "+1312", "+1617", "+1206", "+1213", "+1305", "+1404", "+1512",
            "+1713", "+1303", "+1602", "+1612", "+1503", "+1215", "+1614", "+1313", "+1704",
            "+1919", "+1615"]
INDUSTRIES = ["Manufacturing", "Automotive", "Chemicals", "Pharma", "Food & Beverage",
              "Logistics", "Energy", "Construction", "Aerospace", "Medical Devices", "Plastics",
              "Packaging", "Paper", "Textiles", "Electronics", "Mining", "Water", "Agriculture",
              "Retail", "Software", "Consulting", "Education", "Government", "Metalworking",
              "Printing", "Glass", "Wood", "Rail", "Shipbuilding", "Oil & Gas"]
PRODUCTS = ["Pumps", "Valves", "Seals", "Compressors", "Sensors", "Drives", "Service contract",
            "Spare parts", "Retrofit", "Training", "Filters", "Heat exchangers", "Mixers",
            "Conveyors", "Robots", "Software licence", "Gearboxes", "Motors", "Controls",
            "Hydraulics"]
SENIOR = ["", "", "", "Senior ", "Junior ", "Lead ", "Chief ", "Head of ", "VP ", "Director of ",
          "Managing Director", "Owner", "Founder & CEO", "Working Student ", "Intern "]
FUNCTIONS = ["Procurement", "Purchasing", "Engineering", "Maintenance", "Production",
             "Operations", "Quality", "R&D", "Sales", "Marketing", "IT", "Finance", "Logistics",
             "Supply Chain", "Plant", "Facility", "Process Engineering", "Automation", "HSE",
             "Projects"]
ROLES = ["Manager", "Engineer", "Buyer", "Technician", "Specialist", "Officer", "Planner",
         "Consultant", "Assistant", "Coordinator", ""]
SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+", "10k+", "250",
         "1,000-4,999", "", "unknown", "<10", "2.5k"]
QUESTIONS = {"Budget approved?": ["Yes", "No", "Unknown"],
             "Timeline": ["This quarter", "This year", "Next year", "No plan"],
             "Products": ["Pumps", "Valves", "Pumps; Valves", "Seals; Valves"],
             "Decision maker?": ["Yes", "No", "Influencer"]}
FREE = ["gmail.com", "gmx.de", "web.de", "yahoo.com", "outlook.com"]
SUPPRESSION = [frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset(),
               frozenset(), frozenset(), frozenset(), frozenset({"opted_out"}),
               frozenset({"competitor"})]
WORDS = ["Weber", "Muller", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli",
         "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture",
         "Dunder", "Pied Piper", "Massive"]
SECTORS = ["Maschinenbau", "Industries", "Systems", "Technik", "Automation", "Pumpen", "Energy",
           "Foods", "Logistik", "Chemie"]


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128))


def companies(rng: random.Random, count: int = 20_000) -> list[tuple[str, str]]:
    """(company name, email domain) pairs: leads come from a limited set of companies."""
    out = []
    for i in range(count):
        base = f"{rng.choice(WORDS)} {rng.choice(SECTORS)} {i}"
        out.append((f"{base} {rng.choice(['GmbH', 'AG', 'Inc.', 'Ltd', ''])}".strip(),
                    base.lower().replace(" ", "-") + rng.choice([".com", ".de", ".co.uk"])))
    return out


def scoring_config(rng: random.Random) -> ScoringConfig:
    """About 200 rules of every kind, as a busy marketing team would accumulate them."""
    rules: list[ScoreRule] = []

    def add(kind: ScoreRuleKind, value: str, points: int) -> None:
        rules.append(ScoreRule(_id(rng), kind, value, points))

    k = ScoreRuleKind
    for level, points in (("c_level", 30), ("vp", 25), ("director", 20), ("manager", 10),
                          ("individual", 0)):
        add(k.SENIORITY, level, points)
    for word in FUNCTIONS + ROLES[:-1]:
        add(k.TITLE_CONTAINS, word, rng.randint(-5, 10))
    for phrase in ("Supply Chain", "Process Engineering", "Head of Procurement",
                   "Plant Manager", "Maintenance Engineer", "Purchasing Manager"):
        add(k.TITLE_CONTAINS, phrase, rng.randint(5, 15))
    for size in (10, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        add(k.COMPANY_SIZE_AT_LEAST, str(size), 2)
    for industry in INDUSTRIES:
        add(k.INDUSTRY_IS, industry, rng.randint(-10, 15))
    add(k.INDUSTRY_IS, "Education, Government", -10)
    for country in COUNTRIES:
        add(k.COUNTRY_IN, country, rng.randint(-5, 10))
    add(k.COUNTRY_IN, "DE, AT, CH", 5)
    add(k.COUNTRY_SERVED, "", 10)
    for product in PRODUCTS:
        add(k.PRODUCT_INTEREST_CONTAINS, product, rng.randint(1, 10))
    for question, answers in QUESTIONS.items():
        for answer in answers:
            add(k.ANSWER_IS, f"{question}={answer.split(';')[0]}", rng.randint(-5, 15))
    for rating, points in (("hot", 15), ("warm", 5), ("cold", -5)):
        add(k.RATING_IS, rating, points)
    for count in (1, 3, 5, 10, 20):
        add(k.ACTIVITY_COUNT_AT_LEAST, str(count), 3)
    for days in (3, 7, 14, 30, 90):
        add(k.TOUCHED_WITHIN_DAYS, str(days), 2)
    for kind, points in ((k.FREE_MAIL, -10), (k.ROLE_ADDRESS, -5), (k.STUDENT, -30),
                         (k.COMPETITOR, -50), (k.SUPPRESSED, -40)):
        add(kind, "", points)
    while len(rules) < 200:  # fill up with more title and interest keywords
        add(rng.choice([k.TITLE_CONTAINS, k.PRODUCT_INTEREST_CONTAINS]),
            f"{rng.choice(FUNCTIONS)} {rng.choice(ROLES[:-1])}", rng.randint(1, 5))
    return ScoringConfig(tuple(rules), decay_points_per_week=2, decay_max=20, mql_threshold=40,
                         sql_threshold=70)


def scoring_facts(rng: random.Random, count: int, pool: list[tuple[str, str]],
                  unique_titles: bool = False) -> list[ScoringFacts]:
    served = frozenset({"DE", "AT", "CH", "US", "GB", "FR", "NL", "BE"})
    ratings = [Rating.HOT, Rating.WARM, Rating.COLD, None, None]
    countries = rng.choices(COUNTRIES, COUNTRY_WEIGHTS, k=count)
    out = []
    for i in range(count):
        title = f"{rng.choice(SENIOR)}{rng.choice(FUNCTIONS)} {rng.choice(ROLES)}".strip()
        if unique_titles:
            title = f"{title} {i}"
        company, domain = rng.choice(pool)
        r = rng.random()
        email = (f"x{i}@{domain}" if r < 0.7 else f"x{i}@{rng.choice(FREE)}" if r < 0.9
                 else f"info@{domain}" if r < 0.97 else f"s{i}@uni.ac.uk")
        created = NOW - dt.timedelta(days=rng.randint(0, 400))
        touched = created + dt.timedelta(days=rng.randint(0, 30)) if r < 0.6 else None
        answers = {q: rng.choice(a) for q, a in QUESTIONS.items() if rng.random() < 0.5}
        out.append(ScoringFacts(
            created_at=created, title=title, company_size=rng.choice(SIZES),
            industry=rng.choice(INDUSTRIES), country=countries[i],
            product_interest=", ".join(rng.sample(PRODUCTS, rng.randint(0, 3))), email=email,
            rating=rng.choice(ratings), answers=answers, activity_count=rng.randint(0, 12),
            last_touch_at=touched, is_free_mail=0.7 <= r < 0.9, is_role_address=0.9 <= r < 0.97,
            suppression_kinds=rng.choice(SUPPRESSION), served_countries=served))
    return out


def roster(rng: random.Random) -> tuple[Roster, list[TeamRecord]]:
    teams = [TeamRecord(_id(rng), name, mode) for name, mode in (
        ("Central Europe", RoutingMode.ROUND_ROBIN), ("North America East", RoutingMode.LEAST_OPEN),
        ("North America West", RoutingMode.ROUND_ROBIN), ("UK & Ireland", RoutingMode.ROUND_ROBIN),
        ("France & Benelux", RoutingMode.LEAST_OPEN), ("Southern Europe", RoutingMode.ROUND_ROBIN),
        ("Nordics", RoutingMode.ROUND_ROBIN), ("APAC", RoutingMode.LEAST_OPEN),
        ("Key Accounts", RoutingMode.ROUND_ROBIN), ("Inside Sales", RoutingMode.LEAST_OPEN))]
    members = []
    for t, team in enumerate(teams):
        for n in range(8):
            capacity = None if n % 3 else 40_000  # a few reps have a cap, most none
            away = Availability.AWAY if (t + n) % 17 == 0 else Availability.ACTIVE
            members.append(Member(_id(rng), f"Rep {t:02d}-{n}", away, None, capacity, team.id))
    queues = [QueueRecord(_id(rng), f"{team.name} queue", team.id) for team in teams[:5]]
    queues.append(QueueRecord(_id(rng), "Inbox", None, is_catch_all=True))
    queues.append(QueueRecord(_id(rng), "Nurture", None))
    return Roster(tuple(members), tuple(teams), tuple(queues)), teams


def routing_rules(rng: random.Random, ros: Roster, pool: list[tuple[str, str]]
                  ) -> list[RoutingRule]:
    """About 200 rules: key accounts first, then events, area codes, postal ranges and
    prefixes, regions, industries, products and countries, a low-score rule and a catch-all."""
    teams = list(ros.teams)
    users = [m for m in ros.members]
    queues = {q.name: q for q in ros.queues}
    rules: list[RoutingRule] = []
    C, T = ConditionKind, TargetKind  # noqa: N806

    def add(name: str, conditions: list[Condition], kind: TargetKind, target: uuid.UUID) -> None:
        rules.append(RoutingRule(_id(rng), name, len(rules) * 10, tuple(conditions), kind, target))

    for i in range(20):  # key accounts to a named rep
        names = [c for c, _ in rng.sample(pool, 3)]
        domains = ["@" + d for _, d in rng.sample(pool, 2)]
        add(f"Key account {i}", [Condition(C.KEY_ACCOUNT, tuple(names + domains))], T.USER,
            rng.choice(users).id)
    for i in range(5):
        add(f"Event {i} hot leads", [Condition(C.EVENT, (str(_id(rng)),)),
                                     Condition(C.SCORE_AT_LEAST, ("50",))], T.TEAM,
            rng.choice(teams).id)
    add("Junk", [Condition(C.SCORE_BELOW, ("-20",))], T.QUEUE, queues["Nurture"].id)
    for area in US_AREAS:
        add(f"Area {area}", [Condition(C.COUNTRY, ("US",)), Condition(C.PHONE_AREA_CODE, (area,))],
            T.USER, rng.choice(users).id)
    for lo in range(0, 100_000, 10_000):
        add(f"DE {lo:05d}", [Condition(C.COUNTRY, ("DE",)),
                             Condition(C.POSTAL_RANGE, (f"{lo:05d}-{lo + 9_999:05d}",))],
            T.TEAM, teams[0].id)
    for lo in range(0, 100_000, 5_000):
        add(f"US ZIP {lo:05d}", [Condition(C.COUNTRY, ("US",)),
                                 Condition(C.POSTAL_RANGE, (f"{lo:05d}-{lo + 4_999:05d}",))],
            T.TEAM, teams[1 + (lo // 50_000)].id)
    for a, b in (("AA", "EZ"), ("FA", "KZ"), ("LA", "PZ"), ("QA", "UZ"), ("VA", "ZZ")):
        add(f"GB {a}-{b}", [Condition(C.COUNTRY, ("GB",)), Condition(C.POSTAL_RANGE, (f"{a}-{b}",))],
            T.TEAM, teams[3].id)
    for dep in range(1, 96, 5):
        prefixes = tuple(f"{d:02d}" for d in range(dep, dep + 5))
        add(f"FR {dep:02d}", [Condition(C.COUNTRY, ("FR",)), Condition(C.POSTAL_PREFIX, prefixes)],
            T.TEAM, teams[4].id)
    for state in US_STATES:
        add(f"State {state}", [Condition(C.COUNTRY, ("US",)), Condition(C.REGION, (state,))],
            T.TEAM, rng.choice(teams[1:3]).id)
    for industry in INDUSTRIES:
        add(f"Industry {industry}", [Condition(C.COUNTRY, tuple(rng.sample(COUNTRIES, 6))),
                                     Condition(C.INDUSTRY, (industry,))], T.TEAM,
            rng.choice(teams).id)
    for product in PRODUCTS:
        add(f"Product {product}", [Condition(C.PRODUCT_INTEREST, (product,)),
                                   Condition(C.CHANNEL, ("web", "phone"))], T.TEAM,
            teams[9].id)
    regions = {"DE": 0, "AT": 0, "CH": 0, "US": 1, "CA": 2, "MX": 2, "GB": 3, "IE": 3, "FR": 4,
               "NL": 4, "BE": 4, "IT": 5, "ES": 5, "PT": 5, "SE": 6, "DK": 6, "NO": 6, "FI": 6,
               "JP": 7, "CN": 7, "IN": 7, "AU": 7}
    for country, team in regions.items():
        add(f"Country {country}", [Condition(C.COUNTRY, (country,))], T.TEAM, teams[team].id)
    while len(rules) < 199:
        add(f"Rated {len(rules)}", [Condition(C.RATING, ("warm",)),
                                    Condition(C.SCORE_AT_LEAST, (str(rng.randint(60, 90)),))],
            T.TEAM, teams[9].id)
    add("Everything else", [], T.QUEUE, queues["Inbox"].id)
    return rules


def routing_facts(rng: random.Random, count: int, pool: list[tuple[str, str]]
                  ) -> list[RoutingFacts]:
    countries = rng.choices(COUNTRIES, COUNTRY_WEIGHTS, k=count)
    channels = list(Channel)
    ratings = [Rating.HOT, Rating.WARM, Rating.COLD, None]
    statuses = rng.choices(list(LeadStatus), [20, 10, 10, 10, 10, 10, 5, 5, 10, 10], k=count)
    out = []
    for i in range(count):
        country = countries[i]
        company, domain = rng.choice(pool)
        if country == "GB":
            postal = f"{rng.choice('ABCDEFGHIJKLMNOPRSTUWYZ')}{rng.choice('ABCDEFGHLMNPRSTW')}" \
                     f"{rng.randint(1, 9)} {rng.randint(1, 9)}AA"
        elif country in ("DE", "US", "FR", "IT", "ES"):
            postal = f"{rng.randint(1000, 99999):05d}"
        else:
            postal = str(rng.randint(1000, 9999))
        phone = (rng.choice(US_AREAS) + str(rng.randint(2_000_000, 9_999_999))
                 if country == "US" else f"+49{rng.randint(10**9, 10**10)}")
        out.append(RoutingFacts(
            lead_id=uuid.UUID(int=i + 1), country=country,
            region=rng.choice(US_STATES) if country == "US" else "",
            postal_code=postal, phone_e164=phone, industry=rng.choice(INDUSTRIES),
            product_interest=rng.choice(PRODUCTS) if rng.random() < 0.5 else "",
            company=company, email=f"x{i}@{domain}", channel=rng.choice(channels),
            score=rng.randint(-30, 100), rating=rng.choice(ratings), status=statuses[i]))
    return out


def measure_scoring(count: int) -> bool:
    rng = random.Random(SEED)
    pool = companies(rng)
    config = scoring_config(rng)
    facts = scoring_facts(rng, count, pool)
    scorer = Scorer(config)
    score = scorer.score
    started = time.perf_counter()
    total = 0
    for f in facts:
        total += score(f, NOW).total
    rate = count / (time.perf_counter() - started)
    cold = scoring_facts(rng, min(count, 50_000), pool, unique_titles=True)
    fresh = Scorer(config)
    started = time.perf_counter()
    for f in cold:
        fresh.score(f, NOW)
    cold_rate = len(cold) / (time.perf_counter() - started)
    print(f"scoring: {len(config.rules)} rules, {count:,} leads, mean score "
          f"{total / count:.1f}; every title new: {cold_rate:,.0f} leads/s (information)",
          flush=True)
    return report(f"scoring rate ({len(config.rules)} rules)", rate, SCORING_LIMIT, "leads/s",
                  higher_is_better=True)


def measure_routing(count: int) -> bool:
    rng = random.Random(SEED + 1)
    pool = companies(rng)
    ros, teams = roster(rng)
    rules = routing_rules(rng, ros, pool)
    leads = routing_facts(rng, count, pool)
    router = Router(rules, ros)
    route = router.route
    started = time.perf_counter()
    results = [route(f) for f in leads]
    rate = count / (time.perf_counter() - started)
    queued = sum(1 for a in results if a.owner_id is None)
    print(f"routing: {len(rules)} rules, {count:,} leads, {queued:,} to queues", flush=True)
    ok = report(f"routing rate ({len(rules)} rules)", rate, ROUTING_LIMIT, "leads/s",
                higher_is_better=True)

    # The leads now sit where routing put them. Reorganise: half the rules change target,
    # some rules are disabled, two reps go away, then re-apply the rules to every lead.
    placed = [replace(f, owner_id=a.owner_id, team_id=a.team_id, queue_id=a.queue_id)
              for f, a in zip(leads, results, strict=True)]
    members = list(ros.members)
    for i in (3, 20):
        members[i] = replace(members[i], availability=Availability.AWAY)
    counts = _open_counts(placed)
    members = [replace(m, open_leads=counts.get(m.id, 0)) for m in members]
    changed = Roster(tuple(members), ros.teams, ros.queues)
    new_rules = [replace(r, target_kind=TargetKind.TEAM, target_id=rng.choice(teams).id)
                 if r.target_kind is not TargetKind.QUEUE and rng.random() < 0.5 else
                 replace(r, enabled=rng.random() > 0.05) for r in rules]
    affected = frozenset({LeadStatus.INQUIRY, LeadStatus.SUSPECT, LeadStatus.PROSPECT,
                          LeadStatus.MQL, LeadStatus.NURTURE, LeadStatus.SQL})
    router = Router(new_rules, changed, router.state())
    started = time.perf_counter()
    moves = plan_reassignment(placed, router, affected)
    seconds = time.perf_counter() - started
    limit = PLAN_LIMIT_1M * count / 1_000_000

    # Apply the plan, rebuild the roster counts, plan again: nothing may move.
    by_lead = {m.lead_id: m for m in moves}
    applied = [replace(f, owner_id=by_lead[f.lead_id].to_owner_id,
                       queue_id=by_lead[f.lead_id].to_queue_id) if f.lead_id in by_lead else f
               for f in placed]
    counts = _open_counts(applied)
    again_roster = Roster(tuple(replace(m, open_leads=counts.get(m.id, 0)) for m in members),
                          ros.teams, ros.queues)
    again = plan_reassignment(applied, Router(new_rules, again_roster, router.state()), affected)
    print(f"plan: {len(moves):,} of {count:,} leads move; planning again after applying: "
          f"{len(again):,} moves", flush=True)
    ok &= report(f"plan_reassignment of {count:,} leads", seconds, limit, "s",
                 basis=f"{PLAN_LIMIT_1M:.0f} s per 1M" if count != 1_000_000 else "")
    return ok & report("moves when planning again after applying", len(again), 0, "moves")


def _open_counts(leads: list[RoutingFacts]) -> dict[uuid.UUID, int]:
    counts: dict[uuid.UUID, int] = {}
    for f in leads:
        if f.owner_id is not None and f.status.is_open:
            counts[f.owner_id] = counts.get(f.owner_id, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> bool:
    args = list(sys.argv[1:] if argv is None else argv)
    count = int(args[0].replace(",", "").replace("_", "")) if args else 1_000_000
    ok = measure_scoring(count)
    return measure_routing(count) & ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
