"""Versioned DDL: ``include/sql/ddl/NNNN_name.sql`` applied once each, in order, recorded with a checksum."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from steward import paths
from steward.warehouse._errors import WarehouseError

if TYPE_CHECKING:
    from steward.warehouse._base import Warehouse

__all__ = ["MIGRATIONS_TABLE", "Migration", "discover", "run_migrations"]

#: The table recording which migrations ran.
MIGRATIONS_TABLE = "steward_migrations"

_FILE_RE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

_CREATE_TABLE = f"""
create table if not exists {MIGRATIONS_TABLE} (
    version text primary key,
    name text,
    checksum text,
    applied_at timestamptz
)
"""


@dataclass(frozen=True)
class Migration:
    """One DDL file: its version (``0001``), name, SQL text and SHA-256 checksum."""

    version: str
    name: str
    path: Path
    sql: str
    checksum: str


def discover(ddl_dir: Path) -> list[Migration]:
    """Return the migrations in ``ddl_dir`` sorted by version.

    Raises ``ValueError`` for a ``.sql`` file not named ``NNNN_name.sql`` or two files with one version.
    """
    if not ddl_dir.is_dir():
        raise ValueError(
            f"migration folder {ddl_dir} does not exist: pass the folder holding NNNN_name.sql files"
        )
    found: dict[str, Migration] = {}
    for path in sorted(ddl_dir.glob("*.sql")):
        match = _FILE_RE.match(path.name)
        if not match:
            raise ValueError(
                f"migration file {path} is not named NNNN_name.sql "
                "(4 digits, underscore, lowercase name): rename it"
            )
        raw = path.read_bytes()
        version = match.group("version")
        if version in found:
            raise ValueError(
                f"migrations {found[version].path.name} and {path.name} share version {version}: renumber one"
            )
        found[version] = Migration(
            version=version,
            name=match.group("name"),
            path=path,
            sql=raw.decode("utf-8"),
            checksum=hashlib.sha256(raw).hexdigest(),
        )
    return [found[v] for v in sorted(found)]


def run_migrations(warehouse: Warehouse, ddl_dir: Path | None = None) -> list[str]:
    """Apply the pending migrations of ``ddl_dir`` to ``warehouse``; see :meth:`Warehouse.migrate`."""
    ddl_dir = Path(ddl_dir) if ddl_dir is not None else paths.sql_dir() / "ddl"
    try:
        migrations = discover(ddl_dir)
    except (ValueError, OSError) as exc:
        raise warehouse._error("migrate", exc, "fix the migration folder") from exc

    lock_sql = warehouse._migration_lock_sql
    try:
        with warehouse._transaction() as s:
            if lock_sql:
                s.execute(lock_sql)
            s.execute(_CREATE_TABLE)
            recorded = {
                str(r["version"]): str(r["checksum"])
                for r in s.fetch(f"select version, checksum from {MIGRATIONS_TABLE}")
            }
    except Exception as exc:
        raise warehouse._error(
            "migrate", exc, f"check that the warehouse user may create {MIGRATIONS_TABLE}"
        ) from exc

    applied_now: list[str] = []
    for m in migrations:
        if m.version in recorded:
            # Every task migrates on first use: one read answers for the applied files (a transaction
            # per file would open a DuckDB file ~20 times a task), and an edited one is refused here.
            if recorded[m.version] != m.checksum:
                raise _edited(warehouse, m, recorded[m.version])
            continue
        try:
            with warehouse._transaction() as s:
                if lock_sql:
                    s.execute(lock_sql)
                # Re-read inside the (locked) transaction: another process may have applied it meanwhile.
                rows = s.fetch(
                    f"select checksum from {MIGRATIONS_TABLE} where version = :version",
                    {"version": m.version},
                )
                if rows:
                    if rows[0]["checksum"] != m.checksum:
                        raise _edited(warehouse, m, str(rows[0]["checksum"]))
                    continue
                s.execute_script(m.sql)
                s.execute(
                    f"insert into {MIGRATIONS_TABLE} (version, name, checksum, applied_at) "
                    "values (:version, :name, :checksum, current_timestamp)",
                    {"version": m.version, "name": m.name, "checksum": m.checksum},
                )
        except WarehouseError:
            raise
        except Exception as exc:
            raise warehouse._error(
                "migrate",
                f"{m.path.name}: {type(exc).__name__}: {exc}",
                "the file was rolled back; fix it (it has not been applied) and migrate again",
            ) from exc
        applied_now.append(m.version)
    return applied_now


def _edited(warehouse: Warehouse, m: Migration, recorded_checksum: str) -> WarehouseError:
    return warehouse._error(
        "migrate",
        f"migration {m.path.name} changed after it was applied (checksum "
        f"{recorded_checksum[:12]}... in {MIGRATIONS_TABLE}, {m.checksum[:12]}... on disk)",
        "do not edit applied migrations; add a new file with the next version number",
    )
