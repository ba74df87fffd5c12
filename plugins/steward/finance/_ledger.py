"""The cost ledger: costs beyond the cloud bill, declared per month (YAML or CSV), validated, FOCUS-shaped.

A YAML ledger::

    currency: USD
    lines:
      - {category: personnel, model: lead_scoring, amount: 18000, description: 0.15 FTE data scientist}
      - {category: licences, business_unit: marketing, amount: 2400, frequency: one-time}

A CSV ledger has the columns ``category, business_unit, model, amount, currency, description,
frequency`` (and ``period`` when the path has no ``{period}``: one file for every month).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import yaml

from steward import paths
from steward.finance._periods import Period, parse_period

if TYPE_CHECKING:
    from steward.registry import Registry
    from steward.warehouse import Warehouse

__all__ = [
    "COST_CATEGORIES",
    "LEDGER_TABLE",
    "LedgerError",
    "LedgerLine",
    "ledger_path",
    "load_ledger",
    "read_ledger",
]

#: The warehouse table of ledger lines (DDL 0016).
LEDGER_TABLE = "finance_ledger_lines"
#: Cost categories of total cost of ownership; cloud cost is ``infrastructure``.
COST_CATEGORIES = ("infrastructure", "personnel", "data_acquisition", "licences", "support", "maintenance")
_FREQUENCIES = {"recurring": "Recurring", "one-time": "One-Time", "one_time": "One-Time"}
_KEYS = {"period", "category", "business_unit", "model", "amount", "currency", "description", "frequency"}


class LedgerError(ValueError):
    """A ledger file is missing or has a bad line; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class LedgerLine:
    """One validated ledger line."""

    period: str
    category: str
    business_unit: str
    model: str | None
    amount: Decimal
    currency: str
    description: str
    frequency: str  # Recurring | One-Time
    file: str
    line: int


def ledger_path(registry: Registry, period: Period) -> Path | None:
    """Return the ledger file of ``period`` (a month) from ``finance.ledger`` (``None``: none declared)."""
    pattern = registry.finance.ledger
    if pattern is None:
        return None
    path = Path(pattern.replace("{period}", period.label))
    return path if path.is_absolute() else paths.project_dir() / path


def _items(text: str, file: Path) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """Parse a YAML ledger: the top mapping and each line with its 1-based line number in the file."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise LedgerError(f"ledger {file}: not valid YAML ({exc}): fix the syntax") from None
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        raise LedgerError(f"ledger {file}: expected a mapping with a 'lines' list (see docs/finance.md)")
    unknown = sorted(set(data) - {"currency", "lines"})
    if unknown:
        raise LedgerError(f"ledger {file}: unknown top-level keys {unknown}: use 'currency' and 'lines'")
    assert isinstance(root, yaml.MappingNode)
    lines_node = next(v for k, v in root.value if k.value == "lines")
    numbers = [item.start_mark.line + 1 for item in lines_node.value]
    return data, list(zip(numbers, data["lines"], strict=True))


def _rows(file: Path) -> tuple[str | None, list[tuple[int, Any]]]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LedgerError(
            f"ledger {file} does not exist: create it or fix finance.ledger in the registry"
        ) from None
    if file.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        # line 1 is the header; DictReader's line_num is the line just read
        return None, [
            (reader.line_num, {k: v for k, v in row.items() if v not in (None, "")}) for row in reader
        ]
    if file.suffix.lower() in (".yaml", ".yml"):
        data, items = _items(text, file)
        return data.get("currency"), items
    raise LedgerError(f"ledger {file}: unknown format {file.suffix!r}: use .yaml, .yml or .csv")


def read_ledger(file: Path, registry: Registry, period: Period) -> list[LedgerLine]:
    """Read and validate the ledger lines of ``period`` (a month) from ``file``.

    Raises
    ------
    LedgerError
        The first bad line: unknown model or business unit, negative or missing amount, a currency other
        than ``finance.currency``, an unknown category or key; the message names the file and line.
    """
    file_currency, items = _rows(file)
    models = {m.name: m for m in registry.models}
    units = {m.business_unit for m in registry.models} | set(
        registry.costs.allocation.business_unit.values or []
    )
    want = registry.finance.currency
    per_period_file = "{period}" in (registry.finance.ledger or "")
    out: list[LedgerLine] = []
    for number, item in items:
        where = f"ledger {file} line {number}"
        if not isinstance(item, dict):
            raise LedgerError(f"{where}: expected a mapping of {sorted(_KEYS)}")
        unknown = sorted(set(item) - _KEYS)
        if unknown:
            raise LedgerError(f"{where}: unknown keys {unknown}: use {sorted(_KEYS)}")
        line_period = str(item["period"]) if item.get("period") is not None else None
        if line_period is None and not per_period_file:
            raise LedgerError(
                f"{where}: no 'period' (e.g. 2026-11): give it, or put {{period}} in finance.ledger"
            )
        if line_period is not None:
            try:
                line_period = parse_period(line_period).label
            except ValueError as exc:
                raise LedgerError(f"{where}: {exc}") from None
        if (line_period or period.label) != period.label:
            if per_period_file:
                raise LedgerError(
                    f"{where}: period {line_period} in the ledger file of {period.label}: move the line"
                )
            continue
        category = str(item.get("category", "")).strip()
        if category not in COST_CATEGORIES:
            raise LedgerError(f"{where}: category {category!r} is not one of {list(COST_CATEGORIES)}")
        try:
            amount = Decimal(str(item["amount"]))
        except (KeyError, InvalidOperation):
            raise LedgerError(
                f"{where}: amount {item.get('amount')!r} is not a number: give the amount"
            ) from None
        if not amount.is_finite() or amount < 0:
            raise LedgerError(f"{where}: amount {amount} is negative: ledger amounts are costs >= 0")
        currency = str(item.get("currency") or file_currency or want)
        if currency != want:
            raise LedgerError(
                f"{where}: currency {currency} does not match finance.currency {want}: convert the amount"
            )
        model_name = item.get("model")
        unit = item.get("business_unit")
        if model_name is not None:
            if model_name not in models:
                raise LedgerError(
                    f"{where}: model {model_name!r} is not registered (registered: {sorted(models)})"
                )
            own = models[model_name].business_unit
            if unit is not None and unit != own:
                raise LedgerError(
                    f"{where}: model {model_name!r} belongs to {own!r}, not {unit!r}: fix business_unit"
                )
            unit = own
        if unit is None:
            raise LedgerError(f"{where}: give 'model' or 'business_unit'")
        if unit not in units:
            raise LedgerError(f"{where}: business unit {unit!r} is unknown (known: {sorted(units)})")
        frequency = _FREQUENCIES.get(str(item.get("frequency", "recurring")).lower())
        if frequency is None:
            raise LedgerError(f"{where}: frequency {item.get('frequency')!r} is not recurring or one-time")
        out.append(
            LedgerLine(
                period=period.label,
                category=category,
                business_unit=str(unit),
                model=model_name,
                amount=amount,
                currency=currency,
                description=str(item.get("description", "")),
                frequency=frequency,
                file=str(file),
                line=number,
            )
        )
    return out


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def ledger_table(lines: list[LedgerLine], period: Period, *, run_id: str, now: dt.datetime) -> pa.Table:
    """Return FOCUS-shaped rows of ``lines`` (one month): BilledCost = EffectiveCost = amount, a Purchase."""
    start, end = _at(period.start), _at(period.end)
    money = pa.decimal128(38, 10)
    n = len(lines)
    return pa.table(
        {
            "BillingPeriodStart": pa.array([start] * n, pa.timestamp("us", tz="UTC")),
            "BillingPeriodEnd": pa.array([end] * n, pa.timestamp("us", tz="UTC")),
            "ChargePeriodStart": pa.array([start] * n, pa.timestamp("us", tz="UTC")),
            "ChargePeriodEnd": pa.array([end] * n, pa.timestamp("us", tz="UTC")),
            "ChargeCategory": ["Purchase"] * n,
            "ChargeFrequency": [ln.frequency for ln in lines],
            "ChargeDescription": [ln.description for ln in lines],
            "BilledCost": pa.array([ln.amount for ln in lines], money),
            "EffectiveCost": pa.array([ln.amount for ln in lines], money),
            "BillingCurrency": [ln.currency for ln in lines],
            "x_CostCategory": [ln.category for ln in lines],
            "x_BusinessUnit": [ln.business_unit for ln in lines],
            "x_ModelId": pa.array([ln.model for ln in lines], pa.string()),
            "x_LedgerFile": [ln.file for ln in lines],
            "x_LedgerLine": pa.array([ln.line for ln in lines], pa.int32()),
            "x_PipelineRunId": [run_id] * n,
            "x_IngestedAt": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
        }
    )


def load_ledger(warehouse: Warehouse, registry: Registry, period: Period, *, run_id: str) -> list[LedgerLine]:
    """Validate the ledger of each month of ``period`` and replace those months in ``finance_ledger_lines``.

    Every month is read and validated before anything is written, then all months are replaced in one
    transaction: a bad line leaves the loaded ledger intact. Without ``finance.ledger`` nothing is written.
    A month whose ``{period}`` file does not exist has no ledger lines. Returns the lines written.
    """
    if registry.finance.ledger is None:
        return []
    now = dt.datetime.now(dt.UTC)
    writes = []
    loaded: list[LedgerLine] = []
    for month in period.months:
        file = ledger_path(registry, month)
        assert file is not None
        if not file.exists() and "{period}" in registry.finance.ledger:
            lines: list[LedgerLine] = []  # no ledger for this month: its lines are cleared
        else:
            lines = read_ledger(file, registry, month)
        loaded += lines
        writes.append(
            (
                LEDGER_TABLE,
                {"BillingPeriodStart": _at(month.start)},
                ledger_table(lines, month, run_id=run_id, now=now),
            )
        )
    warehouse.replace_partitions(writes)
    return loaded
