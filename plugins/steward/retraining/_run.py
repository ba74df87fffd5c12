"""The retraining flow: train -> evaluate -> gate -> promote, or wait for a person; every end recorded.

Each step reads and rewrites the run's one ``retraining_runs`` row (key ``run_id`` x ``model``), so the
DAG's tasks pass nothing but the run id between them and the row always says how far the run got.
A step that cannot go on records ``status = 'failed'`` with the reason and raises
:class:`RetrainingError`; promotion itself is R1's :func:`steward.lifecycle.promote`, one
transaction, so a failed run never leaves a half-promoted model.

Champion rules: its scores on the holdout come from its stored artifact when its version names one
(``artifact_uri``), else from the scores it logged for those rows (the prediction log's
``model_version`` column, when present, keeps only the rows the champion itself scored). An artifact
that is named but cannot be read fails the run. No champion (a first version): the challenger is
registered and promoted only if its own gates (fairness; the performance gate has nothing to compare)
pass, under the same risk-tier rules.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.lifecycle import (
    ArtifactStore,
    LifecycleError,
    ModelVersion,
    model_state,
    promote,
    record_event,
    register_version,
)
from steward.registry import Model, Registry, check_impact_assessment
from steward.retraining._dataset import RetrainingError, TrainingSet, assemble_training_set
from steward.retraining._gates import Gate, fairness_gate, gate_rejects, performance_gate
from steward.retraining._stats import bootstrap_auc_difference, delong_test, mcnemar_test
from steward.retraining._train import (
    challenger_version,
    code_version,
    dump_artifact,
    load_artifact,
    predict_scores,
    train_with_tracking,
)
from steward.warehouse import Warehouse

__all__ = [
    "ACTOR",
    "RUNS_TABLE",
    "Evaluation",
    "conclude",
    "evaluate_challenger",
    "needs_approval",
    "read_run",
    "record_approval",
    "retrain",
    "train_challenger",
]

log = logging.getLogger(__name__)

#: The table of retraining runs (DDL 0015).
RUNS_TABLE = "retraining_runs"
#: Who the flow's own registry events name.
ACTOR = "steward-retraining"
_STRICT_TIERS = ("high", "unacceptable")


@dataclass(frozen=True)
class Evaluation:
    """Champion vs challenger on the same holdout, and the gates' verdicts."""

    model: str
    run_id: str
    challenger_version: str
    champion_version: str | None
    comparison: dict[str, Any]
    gates: list[Gate] = field(default_factory=list)
    report_path: str | None = None

    @property
    def passed(self) -> bool:
        """Whether every gate passed."""
        return all(g.passed for g in self.gates)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read_run(warehouse: Warehouse, model: str, run_id: str) -> dict[str, Any] | None:
    """Return the run's ``retraining_runs`` row (JSON fields parsed), or None."""
    rows = warehouse.fetch(
        f"select * from {RUNS_TABLE} where run_id = :r and model = :m", {"r": run_id, "m": model}
    )
    if not rows:
        return None
    row = dict(rows[0])
    row["comparison"] = json.loads(str(row.pop("comparison_json") or "{}"))
    row["gates"] = json.loads(str(row.pop("gates_json") or "[]"))
    return row


def _write_run(warehouse: Warehouse, model: str, run_id: str, **changes: Any) -> dict[str, Any]:
    """Write the run's row: the stored one with ``changes`` applied (one replace, one transaction)."""
    row = read_run(warehouse, model, run_id) or {
        "decision_id": None,
        "challenger_version": None,
        "champion_version": None,
        "started_at": _now(),
        "finished_at": None,
        "status": "trained",
        "reason": "",
        "comparison": {},
        "gates": [],
    }
    row.update(changes)
    out = {k: v for k, v in row.items() if k not in ("comparison", "gates", "run_id", "model")}
    out["comparison_json"] = json.dumps(row["comparison"], sort_keys=True, default=str)
    out["gates_json"] = json.dumps(row["gates"], sort_keys=True, default=str)
    warehouse.replace_partition(RUNS_TABLE, {"run_id": run_id, "model": model}, [out])
    return row


@contextmanager
def _recording_failure(warehouse: Warehouse, model: str, run_id: str, step: str) -> Iterator[None]:
    """On any error in the block: record the run as failed with the reason, raise RetrainingError."""
    try:
        yield
    except Exception as exc:
        reason = (
            str(exc) if isinstance(exc, (RetrainingError, LifecycleError)) else f"{type(exc).__name__}: {exc}"
        )
        reason = f"{step}: {reason}"
        _write_run(warehouse, model, run_id, status="failed", reason=reason, finished_at=_now())
        log.error("retraining run %s of %s failed at %s", run_id, model, reason)
        raise RetrainingError(reason) from exc


def train_challenger(
    warehouse: Warehouse,
    registry: Registry,
    model_name: str,
    night: dt.date,
    *,
    run_id: str,
    decision_id: str | None = None,
    reason: str = "",
    artifacts: str | None = None,
) -> str:
    """Assemble the training set, train, store the artifact, register the challenger; return its version.

    The version is registered (stage ``candidate``, alias ``challenger`` is not set: the flow only
    moves ``champion``) with its windows, data fingerprint, trainer, parameters, energy, emissions,
    GPU utilization (NULL without a GPU) and holdout metrics; the run's row says ``trained``.
    """
    model = registry.model(model_name)
    _write_run(
        warehouse,
        model.name,
        run_id,
        decision_id=decision_id,
        started_at=_now(),
        status="trained",
        reason=f"started: {reason}" if reason else "started",
        finished_at=None,
        comparison={},
        gates=[],
    )
    with _recording_failure(warehouse, model.name, run_id, "train"):
        state = model_state(warehouse, model.name)  # a broken alias fails here, before any training
        version = challenger_version(model.name, night, run_id)
        done = next((v for v in state.versions if v.version == version and v.run_id == run_id), None)
        if done is not None:  # a rerun of this run (a retried or cleared task): keep what it trained
            _write_run(
                warehouse,
                model.name,
                run_id,
                challenger_version=version,
                reason=f"challenger {version} already trained by this run",
            )
            return version
        ts = assemble_training_set(warehouse, registry, model.name, night)
        _require_both_classes(model, ts, _labels(ts.holdout))
        trainer_path, trained = train_with_tracking(model, registry, ts.train, run_id=run_id)
        store = ArtifactStore.from_url(artifacts)
        with tempfile.TemporaryDirectory(prefix="steward-train-") as tmp:
            uri = store.put(model.name, version, dump_artifact(trained.fitted, Path(tmp)))
        scores = predict_scores(trained.fitted, model, ts.holdout, what="challenger")
        labels = _labels(ts.holdout)
        metrics = _holdout_metrics(labels, scores)
        fairness = fairness_gate(model, _decisions_table(model, ts.holdout, scores), run_id=run_id)
        mv = ModelVersion(
            model=model.name,
            version=version,
            run_id=run_id,
            training_windows_json={"night": night.isoformat(), "windows": ts.windows},
            data_fingerprint=ts.fingerprint,
            code_version=code_version(),
            trainer=trainer_path,
            params_json=trained.params,
            holdout_metrics_json=metrics,
            holdout_fairness_json=fairness.as_dict(),
            energy_kwh=trained.energy_kwh,
            emissions_kg=trained.emissions_kg,
            gpu_utilization=trained.gpu_utilization,
            artifact_uri=uri,
            card_json=_card(model),
        )
        register_version(warehouse, mv, actor=ACTOR, reason=f"challenger trained by retraining run {run_id}")
    _write_run(
        warehouse,
        model.name,
        run_id,
        challenger_version=version,
        status="trained",
        reason=f"challenger {version} trained on {ts.train.num_rows} rows; holdout AUC {metrics['auc']:.4f}",
    )
    return version


def _card(model: Model) -> dict[str, Any]:
    card = getattr(model, "card", None)
    if card is None:
        return {}
    dump = getattr(card, "model_dump", None)
    return dict(dump(mode="json")) if dump is not None else {}


def _require_both_classes(model: Model, ts: TrainingSet, labels: np.ndarray) -> None:
    if 0 < labels.sum() < len(labels):
        return
    days = ", ".join(d.isoformat() for d in ts.holdout_days)
    raise RetrainingError(
        f"model {model.name!r}: the holdout ({days}, {len(labels)} rows) has only class "
        f"{int(labels[0]) if len(labels) else '-'}: the challenger cannot be evaluated; "
        "widen retraining.holdout_days"
    )


def _labels(table: pa.Table) -> np.ndarray:
    return np.asarray(table.column("label").to_numpy(zero_copy_only=False), dtype=int)


def _holdout_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rows": len(labels),
        "positives": int(labels.sum()),
        "brier": float(np.mean((scores - labels) ** 2)) if len(labels) else None,
        "auc": None,
    }
    if 0 < labels.sum() < len(labels):
        out["auc"] = delong_test(labels, scores, scores).auc_a
    return out


def _decisions_table(model: Model, holdout: pa.Table, scores: np.ndarray) -> pa.Table:
    """Return the holdout with the challenger's score and decision in the model's columns."""
    t = holdout
    decision = (scores >= model.thresholds.decision).astype(np.int64)
    for name, values in ((model.columns.score, scores), (model.columns.prediction, decision)):
        if name is None:
            continue
        arr = pa.array(values)
        t = (
            t.set_column(t.column_names.index(name), name, arr)
            if name in t.column_names
            else t.append_column(name, arr)
        )
    return t


def _champion_scores(
    warehouse: Warehouse, model: Model, holdout: pa.Table, champion: str, store: ArtifactStore
) -> tuple[pa.Table, np.ndarray, np.ndarray, str]:
    """Return (rows compared, champion scores, champion decisions, source) on the holdout."""
    state = model_state(warehouse, model.name)
    version = next((v for v in state.versions if v.version == champion), None)
    if version is None:
        raise RetrainingError(
            f"model {model.name!r}: the champion alias points at version {champion!r}, which is not "
            "registered in model_versions; register it or move the alias (steward.lifecycle.set_alias)"
        )
    if version.artifact_uri:
        if not store.exists(version.artifact_uri):
            raise RetrainingError(
                f"model {model.name!r}: champion {champion}'s artifact {version.artifact_uri} is missing "
                f"from the artifact store {store.url}; restore it, or re-register the champion"
            )
        fitted = load_artifact(store, version.artifact_uri)
        scores = predict_scores(fitted, model, holdout, what=f"champion {champion}")
        return (
            holdout,
            scores,
            (scores >= model.thresholds.decision).astype(int),
            f"artifact {version.artifact_uri}",
        )
    rows = holdout
    note = "scores the champion logged for the holdout rows"
    if "model_version" in holdout.column_names:
        rows = holdout.filter(pc.equal(holdout.column("model_version"), champion))
        note += f" (prediction log rows with model_version {champion!r})"
    if model.columns.score is None or rows.num_rows == 0:
        raise RetrainingError(
            f"model {model.name!r}: champion {champion} has no artifact and no logged scores for the holdout "
            "rows; register its artifact (artifact_uri) to compare"
        )
    scores = np.asarray(rows.column(model.columns.score).to_numpy(zero_copy_only=False), dtype=float)
    decisions = np.asarray(rows.column(model.columns.prediction).to_numpy(zero_copy_only=False), dtype=int)
    return rows, scores, decisions, note


def evaluate_challenger(
    warehouse: Warehouse,
    registry: Registry,
    model_name: str,
    night: dt.date,
    *,
    run_id: str,
    artifacts: str | None = None,
    report_dir: Path | None = None,
) -> Evaluation:
    """Compare the run's challenger with the champion on the same holdout and apply both gates.

    Writes the comparison (AUCs, DeLong, McNemar, bootstrap interval, margin, the champion's score
    source) and the gates to the run's row, status ``evaluated``, and the HTML report.
    """
    model = registry.model(model_name)
    run = read_run(warehouse, model.name, run_id)
    if run is None or not run.get("challenger_version"):
        raise RetrainingError(f"model {model.name!r}: retraining run {run_id!r} has no trained challenger")
    version = str(run["challenger_version"])
    gates_cfg = model.retraining.gates
    with _recording_failure(warehouse, model.name, run_id, "evaluate"):
        store = ArtifactStore.from_url(artifacts)
        mv = next(v for v in model_state(warehouse, model.name).versions if v.version == version)
        ts: TrainingSet = assemble_training_set(warehouse, registry, model.name, night)
        if mv.data_fingerprint != ts.fingerprint:
            raise RetrainingError(
                f"model {model.name!r}: the data changed between training and evaluation (fingerprint "
                f"{mv.data_fingerprint} then {ts.fingerprint}); rerun the retraining"
            )
        assert mv.artifact_uri is not None
        challenger = load_artifact(store, mv.artifact_uri)
        champion = model_state(warehouse, model.name).champion
        holdout = ts.holdout
        comparison: dict[str, Any] = {
            "holdout_days": [d.isoformat() for d in ts.holdout_days],
            "min_auc_gain": gates_cfg.min_auc_gain,
            "alpha": gates_cfg.alpha,
            "challenger_version": version,
            "champion_version": champion,
        }
        if champion is not None and champion != version:
            rows, champ_scores, champ_decisions, source = _champion_scores(
                warehouse, model, holdout, champion, store
            )
        else:
            rows, champ_scores, champ_decisions, source = holdout, None, None, "no champion: first version"
        labels = _labels(rows)
        scores = predict_scores(challenger, model, rows, what="challenger")
        _require_both_classes(model, ts, labels)
        comparison.update(rows=len(labels), positives=int(labels.sum()), champion_source=source)
        delong = None
        if champ_scores is not None:
            delong = delong_test(labels, scores, champ_scores)
            mc = mcnemar_test(
                labels, (scores >= model.thresholds.decision).astype(int), np.asarray(champ_decisions)
            )
            boot = bootstrap_auc_difference(labels, scores, champ_scores, n_boot=gates_cfg.bootstrap_samples)
            comparison.update(
                auc_challenger=delong.auc_a,
                auc_champion=delong.auc_b,
                auc_difference=delong.auc_a - delong.auc_b,
                delong={"z": delong.z, "p": delong.p, "var": delong.var},
                mcnemar=mc._asdict(),
                bootstrap=boot._asdict(),
            )
        else:
            comparison.update(auc_challenger=delong_test(labels, scores, scores).auc_a, auc_champion=None)
        gates = [
            performance_gate(delong, min_auc_gain=gates_cfg.min_auc_gain, alpha=gates_cfg.alpha),
            fairness_gate(model, _decisions_table(model, rows, scores), run_id=run_id),
        ]
        report = None
        if report_dir is not None:
            from steward.retraining._report import write_comparison_report

            report = str(
                write_comparison_report(
                    report_dir, model, night, run_id, comparison, gates, labels, scores, champ_scores
                )
            )
            comparison["report_path"] = report
    _write_run(
        warehouse,
        model.name,
        run_id,
        champion_version=champion if champion != version else None,
        status="evaluated",
        reason=_evaluated_reason(gates),
        comparison=comparison,
        gates=[g.as_dict() for g in gates],
    )
    return Evaluation(model.name, run_id, version, champion, comparison, gates, report)


def _evaluated_reason(gates: list[Gate]) -> str:
    rejecting = [g for g in gates if g.rejects]
    if rejecting:
        return "; ".join(r for g in rejecting for r in g.reasons)
    caveats = [f"{g.name}: {g.caveat}" for g in gates if g.caveat]
    if caveats:
        return "no gate rejects, with caveats for the approver: " + "; ".join(caveats)
    return "both gates passed"


def needs_approval(model: Model) -> bool:
    """High-risk models are never promoted automatically."""
    return model.risk_tier in _STRICT_TIERS


def conclude(warehouse: Warehouse, registry: Registry, model_name: str, *, run_id: str) -> str:
    """Act on an evaluated run: reject, promote (lower tiers) or request approval (high risk).

    Returns the run's new status: ``rejected``, ``promoted`` or ``awaiting_approval``.
    """
    model = registry.model(model_name)
    run = read_run(warehouse, model.name, run_id)
    if run is None or run["status"] != "evaluated":
        raise RetrainingError(
            f"model {model.name!r}: retraining run {run_id!r} is {run['status'] if run else 'unknown'}, "
            "not evaluated: nothing to conclude"
        )
    version = str(run["challenger_version"])
    failed = [g for g in run["gates"] if gate_rejects(g)]
    caveats = [f"{g['name']}: {g['caveat']}" for g in run["gates"] if not gate_rejects(g) and g.get("caveat")]
    if caveats and not needs_approval(model):  # only an approver can accept a caveat
        failed += [g for g in run["gates"] if g.get("caveat")]
    # a high-risk model is never promoted without a current algorithmic impact assessment (registry
    # privacy.impact_assessments), whatever its gates say: checked on the day of the decision
    impact = check_impact_assessment(registry, model.name, _now().date())
    if not impact.ok:
        failed = [*failed, {"name": "impact_assessment", "passed": False, "reasons": [impact.reason]}]
    with _recording_failure(warehouse, model.name, run_id, "gate"):
        if failed:
            reason = "gates failed: " + "; ".join(f"{g['name']}: {' / '.join(g['reasons'])}" for g in failed)
            record_event(
                warehouse, model.name, version, "rejected", actor=ACTOR, reason=reason, evidence_run_id=run_id
            )
            _write_run(warehouse, model.name, run_id, status="rejected", reason=reason, finished_at=_now())
            return "rejected"
        if needs_approval(model):
            reason = (
                f"risk tier {model.risk_tier}: both gates passed, promotion waits for a person's approval"
                if not caveats
                else f"risk tier {model.risk_tier}: no gate rejects, but {'; '.join(caveats)}; promotion "
                "waits for a person's approval"
            )
            record_event(
                warehouse,
                model.name,
                version,
                "approval_requested",
                actor=ACTOR,
                reason=reason,
                evidence_run_id=run_id,
                details={**_evidence(run), "caveats": caveats},
            )
            _write_run(warehouse, model.name, run_id, status="awaiting_approval", reason=reason)
            return "awaiting_approval"
        reason = "both gates passed: " + " / ".join(r for g in run["gates"] for r in g["reasons"])[:500]
        promote(warehouse, model.name, version, actor=ACTOR, reason=reason, evidence_run_id=run_id)
        _write_run(warehouse, model.name, run_id, status="promoted", reason=reason, finished_at=_now())
        return "promoted"


def _evidence(run: Mapping[str, Any]) -> dict[str, Any]:
    c = run["comparison"]
    keys = (
        "auc_challenger",
        "auc_champion",
        "auc_difference",
        "delong",
        "mcnemar",
        "bootstrap",
        "report_path",
    )
    return {k: c.get(k) for k in keys}


def record_approval(
    warehouse: Warehouse,
    registry: Registry,
    model_name: str,
    *,
    run_id: str,
    approved: bool,
    responder: str,
    comment: str = "",
    timed_out: bool = False,
) -> str:
    """Record a person's answer (or its absence) to a promotion request; promote when approved.

    A timeout counts as a rejection and says so. Returns ``promoted`` or ``rejected``.
    """
    model = registry.model(model_name)
    run = read_run(warehouse, model.name, run_id)
    if run is None or run["status"] != "awaiting_approval":
        raise RetrainingError(
            f"model {model.name!r}: retraining run {run_id!r} is {run['status'] if run else 'unknown'}, "
            "not awaiting approval"
        )
    version = str(run["challenger_version"])
    with _recording_failure(warehouse, model.name, run_id, "approval"):
        if timed_out:
            reason = "no approval before the response timeout: counted as a rejection"
        else:
            said = "approved" if approved else "rejected"
            reason = f"{said} by {responder}" + (f": {comment}" if comment else "")
            caveats = [g["caveat"] for g in run["gates"] if g.get("caveat")]
            if approved and caveats:  # what the approver accepted stays with the decision
                reason += "; accepted with the caveat " + "; ".join(caveats)
        if approved and not timed_out:
            record_event(
                warehouse,
                model.name,
                version,
                "approved",
                actor=responder,
                reason=reason,
                evidence_run_id=run_id,
            )
            promote(warehouse, model.name, version, actor=responder, reason=reason, evidence_run_id=run_id)
            _write_run(warehouse, model.name, run_id, status="promoted", reason=reason, finished_at=_now())
            return "promoted"
        record_event(
            warehouse,
            model.name,
            version,
            "rejected",
            actor=responder if not timed_out else ACTOR,
            reason=reason,
            evidence_run_id=run_id,
            details={"timed_out": timed_out},
        )
        _write_run(warehouse, model.name, run_id, status="rejected", reason=reason, finished_at=_now())
        return "rejected"


def retrain(
    warehouse: Warehouse,
    registry: Registry,
    model_name: str,
    night: dt.date,
    *,
    run_id: str,
    decision_id: str | None = None,
    reason: str = "",
    artifacts: str | None = None,
    report_dir: Path | None = None,
) -> str:
    """Run the whole flow without Airflow (CLI, tests); return the final status.

    High-risk models end ``awaiting_approval``: answer with :func:`record_approval`.
    """
    train_challenger(
        warehouse,
        registry,
        model_name,
        night,
        run_id=run_id,
        decision_id=decision_id,
        reason=reason,
        artifacts=artifacts,
    )
    evaluate_challenger(
        warehouse, registry, model_name, night, run_id=run_id, artifacts=artifacts, report_dir=report_dir
    )
    return conclude(warehouse, registry, model_name, run_id=run_id)
