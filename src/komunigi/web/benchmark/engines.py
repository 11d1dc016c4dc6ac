"""The pure engines timed at the sizes DESIGN.md §8 names: a split among 10 000 participants
(without caps, and with a third capped), Schulze over 50 candidates and 1 000 ballots, and a
decision's tally over 10 000 ballots. Budget: 50 ms each on the reference machine.

The budget is in milliseconds, so it depends on the machine: a shared CI runner was seen
three times slower from one hour to the next. A fixed pure-Python calibration is timed first
(about as much work as the split: 17 ms where the split takes 16 ms); on a machine slower
than the reference (calibration over 20 ms) the budgets grow in proportion, never shrink.
An engine that became slower itself still fails: the ratio engine / calibration is what
changes."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from komunigi.funding import split
from komunigi.meetings import tally
from komunigi.needs import schulze

ENGINE_BUDGET_MS = 50.0
REFERENCE_CALIBRATION_MS = 20.0  # the calibration's time on the reference machine


@dataclass(frozen=True)
class EngineMeasure:
    name: str
    best_ms: float
    budget_ms: float = ENGINE_BUDGET_MS

    @property
    def within_budget(self) -> bool:
        return self.best_ms <= self.budget_ms


def calibration() -> list[int]:
    """Plain integer arithmetic, a dict and a sort: the kind of work the engines do."""
    totals: dict[int, int] = {}
    for n in range(200_000):
        totals[n % 1000] = totals.get(n % 1000, 0) + n * 7 // 3
    return sorted(totals.values())


def _best(work: Callable[[], object], repeat: int) -> float:
    """The best of ``repeat`` runs: the engine's own cost, without the machine's noise."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


def cases(rng: random.Random) -> dict[str, Callable[[], object]]:
    def people(capped_every: int) -> list[split.Participant]:
        return [
            split.Participant(
                f"s{n:05}",
                Decimal(rng.randint(1, 3000)),
                Decimal(rng.randint(10_000, 60_000)) / 100
                if capped_every and n % capped_every == 0
                else None,
            )
            for n in range(10_000)
        ]

    uncapped, third_capped = people(0), people(3)
    total, rate = Decimal("3000000.00"), Decimal("0.05")
    candidates = [f"need-{n}" for n in range(50)]
    ballots = [
        schulze.Ballot([[c] for c in rng.sample(candidates, len(candidates))]) for _ in range(1000)
    ]
    votes = [
        tally.Ballot(f"s{n}", rng.choice(tally.CHOICES[tally.MAJORITY])) for n in range(10_000)
    ]
    return {
        "split, 10 000 participants": lambda: split.split(total, uncapped, overhead_rate=rate),
        "split, 10 000, a third capped": lambda: split.split(
            total, third_capped, overhead_rate=rate
        ),
        "Schulze, 50 candidates × 1 000 ballots": lambda: schulze.tally(candidates, ballots),
        "decision tally, 10 000 ballots": lambda: tally.tally(tally.MAJORITY, votes, quorum=True),
    }


def run(*, repeat: int, report: Callable[[str], None]) -> list[EngineMeasure]:
    calibrated = _best(calibration, repeat)
    scale = max(1.0, calibrated / REFERENCE_CALIBRATION_MS)
    measured = [
        EngineMeasure(name, _best(work, repeat), ENGINE_BUDGET_MS * scale)
        for name, work in cases(random.Random(1)).items()  # noqa: S311 - data, not secrets
    ]
    report(
        f"calibration {calibrated:.1f} ms (reference {REFERENCE_CALIBRATION_MS:.0f} ms): "
        f"budgets × {scale:.2f}"
    )
    report(f"{'engine':40} {'best ms':>9} {'budget':>7}")
    for result in measured:
        flag = "" if result.within_budget else "  OVER"
        report(f"{result.name:40} {result.best_ms:9.2f} {result.budget_ms:7.0f}{flag}")
    return measured
