"""One rule, two backends: the interpreter and the Polars backend give the same answers on random profiles,
missing facts included (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicepath.engine.assess import assess
from servicepath.engine.plan import plan_on
from servicepath.engine.polars_backend import batch_verdicts, facts_read, profiles_frame
from servicepath.logic.kleene import truth_name
from servicepath.packs.lawset import LawSet
from servicepath.profile import CEFR_LEVELS, Profile, Residence, Service

maybe = lambda strategy: st.none() | strategy  # noqa: E731
dates = st.dates(dt.date(1950, 1, 1), dt.date(2012, 12, 31))
leap_days = st.sampled_from([dt.date(1992, 2, 29), dt.date(2000, 2, 29), dt.date(1997, 2, 28)])
profiles = st.builds(
    Profile,
    birth_date=maybe(dates | leap_days),
    citizenships=maybe(st.lists(st.sampled_from(["TJ", "RU", "AQ", "FR", "US"]), max_size=3, unique=True)),
    residence=maybe(
        st.builds(
            Residence,
            country=maybe(st.sampled_from(["AQ", "RU"])),
            status=maybe(
                st.sampled_from(["permanent_resident", "temporary_residence_permit", "visa", "no_lawful_status"])
            ),
        )
    ),
    languages=maybe(st.dictionaries(st.sampled_from(["ru", "fr"]), st.sampled_from(CEFR_LEVELS), max_size=2)),
    criminal_record=maybe(st.booleans()),
    service=maybe(
        st.builds(
            Service,
            rank=maybe(st.sampled_from(["enlisted", "officer"])),
            wounded_in_action=maybe(st.booleans()),
        )
    ),
)
as_of_dates = st.sampled_from(
    [
        dt.date(2015, 6, 1),
        dt.date(2016, 1, 1),
        dt.date(2018, 2, 28),
        dt.date(2018, 3, 1),
        dt.date(2020, 1, 1),
        dt.date(2024, 2, 29),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(profiles, min_size=1, max_size=25), as_of=as_of_dates)
def test_interpreter_and_polars_agree(example_law: LawSet, people: list[Profile], as_of: dt.date) -> None:
    plan = plan_on(example_law, as_of)
    frame = profiles_frame(people, facts_read(plan, plan.forces))
    batch = batch_verdicts(plan, frame).to_dicts()
    for person, row in zip(people, batch, strict=True):
        single = assess(person, as_of, example_law)
        for force_id, force in single.forces.items():
            assert row[f"{force_id}.verdict"] == force.verdict
            for requirement in force.requirements:
                assert truth_name(row[f"{force_id}.{requirement.id}"]) == truth_name(requirement.result)
