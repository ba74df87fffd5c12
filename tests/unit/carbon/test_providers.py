"""Provider carbon data through the real client libraries: botocore Stubber (AWS), and a fake BigQuery
client whose results page through google-cloud-bigquery's real RowIterator."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import Stubber
from google.cloud import bigquery
from google.cloud.bigquery import SchemaField
from google.cloud.bigquery.table import RowIterator

from steward.carbon import (
    AWS_EMISSIONS_TYPES,
    fetch_aws_emissions,
    fetch_gcp_emissions,
    months_back,
    write_provider_months,
)
from steward.costs import FetchTimeoutError, PaginationError
from steward.registry._carbon import CarbonProvider
from tests.fixtures.bigquery import row_iterator

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
AWS = CarbonProvider(name="aws_carbon", kind="aws_sustainability")
GCP = CarbonProvider(name="gcp_carbon", kind="gcp_carbon_footprint", table="nw-billing.carbon.footprint")


def _client():
    return boto3.client(
        "sustainability",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _result(month: dt.date, account: str, service: str, lbm: float, mbm: float, *, unit: str = "MTCO2e"):
    start = dt.datetime.combine(month, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(month.replace(day=28) + dt.timedelta(days=4), dt.time(), tzinfo=dt.UTC)
    return {
        "TimePeriod": {"Start": start, "End": end.replace(day=1)},
        "DimensionsValues": {"USAGE_ACCOUNT_ID": account, "REGION": "us-east-1", "SERVICE": service},
        "ModelVersion": "v3.0.0",
        "EmissionsValues": {
            "TOTAL_LBM_CARBON_EMISSIONS": {"Value": lbm, "Unit": unit},
            "TOTAL_MBM_CARBON_EMISSIONS": {"Value": mbm, "Unit": unit},
            "TOTAL_SCOPE_1_CARBON_EMISSIONS": {"Value": 0.001, "Unit": unit},
        },
    }


def _expected_request(token: str | None = None) -> dict:
    req = {
        "TimePeriod": {
            "Start": dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            "End": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        },
        "GroupBy": ["USAGE_ACCOUNT_ID", "REGION", "SERVICE"],
        "EmissionsTypes": list(AWS_EMISSIONS_TYPES),
        "Granularity": "MONTHLY",
        "MaxResults": 1000,
    }
    if token:
        req["NextToken"] = token
    return req


def test_aws_pages_are_followed_and_mtco2e_becomes_kg(warehouse) -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_estimated_carbon_emissions",
            {"Results": [_result(OCT, "210987654321", "AmazonEC2", 0.0125, 0.004)], "NextToken": "page-2"},
            _expected_request(),
        )
        stub.add_response(
            "get_estimated_carbon_emissions",
            {
                "Results": [
                    _result(NOV, "210987654321", "AmazonEC2", 0.011, 0.0035),
                    _result(NOV, "345678901234", "AmazonS3", 0.0002, 0.0),
                ]
            },
            _expected_request("page-2"),
        )
        rows = fetch_aws_emissions(client, months=[OCT, NOV], source_name="aws_carbon")
        stub.assert_no_pending_responses()
    got = rows.to_pylist()
    assert [(r["usage_month"], r["account_id"], r["service"]) for r in got] == [
        (OCT, "210987654321", "AmazonEC2"),
        (NOV, "210987654321", "AmazonEC2"),
        (NOV, "345678901234", "AmazonS3"),
    ]
    assert got[0]["location_based_co2e_kg"] == pytest.approx(12.5)  # 0.0125 t = 12.5 kg
    assert got[0]["market_based_co2e_kg"] == pytest.approx(4.0)
    assert got[0]["scope1_co2e_kg"] == pytest.approx(1.0)
    assert got[0]["scope3_location_based_co2e_kg"] is None  # not returned: NULL, not 0
    assert got[0]["model_version"] == "v3.0.0" and got[0]["provider"] == "aws"

    assert write_provider_months(warehouse, rows, provider=AWS, run_id="r1") == 3
    # a restated November for one account replaces exactly that (provider, account, month)
    restated = rows.slice(1, 1)
    restated = restated.set_column(
        restated.schema.get_field_index("location_based_co2e_kg"), "location_based_co2e_kg", [[20.0]]
    )
    assert write_provider_months(warehouse, restated, provider=AWS, run_id="r2") == 1
    stored = warehouse.fetch(
        "select account_id, usage_month, location_based_co2e_kg as kg, run_id from carbon_provider_monthly "
        "order by usage_month, account_id"
    )
    assert [(r["account_id"], r["usage_month"], r["kg"], r["run_id"]) for r in stored] == [
        ("210987654321", OCT, 12.5, "r1"),
        ("210987654321", NOV, 20.0, "r2"),
        ("345678901234", NOV, pytest.approx(0.2), "r1"),
    ]


def test_aws_unit_change_and_api_errors_are_reported() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_estimated_carbon_emissions",
            {"Results": [_result(OCT, "1", "AmazonEC2", 1.0, 1.0, unit="MTCO2e")]},
        )
        stub.add_client_error("get_estimated_carbon_emissions", "AccessDeniedException", "not allowed")
        fetch_aws_emissions(client, months=[OCT], source_name="aws_carbon")
        with pytest.raises(client.exceptions.AccessDeniedException, match="not allowed"):
            fetch_aws_emissions(client, months=[OCT], source_name="aws_carbon")
    assert fetch_aws_emissions(client, months=[], source_name="aws_carbon").num_rows == 0


_GCP_SCHEMA = [
    SchemaField("usage_month", "DATE"),
    SchemaField("billing_account_id", "STRING"),
    SchemaField("project_id", "STRING"),
    SchemaField("service", "STRING"),
    SchemaField("region", "STRING"),
    *(
        SchemaField(name, "FLOAT")
        for name in (
            "location_based_co2e_kg",
            "market_based_co2e_kg",
            "scope1_co2e_kg",
            "scope2_location_based_co2e_kg",
            "scope2_market_based_co2e_kg",
            "scope3_co2e_kg",
        )
    ),
    SchemaField("carbon_model_version", "INTEGER"),
]


class _FakeJob:
    def __init__(self, records: list[dict], tokens: list[str | None] | None) -> None:
        self.records = records
        self.tokens = tokens
        self.timeouts: list[float | None] = []
        self.page_requests: list[dict] = []

    def result(self, *, timeout: float | None = None) -> RowIterator:
        """The library's real RowIterator, one record per result page (tokens p2, p3, ...)."""
        self.timeouts.append(timeout)
        pages = [[list(r.values())] for r in self.records] or [[]]
        tokens = self.tokens or [f"p{i + 2}" for i in range(len(pages) - 1)] + [None]
        rows, self.page_requests = row_iterator(_GCP_SCHEMA, pages, tokens)
        return rows


class FakeBigQuery:
    """The client boundary: records each query and its job config; results page through real RowIterators."""

    def __init__(self, records: list[dict], *, tokens: list[str | None] | None = None) -> None:
        self.records = records
        self.tokens = tokens
        self.calls: list[tuple[str, bigquery.QueryJobConfig]] = []
        self.jobs: list[_FakeJob] = []

    def query(self, sql: str, job_config: bigquery.QueryJobConfig) -> _FakeJob:
        self.calls.append((sql, job_config))
        self.jobs.append(_FakeJob(self.records, self.tokens))
        return self.jobs[-1]


def _gcp_record(month: dt.date, project: str, loc: float, mkt: float) -> dict:
    return {
        "usage_month": month,
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "project_id": project,
        "service": "Compute Engine",
        "region": "us-central1",
        "location_based_co2e_kg": loc,
        "market_based_co2e_kg": mkt,
        "scope1_co2e_kg": 0.1,
        "scope2_location_based_co2e_kg": loc - 0.6,
        "scope2_market_based_co2e_kg": mkt - 0.6,
        "scope3_co2e_kg": 0.5,
        "carbon_model_version": 12,
    }


def test_gcp_export_is_queried_with_month_parameters(warehouse) -> None:
    fake = FakeBigQuery(
        [_gcp_record(OCT, "nw-ml-platform", 15.2, 3.1), _gcp_record(OCT, "nw-sandbox", 2.0, 0.7)]
    )
    rows = fetch_gcp_emissions(fake, table=GCP.table or "", months=[NOV, OCT], source_name="gcp_carbon")
    ((sql, config),) = fake.calls
    assert "from `nw-billing.carbon.footprint`" in sql
    assert "carbon_footprint_total_kgCO2e.location_based" in sql
    (param,) = config.query_parameters
    assert isinstance(param, bigquery.ArrayQueryParameter)
    assert (param.name, param.array_type, param.values) == ("months", "DATE", [OCT, NOV])
    got = rows.to_pylist()
    assert [r["project_id"] for r in got] == ["nw-ml-platform", "nw-sandbox"]
    assert got[0]["location_based_co2e_kg"] == 15.2 and got[0]["market_based_co2e_kg"] == 3.1
    assert got[0]["scope3_location_based_co2e_kg"] == got[0]["scope3_market_based_co2e_kg"] == 0.5
    assert got[0]["model_version"] == "12" and got[0]["provider"] == "gcp"
    assert write_provider_months(warehouse, rows, provider=GCP, run_id="r1") == 2
    # rerun: the same rows, no duplicates
    assert write_provider_months(warehouse, rows, provider=GCP, run_id="r1") == 2
    total = warehouse.fetch(
        "select count(*) as n, sum(location_based_co2e_kg) as kg from carbon_provider_monthly"
    )
    assert int(total[0]["n"]) == 2 and total[0]["kg"] == pytest.approx(17.2)


def test_gcp_bad_table_id_is_refused() -> None:
    with pytest.raises(ValueError, match="not a BigQuery table id"):
        fetch_gcp_emissions(FakeBigQuery([]), table="x; drop table y", months=[OCT], source_name="g")
    with pytest.raises(ValueError, match="needs `table`"):
        CarbonProvider(name="g", kind="gcp_carbon_footprint")


def test_months_back_crosses_years() -> None:
    assert months_back(dt.date(2026, 1, 31), 1) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert months_back(dt.date(2026, 11, 3), 0) == [NOV]


def test_gcp_result_pages_are_all_read_and_a_repeated_token_stops() -> None:
    records = [_gcp_record(OCT, f"nw-{i}", 1.0 + i, 0.5) for i in range(3)]
    fake = FakeBigQuery(records)
    rows = fetch_gcp_emissions(fake, table=GCP.table or "", months=[OCT], source_name="gcp_carbon")
    assert rows.column("project_id").to_pylist() == ["nw-0", "nw-1", "nw-2"]
    assert [r.get("pageToken") for r in fake.jobs[0].page_requests] == [None, "p2", "p3"]
    assert 1700 < (fake.jobs[0].timeouts[0] or 0) <= 1800  # waits at most the rest of the budget

    stuck = FakeBigQuery(records, tokens=["p2", "p2"])  # page 2 names itself as the next page
    with pytest.raises(PaginationError, match=r"carbon provider 'gcp_carbon' \(BigQuery .*same page token"):
        fetch_gcp_emissions(stuck, table=GCP.table or "", months=[OCT], source_name="gcp_carbon")
    assert len(stuck.jobs[0].page_requests) == 2


def test_aws_throttled_twice_then_answers() -> None:
    client = _client()
    waits: list[float] = []
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_client_error(
                "get_estimated_carbon_emissions", "ThrottlingException", "Rate exceeded", 400
            )
        stub.add_response(
            "get_estimated_carbon_emissions",
            {"Results": [_result(OCT, "210987654321", "AmazonEC2", 0.0125, 0.004)]},
            _expected_request(),
        )
        rows = fetch_aws_emissions(client, months=[OCT, NOV], source_name="aws_carbon", sleep=waits.append)
        stub.assert_no_pending_responses()
    assert rows.column("location_based_co2e_kg").to_pylist() == [pytest.approx(12.5)]
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0


def test_aws_token_returned_forever_stops_with_a_clear_error() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_estimated_carbon_emissions",
            {"Results": [_result(OCT, "1", "AmazonEC2", 1.0, 1.0)], "NextToken": "again"},
            _expected_request(),
        )
        for _ in range(10):
            stub.add_response(
                "get_estimated_carbon_emissions",
                {"Results": [], "NextToken": "again"},
                _expected_request("again"),
            )
        with pytest.raises(PaginationError) as err:
            fetch_aws_emissions(client, months=[OCT, NOV], source_name="aws_carbon")
        assert len(stub._queue) == 9  # two requests made, not eleven
    assert str(err.value).startswith(
        "carbon provider 'aws_carbon' (AWS sustainability): the provider returned the same page token twice"
    )
    assert isinstance(err.value, ValueError)  # the Airflow task fails without retrying it


def test_aws_pages_past_max_pages_or_the_time_budget_fail() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_estimated_carbon_emissions", {"Results": [], "NextToken": "t2"}, _expected_request()
        )
        stub.add_response(
            "get_estimated_carbon_emissions", {"Results": [], "NextToken": "t3"}, _expected_request("t2")
        )
        with pytest.raises(PaginationError, match="more than max_pages=2 pages"):
            fetch_aws_emissions(client, months=[OCT, NOV], source_name="aws_carbon", max_pages=2)
        stub.assert_no_pending_responses()

    ticks = iter([0.0, 0.0, 50.0, 120.0])  # created, first call, after page 1, (never read)
    with Stubber(client) as stub:
        stub.add_response(
            "get_estimated_carbon_emissions", {"Results": [], "NextToken": "t2"}, _expected_request()
        )
        with pytest.raises(FetchTimeoutError, match=r"took 50 s, over its time budget of 30 s, after 1 page"):
            fetch_aws_emissions(
                client,
                months=[OCT, NOV],
                source_name="aws_carbon",
                time_budget_s=30,
                clock=lambda: next(ticks),
            )
        stub.assert_no_pending_responses()
