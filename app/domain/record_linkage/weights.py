"""Compared fields, their agreement levels and the Fellegi-Sunter weights (calibrated or by EM)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

COMPARED = ("first_name", "last_name", "street", "house_number", "postal_code", "city", "region",
            "birth_date")
"""What is compared field by field (and explained in the reasons)."""
FIRST, LAST, STREET, HOUSE, POSTCODE, CITY, REGION, BIRTH = range(len(COMPARED))
MISSING = 0

FIELDS = ("first_name", "last_name", "address", "birth_date")
"""What is weighted. The address parts are one field: people at one address (a household, a
block of flats) agree on street, number, postcode and city together, so counting each as
independent evidence, as the model assumes, would make every household a duplicate."""
ADDRESS = 2
W_BIRTH = 3
LEVELS: tuple[tuple[str, ...], ...] = (
    ("missing", "same", "nickname", "very similar", "similar", "different"),
    ("missing", "same", "very similar", "similar", "different"),
    ("missing", "same address", "same street and number, other postcode",
     "same street, other number", "same postcode or city", "same state", "different"),
    ("missing", "same", "day and month swapped", "year differs",
     "day and month swapped, year differs", "day or month differs", "different"),
)
"""Agreement levels per weighted field, most alike first; level 0 is "missing on one side"."""

Pattern = tuple[int, ...]
"""Levels of the weighted fields (FIELDS) of a pair."""
Detail = tuple[int, ...]
"""Levels of each compared field (COMPARED) of a pair: street, house number, postcode, city and
state separately (0 missing, 1 same, then less alike, the last level "different")."""

# Measured on the generator's candidate pairs (tests/dedupe_generator.py, seed 1, 50,000 records,
# a different seed from the benchmark's; `python -m tests.benchmarks.bench_dedupe --calibrate`
# prints it): m = P(level | same person), u = P(level | different
# people) among the pairs blocking proposes, level 0 (missing) excluded, each at least 0.001.
CALIBRATED_M: tuple[tuple[float, ...], ...] = (
    (0.0, 0.8643, 0.0612, 0.0652, 0.0063, 0.003),
    (0.0, 0.8971, 0.0903, 0.0098, 0.0028),
    (0.0, 0.9356, 0.016, 0.0117, 0.0347, 0.001, 0.001),
    (0.0, 0.6206, 0.0632, 0.3042, 0.01, 0.001, 0.001),
)
CALIBRATED_U: tuple[tuple[float, ...], ...] = (
    (0.0, 0.1287, 0.0154, 0.0336, 0.0271, 0.7952),
    (0.0, 0.8494, 0.0271, 0.0194, 0.1041),
    (0.0, 0.0311, 0.001, 0.001, 0.0343, 0.0279, 0.9047),
    (0.0, 0.0096, 0.0038, 0.0026, 0.001, 0.0019, 0.9812),
)
CALIBRATED_PRIOR = 0.077
"""Share of true pairs among the pairs blocking proposes, on the generator."""

_PRIOR_STRENGTH = 200.0
"""How many pairs' worth of weight the calibrated table keeps against the data in EM."""

_EM_ROUNDS = 30
_SMALLEST = 1e-6


@dataclass(frozen=True, slots=True)
class Weights:
    """Fellegi-Sunter log-likelihood ratios per field and level, and the prior log-odds."""

    table: tuple[tuple[float, ...], ...]
    prior_log_odds: float

    @classmethod
    def from_probabilities(cls, m: Sequence[Sequence[float]], u: Sequence[Sequence[float]],
                           prior: float) -> Weights:
        table = tuple(
            tuple(0.0 if level == MISSING else
                  math.log(max(m[f][level], _SMALLEST) / max(u[f][level], _SMALLEST))
                  for level in range(len(LEVELS[f])))
            for f in range(len(FIELDS)))
        prior = min(max(prior, _SMALLEST), 1 - _SMALLEST)
        return cls(table, math.log(prior / (1 - prior)))

    def evidence(self, pattern: Pattern) -> float:
        """The pair's summed log-likelihood ratio (missing fields add nothing)."""
        return sum(row[level] for row, level in zip(self.table, pattern, strict=True))

    def probability(self, pattern: Pattern) -> float:
        """How likely (0..1) the two records are the same person."""
        log_odds = self.prior_log_odds + self.evidence(pattern)
        if log_odds > 30:
            return 1.0
        return 1.0 / (1.0 + math.exp(-log_odds))


CALIBRATED = Weights.from_probabilities(CALIBRATED_M, CALIBRATED_U, CALIBRATED_PRIOR)


def estimate_weights(patterns: Counter[Pattern], rounds: int = _EM_ROUNDS) -> Weights:
    """u and the share of true pairs re-estimated by EM from the compared pairs' patterns.

    ``m`` (how a true duplicate's fields differ) is a property of how data gets corrupted and is
    kept from the calibration; ``u`` (how often two different people agree by chance) depends on
    the database (one city, one common surname) and is what the scan learns. Letting EM move
    ``m`` too drifts towards "same postcode and city" as the definition of a match, the known
    failure of unconstrained EM when fields are correlated. The calibrated ``u`` acts as a
    Dirichlet prior worth :data:`_PRIOR_STRENGTH` pairs, so a handful of pairs cannot drag it
    anywhere strange; missing levels carry no information and are left out of the counts.
    """
    total = sum(patterns.values())
    if total == 0:
        return CALIBRATED
    u = [list(row) for row in CALIBRATED_U]
    prior = CALIBRATED_PRIOR
    items = list(patterns.items())
    for _ in range(rounds):
        u_counts = [[CALIBRATED_U[f][lv] * _PRIOR_STRENGTH for lv in range(len(LEVELS[f]))]
                    for f in range(len(FIELDS))]
        matched = 0.0
        for pattern, count in items:
            like_m, like_u = prior, 1 - prior
            for f, level in enumerate(pattern):
                if level != MISSING:
                    like_m *= CALIBRATED_M[f][level]
                    like_u *= u[f][level]
            share = like_m / (like_m + like_u) if like_m + like_u > 0 else 0.0
            matched += share * count
            for f, level in enumerate(pattern):
                if level != MISSING:
                    u_counts[f][level] += (1 - share) * count
        for f in range(len(FIELDS)):
            u_sum = sum(u_counts[f])
            u[f] = [c / u_sum for c in u_counts[f]]
        prior = (matched + CALIBRATED_PRIOR * _PRIOR_STRENGTH) / (total + _PRIOR_STRENGTH)
    return Weights.from_probabilities(CALIBRATED_M, u, prior)


