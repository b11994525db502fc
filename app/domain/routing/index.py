"""The rule index: which condition each rule is indexed by, so a lead is only tested against the
rules that can match it, and the first match found through it."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.data_quality import company_key
from app.domain.leads import Rating
from app.domain.routing.conditions import (
    _SCORE_KINDS,
    Condition,
    ConditionKind,
    Predicate,
    RoutingFacts,
    _company_key,
    _email_domain,
    _fold,
    _predicate,
)
from app.domain.routing.targets import RoutingRule, rule_order

# Index kinds: the lead attribute an equality condition looks at, and roughly how many
# distinct values that attribute has in practice. A rule is indexed by the condition whose
# values cover the smallest share of leads (values / distinct), e.g. one event before a
# 10-country list, a country before a rating.
_INDEXABLE = {ConditionKind.EVENT: 50, ConditionKind.KEY_ACCOUNT: 10_000,
              ConditionKind.COUNTRY: 60, ConditionKind.REGION: 100, ConditionKind.INDUSTRY: 30,
              ConditionKind.CHANNEL: 9, ConditionKind.RATING: 3,
              ConditionKind.PHONE_AREA_CODE: 300, ConditionKind.POSTAL_PREFIX: 100}


def _share(condition: Condition) -> float | None:
    """Rough share of leads a condition lets through, or None if it cannot be indexed."""
    kind = condition.kind
    if kind in _INDEXABLE:
        return len(condition.values) / _INDEXABLE[kind]
    if kind is ConditionKind.POSTAL_RANGE and all(v[0].isdigit() for v in condition.values):
        spans = (int(high) - int(low) + 1 for low, _, high in (v.partition("-")
                                                                for v in condition.values))
        # A range is a slice of one country's codes, and codes of several countries share
        # the number line, so a range passes fewer leads than its width alone suggests.
        return sum(spans) / 1_000_000
    return None


def _rule_keys(condition: Condition) -> dict[str, list[object]]:
    """The index keys under which a rule with this condition must be found."""
    kind, values = condition.kind, condition.values
    if kind is ConditionKind.EVENT:
        return {"event": [uuid.UUID(v) for v in values]}
    if kind is ConditionKind.KEY_ACCOUNT:
        keys: dict[str, list[object]] = {}
        for v in values:
            if v.startswith("@"):
                keys.setdefault("domain", []).append(v[1:])
            else:
                keys.setdefault("company", []).append(company_key(v))
        return keys
    if kind is ConditionKind.COUNTRY:
        return {"country": list(values)}
    if kind is ConditionKind.REGION:
        return {"region": [_fold(v) for v in values]}
    if kind is ConditionKind.INDUSTRY:
        return {"industry": [_fold(v) for v in values]}
    if kind is ConditionKind.CHANNEL:
        return {"channel": list(values)}
    if kind is ConditionKind.PHONE_AREA_CODE:
        return {"phone": list(values)}
    if kind is ConditionKind.POSTAL_PREFIX:
        return {"postal": list(values)}
    return {"rating": [Rating(v) for v in values]}


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: RoutingRule
    tests: tuple[Predicate, ...]
    prefix: str  # "rule 'DACH' → "


class RuleIndex:
    """The enabled rules in position order, indexed by the condition that narrows each most, so
    finding a lead's first matching rule tests only the rules that can match it."""

    def __init__(self, rules: Iterable[RoutingRule]) -> None:
        ordered = sorted((r for r in rules if r.enabled), key=rule_order)
        # Index: key → positions of the rules that can only match leads with that key.
        # A rule without an indexable condition is a candidate for every lead.
        self.rules: list[_Compiled] = []
        tables: dict[str, dict[object, list[int]]] = {}
        always: list[int] = []
        ranges: list[tuple[int, int, int]] = []  # (low, high, rule) of indexed numeric ranges
        # Rules whose only narrowing is the score: bucketed per score value on first use (scores
        # are small integers), instead of testing every such rule for every lead.
        by_score: list[tuple[int, list[Predicate]]] = []
        for i, rule in enumerate(ordered):
            shares = [(share, n) for n, c in enumerate(rule.conditions)
                      if (share := _share(c)) is not None]
            best = rule.conditions[min(shares)[1]] if shares else None
            # A rule is a candidate only through the bucket of its indexed condition, and the
            # bucket key is that condition's test with the same normalisation: it holds
            # already, so it is not tested again.
            tests = tuple(_predicate(c) for c in rule.conditions if c is not best)
            self.rules.append(_Compiled(rule, tests, f"rule '{rule.name}' → "))
            if best is None:
                score_tests = [_predicate(c) for c in rule.conditions if c.kind in _SCORE_KINDS]
                if score_tests:
                    by_score.append((i, score_tests))
                else:
                    always.append(i)
                continue
            if best.kind is ConditionKind.POSTAL_RANGE:
                for value in best.values:
                    low, _, high = value.partition("-")
                    ranges.append((int(low), int(high), i))
                continue
            for name, keys in _rule_keys(best).items():
                table = tables.setdefault(name, {})
                for key in keys:
                    bucket = table.setdefault(key, [])
                    if not bucket or bucket[-1] != i:
                        bucket.append(i)
        self._always = always
        self._score_rules = by_score
        self._by_score_value: dict[int, list[int]] = {}
        # One attribute per index; None when no rule uses it, so match skips the lookup.
        self._by_event = tables.get("event")
        self._by_company = tables.get("company")
        self._by_domain = tables.get("domain")
        self._by_country = tables.get("country")
        self._by_region = tables.get("region")
        self._by_industry = tables.get("industry")
        self._by_channel = tables.get("channel")
        self._by_rating = tables.get("rating")
        self._by_phone = tables.get("phone")
        self._by_postal = tables.get("postal")
        # Prefix indexes: a lead is looked up once per prefix length in use (+1415 and +49 →
        # lengths 5 and 3), not once per rule.
        self._phone_lengths = sorted({len(str(k)) for k in self._by_phone or ()})
        self._postal_lengths = sorted({len(str(k)) for k in self._by_postal or ()})
        # Numeric postal ranges: the number line cut at every range end into segments, each
        # with the rules covering it, found by one bisect.
        cuts = sorted({p for low, high, _ in ranges for p in (low, high + 1)})
        self._range_cuts = cuts
        self._range_rules = [sorted({i for low, high, i in ranges if low <= start <= high})
                             for start in cuts]

    def match(self, facts: RoutingFacts) -> _Compiled | None:
        """The first enabled rule in position order whose conditions all hold, compiled."""
        hits: list[list[int]] = []
        table = self._by_country
        if table is not None and facts.country:
            hit = table.get(facts.country.upper())
            if hit:
                hits.append(hit)
        table = self._by_industry
        if table is not None and facts.industry:
            hit = table.get(_fold(facts.industry))
            if hit:
                hits.append(hit)
        table = self._by_region
        if table is not None and facts.region:
            hit = table.get(_fold(facts.region))
            if hit:
                hits.append(hit)
        table = self._by_channel
        if table is not None:
            hit = table.get(facts.channel)  # a Channel hashes and compares as its value
            if hit:
                hits.append(hit)
        table = self._by_rating
        if table is not None and facts.rating is not None:
            hit = table.get(facts.rating)
            if hit:
                hits.append(hit)
        table = self._by_phone
        if table is not None:
            for number in (facts.phone_e164, facts.mobile_e164):
                if number:
                    for length in self._phone_lengths:
                        hit = table.get(number[:length])
                        if hit:
                            hits.append(hit)
        table = self._by_postal
        if (table is not None or self._range_cuts) and facts.postal_code:
            code = facts.postal_code
            if " " in code:
                code = code.replace(" ", "")
            if table is not None:
                code = code.upper()
                for length in self._postal_lengths:
                    hit = table.get(code[:length])
                    if hit:
                        hits.append(hit)
            if self._range_cuts and code.isdigit():
                segment = bisect.bisect_right(self._range_cuts, int(code)) - 1
                if segment >= 0:
                    hit = self._range_rules[segment]
                    if hit:
                        hits.append(hit)
        table = self._by_event
        if table is not None and facts.event_id is not None:
            hit = table.get(facts.event_id)
            if hit:
                hits.append(hit)
        table = self._by_company
        if table is not None and facts.company:
            hit = table.get(_company_key(facts.company))
            if hit:
                hits.append(hit)
        table = self._by_domain
        if table is not None and facts.email:
            hit = table.get(_email_domain(facts.email))
            if hit:
                hits.append(hit)
        # Every candidate sits in one of the hit buckets (or in _always), each in rule order,
        # so the first match overall is the earliest of each bucket's first match. Scanning a
        # bucket stops at the best match found so far: no merging or sorting per lead.
        if self._score_rules:
            bucket = self._by_score_value.get(facts.score)
            if bucket is None:
                bucket = self._by_score_value[facts.score] = [
                    i for i, tests in self._score_rules if all(t(facts) for t in tests)]
            if bucket:
                hits.append(bucket)
        hits.append(self._always)
        rules = self.rules
        best: _Compiled | None = None
        best_at = len(rules)
        for bucket in hits:
            for i in bucket:
                if i >= best_at:
                    break
                compiled = rules[i]
                for test in compiled.tests:
                    if not test(facts):
                        break
                else:
                    best, best_at = compiled, i
                    break
        return best
