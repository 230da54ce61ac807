"""Single-case latency of a full assessment: one person against ten forces, in process.

Target (issue 2): under 200 µs per assessment. The ten forces are copies of the fictional example pack's force,
so the figure measures the engine, not any real law. Run: .venv/bin/python bench/bench_assess.py"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from servicepath.engine.assess import assess
from servicepath.engine.contract import assessment_json
from servicepath.packs.lawset import load_law
from servicepath.profile import profile_from_data

EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "packs" / "example" / "guard.yaml"
PERSON = {
    "birth_date": "1990-03-15",
    "citizenships": ["TJ", "KZ"],
    "residence": {"country": "AQ", "status": "temporary_residence_permit"},
    "languages": {"ru": "B2"},
    "sex": "male",
}
FORCES = 10
RUNS = 5000


def ten_force_law(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for index in range(FORCES):
        copy = (
            text.replace("example-guard", f"example-guard-{index}")
            .replace("example-statute", f"example-statute-{index}")
            .replace("example-decree", f"example-decree-{index}")
            .replace("tj-example-", f"tj-example-{index}-")
            .replace("example-mercenary-status", f"example-mercenary-status-{index}")
        )
        (folder / f"guard-{index}.yaml").write_text(copy, encoding="utf-8")
    return folder


def measure(label: str, action: Callable[[int], object], runs: int = RUNS) -> tuple[str, float, float]:
    timings = []
    for run in range(runs):
        start = time.perf_counter_ns()
        action(run)
        timings.append((time.perf_counter_ns() - start) / 1000)
    timings.sort()
    return label, statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        law = load_law([ten_force_law(Path(folder))])
        load_ms = (time.perf_counter() - started) * 1000
    person = profile_from_data(PERSON)
    # Distinct people, so that nothing kept from one assessment answers the next: birth dates, records and
    # language levels vary.
    levels = ["A1", "A2", "B1", "B2", "C1", "C2"]
    people = [
        profile_from_data(
            {
                **PERSON,
                "birth_date": (dt.date(1960, 1, 1) + dt.timedelta(days=run * 7)).isoformat(),
                "languages": {"ru": levels[run % 6]},
                **({"criminal_record": run % 3 == 0} if run % 2 else {}),
            }
        )
        for run in range(RUNS)
    ]
    on = dt.date(2023, 6, 1)
    assess(person, on, law)  # compiles the law for the date once, as a server does
    shipped = load_law()
    rows = [
        measure("assess, same person (10 forces)", lambda run: assess(person, on, law)),
        measure("assess, distinct people (10 forces)", lambda run: assess(people[run], on, law)),
        measure("assess + JSON contract (10 forces)", lambda run: assessment_json(assess(people[run], on, law))),
        measure(f"assess, shipped law ({len(shipped.forces)} forces)", lambda run: assess(people[run], on, shipped)),
    ]
    print(f"law load and check: {load_ms:.1f} ms for {FORCES} forces (once per process)")
    print(f"{'what':42} {'median µs':>10} {'p99 µs':>10} {'target µs':>10} {'median/target':>14}")
    for label, median, p99 in rows:
        print(f"{label:42} {median:10.1f} {p99:10.1f} {200:10} {median / 200:14.2f}")


if __name__ == "__main__":
    main()
