"""The PII scan: offline recognizers over column names and sampled values.

Each recognizer is a named object: a regular expression for the value's shape, an optional checksum
(Luhn for card numbers, ISO 7064 mod-97 for IBANs, the SSA's rules for US SSNs) that weeds out numbers
that merely look right, and a column-name hint. Nothing is downloaded and no model runs: the scan is
deterministic and works without network.

A column is a finding when at least ``privacy.pii_scan.min_share`` of its sampled non-null values match
one recognizer (values), or when its name says so (name only, share 0). Each finding says whether the
column is declared (``privacy.declared_pii``) and which sensitivity class its entity warrants.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from steward.monitoring import dataset_relation, scan_engine
from steward.registry import Dataset, Registry
from steward.sources import SourceError
from steward.warehouse import Warehouse, WarehouseError

__all__ = [
    "PiiFinding",
    "PiiScanResult",
    "RECOGNIZERS",
    "Recognizer",
    "SENSITIVITY_RANK",
    "iban_ok",
    "luhn_ok",
    "scan_columns",
    "scan_dataset",
    "scan_pii",
    "us_ssn_ok",
]

#: Sensitivity classes in increasing order.
SENSITIVITY_RANK = {"public": 0, "internal": 1, "confidential": 2, "restricted": 3}


def luhn_ok(number: str) -> bool:
    """Return whether the digits of ``number`` pass the Luhn check (payment card numbers).

    Examples
    --------
    >>> luhn_ok("4539 1488 0343 6467"), luhn_ok("4539 1488 0343 6468")
    (True, False)
    """
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    """Return whether ``value`` is an IBAN with a valid ISO 7064 mod-97 check.

    Examples
    --------
    >>> iban_ok("GB82 WEST 1234 5698 7654 32"), iban_ok("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    s = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


#: Numbers printed in advertising (the Woolworth wallet card, a 1962 promotion): never a real person's.
_PUBLISHED_SSNS = frozenset({"078-05-1120", "219-09-9999"})


def us_ssn_ok(value: str) -> bool:
    """Return whether ``value`` is a possible US social security number (area, group and serial rules).

    Examples
    --------
    >>> us_ssn_ok("123-45-6789"), us_ssn_ok("666-45-6789"), us_ssn_ok("123-00-6789")
    (True, False, False)
    """
    m = re.fullmatch(r"(\d{3})-?(\d{2})-?(\d{4})", value)
    if not m:
        return False
    area, group, serial = m.groups()
    if f"{area}-{group}-{serial}" in _PUBLISHED_SSNS:
        return False
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _ip_ok(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Recognizer:
    """One kind of personal data: its value shape, checksum, name hint and the sensitivity it warrants."""

    entity: str
    pattern: re.Pattern[str]
    warrants: str
    check: Callable[[str], bool] | None = None
    name_hint: re.Pattern[str] | None = None

    def matches(self, value: str) -> bool:
        """Return whether ``value`` (stripped) has this entity's shape and passes its checksum."""
        v = value.strip()
        return bool(self.pattern.fullmatch(v)) and (self.check is None or self.check(v))

    def names(self, column: str) -> bool:
        """Return whether the column's name is this entity's (``customer_email`` yes, ``email_opens`` no)."""
        return bool(self.name_hint and self.name_hint.search(column.lower()))


def _r(
    entity: str, pattern: str, warrants: str, check: Callable[[str], bool] | None, hint: str
) -> Recognizer:
    return Recognizer(entity, re.compile(pattern), warrants, check, re.compile(hint) if hint else None)


#: The recognizers, by entity name. Order matters: the first entity that reaches the share wins a column.
RECOGNIZERS: Mapping[str, Recognizer] = {
    r.entity: r
    for r in (
        _r("iban", r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4}){3,8}", "restricted", iban_ok, r"^(\w+_)?iban$"),
        _r(
            "credit_card",
            r"\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}",
            "restricted",
            luhn_ok,
            r"^(\w+_)?(card_?(number|no|num)|pan|credit_?card(_number)?)$",
        ),
        _r(
            "us_ssn",
            r"\d{3}-\d{2}-\d{4}",
            "restricted",
            us_ssn_ok,
            r"^(\w+_)?(ssn|social_?security(_number)?)$",
        ),
        _r(
            "uk_nino",
            r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]",
            "restricted",
            None,
            r"^(\w+_)?(nino|national_?insurance(_number)?|national_?id)$",
        ),
        _r(
            "email",
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            "confidential",
            None,
            r"^(\w+_)?e_?mail(_?address)?$",
        ),
        _r(
            "phone",
            r"\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,3}",
            "confidential",
            lambda v: 9 <= sum(c.isdigit() for c in v) <= 15,
            r"^(\w+_)?(phone|mobile|tel|msisdn)(_?number|_no)?$",
        ),
        _r("ipv4", r"(?:\d{1,3}\.){3}\d{1,3}", "confidential", _ip_ok, r"^(\w+_)?(ip|ipv4)(_?addr(ess)?)?$"),
        _r("ipv6", r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+", "confidential", _ip_ok, r"^(\w+_)?ipv6(_?addr(ess)?)?$"),
    )
}


@dataclass(frozen=True)
class PiiFinding:
    """One column that holds (or is named like) personal data: a ``pii_findings`` row."""

    dataset: str
    column_name: str
    entity: str
    match_share: float
    sample_size: int
    matched_by: str  # values | name | values_and_name
    declared: bool
    sensitivity: str
    warranted_sensitivity: str

    @property
    def sensitivity_too_low(self) -> bool:
        """Whether the dataset's class is below what this entity warrants."""
        return SENSITIVITY_RANK[self.sensitivity] < SENSITIVITY_RANK[self.warranted_sensitivity]

    def row(self) -> dict[str, object]:
        """Return the ``pii_findings`` columns (without the scan date and run keys)."""
        return {
            "dataset": self.dataset,
            "column_name": self.column_name,
            "entity": self.entity,
            "match_share": self.match_share,
            "sample_size": self.sample_size,
            "matched_by": self.matched_by,
            "declared": self.declared,
            "sensitivity": self.sensitivity,
            "warranted_sensitivity": self.warranted_sensitivity,
            "sensitivity_too_low": self.sensitivity_too_low,
        }


def scan_columns(
    columns: Mapping[str, Sequence[object]], *, min_share: float
) -> list[tuple[str, str, float, int, str]]:
    """Return ``(column, entity, share, sample_size, matched_by)`` for each column that looks like PII.

    Parameters
    ----------
    columns
        Column name -> sampled values (None values are left out of the share).
    min_share
        The share of non-null values an entity's recognizer must match.

    Examples
    --------
    >>> scan_columns({"contact": ["a@x.org", "b@y.org", None], "n": [1, 2, 3]}, min_share=0.5)
    [('contact', 'email', 1.0, 2, 'values')]
    """
    out = []
    for name, raw in columns.items():
        values = [str(v) for v in raw if v is not None and not isinstance(v, bool)]
        best: tuple[str, float] | None = None
        for rec in RECOGNIZERS.values():
            share = sum(rec.matches(v) for v in values) / len(values) if values else 0.0
            if share >= min_share and (best is None or share > best[1]):
                best = (rec.entity, share)
        named = next((r.entity for r in RECOGNIZERS.values() if r.names(name)), None)
        if best is not None:
            how = "values_and_name" if named == best[0] else "values"
            out.append((name, best[0], best[1], len(values), how))
        elif named is not None:
            out.append((name, named, 0.0, len(values), "name"))
    return out


def _sample(table: pa.Table, n: int) -> pa.Table:
    """Every k-th row, at most ``n`` rows (deterministic: a rerun samples the same rows)."""
    if table.num_rows <= n:
        return table
    step = table.num_rows / n
    return table.take([int(i * step) for i in range(n)])


def scan_dataset(registry: Registry, dataset: Dataset, table: pa.Table) -> list[PiiFinding]:
    """Scan one dataset's rows (a partition or snapshot) and return its findings.

    Only string-typed columns have their values matched (numbers cannot be e-mails; a card number
    stored as an integer is still caught by its column name).
    """
    policy = registry.privacy.pii_scan
    sample = _sample(table, policy.sample_rows)
    columns: dict[str, Sequence[object]] = {}
    for field in sample.schema:
        typed = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        columns[field.name] = sample.column(field.name).to_pylist() if typed else []
    declared = set(registry.privacy.declared_pii.get(dataset.name, []))
    return [
        PiiFinding(
            dataset=dataset.name,
            column_name=col,
            entity=entity,
            match_share=share,
            sample_size=n,
            matched_by=how,
            declared=col in declared,
            sensitivity=dataset.sensitivity,
            warranted_sensitivity=RECOGNIZERS[entity].warrants,
        )
        for col, entity, share, n, how in scan_columns(columns, min_share=policy.min_share)
    ]


@dataclass(frozen=True)
class PiiScanResult:
    """What one night's scan found, and the datasets it could not read (with the reason)."""

    day: dt.date
    findings: tuple[PiiFinding, ...]
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def undeclared(self) -> tuple[PiiFinding, ...]:
        """Findings in columns not listed under ``privacy.declared_pii``."""
        return tuple(f for f in self.findings if not f.declared)

    @property
    def too_low(self) -> tuple[PiiFinding, ...]:
        """Findings in datasets whose sensitivity class is below what the entity warrants."""
        return tuple(f for f in self.findings if f.sensitivity_too_low)


#: The partition column :func:`steward.monitoring.dataset_relation` adds; not the dataset's own.
_WINDOW_COLUMN = "steward_window"


def _read_sample(ds: Dataset, day: dt.date, n: int, warehouse: Warehouse, engine: Warehouse) -> pa.Table:
    """Read at most ``n`` rows of the dataset's partition (snapshots: of all rows) inside the engine."""
    rel = dataset_relation(ds, [day] if ds.cadence == "daily" else None, warehouse=warehouse, engine=engine)
    sample = rel.engine.fetch_arrow(f"select * from ({rel.sql}) as r limit {int(n)}")
    return sample.drop_columns([c for c in sample.column_names if c == _WINDOW_COLUMN])


def scan_pii(
    registry: Registry,
    day: dt.date,
    *,
    warehouse: Warehouse,
    run_id: str,
    datasets: Sequence[str] | None = None,
) -> PiiScanResult:
    """Scan every dataset (daily ones: the ``day`` partition; snapshots: all rows) and write ``pii_findings``.

    At most ``privacy.pii_scan.sample_rows`` rows of each are read (inside the scan engine: memory does not
    grow with the partition).

    Each dataset's rows for ``scan_date = day`` are replaced in one transaction, so a rerun writes the
    same rows. A dataset that cannot be read is skipped (its previous findings stay) and reported.

    Parameters
    ----------
    registry
        The registry (``privacy.pii_scan``, ``privacy.declared_pii``).
    day
        The scan date, and the partition scanned for daily datasets.
    warehouse
        Where the findings go (for ``source.table`` datasets, also where the data is read).
    run_id
        Recorded with each row.
    datasets
        Only these datasets (default: all but ``privacy.pii_scan.exclude``).

    Examples
    --------
    >>> result = scan_pii(registry, dt.date(2026, 11, 4), warehouse=wh, run_id="r1")  # doctest: +SKIP
    >>> [(f.dataset, f.column_name, f.entity) for f in result.undeclared]  # doctest: +SKIP
    [('leads', 'contact_email', 'email')]
    """
    excluded = set(registry.privacy.pii_scan.exclude)
    chosen = (
        [registry.dataset(n) for n in datasets]
        if datasets is not None
        else [d for d in registry.datasets if d.name not in excluded]
    )
    findings: list[PiiFinding] = []
    skipped: list[tuple[str, str]] = []
    writes: list[tuple[str, Mapping[str, object], list[dict[str, object]]]] = []
    now = dt.datetime.now(dt.UTC)
    engine = scan_engine(memory_limit="512MB", threads=1)  # one thread: the same rows on a rerun
    try:
        for ds in chosen:
            try:
                sample = _read_sample(ds, day, registry.privacy.pii_scan.sample_rows, warehouse, engine)
            except (SourceError, WarehouseError) as exc:
                skipped.append((ds.name, str(exc)))
                continue
            found = scan_dataset(registry, ds, sample)
            findings += found
            rows = [{**f.row(), "run_id": run_id, "scanned_at": now} for f in found]
            writes.append(("pii_findings", {"dataset": ds.name, "scan_date": day}, rows))
    finally:
        engine.close()
    if writes:
        warehouse.replace_partitions(writes)
    return PiiScanResult(day, tuple(findings), tuple(skipped))
