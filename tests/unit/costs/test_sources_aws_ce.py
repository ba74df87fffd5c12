"""AWS Cost Explorer through real boto3: moto serves queued get_cost_and_usage pages (pagination
included); botocore's Stubber raises throttling and mid-pagination errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws
from pydantic import TypeAdapter

from steward.costs import FetchTimeoutError, PaginationError, _aws_ce, ingest
from steward.costs._aws_ce import fetch_cost_explorer, plan_periods
from steward.registry._cost_sources import AwsCostExplorerSource, CostSource
from steward.warehouse import Warehouse
from tests.unit.costs import _source_data as data

D = Decimal
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
TODAY = dt.date(2026, 11, 2)  # the November period is read up to and including Nov 2


def _source(**extra: Any) -> AwsCostExplorerSource:
    src = TypeAdapter(CostSource).validate_python(
        {"name": "aws_ce", "kind": "aws_cost_explorer", "billing_account_id": data.PAYER, **extra}
    )
    assert isinstance(src, AwsCostExplorerSource)
    return src


def _m(unblended: str, amortized: str, net: str, usage: str = "1", unit: str = "Hrs") -> dict[str, Any]:
    return {
        "UnblendedCost": {"Amount": unblended, "Unit": "USD"},
        "AmortizedCost": {"Amount": amortized, "Unit": "USD"},
        "NetUnblendedCost": {"Amount": net, "Unit": "USD"},
        "UsageQuantity": {"Amount": usage, "Unit": unit},
    }


def _day(
    day: str, groups: list[tuple[list[str], dict[str, Any]]], *, estimated: bool = False
) -> dict[str, Any]:
    end = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    return {
        "TimePeriod": {"Start": day, "End": end},
        "Total": {},
        "Groups": [{"Keys": k, "Metrics": m} for k, m in groups],
        "Estimated": estimated,
    }


# Responses in the order the reader asks for them (moto hands out queued results per distinct request).
ACCOUNTS_PAGE_1 = {
    "ResultsByTime": [
        _day(
            "2026-11-01",
            [
                ([data.ACCT_A, EC2], _m("10.00", "9.00", "9.50", "24")),
                ([data.ACCT_B, S3], _m("2.00", "2.00", "1.90")),
            ],
        )
    ],
    "DimensionValueAttributes": [{"Value": data.ACCT_A, "Attributes": {"description": "ml-prod"}}],
    "NextPageToken": "page-2",
}
ACCOUNTS_PAGE_2 = {
    "ResultsByTime": [
        _day("2026-11-02", [([data.ACCT_A, EC2], _m("12.00", "11.00", "11.40", "24"))], estimated=True)
    ],
    "DimensionValueAttributes": [{"Value": data.ACCT_B, "Attributes": {"description": "data-platform"}}],
}
TAGS_ACCOUNT_A = {
    "ResultsByTime": [
        _day(
            "2026-11-01",
            [
                ([EC2, "team$ml"], _m("6.00", "5.50", "5.70", "14")),
                ([EC2, "team$"], _m("4.00", "3.50", "3.80", "10")),
            ],
        ),
        _day("2026-11-02", [([EC2, "team$ml"], _m("12.00", "11.00", "11.40", "24"))], estimated=True),
    ],
}
# Account B's tag groups cover 1.50 of its 2.00: the 0.50 left becomes an untagged remainder line.
TAGS_ACCOUNT_B = {
    "ResultsByTime": [_day("2026-11-01", [([S3, "team$platform"], _m("1.50", "1.50", "1.425"))])]
}

#: Hand-computed lines: (day, account, service, tags) -> (BilledCost, EffectiveCost, x_Estimated).
EXPECTED = {
    ("2026-11-01", data.ACCT_A, EC2, '{"team":"ml"}'): (D("6.00"), D("5.50"), False),
    ("2026-11-01", data.ACCT_A, EC2, "{}"): (D("4.00"), D("3.50"), False),
    ("2026-11-02", data.ACCT_A, EC2, '{"team":"ml"}'): (D("12.00"), D("11.00"), True),
    ("2026-11-01", data.ACCT_B, S3, '{"team":"platform"}'): (D("1.50"), D("1.50"), False),
    ("2026-11-01", data.ACCT_B, S3, "{}"): (D("0.50"), D("0.50"), False),
}


def _queue(*results: dict[str, Any]) -> None:
    resp = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
        json={"results": list(results)},
        timeout=10,
    )
    assert resp.status_code == 201


def test_plan_cuts_the_current_period_at_tomorrow() -> None:
    assert plan_periods([data.OCT, data.NOV], today=TODAY) == [
        ("2026-10-01", "2026-11-01"),
        ("2026-11-01", "2026-11-03"),
    ]
    assert plan_periods([dt.date(2026, 12, 1)], today=TODAY) == []


@pytest.mark.usefixtures("aws_env")
def test_cost_explorer_pages_and_tag_groups_through_moto(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_aws_ce, "_today", lambda: TODAY)
    with mock_aws():
        _queue(ACCOUNTS_PAGE_1, ACCOUNTS_PAGE_2, TAGS_ACCOUNT_A, TAGS_ACCOUNT_B)
        ce = boto3.client("ce", region_name="us-east-1")
        src = _source(tag_keys=["team"])
        result = ingest(src, warehouse=warehouse, billing_periods=[data.NOV], run_id="r1", clients={"ce": ce})

    assert result.billed_cost_total == {"USD": D("24.00")}  # 10 + 2 + 12
    assert any("miss 0.50 UnblendedCost" in w for w in result.warnings)
    rows = warehouse.fetch(
        'select cast("ChargePeriodStart" as date) as d, "SubAccountId" as a, "ServiceName" as s, '
        '"Tags" as t, "BilledCost" as b, "EffectiveCost" as e, "x_Estimated" as est, '
        '"BillingAccountId" as payer, "SubAccountName" as name, "x_Credits" as cr from cost_line_daily'
    )
    got = {
        (f"{r['d']:%Y-%m-%d}", r["a"], r["s"], r["t"]): (D(str(r["b"])), D(str(r["e"])), r["est"])
        for r in rows
    }  # type: ignore[str-format]
    assert got == EXPECTED
    assert {r["payer"] for r in rows} == {data.PAYER}
    assert {r["a"]: r["name"] for r in rows} == {data.ACCT_A: "ml-prod", data.ACCT_B: "data-platform"}
    # x_Credits = NetUnblendedCost - UnblendedCost, by hand:
    # (5.70-6) + (3.80-4) + (11.40-12) + (1.425-1.50) + (0.475-0.50) = -1.20
    assert sum(D(str(r["cr"])) for r in rows) == D("-1.20")


def test_two_tag_keys_query_each_account_and_service() -> None:
    calls: list[dict[str, Any]] = []

    class Recorder:
        def get_cost_and_usage(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            if kwargs["GroupBy"][0]["Key"] == "LINKED_ACCOUNT":
                return {"ResultsByTime": [_day("2026-11-01", [([data.ACCT_A, EC2], _m("3", "3", "3"))])]}
            return {
                "ResultsByTime": [
                    _day(
                        "2026-11-01",
                        [
                            (["team$ml", "env$prod"], _m("2", "2", "2")),
                            (["team$", "env$"], _m("1", "1", "1")),
                        ],
                    )
                ]
            }

    table = fetch_cost_explorer(_source(tag_keys=["team", "env"]), Recorder(), [data.NOV], today=TODAY)
    assert len(calls) == 2 and all(len(c["GroupBy"]) <= 2 for c in calls)
    assert calls[1]["Filter"] == {
        "And": [
            {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [data.ACCT_A]}},
            {"Dimensions": {"Key": "SERVICE", "Values": [EC2]}},
        ]
    }
    assert sorted(
        zip(table.column("tags").to_pylist(), table.column("unblended_cost").to_pylist(), strict=True)
    ) == [
        ('{"env": "prod", "team": "ml"}', "2"),
        ("{}", "1"),
    ]


def test_more_than_two_tag_keys_is_a_registry_error() -> None:
    with pytest.raises(ValueError, match="at most 2 items"):
        _source(tag_keys=["a", "b", "c"])


@pytest.mark.usefixtures("aws_env")
def test_throttling_is_retried_with_backoff() -> None:
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    page = {"ResultsByTime": [_day("2026-11-01", [([data.ACCT_A, EC2], _m("1.5", "1.5", "1.5"))])]}
    for _ in range(2):
        stub.add_client_error("get_cost_and_usage", "ThrottlingException", "Rate exceeded", 400)
    stub.add_response("get_cost_and_usage", page)
    waits: list[float] = []
    with stub:
        table = fetch_cost_explorer(_source(), ce, [data.NOV], today=dt.date(2026, 11, 1), sleep=waits.append)
    stub.assert_no_pending_responses()
    assert table.column("unblended_cost").to_pylist() == ["1.5"]
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0


@pytest.mark.usefixtures("aws_env")
def test_error_on_a_later_page_keeps_the_loaded_period(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_aws_ce, "_today", lambda: TODAY)
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    stub.add_response("get_cost_and_usage", ACCOUNTS_PAGE_1)
    stub.add_response("get_cost_and_usage", ACCOUNTS_PAGE_2)
    stub.add_response("get_cost_and_usage", ACCOUNTS_PAGE_1)
    stub.add_client_error("get_cost_and_usage", "DataUnavailableException", "not ready", 400)
    with stub:
        ingest(_source(), warehouse=warehouse, billing_periods=[data.NOV], run_id="r1", clients={"ce": ce})
        with pytest.raises(ClientError, match="DataUnavailableException"):
            ingest(
                _source(), warehouse=warehouse, billing_periods=[data.NOV], run_id="r2", clients={"ce": ce}
            )
    rows = warehouse.fetch(
        'select "x_PipelineRunId" as r, sum("BilledCost") as b from cost_line_daily group by 1'
    )
    assert [(r["r"], D(str(r["b"]))) for r in rows] == [("r1", D("24.00"))]  # 10 + 2 + 12


def _one_group_page(token: str | None, *, first: bool = True) -> dict[str, Any]:
    """One EC2 group on the first page; later pages carry no results, only the token."""
    groups = [([data.ACCT_A, EC2], _m("1.5", "1.5", "1.5"))] if first else []
    page: dict[str, Any] = {"ResultsByTime": [_day("2026-11-01", groups)]}
    if token:
        page["NextPageToken"] = token
    return page


@pytest.mark.usefixtures("aws_env")
def test_a_token_returned_forever_stops_with_a_clear_error() -> None:
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    stub.add_response("get_cost_and_usage", _one_group_page("tok-A"))
    for _ in range(20):  # a provider that answers "more after tok-A" on every page
        stub.add_response("get_cost_and_usage", _one_group_page("tok-A", first=False))
    with stub, pytest.raises(PaginationError) as err:
        fetch_cost_explorer(_source(), ce, [data.NOV], today=dt.date(2026, 11, 1))

    message = str(err.value)
    assert message.startswith(
        "cost source 'aws_ce' (Cost Explorer): the provider returned the same page token"
    )
    assert "after 2 page(s)" in message and "Fix: rerun" in message
    # the first page, then tok-A's page naming tok-A again: two requests, not twenty-one
    assert len(stub._queue) == 19  # type: ignore[attr-defined]


@pytest.mark.usefixtures("aws_env")
def test_more_pages_than_max_pages_fail_naming_the_setting() -> None:
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    for i in range(3):
        stub.add_response("get_cost_and_usage", _one_group_page(f"tok-{i + 1}", first=i == 0))
    with stub, pytest.raises(PaginationError, match=r"more than max_pages=3 pages in one fetch.*max_pages"):
        fetch_cost_explorer(_source(max_pages=3), ce, [data.NOV], today=dt.date(2026, 11, 1))
    stub.assert_no_pending_responses()


@pytest.mark.usefixtures("aws_env")
def test_exactly_max_pages_is_allowed() -> None:
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    stub.add_response("get_cost_and_usage", _one_group_page("tok-1"))
    stub.add_response("get_cost_and_usage", _one_group_page(None, first=False))
    with stub:
        table = fetch_cost_explorer(_source(max_pages=2), ce, [data.NOV], today=dt.date(2026, 11, 1))
    assert table.num_rows == 1


@pytest.mark.usefixtures("aws_env")
def test_throttling_waits_stop_at_the_time_budget() -> None:
    ce = boto3.client("ce", region_name="us-east-1")
    stub = Stubber(ce)
    for _ in range(6):
        stub.add_client_error("get_cost_and_usage", "ThrottlingException", "Rate exceeded", 400)
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    with (
        stub,
        pytest.raises(FetchTimeoutError, match=r"still throttled after \d attempt\(s\).*time budget of 3 s"),
    ):
        fetch_cost_explorer(
            _source(time_budget_s=3),
            ce,
            [data.NOV],
            today=dt.date(2026, 11, 1),
            sleep=sleep,
            clock=lambda: now[0],
        )
    # waits of about 1 s and 2 s fit; the next (2-4 s) would not, so no third wait
    assert 1 <= len(waits) <= 2 and sum(waits) <= 3
