"""What every command shares: option types, run ids, the warehouse of ``--url``, lineage, output.

Also the parser helper :func:`_command`, which declares the shared options once.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from steward._tracking import Tracker
    from steward.warehouse import Warehouse


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


#: Run ids handed out during this command, by kind: one command is one run (its lineage uses the same id).
_RUN_IDS: dict[str, str] = {}


def run_id_for(kind: str) -> str:
    """Return a CLI run's id (:func:`steward.new_run_id`: ``cli_audit__20261129T230501``).

    The same kind gets the same id for the rest of the command, so the lineage it records
    (:func:`_record_cli_lineage`) names the run its rows carry.
    """
    from steward import new_run_id

    return _RUN_IDS.setdefault(kind, new_run_id(kind))


def _record_cli_lineage(args: argparse.Namespace, tracker: Tracker, *, failing: bool = False) -> None:
    """Store what the command read and wrote (``lineage_edges``, ``dataset_access``) with the OS user.

    After a failed command a failure to record is logged, never shown instead of the command's error.
    """
    if not (tracker.reads or tracker.writes) or not hasattr(args, "url"):
        return
    from steward.governance import cli_actor, record_lineage

    command = " ".join(["steward", args.command, *([args.sub] if getattr(args, "sub", None) else [])])
    try:
        with _warehouse(args) as wh:
            record_lineage(wh, tracker, run_id=run_id_for("cli"), task=command, actor=cli_actor())
    except Exception as exc:
        if not failing:
            raise
        logging.getLogger(__name__).warning("the lineage of this failed command was not recorded: %s", exc)


@contextlib.contextmanager
def _warehouse(args: argparse.Namespace, *, migrate: bool = True) -> Iterator[Warehouse]:
    """Connect to the command's warehouse (``--url``), migrated unless ``migrate`` is false."""
    from steward.warehouse import connect

    with connect(args.url) as wh:
        if migrate:
            wh.migrate()
        yield wh


def _check_date_options(args: argparse.Namespace) -> None:
    """Refuse a date option outside the accepted range (``STEWARD_DATE_RANGE``) before any command runs."""
    from steward import check_date

    for name, value in vars(args).items():
        for day in value if isinstance(value, list) else [value]:
            if isinstance(day, dt.date):
                check_date(day, what=f"--{name.replace('_', '-')}")
    if isinstance(getattr(args, "date", None), dt.date) and getattr(args, "days", 1) > 1:
        what = "the last window (--date + --days - 1)"
        try:
            last = args.date + dt.timedelta(days=args.days - 1)
        except OverflowError:
            raise ValueError(f"{what} lies beyond year 9999: give fewer --days") from None
        check_date(last, what=what)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def _table_lines(rows: Sequence[dict[str, object]]) -> list[str]:
    """Render rows as an aligned text table (numbers right-aligned, NULL shown as an empty cell)."""
    if not rows:
        return ["(no rows)"]
    names = list(rows[0])
    cells = [["" if r[n] is None else str(r[n]) for n in names] for r in rows]
    numeric = [all(isinstance(r[n], int | float) or r[n] is None for r in rows) for n in names]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(names), line(["-" * w for w in widths]), *(line(c) for c in cells)]


def _timestamp(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time YYYY-MM-DDTHH:MM (UTC), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- retraining
def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time YYYY-MM-DDTHH:MM (UTC), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- model registry
def _actor(args: argparse.Namespace) -> str:
    """Return who acts: ``--actor``, else the logged-in user."""
    import getpass

    return str(args.actor or getpass.getuser())


class _Help(argparse.RawDescriptionHelpFormatter):
    """Help that shows every option's default (unless the text already states it)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        quiet: tuple[object, ...] = (None, False, argparse.SUPPRESS, [])
        if action.option_strings and action.default not in quiet and "default" not in text:
            text += f" (default: {action.default})"
        return text


_URL_HELP = "warehouse URL (default: $STEWARD_WAREHOUSE_URL, else the DuckDB file under $STEWARD_HOME)"
_REGISTRY_HELP = "registry file (default: $STEWARD_REGISTRY, else include/governance.yaml)"


def _command(
    group: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    helptext: str,
    example: str,
    func: object,
    *,
    url: bool = True,
    registry: bool = False,
) -> argparse.ArgumentParser:
    """Add a sub-command with the shared options declared once: ``--url``, ``--registry``, an example."""
    p = group.add_parser(
        name, help=helptext, description=helptext, epilog=f"example:\n  {example}", formatter_class=_Help
    )
    if url:
        p.add_argument("--url", help=_URL_HELP)
    if registry:
        p.add_argument("--registry", metavar="FILE", help=_REGISTRY_HELP)
    p.set_defaults(func=func)
    return p


def _one_line(exc: BaseException, *, keep_lines: bool = False) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    if keep_lines:  # a registry error lists every problem, one per line
        return text
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return text if len(text) <= 600 else text[:599] + "…"
