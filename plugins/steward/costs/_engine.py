"""The normalization engine: an in-memory DuckDB that turns billing lines into FOCUS daily lines.

Every source ends here: files are scanned in place (Parquet or CSV), API results arrive as Arrow
tables. :class:`NormalizeEngine` builds a ``raw_lines`` view in the source format's shape (every
optional column present, typed), runs ``include/sql/costs/normalize_<format>.sql`` into a
``focus_lines`` view, checks it in one scan (required values, one currency per invoice, credits,
line totals), aggregates the requested billing periods in a second scan with
``normalize_daily.sql.j2``, and hands out one period at a time as an Arrow table in
:func:`~steward.costs.cost_line_schema`. A value of the wrong type fails the scan; the engine then
finds the column and an example value for the error message.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import duckdb
import pyarrow as pa

from steward import paths
from steward._dates import period_start
from steward.costs._focus import (
    COST_LINE_COLUMNS,
    FOCUS_COLUMNS,
    MONEY_COLUMNS,
    QUANTITY_COLUMNS,
    cost_line_schema,
)
from steward.warehouse import ScratchEngine, bind_params, quote_ident, read_sql, render_sql, scratch

__all__ = ["CostSourceError", "NormalizeEngine", "RawFormat", "RAW_COLUMNS"]

_log = logging.getLogger(__name__)

#: Columns summed when lines become daily lines; every other column of ``focus_lines`` is a dimension.
_MEASURES = (*MONEY_COLUMNS, *QUANTITY_COLUMNS)
#: ``x_`` columns the daily step writes itself (not carried from ``focus_lines``).
_DAILY_COMPUTED = ("x_SourceName", "x_SourceRowHash", "x_PipelineRunId", "x_IngestedAt", "x_SourceLineCount")
#: The daily lines' grouping columns, in the order ``x_SourceRowHash`` hashes them.
_DIMENSIONS = tuple(c for c in COST_LINE_COLUMNS if c not in _MEASURES and c not in _DAILY_COMPUTED)

#: Shapes the engine normalizes: the file formats plus Cost Explorer groups built in Python.
RawFormat = Literal["aws_cur2", "gcp_billing_export", "focus", "aws_cost_explorer"]

_D = "decimal(38, 10)"
_TS = "timestamptz"
_V = "varchar"

#: format -> column -> (DuckDB type, required). Optional columns a file lacks are added as NULL.
RAW_COLUMNS: dict[str, dict[str, tuple[str, bool]]] = {
    "aws_cur2": {
        "bill_payer_account_id": (_V, True),
        "line_item_usage_account_id": (_V, True),
        "line_item_line_item_type": (_V, True),
        "line_item_usage_start_date": (_TS, True),
        "line_item_usage_end_date": (_TS, True),
        "line_item_product_code": (_V, True),
        "line_item_usage_type": (_V, True),
        "line_item_unblended_cost": (_D, True),
        "line_item_currency_code": (_V, True),
        "bill_payer_account_name": (_V, False),
        "line_item_usage_account_name": (_V, False),
        "bill_billing_period_start_date": (_TS, False),
        "bill_billing_period_end_date": (_TS, False),
        "bill_invoice_id": (_V, False),
        "bill_invoicing_entity": (_V, False),
        "line_item_legal_entity": (_V, False),
        "line_item_line_item_description": (_V, False),
        "line_item_operation": (_V, False),
        "line_item_resource_id": (_V, False),
        "line_item_availability_zone": (_V, False),
        "line_item_usage_amount": (_D, False),
        "line_item_unblended_rate": (_D, False),
        "line_item_net_unblended_cost": (_D, False),
        "pricing_unit": (_V, False),
        "pricing_term": (_V, False),
        "pricing_rate_id": (_V, False),
        "pricing_public_on_demand_cost": (_D, False),
        "pricing_public_on_demand_rate": (_D, False),
        "product_region_code": (_V, False),
        "product_product_name": (_V, False),
        "product_sku": (_V, False),
        "savings_plan_savings_plan_a_r_n": (_V, False),
        "savings_plan_savings_plan_effective_cost": (_D, False),
        "savings_plan_net_savings_plan_effective_cost": (_D, False),
        "reservation_reservation_a_r_n": (_V, False),
        "reservation_effective_cost": (_D, False),
        "reservation_net_effective_cost": (_D, False),
        "identity_line_item_id": (_V, False),
        "identity_time_interval": (_V, False),
    },
    "gcp_billing_export": {
        "billing_account_id": (_V, True),
        "service_description": (_V, True),
        "sku_id": (_V, True),
        "usage_start_time": (_TS, True),
        "usage_end_time": (_TS, True),
        "cost": (_D, True),
        "currency": (_V, True),
        "invoice_month": (_V, True),
        "billing_account_name": (_V, False),
        "sku_description": (_V, False),
        "project_id": (_V, False),
        "project_name": (_V, False),
        "location_region": (_V, False),
        "location_zone": (_V, False),
        "credits_amount": (_D, False),
        "usage_amount": (_D, False),
        "usage_unit": (_V, False),
        "usage_amount_in_pricing_units": (_D, False),
        "usage_pricing_unit": (_V, False),
        "cost_type": (_V, False),
        "cost_at_list": (_D, False),
        "resource_name": (_V, False),
        "resource_global_name": (_V, False),
        "seller_name": (_V, False),
    },
    "aws_cost_explorer": {
        "day_start": (_TS, True),
        "billing_account_id": (_V, True),
        "account_id": (_V, True),
        "account_name": (_V, False),
        "service": (_V, True),
        "currency": (_V, True),
        "estimated": ("boolean", True),
        "unblended_cost": (_D, True),
        "amortized_cost": (_D, True),
        "net_unblended_cost": (_D, False),
        "usage_quantity": (_D, False),
        "usage_unit": (_V, False),
    },
    "focus": {
        name: (
            {"decimal": _D, "timestamp": _TS}.get(kind, _V),
            name
            in ("BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency"),
        )
        for name, kind in FOCUS_COLUMNS.items()
        if name != "Tags"
    },
}

#: format -> the raw columns holding tag maps, merged in order (later keys win).
_TAG_COLUMNS: dict[str, tuple[str, ...]] = {
    "aws_cur2": ("resource_tags",),
    "gcp_billing_export": ("project_labels", "labels"),
    "aws_cost_explorer": ("tags",),
    "focus": ("Tags",),
}

#: FOCUS lines must carry these (checked after normalization, with the fix to apply).
_NOT_NULL = (
    "BilledCost",
    "EffectiveCost",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingPeriodStart",
    "BillingCurrency",
    "BillingAccountId",
)


class CostSourceError(ValueError):
    """Billing input that cannot be normalized; the message names the source, the file or key, and the fix.

    Nothing is written when it is raised: the previously loaded billing periods stay as they were.
    """


@dataclass
class NormalizeEngine:
    """An in-memory DuckDB that normalizes one source's billing lines to FOCUS daily lines.

    Parameters
    ----------
    source_name
        The registry source (``costs.sources[].name``), used in messages and ``x_SourceName``.
    memory_limit
        DuckDB memory limit; larger aggregations spill to a temporary folder.
    threads
        DuckDB threads (default: DuckDB's choice).

    Examples
    --------
    >>> with NormalizeEngine("aws_demo") as eng:  # doctest: +SKIP
    ...     eng.load_files([Path("cur.parquet")], "aws_cur2")
    ...     eng.check()
    ...     eng.aggregate([date(2026, 11, 1)], run_id="r1")
    ...     eng.daily(date(2026, 11, 1)).num_rows
    42
    """

    source_name: str
    memory_limit: str = "1GB"
    threads: int | None = None
    warnings: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _spec: dict[str, str] = field(default_factory=dict)
    _line_totals: dict[date, dict[str, Decimal]] = field(default_factory=dict)
    _engine: ScratchEngine | None = None
    _origin: str = ""

    def __enter__(self) -> NormalizeEngine:
        self._tmp = tempfile.TemporaryDirectory(prefix="steward-costs-")
        self._engine = scratch(
            memory_limit=self.memory_limit, threads=self.threads or None, spill=Path(self._tmp.name)
        )
        _create_lookups(self._engine.con)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def workdir(self) -> Path:
        """A temporary folder that lives as long as the engine (downloads go here)."""
        if self._tmp is None:
            raise RuntimeError("NormalizeEngine is used outside its `with` block")
        return Path(self._tmp.name)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection of the scratch engine (inside ``with``)."""
        if self._engine is None:
            raise RuntimeError("NormalizeEngine is used outside its `with` block")
        return self._engine.con

    # --- input ----------------------------------------------------------------------------

    def load_files(
        self,
        files: Sequence[Path],
        fmt: RawFormat,
        *,
        defaults: Mapping[str, str] | None = None,
        extra_columns: Mapping[str, str] | None = None,
    ) -> None:
        """Scan Parquet or CSV ``files`` (all of one kind) as the raw lines of format ``fmt``.

        Parameters
        ----------
        files
            ``.parquet`` or ``.csv`` files, at least one.
        fmt
            Their shape.
        defaults
            FOCUS files only: values for FOCUS columns the files lack (e.g. ``{"BillingCurrency": "USD"}``).
        extra_columns
            Constant columns to add when the files lack them (e.g. ``billing_account_name``).
        """
        if not files:
            raise CostSourceError(f"cost source {self.source_name!r}: no files to read")
        names = [str(f) for f in files]
        self._origin = names[0] if len(names) == 1 else f"{len(names)} files under {Path(names[0]).parent}"
        suffixes = {f.suffix.lower() for f in files}
        try:
            if suffixes <= {".parquet"}:
                rel = self.con.read_parquet(names, union_by_name=True, hive_partitioning=False)
            elif suffixes <= {".csv"}:
                rel = self.con.sql(
                    "select * from read_csv($files, header = true, all_varchar = true, union_by_name = true, "
                    "nullstr = ['', 'null', 'NULL'])",
                    params={"files": names},
                )
            else:
                raise CostSourceError(
                    f"cost source {self.source_name!r}: files {names[:3]} mix or use unsupported suffixes "
                    f"{sorted(suffixes)}; give .parquet or .csv files"
                )
        except duckdb.Error as exc:
            raise CostSourceError(
                f"cost source {self.source_name!r}: cannot read {self._origin}: {exc}. "
                "Fix: replace the malformed file with a complete export (Parquet or CSV with a header row)"
            ) from exc
        self._define_raw(rel, fmt, defaults=defaults or {}, extra_columns=extra_columns or {})

    def load_arrow(self, table: pa.Table, fmt: RawFormat, *, origin: str) -> None:
        """Use an Arrow table (API results) as the raw lines of ``fmt``; ``origin`` names it in errors."""
        self._origin = origin
        self.con.register("raw_arrow", table)
        self._define_raw(self.con.table("raw_arrow"), fmt, defaults={}, extra_columns={})

    def _define_raw(
        self,
        rel: duckdb.DuckDBPyRelation,
        fmt: RawFormat,
        *,
        defaults: Mapping[str, str],
        extra_columns: Mapping[str, str],
    ) -> None:
        spec = RAW_COLUMNS[fmt]
        present = {name: str(dtype) for name, dtype in zip(rel.columns, rel.dtypes, strict=True)}
        missing = [
            c for c, (_, required) in spec.items() if required and c not in present and c not in defaults
        ]
        if missing:
            raise CostSourceError(
                f"cost source {self.source_name!r}: {self._origin} lacks required {fmt} column(s) {missing} "
                f"(it has {sorted(present)[:12]}{'...' if len(present) > 12 else ''}). Fix: export the "
                + ("columns, or give them in the source's `defaults:`" if fmt == "focus" else "full format")
            )
        selects = []
        for col, (dtype, _) in spec.items():
            if col in present:
                selects.append(f"cast({quote_ident(col)} as {dtype}) as {quote_ident(col)}")
            elif col in defaults:
                selects.append(f"cast({_lit(defaults[col])} as {dtype}) as {quote_ident(col)}")
            elif col in extra_columns:
                selects.append(f"cast({_lit(extra_columns[col])} as {dtype}) as {quote_ident(col)}")
            else:
                selects.append(f"cast(null as {dtype}) as {quote_ident(col)}")
        selects.append(f"{_tags_expr(present, _TAG_COLUMNS[fmt])} as tags_json")
        self.con.register("raw_source", rel)
        self._spec = {c: spec[c][0] for c in spec if c in present}
        dedupe = ""
        if fmt == "aws_cur2" and {"identity_line_item_id", "identity_time_interval"} <= present.keys():
            dedupe = (
                "qualify row_number() over (partition by identity_line_item_id, identity_time_interval) = 1"
            )
        self.con.execute(
            f"create or replace temp view raw_all as select {', '.join(selects)} from raw_source"
        )
        self.con.execute(f"create or replace temp view raw_lines as select * from raw_all {dedupe}")
        if dedupe:
            total = self._scalar("select count(*) from raw_source")
            kept = self._scalar("select count(*) from raw_lines")
            if total != kept:
                self.warnings.append(
                    f"cost source {self.source_name!r}: dropped {total - kept} duplicate CUR line item(s) "
                    "(same identity_line_item_id and identity_time_interval, e.g. overlapping export files)"
                )
        sql = read_sql(f"costs/normalize_{fmt}.sql")
        self.con.execute(f"create or replace temp view focus_lines as {sql}")

    def _bad_values(self) -> str | None:
        """Find the first raw column holding values of the wrong type; describe it with the fix."""
        if not self._spec:
            return None
        counts = ", ".join(
            f"count(*) filter (where {q} is not null and try_cast({q} as {t}) is null) as {q}"
            for q, t in ((quote_ident(c), t) for c, t in self._spec.items())
        )
        row = self.con.execute(f"select {counts} from raw_source").fetchall()[0]
        bad = {c: int(n) for c, n in zip(self._spec, row, strict=True) if n}
        if not bad:
            return None
        col, n = next(iter(bad.items()))
        q = quote_ident(col)
        sample = self.con.execute(
            f"select cast({q} as varchar) from raw_source where {q} is not null "
            f"and try_cast({q} as {self._spec[col]}) is null limit 1"
        ).fetchall()
        return (
            f"column {col!r} has {n} value(s) that are not {self._spec[col]} "
            f"(e.g. {sample[0][0] if sample else None!r}); columns with bad values: {bad}. "
            "Fix: export plain numbers (no currency symbols or thousands separators) and ISO 8601 timestamps"
        )

    def _fail(self, what: str, exc: duckdb.Error) -> CostSourceError:
        """Turn a DuckDB error into a CostSourceError naming the source, the input and the fix."""
        detail = None
        if isinstance(exc, duckdb.ConversionException | duckdb.InvalidInputException):
            try:
                detail = self._bad_values()
            except duckdb.Error as inner:  # the file itself is unreadable
                _log.debug("type diagnosis failed: %s", inner)
        if detail:
            return CostSourceError(f"cost source {self.source_name!r}: {self._origin}: {detail}")
        return CostSourceError(
            f"cost source {self.source_name!r}: {what} {self._origin} failed: {exc}. Fix: check the "
            "export against its format (complete file, tag columns holding a JSON object or a map)"
        )

    def _rows(
        self, sql: str, params: Mapping[str, object] | None = None, *, what: str
    ) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self.con.execute(sql, dict(params) if params else None).fetchall()]
        except duckdb.Error as exc:
            raise self._fail(what, exc) from exc

    # --- checks and output ------------------------------------------------------------------

    def check(self) -> None:
        """Check the FOCUS lines in one scan: required values, one currency per invoice, credits' sign.

        Also keeps the line-level BilledCost totals per billing period and currency, which the daily
        lines must reproduce (:meth:`totals`).

        Raises
        ------
        CostSourceError
            Lines without a required value, or a billing account billed in several currencies in one period.
        """
        nulls = ", ".join(f"count(*) filter (where {quote_ident(c)} is null)" for c in _NOT_NULL)
        summary = self._rows(
            f'select "BillingAccountId", cast("BillingPeriodStart" as date), "BillingCurrency", {nulls}, '
            'count(*) filter (where "x_Credits" > 0), sum("x_Credits") filter (where "x_Credits" > 0), '
            'sum("BilledCost") from focus_lines group by all',
            what="reading",
        )
        k = len(_NOT_NULL)
        empty: dict[str, int] = {}
        for row in summary:
            for name, n in zip(_NOT_NULL, row[3 : 3 + k], strict=True):
                if n:
                    empty[name] = empty.get(name, 0) + int(n)
        if empty:
            raise CostSourceError(
                f"cost source {self.source_name!r}: {self._origin}: lines without a value in {empty} "
                "(FOCUS requires them). Fix: export the columns, or set `defaults:` for a FOCUS source"
            )
        currencies: dict[tuple[Any, Any], set[str]] = {}
        for row in summary:
            currencies.setdefault((row[0], row[1]), set()).add(str(row[2]))
        for (acct, period), found in sorted(currencies.items(), key=str):
            if len(found) > 1:
                raise CostSourceError(
                    f"cost source {self.source_name!r}: {self._origin}: billing account {acct!r} is billed "
                    f"in {sorted(found)} in the billing period starting {period:%Y-%m-%d}; an invoice has "
                    "one currency. Fix: split the export per billing currency into separate sources"
                )
        positive = sum(int(r[3 + k]) for r in summary)
        if positive:
            amount = sum((Decimal(r[4 + k]) for r in summary if r[4 + k] is not None), Decimal(0))
            self.warnings.append(
                f"cost source {self.source_name!r}: {positive} line(s) carry positive credits "
                f"(sum {amount}); credits normally reduce cost. They are kept as billed"
            )
        self._line_totals: dict[date, dict[str, Decimal]] = {}
        for row in summary:
            per = self._line_totals.setdefault(row[1], {})
            per[str(row[2])] = per.get(str(row[2]), Decimal(0)) + Decimal(row[5 + k])

    def billing_periods(self) -> list[date]:
        """Return the billing periods (first days of months) present in the lines (after :meth:`check`)."""
        return sorted(self._line_totals)

    def totals(self, billing_period: date) -> dict[str, Decimal]:
        """Return the line-level BilledCost per currency of one billing period (after :meth:`check`)."""
        return dict(self._line_totals.get(billing_period, {}))

    def aggregate(
        self, billing_periods: Sequence[date], *, run_id: str, ingested_at: datetime | None = None
    ) -> None:
        """Build the daily lines of ``billing_periods`` in one scan (``normalize_daily.sql.j2``)."""
        params = {
            "billing_periods": [period_start(p) for p in billing_periods],
            "source_name": self.source_name,
            "run_id": run_id,
            "ingested_at": ingested_at or datetime.now(UTC),
        }
        sql, values = bind_params(_daily_sql(), params)
        try:
            self.con.execute(f"create or replace temp table daily_lines as {sql}", values)
        except duckdb.Error as exc:
            raise self._fail("normalizing", exc) from exc

    def daily(self, billing_period: date) -> pa.Table:
        """Return the daily lines of a billing period (after :meth:`aggregate`) in ``cost_line_schema()``."""
        start = period_start(billing_period)
        table = self.con.sql('select * from daily_lines where "BillingPeriodStart" = $p', params={"p": start})
        return table.to_arrow_table().select(list(COST_LINE_COLUMNS)).cast(cost_line_schema())

    def daily_totals(self, billing_period: date) -> dict[str, Decimal]:
        """Return the daily lines' BilledCost per currency of a billing period (after :meth:`aggregate`)."""
        start = period_start(billing_period)
        rows = self.con.execute(
            'select "BillingCurrency", sum("BilledCost") from daily_lines where "BillingPeriodStart" = $p '
            "group by all",
            {"p": start},
        ).fetchall()
        return {str(c): Decimal(v) for c, v in rows}

    def _scalar(self, sql: str) -> int:
        return int(self._rows(sql, what="reading")[0][0])


def _tags_expr(present: Mapping[str, str], columns: Sequence[str]) -> str:
    """Return SQL for the raw tag text of a line: JSON object text (maps are written as JSON, not parsed)."""
    texts = []
    for col in columns:
        if col not in present:
            continue
        if present[col].upper().startswith("MAP("):
            texts.append(f"to_json({quote_ident(col)})::varchar")
        else:
            texts.append(f"nullif(trim(cast({quote_ident(col)} as varchar)), '')")
    if not texts:
        return "'{}'"
    if len(texts) == 1:
        return texts[0]
    merged = f"coalesce({texts[0]}, '{{}}')"
    for t in texts[1:]:
        merged = f"json_merge_patch({merged}, coalesce({t}, '{{}}'))::varchar"
    return merged


def _create_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Create the macros the normalize SQL uses, from the data files in ``include/focus``.

    ``focus_service_category(provider, service)`` and ``focus_service_subcategory(provider, service)``
    (``Other`` / ``Other (Other)`` when unknown), ``focus_unit(unit)`` (FOCUS UnitFormat, or the unit
    unchanged when unknown) and ``focus_tags(json_text)`` (keys sorted, ``'{}'`` for none).
    """
    folder = paths.include_dir() / "focus"
    with (folder / "service_categories.csv").open(encoding="utf-8") as f:
        services = list(csv.DictReader(f))
    with (folder / "units.csv").open(encoding="utf-8") as f:
        units = {r["source_unit"]: r["focus_unit"] for r in csv.DictReader(f)}

    def as_map(pairs: Mapping[str, str]) -> str:
        return "map {" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in pairs.items()) + "}"

    category = as_map({f"{r['provider']}|{r['service']}": r["service_category"] for r in services})
    subcategory = as_map({f"{r['provider']}|{r['service']}": r["service_subcategory"] for r in services})
    con.execute(f"create macro focus_service_category(p, s) as coalesce({category}[p || '|' || s], 'Other')")
    con.execute(
        "create macro focus_service_subcategory(p, s) as "
        f"coalesce({subcategory}[p || '|' || s], 'Other (Other)')"
    )
    con.execute(f"create macro focus_unit(u) as coalesce({as_map(units)}[u], u)")
    con.execute(
        "create macro focus_tags(t) as coalesce(to_json(map_from_entries(list_sort(map_entries("
        "cast(json(t) as map(varchar, varchar))))))::varchar, '{}')"
    )


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@cache
def _daily_sql() -> str:
    """Render ``normalize_daily.sql.j2`` with the dimensions and measures of the one column list."""
    return render_sql("costs/normalize_daily.sql.j2", dimensions=_DIMENSIONS, measures=_MEASURES)
