"""Synthetic populations for tests and benchmarks: seeded, with documented distributions (docs/batch.md).

Nothing here describes real people or real proportions: every distribution is uniform or a fixed round share,
chosen to exercise every branch of the rules (missing facts included), not to resemble any population."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from servicepath.engine.polars_backend import fact_dtype
from servicepath.profile import CEFR_LEVELS, EDUCATION_LEVELS, RESIDENCE_STATUSES, fact_type

NATIONALITIES = ("AM", "AQ", "FR", "KG", "KZ", "RU", "TJ", "US", "UZ")
"""Nationalities drawn uniformly (AQ stands for a country no law pack covers)."""
RESIDENCES = ("AQ", "FR", "KZ", "RU", "US")
BIRTH_FROM, BIRTH_UNTIL = dt.date(1955, 1, 1), dt.date(2010, 12, 31)
SERVICE_FROM, SERVICE_UNTIL = dt.date(2010, 1, 1), dt.date(2025, 12, 31)
MISSING = 0.1
"""The share of people for whom each fact is unknown, drawn independently per fact."""

FACTS = (
    "birth_date",
    "citizenships",
    "residence.country",
    "residence.status",
    "languages.ru",
    "languages.fr",
    "languages.en",
    "criminal_record",
    "under_criminal_investigation",
    "sex",
    "education",
    "recruitment_country",
    "intends_to_give_up_citizenship",
    "service.force",
    "service.start",
    "service.end",
    "service.honourable",
    "service.rank",
    "service.wounded_in_action",
    "service.in_combat_zone",
)


def _pick(rng: np.random.Generator, values: Sequence[str], size: int) -> pl.Series:
    return pl.Series(list(values), dtype=pl.Utf8).gather(rng.integers(0, len(values), size))


def _dates(rng: np.random.Generator, start: dt.date, end: dt.date, size: int) -> pl.Series:
    epoch = dt.date(1970, 1, 1)
    days = rng.integers((start - epoch).days, (end - epoch).days + 1, size, dtype=np.int32)
    return pl.Series(days).cast(pl.Date)


def population(size: int, seed: int = 0, forces: Sequence[str] = (), missing: float = MISSING) -> pl.DataFrame:
    """`size` synthetic people, one row each, one column per fact (typed as batch reads them).

    Distributions (all independent): birth date uniform over 1955-01-01..2010-12-31; one nationality uniform over
    NATIONALITIES, a second one for 10% of people (may repeat the first), stateless ([]) for 1%; residence country
    uniform over RESIDENCES and status uniform over every status; Russian, French and English levels uniform over
    the CEFR levels; criminal record 10%, under investigation 5%, intends to give up a nationality 5%; sex 50/50;
    education uniform; recruitment country uniform over RESIDENCES; 30% have a service: force uniform over `forces`
    (unknown if none given), start uniform over 2010-01-01..2025-12-31, end unknown, honourable 90%, officers 10%,
    wounded 5%, in a combat zone 30%. Then each fact is made unknown for a `missing` share of people."""
    rng = np.random.default_rng(seed)
    n = size

    def chance(share: float) -> pl.Series:
        return pl.Series(rng.random(n) < share)

    first, second = _pick(rng, NATIONALITIES, n), _pick(rng, NATIONALITIES, n)
    dual, stateless = chance(0.10), chance(0.01)
    served = chance(0.30)
    frame = pl.DataFrame(
        {
            "birth_date": _dates(rng, BIRTH_FROM, BIRTH_UNTIL, n),
            "_first": first,
            "_second": second,
            "_dual": dual,
            "_stateless": stateless,
            "residence.country": _pick(rng, RESIDENCES, n),
            "residence.status": _pick(rng, RESIDENCE_STATUSES, n),
            "languages.ru": _pick(rng, CEFR_LEVELS, n),
            "languages.fr": _pick(rng, CEFR_LEVELS, n),
            "languages.en": _pick(rng, CEFR_LEVELS, n),
            "criminal_record": chance(0.10),
            "under_criminal_investigation": chance(0.05),
            "sex": pl.Series(np.where(rng.random(n) < 0.5, "male", "female")),
            "education": _pick(rng, EDUCATION_LEVELS, n),
            "recruitment_country": _pick(rng, RESIDENCES, n),
            "intends_to_give_up_citizenship": chance(0.05),
            "_served": served,
            "service.force": _pick(rng, forces, n) if forces else pl.Series([None] * n, dtype=pl.Utf8),
            "service.start": _dates(rng, SERVICE_FROM, SERVICE_UNTIL, n),
            "service.end": pl.Series([None] * n, dtype=pl.Date),
            "service.honourable": chance(0.90),
            "service.rank": pl.Series(np.where(rng.random(n) < 0.1, "officer", "enlisted")),
            "service.wounded_in_action": chance(0.05),
            "service.in_combat_zone": chance(0.30),
        }
    )
    citizenships = (
        pl.when(pl.col("_stateless"))
        .then(pl.lit([], pl.List(pl.Utf8)))
        .when(pl.col("_dual") & (pl.col("_first") != pl.col("_second")))
        .then(pl.concat_list("_first", "_second"))
        .otherwise(pl.concat_list("_first"))
    )
    service = [name for name in FACTS if name.startswith("service.")]
    frame = frame.with_columns(
        citizenships.alias("citizenships"),
        *(pl.when(pl.col("_served")).then(pl.col(name)).alias(name) for name in service),
    )
    masks = {name: pl.Series(rng.random(n) < missing) for name in FACTS}
    frame = frame.select(pl.when(masks[name]).then(None).otherwise(pl.col(name)).alias(name) for name in FACTS)
    return frame.cast({name: fact_dtype(kind) for name in FACTS if (kind := fact_type(name)) is not None})
