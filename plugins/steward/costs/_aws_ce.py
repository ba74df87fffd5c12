"""AWS Cost Explorer: daily cost per linked account, service and cost-allocation tags.

``get_cost_and_usage`` groups by at most two keys per call, so the reader plans several calls:

1. ``GroupBy [LINKED_ACCOUNT, SERVICE]`` over the billing period: the complete daily cost, the
   ``Estimated`` flag and account names;
2. with one tag key, per linked account: ``GroupBy [SERVICE, TAG key]`` filtered to the account;
   with two tag keys, per (account, service): ``GroupBy [TAG key1, TAG key2]`` filtered to both.

Tag groups come back as ``key$value``; ``key$`` means the cost has no such tag (left out of
``Tags``). Whatever the tag calls do not cover of a call-1 total (Cost Explorer rounding, cost
recorded between calls) becomes an untagged remainder line, so the lines always sum to call 1.
Every call loops over ``NextPageToken`` (Cost Explorer has no paginator) and is retried with
backoff when throttled; the whole fetch stops at the source's ``max_pages`` and ``time_budget_s``
and on a page token seen twice (:class:`~steward.costs._retry.PageGuard`).
Credentials never pass through here: the caller builds the client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._retry import PageGuard, with_backoff
from steward.registry._cost_sources import AwsCostExplorerSource

__all__ = ["fetch_cost_explorer", "load_cost_explorer", "plan_periods"]

_log = logging.getLogger(__name__)

_METRIC_COLUMNS = {
    "UnblendedCost": "unblended_cost",
    "AmortizedCost": "amortized_cost",
    "NetUnblendedCost": "net_unblended_cost",
    "UsageQuantity": "usage_quantity",
}

_SCHEMA = pa.schema(
    [
        ("day_start", pa.timestamp("us", tz="UTC")),
        ("billing_account_id", pa.string()),
        ("account_id", pa.string()),
        ("account_name", pa.string()),
        ("service", pa.string()),
        ("currency", pa.string()),
        ("estimated", pa.bool_()),
        ("unblended_cost", pa.string()),
        ("amortized_cost", pa.string()),
        ("net_unblended_cost", pa.string()),
        ("usage_quantity", pa.string()),
        ("usage_unit", pa.string()),
        ("tags", pa.string()),
    ]
)

_Key = tuple[str, str, str]  # day, account, service


def _today() -> date:
    """Today in UTC (a seam for tests)."""
    return datetime.now(UTC).date()


def plan_periods(billing_periods: Sequence[date], *, today: date) -> list[tuple[str, str]]:
    """Return Cost Explorer ``TimePeriod`` bounds (start inclusive, end exclusive) per billing period.

    A period is cut at tomorrow (Cost Explorer refuses future dates); a future period is left out.

    Examples
    --------
    >>> plan_periods([date(2026, 10, 1), date(2026, 11, 1)], today=date(2026, 11, 5))
    [('2026-10-01', '2026-11-01'), ('2026-11-01', '2026-11-06')]
    """
    out = []
    for p in billing_periods:
        nxt = date(p.year + p.month // 12, p.month % 12 + 1, 1)
        end = min(nxt, today + timedelta(days=1))
        if end > p:
            out.append((p.isoformat(), end.isoformat()))
    return out


def _pages(
    client: Any,
    request: dict[str, Any],
    *,
    what: str,
    sleep: Callable[[float], None] | None,
    guard: PageGuard,
) -> Iterator[dict[str, Any]]:
    """Yield every page of one ``get_cost_and_usage`` request, following ``NextPageToken`` in ``guard``."""
    scope = json.dumps(request, sort_keys=True, default=str)
    token: str | None = None
    while True:
        args = {**request, **({"NextPageToken": token} if token else {})}
        page = with_backoff(
            lambda a=args: client.get_cost_and_usage(**a),  # type: ignore[misc]
            what=what,
            sleep=sleep,
            guard=guard,
        )
        yield page
        token = page.get("NextPageToken") or None
        if not guard.page(token, scope=scope):
            return


def _metrics(group: dict[str, Any], metrics: Sequence[str]) -> dict[str, tuple[Decimal, str]]:
    out = {}
    for m in metrics:
        value = group.get("Metrics", {}).get(m)
        if value is not None:
            out[m] = (Decimal(str(value.get("Amount", "0"))), str(value.get("Unit", "")))
    return out


def _tag(key: str) -> tuple[str, str]:
    """``"team$platform"`` -> ``("team", "platform")``; ``"team$"`` -> ``("team", "")`` (untagged)."""
    name, sep, value = key.partition("$")
    if not sep:
        raise CostSourceError(f"Cost Explorer tag group key {key!r} is not 'key$value'")
    return name, value


def fetch_cost_explorer(
    source: AwsCostExplorerSource,
    client: Any,
    billing_periods: Sequence[date],
    *,
    today: date | None = None,
    sleep: Callable[[float], None] | None = None,
    warnings: list[str] | None = None,
    clock: Callable[[], float] | None = None,
) -> pa.Table:
    """Return Cost Explorer's daily groups for ``billing_periods`` as raw ``aws_cost_explorer`` lines.

    Parameters
    ----------
    source
        The registry source (tag keys, metrics, payer account).
    client
        A boto3 ``ce`` client (region us-east-1) built by the caller from its connection.
    billing_periods
        First days of the months to read.
    today
        Cuts the current period (default: today, UTC).
    sleep
        Waits between throttled retries.
    warnings
        Appended with remainders and inconsistencies worth a look.
    clock
        Monotonic seconds for the time budget (default :func:`time.monotonic`; tests pass a fake).

    Returns
    -------
    pyarrow.Table
        One row per day x account x service x tag values; amounts as exact decimal strings.

    Raises
    ------
    PaginationError
        A page token came back twice, or the fetch would pass ``source.max_pages``.
    FetchTimeoutError
        The fetch, throttling waits included, took longer than ``source.time_budget_s``.

    Examples
    --------
    >>> ce = boto3.client("ce", region_name="us-east-1")  # doctest: +SKIP
    >>> fetch_cost_explorer(source, ce, [date(2026, 11, 1)]).num_rows  # doctest: +SKIP
    124
    """
    today = today or _today()
    warnings = warnings if warnings is not None else []
    what = f"cost source {source.name!r} (Cost Explorer)"
    guard = PageGuard(what, max_pages=source.max_pages, time_budget_s=source.time_budget_s, clock=clock)
    metrics = list(source.metrics)
    base: dict[_Key, dict[str, tuple[Decimal, str]]] = {}
    estimated: dict[str, bool] = {}
    names: dict[str, str] = {}
    tagged: dict[tuple[str, str, str, str], dict[str, tuple[Decimal, str]]] = {}
    for start, end in plan_periods(billing_periods, today=today):
        request = {"TimePeriod": {"Start": start, "End": end}, "Granularity": "DAILY", "Metrics": metrics}
        by_account = {
            **request,
            "GroupBy": [
                {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"},
                {"Type": "DIMENSION", "Key": "SERVICE"},
            ],
        }
        for page in _pages(client, by_account, what=what, sleep=sleep, guard=guard):
            for attr in page.get("DimensionValueAttributes", []):
                if attr.get("Attributes", {}).get("description"):
                    names[attr["Value"]] = attr["Attributes"]["description"]
            for result in page.get("ResultsByTime", []):
                day = result["TimePeriod"]["Start"]
                estimated[day] = estimated.get(day, False) or bool(result.get("Estimated", False))
                for group in result.get("Groups", []):
                    account, service = group["Keys"]
                    key = (day, account, service)
                    if key in base:
                        raise CostSourceError(
                            f"{what}: the group {key} came back twice for {start}..{end}. "
                            "Fix: rerun; if it persists, report it to AWS support"
                        )
                    base[key] = _metrics(group, metrics)
        if not source.tag_keys:
            continue
        for request_tags, scope in _tag_requests(source.tag_keys, request, base, start, end):
            for page in _pages(client, request_tags, what=what, sleep=sleep, guard=guard):
                for result in page.get("ResultsByTime", []):
                    day = result["TimePeriod"]["Start"]
                    for group in result.get("Groups", []):
                        account, service, tags = scope(group["Keys"])
                        tkey = (day, account, service, json.dumps(tags, sort_keys=True))
                        tagged[tkey] = _add(tagged.get(tkey, {}), _metrics(group, metrics))
    rows = _rows(source, base, tagged, estimated, names, warnings=warnings, what=what)
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


def _tag_requests(
    tag_keys: Sequence[str],
    request: dict[str, Any],
    base: dict[_Key, Any],
    start: str,
    end: str,
) -> Iterator[tuple[dict[str, Any], Callable[[list[str]], tuple[str, str, dict[str, str]]]]]:
    """Yield (request, keys -> (account, service, tags)) for the tag calls of one period."""
    in_period = sorted({(a, s) for (d, a, s) in base if start <= d < end})
    if len(tag_keys) == 1:
        (k1,) = tag_keys
        for account in sorted({a for a, _ in in_period}):
            req = {
                **request,
                "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": k1}],
                "Filter": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}},
            }

            def scope1(keys: list[str], account: str = account) -> tuple[str, str, dict[str, str]]:
                service, tag = keys
                return account, service, _tags([tag])

            yield req, scope1
        return
    k1, k2 = tag_keys
    for account, service in in_period:
        req = {
            **request,
            "GroupBy": [{"Type": "TAG", "Key": k1}, {"Type": "TAG", "Key": k2}],
            "Filter": {
                "And": [
                    {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}},
                    {"Dimensions": {"Key": "SERVICE", "Values": [service]}},
                ]
            },
        }

        def scope2(
            keys: list[str], account: str = account, service: str = service
        ) -> tuple[str, str, dict[str, str]]:
            return account, service, _tags(keys)

        yield req, scope2


def _tags(keys: Sequence[str]) -> dict[str, str]:
    tags = {}
    for k in keys:
        name, value = _tag(k)
        if value:
            tags[name] = value
    return tags


def _add(
    a: dict[str, tuple[Decimal, str]], b: dict[str, tuple[Decimal, str]]
) -> dict[str, tuple[Decimal, str]]:
    out = dict(a)
    for m, (amount, unit) in b.items():
        prev = out.get(m)
        out[m] = ((prev[0] if prev else Decimal(0)) + amount, unit)
    return out


def _rows(
    source: AwsCostExplorerSource,
    base: dict[_Key, dict[str, tuple[Decimal, str]]],
    tagged: dict[tuple[str, str, str, str], dict[str, tuple[Decimal, str]]],
    estimated: dict[str, bool],
    names: dict[str, str],
    *,
    warnings: list[str],
    what: str,
) -> list[dict[str, object]]:
    lines: dict[tuple[str, str, str, str], dict[str, tuple[Decimal, str]]] = {}
    if source.tag_keys:
        covered: dict[_Key, dict[str, tuple[Decimal, str]]] = {}
        for (day, account, service, tags), m in tagged.items():
            if (day, account, service) not in base:
                warnings.append(
                    f"{what}: tag group {day} {account} {service} {tags} has no account/service total; kept"
                )
            lines[(day, account, service, tags)] = m
            covered[(day, account, service)] = _add(covered.get((day, account, service), {}), m)
        for key, m in base.items():
            done = covered.get(key, {})
            rest = {k: (v - done.get(k, (Decimal(0), u))[0], u) for k, (v, u) in m.items()}
            if any(v != 0 for v, _ in rest.values()):
                gap = rest.get("UnblendedCost", (Decimal(0), ""))[0]
                if abs(gap) >= Decimal("0.01"):
                    warnings.append(
                        f"{what}: tag groups of {key} miss {gap} UnblendedCost of the account/service "
                        "total; added as an untagged remainder line"
                    )
                ukey = (*key, "{}")
                lines[ukey] = _add(lines.get(ukey, {}), rest)
    else:
        lines = {(*k, "{}"): m for k, m in base.items()}
    rows = []
    for (day, account, service, tags), m in sorted(lines.items()):
        unblended = m.get("UnblendedCost")
        amortized = m.get("AmortizedCost")
        if unblended is None or amortized is None:
            raise CostSourceError(
                f"{what}: group {day} {account} {service} lacks UnblendedCost/AmortizedCost"
            )
        usage = m.get("UsageQuantity")
        net = m.get("NetUnblendedCost")
        rows.append(
            {
                "day_start": datetime.fromisoformat(day).replace(tzinfo=UTC),
                "billing_account_id": source.billing_account_id or account,
                "account_id": account,
                "account_name": names.get(account),
                "service": service,
                "currency": unblended[1],
                "estimated": estimated.get(day, False),
                "unblended_cost": str(unblended[0]),
                "amortized_cost": str(amortized[0]),
                "net_unblended_cost": str(net[0]) if net else str(unblended[0]),
                "usage_quantity": str(usage[0]) if usage else None,
                "usage_unit": usage[1] if usage and usage[1] not in ("", "N/A") else None,
                "tags": tags,
            }
        )
    return rows


def load_cost_explorer(
    source: AwsCostExplorerSource,
    engine: NormalizeEngine,
    *,
    billing_periods: Sequence[date],
    client: Any | None = None,
    today: date | None = None,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Fetch Cost Explorer groups (see :func:`fetch_cost_explorer`) into ``engine``.

    ``client`` defaults to ``boto3.client("ce", region_name=source.region)`` with the environment's
    credentials; the Airflow layer passes one built from the source's connection.
    """
    if client is None:
        import boto3

        client = boto3.client("ce", region_name=source.region)
    table = fetch_cost_explorer(
        source, client, billing_periods, today=today, sleep=sleep, warnings=engine.warnings
    )
    engine.load_arrow(table, "aws_cost_explorer", origin=f"Cost Explorer ({source.region})")
