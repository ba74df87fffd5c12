"""Exports under a data-sharing agreement: checked for k-anonymity and l-diversity before anything leaves.

An export (registry ``privacy.exports``) names a dataset, its agreement (partner, permitted use, expiry),
the quasi-identifiers, the sensitive attribute and the minimum k and l. :func:`run_export`:

1. refuses when the agreement has expired on the export date;
2. measures k and l of the rows as they are;
3. when either is below its minimum, applies every declared generalization hierarchy and measures again;
4. writes the CSV only when both minimums hold, else refuses (and removes a file an earlier run wrote);
5. records the outcome with the measured k and l, before and after, in ``data_exports`` (one row per
   export and date, replaced by a rerun).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow.csv as pacsv

from steward import paths
from steward.governance._anonymity import Anonymity, generalized_sql, measure_anonymity
from steward.monitoring import dataset_relation, scan_engine
from steward.registry import ExportJob, Registry
from steward.warehouse import Warehouse, quote_ident

__all__ = ["ExportError", "ExportOutcome", "run_export"]

ExportStatus = Literal["exported", "generalized", "refused"]


class ExportError(ValueError):
    """The export cannot be evaluated (unknown export, missing columns); nothing was written."""


@dataclass(frozen=True)
class ExportOutcome:
    """What happened to one export on one date (a ``data_exports`` row)."""

    name: str
    day: dt.date
    status: ExportStatus
    reason: str
    before: Anonymity | None
    after: Anonymity | None
    generalized: tuple[str, ...] = ()
    output_path: str | None = None
    job: ExportJob | None = field(default=None, repr=False, compare=False)

    def row(self, run_id: str, now: dt.datetime) -> dict[str, object]:
        """Return the ``data_exports`` columns."""
        job = self.job
        assert job is not None
        final = self.after or self.before
        return {
            "export_name": self.name,
            "export_date": self.day,
            "dataset": job.dataset,
            "partner": job.agreement.partner,
            "permitted_use": job.agreement.permitted_use,
            "agreement_expires": job.agreement.expires,
            "status": self.status,
            "reason": self.reason,
            "quasi_identifiers_json": json.dumps(job.quasi_identifiers),
            "sensitive_attribute": job.sensitive_attribute,
            "min_k": job.min_k,
            "min_l": job.min_l,
            "k_measured": final.k if final else None,
            "l_measured": final.l if final else None,
            "k_before": self.before.k if self.before else None,
            "l_before": self.before.l if self.before else None,
            "generalized_json": json.dumps(
                {c: job.generalize[c].model_dump(exclude_none=True) for c in self.generalized}
            ),
            "row_count": final.row_count if final else 0,
            "output_path": self.output_path,
            "run_id": run_id,
            "exported_at": now,
        }


def _short_of(job: ExportJob, a: Anonymity) -> str | None:
    """Why ``a`` falls short of the agreement's minimums (None when it meets them)."""
    if a.k is None:
        return "no rows to export"
    problems = []
    if a.k < job.min_k:
        problems.append(f"k = {a.k} < min_k {job.min_k}")
    if job.sensitive_attribute and a.l is not None and a.l < job.min_l:
        problems.append(f"l = {a.l} < min_l {job.min_l}")
    return "; ".join(problems) or None


def _output_file(job: ExportJob, day: dt.date, out_dir: Path | None) -> Path:
    folder = out_dir or (Path(job.destination) if job.destination else paths.steward_home() / "exports")
    return folder / f"{job.name}_{day.isoformat()}.csv"


def run_export(
    registry: Registry,
    name: str,
    day: dt.date,
    *,
    warehouse: Warehouse,
    run_id: str,
    out_dir: Path | None = None,
) -> ExportOutcome:
    """Evaluate export ``name`` for ``day``, write its file when allowed, and record the outcome.

    Parameters
    ----------
    registry
        The registry (``privacy.exports`` and the dataset).
    name
        The export's name.
    day
        The export date: the agreement must not have expired, and a daily dataset's partition of that
        day is what is shared (a snapshot is shared whole).
    warehouse
        Where ``data_exports`` is written (and table datasets are read).
    run_id
        Recorded with the row.
    out_dir
        Folder of the CSV (default the export's ``destination``, else ``$STEWARD_HOME/exports``).

    Raises
    ------
    ExportError
        Unknown export, or a declared column the data lacks (named, with the fix).
    SourceError
        The partition cannot be read.

    Examples
    --------
    >>> day = dt.date(2026, 11, 14)
    >>> out = run_export(registry, "loans_to_bureau", day, warehouse=wh, run_id="r")  # doctest: +SKIP
    >>> out.status, out.before.k  # doctest: +SKIP
    ('refused', 1)
    """
    try:
        job = registry.privacy.export(name)
    except KeyError as exc:
        raise ExportError(str(exc.args[0])) from None
    target = _output_file(job, day, out_dir)
    now = dt.datetime.now(dt.UTC)

    def record(outcome: ExportOutcome) -> ExportOutcome:
        if outcome.status == "refused":
            target.unlink(missing_ok=True)  # a rerun never leaves a file an earlier run was allowed to write
        warehouse.replace_partition(
            "data_exports", {"export_name": job.name, "export_date": day}, [outcome.row(run_id, now)]
        )
        return outcome

    if day > job.agreement.expires:
        reason = f"the agreement with {job.agreement.partner} expired on {job.agreement.expires}"
        return record(ExportOutcome(job.name, day, "refused", reason, None, None, job=job))

    dataset = registry.dataset(job.dataset)
    columns = list(
        dict.fromkeys([*job.quasi_identifiers, *filter(None, [job.sensitive_attribute]), *job.columns])
    )
    engine = scan_engine(memory_limit="512MB")
    try:
        relation = dataset_relation(
            dataset, [day] if dataset.cadence == "daily" else None, warehouse=warehouse, engine=engine
        )
        present = relation.engine.fetch_arrow(f"select * from ({relation.sql}) as r limit 0").schema.names
        missing = [c for c in columns if c not in present]
        if missing:
            raise ExportError(
                f"export {job.name!r}: dataset {dataset.name!r} has no column(s) {missing}: fix "
                "quasi_identifiers/sensitive_attribute/columns under privacy.exports in the registry"
            )
        raw_sql = f"select {', '.join(quote_ident(c) for c in columns)} from ({relation.sql}) as r"
        measure = {"quasi_identifiers": job.quasi_identifiers, "sensitive_attribute": job.sensitive_attribute}
        before = measure_anonymity(relation.engine, raw_sql, **measure)  # type: ignore[arg-type]
        short = _short_of(job, before)
        if short is None:
            _write_csv(relation.engine, raw_sql, target)
            return record(
                ExportOutcome(
                    job.name, day, "exported", "meets the agreement", before, None, (), str(target), job
                )
            )
        if not job.generalize or before.k is None:
            return record(ExportOutcome(job.name, day, "refused", short, before, None, job=job))
        general_sql = generalized_sql(relation.sql, columns, job.generalize)
        after = measure_anonymity(relation.engine, general_sql, **measure)  # type: ignore[arg-type]
        applied = tuple(sorted(job.generalize))
        still = _short_of(job, after)
        if still is not None:
            reason = f"{short}; after generalizing {', '.join(applied)}: {still}"
            return record(ExportOutcome(job.name, day, "refused", reason, before, after, applied, job=job))
        _write_csv(relation.engine, general_sql, target)
        reason = f"{short}; generalized {', '.join(applied)}"
        return record(
            ExportOutcome(job.name, day, "generalized", reason, before, after, applied, str(target), job)
        )
    finally:
        engine.close()


def _write_csv(engine: Warehouse, sql: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".csv.partial")
    pacsv.write_csv(engine.fetch_arrow(sql), partial)
    partial.replace(target)
