"""GCP: the BigQuery billing export through a fake client boundary (real QueryJobConfig parameters),
and google-cloud-billing's real CloudBillingClient over a fake google-api-core transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from google.api_core import gapic_v1
from google.api_core.exceptions import TooManyRequests
from google.auth.credentials import AnonymousCredentials
from google.cloud import billing_v1
from google.cloud.bigquery import SchemaField
from google.cloud.billing_v1.services.cloud_billing.transports.base import CloudBillingTransport
from pydantic import TypeAdapter

from steward.costs import FetchTimeoutError, PageGuard, PaginationError, ingest
from steward.costs._gcp import arrow_pages, billing_metadata, query_billing_export
from steward.registry._cost_sources import CostSource, GcpBigQueryExportSource
from steward.warehouse import Warehouse
from tests.fixtures.bigquery import ArrowPages, row_iterator
from tests.unit.costs import _source_data as data

D = Decimal
TABLE = "nw-billing.billing_export.gcp_billing_export_resource_v1_01A2B3"


class FakeBigQuery:
    """The boundary of ``google.cloud.bigquery.Client`` that the reader uses: query() -> job.result(timeout)
    -> result pages (two rows each)."""

    def __init__(self, table: pa.Table, *, throttle: int = 0) -> None:
        self.table = table
        self.throttle = throttle
        self.queries: list[tuple[str, Any, str | None]] = []
        self.timeouts: list[float | None] = []

    def query(self, sql: str, *, job_config: Any = None, project: str | None = None) -> Any:
        if self.throttle:
            self.throttle -= 1
            raise TooManyRequests("Exceeded rate limits: too many concurrent queries")
        self.queries.append((sql, job_config, project))
        table = self.table
        timeouts = self.timeouts

        class Job:
            def result(self, *, timeout: float | None = None) -> ArrowPages:
                timeouts.append(timeout)
                return ArrowPages(table, page_rows=2)

        return Job()


class FakeBillingTransport(CloudBillingTransport):
    """Answers GetBillingAccount and ListProjectBillingInfo with real protobuf messages, paged."""

    def __init__(
        self,
        accounts: dict[str, str],
        projects: dict[str, list[str]],
        *,
        page_size: int = 1,
        stuck_token: str | None = None,
    ) -> None:
        super().__init__(credentials=AnonymousCredentials())
        self.accounts = accounts
        self.projects = projects
        self.page_size = page_size
        #: when set, every page names this token as the next one (a provider bug: paging never ends)
        self.stuck_token = stuck_token
        self.requests: list[Any] = []
        self._prep_wrapped_messages(gapic_v1.client_info.ClientInfo())

    def _prep_wrapped_messages(self, client_info: Any) -> None:
        self._wrapped_methods = {
            self.get_billing_account: gapic_v1.method.wrap_method(
                self.get_billing_account, client_info=client_info
            ),
            self.list_project_billing_info: gapic_v1.method.wrap_method(
                self.list_project_billing_info, client_info=client_info
            ),
        }

    @property
    def get_billing_account(self) -> Callable[..., billing_v1.BillingAccount]:
        return self._get_billing_account

    @property
    def list_project_billing_info(self) -> Callable[..., billing_v1.ListProjectBillingInfoResponse]:
        return self._list_project_billing_info

    def _get_billing_account(self, request: Any, **_: Any) -> billing_v1.BillingAccount:
        self.requests.append(request)
        account = request.name.removeprefix("billingAccounts/")
        return billing_v1.BillingAccount(name=request.name, display_name=self.accounts[account], open_=True)

    def _list_project_billing_info(self, request: Any, **_: Any) -> billing_v1.ListProjectBillingInfoResponse:
        self.requests.append(request)
        if len(self.requests) > 50:
            raise AssertionError("50 requests: the page loop does not end")
        account = request.name.removeprefix("billingAccounts/")
        ids: Sequence[str] = self.projects.get(account, [])
        start = int(request.page_token or 0)
        page = ids[start : start + self.page_size]
        nxt = str(start + self.page_size) if start + self.page_size < len(ids) else ""
        if self.stuck_token is not None:
            nxt = self.stuck_token
        return billing_v1.ListProjectBillingInfoResponse(
            project_billing_info=[
                billing_v1.ProjectBillingInfo(
                    project_id=p, billing_account_name=request.name, billing_enabled=True
                )
                for p in page
            ],
            next_page_token=nxt,
        )

    def close(self) -> None:
        pass

    @property
    def kind(self) -> str:
        return "fake"


def _source(**extra: Any) -> GcpBigQueryExportSource:
    src = TypeAdapter(CostSource).validate_python(
        {"name": "gcp_export", "kind": "gcp_bigquery_export", "table": TABLE, **extra}
    )
    assert isinstance(src, GcpBigQueryExportSource)
    return src


def _billing(projects: list[str]) -> tuple[billing_v1.CloudBillingClient, FakeBillingTransport]:
    transport = FakeBillingTransport({data.GCP_ACCOUNT: "Northwind GCP"}, {data.GCP_ACCOUNT: projects})
    return billing_v1.CloudBillingClient(transport=transport), transport


def test_bigquery_export_and_billing_metadata(warehouse: Warehouse) -> None:
    bq = FakeBigQuery(data.gcp_table(data.GCP_NOV))
    client, transport = _billing(["nw-growth", "nw-platform", "nw-sandbox"])
    result = ingest(
        _source(job_project="nw-finops"),
        warehouse=warehouse,
        billing_periods=[data.OCT, data.NOV],
        run_id="r1",
        clients={"bigquery": bq, "billing": client},
    )

    (sql, config, project) = bq.queries[0]
    assert f"`{TABLE}`" in sql and project == "nw-finops"
    params = {p.name: p for p in config.query_parameters}
    assert params["invoice_months"].values == ["202610", "202611"]
    assert str(params["from_date"].value) == "2026-10-01"
    # October came back empty from the authoritative API, so it is cleared; November is written.
    assert result.periods == [data.OCT, data.NOV]
    assert result.billed_cost_total == {"USD": data.GCP_NOV_BILLED}
    assert result.warnings == []
    rows = warehouse.fetch(
        'select "BillingAccountName" as n, "x_Credits" as c, "Tags" as t, "SubAccountId" as p '
        "from cost_line_daily"
    )
    assert {r["n"] for r in rows} == {"Northwind GCP"}
    assert sum(D(str(r["c"])) for r in rows) == data.GCP_NOV_CREDITS
    assert json.loads(str(next(r["t"] for r in rows if r["p"] == "nw-growth"))) == data.GCP_GROWTH_TAGS
    # The real client paged through three ListProjectBillingInfo pages of one project each.
    assert [type(r).__name__ for r in transport.requests] == [
        "GetBillingAccountRequest",
        *["ListProjectBillingInfoRequest"] * 3,
    ]


def test_project_moved_off_the_billing_account_is_reported(scratch_wh: Warehouse) -> None:
    client, _ = _billing(["nw-growth"])
    result = ingest(
        _source(name="gcp_moved"),
        warehouse=scratch_wh,
        billing_periods=[data.NOV],
        run_id="r",
        clients={"bigquery": FakeBigQuery(data.gcp_table(data.GCP_NOV)), "billing": client},
    )
    assert result.billed_cost_total == {"USD": data.GCP_NOV_BILLED}
    assert any("['nw-platform']" in w and "no longer linked" in w for w in result.warnings)


def test_bigquery_429_is_retried(scratch_wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    from steward.costs import _retry

    waits: list[float] = []
    monkeypatch.setattr(_retry.time, "sleep", waits.append)
    bq = FakeBigQuery(data.gcp_table(data.GCP_NOV), throttle=2)
    result = ingest(
        _source(name="gcp_429", billing_metadata=False),
        warehouse=scratch_wh,
        billing_periods=[data.NOV],
        run_id="r",
        clients={"bigquery": bq},
    )
    assert len(waits) == 2 and len(bq.queries) == 1
    assert result.billed_cost_total == {"USD": data.GCP_NOV_BILLED}
    # the job waits at most what is left of the fetch's time budget (default 1800 s)
    assert len(bq.timeouts) == 1 and 1700 < (bq.timeouts[0] or 0) <= 1800


def test_billing_metadata_names_accounts() -> None:
    client, _ = _billing(["a", "b"])
    names, projects = billing_metadata(client, [data.GCP_ACCOUNT, data.GCP_ACCOUNT], what="test")
    assert names == {data.GCP_ACCOUNT: "Northwind GCP"}
    assert projects == {data.GCP_ACCOUNT: {"a", "b"}}


def test_billing_pages_with_a_repeated_token_stop_with_a_clear_error() -> None:
    transport = FakeBillingTransport({data.GCP_ACCOUNT: "Northwind GCP"}, {data.GCP_ACCOUNT: ["a", "b", "c"]})
    transport.stuck_token = "1"  # page 2 names itself as the next page, forever
    client = billing_v1.CloudBillingClient(transport=transport)

    with pytest.raises(
        PaginationError, match=r"'gcp' \(Cloud Billing\): the provider returned the same page token"
    ):
        billing_metadata(client, [data.GCP_ACCOUNT], what="cost source 'gcp' (Cloud Billing)")

    # GetBillingAccount, page 1 (token "1"), page 2 (token "1" again): stopped there
    assert len(transport.requests) == 3


_SCHEMA = [SchemaField("billing_account_id", "STRING"), SchemaField("cost", "NUMERIC")]


def test_bigquery_result_pages_are_read_in_full() -> None:
    rows, requests = row_iterator(
        _SCHEMA, [[["A", "1.5"]], [["B", "2.25"]], [["C", "-0.75"]]], ["p2", "p3", None]
    )

    table = arrow_pages(rows, PageGuard("test"), what="test")

    assert table.column("billing_account_id").to_pylist() == ["A", "B", "C"]
    assert sum(table.column("cost").to_pylist()) == D("3.00")
    assert [r.get("pageToken") for r in requests] == [None, "p2", "p3"]


def test_bigquery_result_token_repeated_stops_the_real_row_iterator() -> None:
    # google-cloud-bigquery's RowIterator follows a repeated pageToken forever on its own
    rows, requests = row_iterator(_SCHEMA, [[["A", "1"]], [["B", "2"]]], ["p2", "p2"])

    with pytest.raises(PaginationError, match=r"same page token twice \(rows\)"):
        arrow_pages(rows, PageGuard("cost source 'gcp' (BigQuery t)"), what="gcp")

    assert len(requests) == 2


def test_bigquery_result_pages_past_max_pages_fail_naming_the_setting() -> None:
    rows, requests = row_iterator(_SCHEMA, [[["A", "1"]]] * 5, ["p2", "p3", "p4", "p5", None])

    with pytest.raises(PaginationError, match=r"more than max_pages=3 pages"):
        arrow_pages(rows, PageGuard("gcp", max_pages=3), what="gcp")

    assert len(requests) == 3


def test_bigquery_export_over_its_time_budget_stops_before_the_next_call() -> None:
    ticks = iter(range(0, 10_000, 60))  # every clock read is 60 s later
    bq = FakeBigQuery(data.gcp_table(data.GCP_NOV))

    with pytest.raises(FetchTimeoutError, match=r"took 120 s, over its time budget of 100 s"):
        query_billing_export(
            _source(name="gcp_slow", time_budget_s=100), bq, [data.NOV], clock=lambda: float(next(ticks))
        )
    # the query ran (at 60 s); waiting for its result (at 120 s) was never started
    assert len(bq.queries) == 1 and bq.timeouts == []


def test_page_limits_are_validated_in_the_registry() -> None:
    with pytest.raises(ValueError, match="time_budget_s"):
        _source(time_budget_s=99_999)
    with pytest.raises(ValueError, match="max_pages"):
        _source(max_pages=0)
    assert (_source().max_pages, _source().time_budget_s) == (10_000, 1800.0)
