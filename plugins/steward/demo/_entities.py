"""Leads and loan applications: features, true outcome probabilities, model scores and labels.

Each function draws one batch of entities, vectorized with numpy, from a generator it is given.
A lead's (or application's) true probability of converting (defaulting) is a logistic function of
its features plus a hidden term the model cannot see; the model's score is the same function
without the hidden term, so scores rank outcomes well (AUC about 0.8) but not perfectly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from steward.demo import _company as co

__all__ = [
    "CREDIT_FEATURES",
    "LEAD_FEATURES",
    "Batch",
    "date_array",
    "day_start_us",
    "label_batch",
    "leads_batch",
    "loans_batch",
    "string_array",
    "timestamp_array",
]

TS = pa.timestamp("us", tz="UTC")
_DAY_US = 86_400_000_000
_EPOCH = dt.date(1970, 1, 1)

LEAD_FEATURES = (
    "channel",
    "region",
    "company_size",
    "device",
    "is_returning_visitor",
    "pages_viewed",
    "time_on_site_s",
    "email_opens",
    "form_score",
)
CREDIT_FEATURES = (
    "income_usd",
    "loan_amount_usd",
    "term_months",
    "credit_history_years",
    "debt_to_income",
    "employment_type",
    "home_ownership",
    "loan_purpose",
    "num_open_accounts",
    "delinquencies_2y",
    "has_cosigner",
    "region",
)

_CHANNEL_P = (0.30, 0.25, 0.15, 0.12, 0.08, 0.10)
_REGION_P = (0.24, 0.22, 0.20, 0.14, 0.20)
_SIZE_P = (0.34, 0.28, 0.20, 0.12, 0.06)
_DEVICE_P = (0.55, 0.38, 0.07)
_SEX_P = (0.49, 0.49, 0.02)
_AGE_P = (0.14, 0.26, 0.22, 0.17, 0.13, 0.08)
_AGE_LOW = np.array([18, 26, 36, 46, 56, 66])
_AGE_HIGH = np.array([25, 35, 45, 55, 65, 80])
_EMPLOYMENT_P = (0.64, 0.14, 0.10, 0.06, 0.06)
_HOME_P = (0.42, 0.40, 0.18)
_PURPOSE_P = (0.38, 0.16, 0.14, 0.14, 0.06, 0.12)
_TERM_P = (0.10, 0.20, 0.35, 0.15, 0.20)

# Log-odds effects on conversion, by channel and company size; after the drift day the
# conversion relationship changes (social and referral convert more, paid search less).
_CHANNEL_EFFECT = np.array([0.0, 0.35, -0.4, 0.2, 0.6, -0.7])
_CHANNEL_EFFECT_DRIFTED = np.array([0.0, -0.7, 0.8, 0.2, 1.3, -0.9])
_SIZE_EFFECT = np.array([-0.5, -0.1, 0.2, 0.35, 0.1])
_SIZE_EFFECT_DRIFTED = np.array([0.3, 0.1, -0.1, -0.4, -0.6])
# Log-odds effects on default, by employment type; income effects (log) by employment type.
_EMPLOYMENT_RISK = np.array([0.0, 0.35, 0.25, -0.1, 0.9])
_EMPLOYMENT_INCOME = np.array([0.0, 0.1, -0.05, -0.35, -0.9])


@dataclass(frozen=True)
class Batch:
    """One batch of entities: output columns plus what labels need."""

    columns: dict[str, pa.Array]
    ids: np.ndarray
    p_true: np.ndarray
    score: np.ndarray


def day_start_us(day: dt.date) -> int:
    """Microseconds since the Unix epoch at midnight UTC of ``day``."""
    return (day - _EPOCH).days * _DAY_US


def date_array(day: dt.date, n: int) -> pa.Array:
    """Return a date32 array holding ``day`` ``n`` times."""
    return pa.array(np.full(n, (day - _EPOCH).days, dtype=np.int32)).view(pa.date32())


def timestamp_array(us: np.ndarray) -> pa.Array:
    """Return a UTC timestamp array from microseconds since the epoch."""
    return pa.array(us.astype(np.int64)).view(TS)


def string_array(levels: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    """Return a plain string array of ``levels[idx]`` (decoded, so readers see strings, not categoricals)."""
    dictionary = pa.array(levels, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), dictionary).dictionary_decode()


def _pick(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> np.ndarray:
    return rng.choice(len(p), size=n, p=np.asarray(p) / sum(p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _times_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Microseconds after midnight, busier in business hours."""
    weights = np.array([1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], float)
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    return hour * 3_600_000_000 + rng.integers(0, 3_600_000_000, size=n)


def _ids(day: dt.date, first_row: int, n: int) -> np.ndarray:
    """Ids readable as ``yyyymmdd`` followed by an 8-digit row number."""
    return int(day.strftime("%Y%m%d")) * 100_000_000 + first_row + np.arange(n, dtype=np.int64)


def leads_batch(
    rng: np.random.Generator,
    n: int,
    *,
    day: dt.date,
    first_row: int,
    creep_days: int,
    drifted: bool,
) -> Batch:
    """Draw ``n`` web leads created on ``day``.

    Parameters
    ----------
    rng
        The batch's generator.
    n
        Number of leads.
    day
        The day the leads came in.
    first_row
        Row number of the first lead in the day (ids are unique per day).
    creep_days
        Days of pages-viewed creep to apply (0 before the window).
    drifted
        Whether the web tracker change (time in background tabs) and the new conversion
        relationship apply.

    Returns
    -------
    Batch
        Columns ``lead_id``, ``created_at`` and the model features.
    """
    intent = rng.standard_normal(n)
    channel = _pick(rng, n, _CHANNEL_P)
    region = _pick(rng, n, _REGION_P)
    size = _pick(rng, n, _SIZE_P)
    device = _pick(rng, n, _DEVICE_P)
    returning = rng.random(n) < 0.2 + 0.15 * (intent > 0.5)
    pages_mean = np.clip(4.0 + 1.0 * intent, 0.5, None) * (1.0 + co.CREEP_PER_DAY * max(creep_days, 0))
    pages = 1 + rng.poisson(pages_mean)
    per_page_s = np.exp(rng.normal(np.log(35.0) + 0.15 * intent, 0.45))
    engaged_s = np.minimum(pages * per_page_s, 7_200.0)
    background = np.exp(rng.normal(0.9, 1.0, size=n))
    logged_s = np.minimum(engaged_s * background, 14_400.0) if drifted else engaged_s
    time_on_site = np.round(logged_s, 1)
    email_opens = rng.poisson(np.exp(0.3 + 0.35 * np.clip(intent, -2.0, 3.0)))
    form_score = np.round(np.clip(50.0 + 14.0 * intent + rng.normal(0.0, 12.0, size=n), 0.0, 100.0), 1)
    hidden = rng.normal(0.0, 0.6, size=n)
    created = day_start_us(day) + _times_of_day(rng, n)

    def logit(channel_effect: np.ndarray, size_effect: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return (
            -2.9
            + channel_effect[channel]
            + size_effect[size]
            + 0.025 * (form_score - 50.0)
            + 0.15 * email_opens
            + 1.6 * np.log(np.maximum(seconds, 1.0) / 150.0)
            + 0.35 * returning
            + 0.04 * (pages - 5)
        )

    if drifted:
        # Sales now work the wrong leads first: fewer convert overall.
        p_true = _sigmoid(logit(_CHANNEL_EFFECT_DRIFTED, _SIZE_EFFECT_DRIFTED, engaged_s) + hidden - 0.6)
    else:
        p_true = _sigmoid(logit(_CHANNEL_EFFECT, _SIZE_EFFECT, engaged_s) + hidden)
    score = _sigmoid(logit(_CHANNEL_EFFECT, _SIZE_EFFECT, time_on_site))
    ids = _ids(day, first_row, n)
    columns = {
        "lead_id": pa.array(ids),
        "created_at": timestamp_array(created),
        "channel": string_array(co.CHANNELS, channel),
        "region": string_array(co.REGIONS, region),
        "company_size": string_array(co.COMPANY_SIZES, size),
        "device": string_array(co.DEVICES, device),
        "is_returning_visitor": pa.array(returning),
        "pages_viewed": pa.array(pages.astype(np.int64)),
        "time_on_site_s": pa.array(time_on_site),
        "email_opens": pa.array(email_opens.astype(np.int64)),
        "form_score": pa.array(form_score),
    }
    return Batch(columns, ids, p_true, score)


def loans_batch(
    rng: np.random.Generator,
    n: int,
    *,
    day: dt.date,
    first_row: int,
    unfair: bool,
) -> Batch:
    """Draw ``n`` loan applications received on ``day``.

    Parameters
    ----------
    rng
        The batch's generator.
    n
        Number of applications.
    day
        The day the applications came in.
    first_row
        Row number of the first application in the day.
    unfair
        Whether applicants aged 18-25 get inflated default scores (the unfair segment).

    Returns
    -------
    Batch
        Columns ``application_id``, ``applied_at``, ``sex``, ``age_band`` and the model features.
    """
    sex = _pick(rng, n, _SEX_P)
    band = _pick(rng, n, _AGE_P)
    age = rng.integers(_AGE_LOW[band], _AGE_HIGH[band] + 1)
    employment = _pick(rng, n, _EMPLOYMENT_P)
    retired = co.EMPLOYMENT_TYPES.index("retired")
    employment = np.where((employment == retired) & (age < 56), 0, employment)
    income = np.exp(
        rng.normal(
            np.log(48_000.0) + 0.012 * (np.minimum(age, 55) - 35) + _EMPLOYMENT_INCOME[employment], 0.45
        )
    )
    income = np.round(np.clip(income, 8_000.0, 2_000_000.0), -1)
    history = np.round(np.maximum((age - 18) * rng.uniform(0.4, 0.95, size=n), 0.0), 1)
    amount = np.round(np.clip(np.exp(rng.normal(np.log(income * 0.22), 0.55)), 1_000.0, 250_000.0), -2)
    term = np.asarray(co.TERMS_MONTHS)[_pick(rng, n, _TERM_P)]
    dti = np.round(np.clip(rng.beta(2.2, 5.5, size=n) * 1.1 + 0.04 * amount / income, 0.0, 2.5), 3)
    open_accounts = rng.poisson(3.0 + 0.08 * history)
    delinquencies = rng.poisson(0.25, size=n)
    home = _pick(rng, n, _HOME_P)
    purpose = _pick(rng, n, _PURPOSE_P)
    region = _pick(rng, n, _REGION_P)
    cosigner = rng.random(n) < 0.08
    hidden = rng.normal(0.0, 0.5, size=n)
    applied = day_start_us(day) + _times_of_day(rng, n)

    logit = (
        -3.2
        + 5.0 * (dti - 0.32)
        + 0.8 * delinquencies
        - 0.02 * (history - 8.0)
        + 0.4 * np.log(amount / income / 0.22)
        + _EMPLOYMENT_RISK[employment]
        + 0.08 * (term / 12 - 3)
        - 0.5 * cosigner
        + 0.05 * (open_accounts - 4)
    )
    p_true = _sigmoid(logit + hidden)
    bias = 1.2 * (band == co.AGE_BANDS.index(co.UNFAIR_AGE_BAND)) if unfair else 0.0
    score = _sigmoid(logit + bias)
    ids = _ids(day, first_row, n)
    columns = {
        "application_id": pa.array(ids),
        "applied_at": timestamp_array(applied),
        "sex": string_array(co.SEXES, sex),
        "age_band": string_array(co.AGE_BANDS, band),
        "income_usd": pa.array(income),
        "loan_amount_usd": pa.array(amount),
        "term_months": pa.array(term.astype(np.int64)),
        "credit_history_years": pa.array(history),
        "debt_to_income": pa.array(dti),
        "employment_type": string_array(co.EMPLOYMENT_TYPES, employment),
        "home_ownership": string_array(co.HOME_OWNERSHIP, home),
        "loan_purpose": string_array(co.LOAN_PURPOSES, purpose),
        "num_open_accounts": pa.array(open_accounts.astype(np.int64)),
        "delinquencies_2y": pa.array(delinquencies.astype(np.int64)),
        "has_cosigner": pa.array(cosigner),
        "region": string_array(co.REGIONS, region),
    }
    return Batch(columns, ids, p_true, score)


def label_batch(
    rng: np.random.Generator, batch: Batch, *, delay_days: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw each entity's outcome from its true probability, and when the label arrives.

    Returns
    -------
    outcome, delay, time_of_day
        0/1 outcomes (int64), days after scoring the label arrives, microseconds after
        midnight of the arrival day.
    """
    n = len(batch.ids)
    outcome = (rng.random(n) < batch.p_true).astype(np.int64)
    delay = rng.integers(delay_days[0], delay_days[1] + 1, size=n)
    time_of_day = rng.integers(0, _DAY_US, size=n)
    return outcome, delay, time_of_day
