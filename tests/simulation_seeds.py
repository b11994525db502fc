"""Seeds for the randomised sync simulations: a fixed one plus fresh ones each run.

The fresh seeds come from one run seed that the first pytest process draws and hands to its
workers through the environment, so every pytest-xdist worker collects the same test ids.
``LEADLINE_SIM_SEEDS="1 2 3"`` replays given seeds (a failure message names its seed).
"""

from __future__ import annotations

import os
import random

SEEDS_ENV_VAR = "LEADLINE_SIM_SEEDS"
RUN_SEED_ENV_VAR = "LEADLINE_SIM_RUN_SEED"


def draw_run_seed() -> None:
    """Pick this run's seed once, before any worker starts (called from pytest_configure)."""
    os.environ.setdefault(RUN_SEED_ENV_VAR, str(random.SystemRandom().randrange(2**32)))


def simulation_seeds(fixed: int, fresh: int) -> list[int]:
    """The replayed seeds if given, else ``fixed`` and ``fresh`` seeds drawn from the run seed."""
    if os.environ.get(SEEDS_ENV_VAR):
        return [int(seed) for seed in os.environ[SEEDS_ENV_VAR].split()]
    draw_run_seed()
    rng = random.Random(int(os.environ[RUN_SEED_ENV_VAR]) ^ fixed)
    return [fixed] + [rng.randrange(2**32) for _ in range(fresh)]
