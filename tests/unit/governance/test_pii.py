"""PII recognizers against python-stdnum (the independent reference) and hand-made columns, and the nightly
scan's findings on both warehouse backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum import luhn as std_luhn
from stdnum.us import ssn as std_ssn

from steward.governance import RECOGNIZERS, iban_ok, luhn_ok, scan_columns, scan_pii, us_ssn_ok
from steward.registry import parse_registry
from steward.warehouse import Warehouse

DAY = dt.date(2026, 11, 4)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=12, max_size=19))
def test_luhn_agrees_with_stdnum(digits: str) -> None:
    assert luhn_ok(digits) == std_luhn.is_valid(digits)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606"]),
    st.integers(4, 21),
    st.sampled_from("0123456789"),
)
def test_iban_agrees_with_stdnum_on_valid_numbers_and_one_digit_typos(
    good: str, pos: int, digit: str
) -> None:
    typo = good[:pos] + digit + good[pos + 1 :]
    for value in (good, typo):
        assert iban_ok(value) == std_iban.is_valid(value), value


@pytest.mark.parametrize(
    "value",
    ["123-45-6789", "078-05-1120", "000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"],
)
def test_ssn_rules_agree_with_stdnum(value: str) -> None:
    assert us_ssn_ok(value) == std_ssn.is_valid(value)


@pytest.mark.parametrize(
    ("entity", "valid", "invalid"),
    [
        ("email", "jane.doe+news@mail.example.co.uk", "jane.doe@localhost"),
        ("credit_card", "4111 1111 1111 1111", "4111 1111 1111 1112"),  # Luhn: last digit off by one
        ("iban", "GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 33"),  # mod-97 fails
        ("us_ssn", "123-45-6789", "666-45-6789"),
        ("uk_nino", "AB 12 34 56 C", "BG 12 34 56 C"),  # BG is never issued
        ("phone", "+44 20 7946 0958", "12-34"),
        ("ipv4", "192.168.10.4", "192.168.10.400"),
        ("ipv6", "2001:db8::8a2e:370:7334", "2001:db8:::zz"),
    ],
)
def test_each_recognizer_takes_the_valid_value_and_refuses_the_near_miss(
    entity: str, valid: str, invalid: str
) -> None:
    rec = RECOGNIZERS[entity]
    assert rec.matches(valid)
    assert not rec.matches(invalid)


def test_columns_are_flagged_by_share_of_values_or_by_name() -> None:
    cards_half_valid = ["4111111111111111", "4111111111111112", "5500000000000004", "5500000000000005"]
    found = scan_columns(
        {
            "contact": ["a@x.org", "b@y.org", "c@z.org", "not an address", None],  # 3 of 4 non-null
            "card": cards_half_valid,  # 2 of 4 pass Luhn
            "customer_email": [None, None],  # empty, but named like an e-mail column
            "city": ["Paris", "Lyon", "Nice"],
            "email_opens": ["3", "0", "7"],  # a count named after e-mails: not an address
            "mobile_number": [None],
        },
        min_share=0.5,
    )
    assert found == [
        ("contact", "email", 0.75, 4, "values"),
        ("card", "credit_card", 0.5, 4, "values"),
        ("customer_email", "email", 0.0, 0, "name"),
        ("mobile_number", "phone", 0.0, 0, "name"),
    ]
    assert [f[0] for f in scan_columns({"card": cards_half_valid}, min_share=0.6)] == []


def _registry(tmp_path: Path, sensitivity: str) -> object:
    return parse_registry(
        {
            "datasets": [
                {
                    "name": "applicants",
                    "source": {"path": str(tmp_path / "applicants" / "date={date}" / "part.parquet")},
                    "owner": "o@example.com",
                    "sensitivity": sensitivity,
                },
            ],
            "privacy": {
                "pii_scan": {"sample_rows": 50, "min_share": 0.5},
                "declared_pii": {"applicants": ["email"]},
            },
        }
    )


def _write(tmp_path: Path, day: dt.date) -> None:
    n = 120
    path = tmp_path / "applicants" / f"date={day}" / "part.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    ibans = ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00"]
    pq.write_table(
        pa.table(
            {
                "applicant_id": [f"A-{i}" for i in range(n)],
                "email": [f"user{i}@mail.example" for i in range(n)],
                "payout_account": [ibans[i % 2] for i in range(n)],
                "income": [1000.0 + i for i in range(n)],
            }
        ),
        path,
    )


@pytest.mark.parametrize("sensitivity", ["internal", "restricted"])
def test_scan_writes_declared_and_undeclared_findings_and_flags_a_low_class(
    warehouse: Warehouse, tmp_path: Path, sensitivity: str
) -> None:
    _write(tmp_path, DAY)
    registry = _registry(tmp_path, sensitivity)
    result = scan_pii(registry, DAY, warehouse=warehouse, run_id="r1")  # type: ignore[arg-type]
    again = scan_pii(registry, DAY, warehouse=warehouse, run_id="r1")  # type: ignore[arg-type]
    assert again.findings == result.findings
    rows = warehouse.fetch(
        "select column_name, entity, match_share, sample_size, declared, warranted_sensitivity,"
        " sensitivity_too_low from pii_findings where dataset = 'applicants' and scan_date = :d"
        " order by column_name",
        {"d": DAY},
    )
    too_low = sensitivity == "internal"
    assert rows == [
        {
            "column_name": "email",
            "entity": "email",
            "match_share": 1.0,
            "sample_size": 50,
            "declared": True,
            "warranted_sensitivity": "confidential",
            "sensitivity_too_low": too_low,
        },
        {
            "column_name": "payout_account",
            "entity": "iban",
            "match_share": 1.0,
            "sample_size": 50,
            "declared": False,
            "warranted_sensitivity": "restricted",
            "sensitivity_too_low": too_low,
        },
    ]
    assert [f.column_name for f in result.undeclared] == ["payout_account"]


def test_a_missing_partition_is_skipped_and_its_earlier_findings_stay(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    _write(tmp_path, DAY)
    registry = _registry(tmp_path, "restricted")
    scan_pii(registry, DAY, warehouse=warehouse, run_id="r1")  # type: ignore[arg-type]
    later = scan_pii(registry, DAY + dt.timedelta(days=1), warehouse=warehouse, run_id="r2")  # type: ignore[arg-type]
    assert later.findings == ()
    assert [name for name, _ in later.skipped] == ["applicants"]
    assert "applicants" in later.skipped[0][1]
    (n,) = warehouse.fetch("select count(*) as n from pii_findings")
    assert n["n"] == 2
