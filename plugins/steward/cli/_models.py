"""Commands of retraining decisions and the model registry."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import TYPE_CHECKING

from steward.cli._common import _actor, _table_lines, _warehouse

if TYPE_CHECKING:
    pass


def _cmd_retraining_request(args: argparse.Namespace) -> int:
    from steward.registry import load_registry
    from steward.triggers import request_retraining

    load_registry().model(args.model)  # an unknown model is a one-line error naming the registered ones
    by = args.by or os.environ.get("USER") or "cli"
    with _warehouse(args) as wh:
        rid = request_retraining(
            wh, args.model, reason=args.reason, requested_by=by, requested_at=dt.datetime.now(dt.UTC)
        )
    print(f"retraining of {args.model} requested ({rid}): the next evaluation of its policy acts on it")
    return 0


def _cmd_retraining_decide(args: argparse.Namespace) -> int:
    from steward.registry import load_registry
    from steward.triggers import evaluate_policies, record_decision

    registry = load_registry()
    names = [args.model] if args.model else [m.name for m in registry.models]
    now = args.now or dt.datetime.now(dt.UTC)
    with _warehouse(args) as wh:
        for name in names:
            decision = evaluate_policies(wh, registry, name, args.date, now=now, run_id=args.run_id)
            if not args.dry_run:
                record_decision(wh, decision)
            print(f"{decision.night} {decision.model}: {decision.action} ({decision.decision_id})")
            print(f"  {decision.reason}")
    return 0


def _cmd_retraining_decisions(args: argparse.Namespace) -> int:
    from steward.triggers import format_decisions, list_decisions

    with _warehouse(args) as wh:
        rows = list_decisions(wh, model=args.model)
    if not rows:
        print(
            "no retraining decision recorded yet: "
            "run the retraining_trigger DAG or `steward retraining decide`"
        )
        return 0
    for line in format_decisions(rows, width=args.width):
        print(line)
    return 0


def _cmd_models_list(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_state, registered_models

    with _warehouse(args) as wh:
        rows = []
        for name in registered_models(wh):
            state = model_state(wh, name)
            aliases = ", ".join(f"{a}={v}" for a, v in sorted(state.aliases.items()) if a != "champion")
            rows.append(
                {
                    "model": name,
                    "champion": state.champion or "",
                    "latest": state.versions[-1].version,
                    "versions": len(state.versions),
                    "status": "decommissioned" if state.decommissioned else "active",
                    "other aliases": aliases,
                }
            )
    if not rows:
        print("no model versions registered yet (the demo registers its champions; see docs/models.md)")
    for line in _table_lines(rows) if rows else []:
        print(line)
    return 0


def _cmd_models_show(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_state

    with _warehouse(args) as wh:
        state = model_state(wh, args.model)
    if not state.versions:
        raise ValueError(
            f"model {args.model!r} has no registered version in the warehouse: check the name "
            "(steward models list) or register one first"
        )
    status = "decommissioned (not monitored)" if state.decommissioned else "active"
    print(f"model {state.model}: {status}")
    print("aliases: " + (", ".join(f"{a} -> {v}" for a, v in sorted(state.aliases.items())) or "none"))
    rows: list[dict[str, object]] = [
        {
            "version": v.version,
            "stage": state.stages.get(v.version, ""),
            "created_at": f"{v.created_at:%Y-%m-%d %H:%M}" if v.created_at else "",
            "run_id": v.run_id or "",
            "holdout": ", ".join(f"{k}={val}" for k, val in sorted(v.holdout_metrics_json.items())),
            "artifact": v.artifact_uri or "",
        }
        for v in state.versions
    ]
    for line in _table_lines(rows):
        print(line)
    shown = next((v for v in state.versions if v.version == state.champion), state.versions[-1])
    print(f"model card (version {shown.version}):")
    for key, value in shown.card_json.items() or [("(none)", "no card was registered")]:
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            print(f"  {key if i == 0 else '':<24} {item}")
    return 0


def _cmd_models_history(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_history

    with _warehouse(args) as wh:
        events = model_history(wh, args.model)
    if not events:
        raise ValueError(f"model {args.model!r} has no events: check the name (steward models list)")
    rows = [
        {
            "seq": e.seq,
            "occurred_at": f"{e.occurred_at:%Y-%m-%d %H:%M:%S}",
            "kind": e.kind,
            "version": e.version,
            "alias": e.alias or "",
            "stage": e.stage or "",
            "actor": e.actor,
            "reason": e.reason,
            "evidence_run_id": e.evidence_run_id or "",
        }
        for e in events
    ]
    for line in _table_lines(rows):
        print(line)
    return 0


def _cmd_models_rollback(args: argparse.Namespace) -> int:
    from steward.lifecycle import champion_version, rollback

    with _warehouse(args) as wh:
        before = champion_version(wh, args.model)
        after = rollback(wh, args.model, actor=_actor(args), reason=args.reason)
    print(f"{args.model}: champion rolled back from {before} to {after} (recorded as a rollback event)")
    return 0


def _cmd_models_decommission(args: argparse.Namespace) -> int:
    from steward.lifecycle import decommission, model_state

    with _warehouse(args) as wh:
        event = decommission(wh, args.model, args.version, actor=_actor(args), reason=args.reason)
        retired = model_state(wh, args.model).decommissioned
    if event is None:
        print(f"{args.model} {args.version}: already decommissioned (nothing written)")
    else:
        print(f"{args.model} {args.version}: decommissioned (event {event})")
    if retired:
        print(f"{args.model} has no version in production: monitoring skips it from now on")
    return 0
