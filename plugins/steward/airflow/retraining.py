"""Tasks of the ``model_retraining`` DAG (``dags/model_retraining.py``).

Thin shells around :mod:`steward.retraining`: ``train`` (training set, challenger, version),
``evaluate`` (champion vs challenger on the same holdout, gates, report), ``gate`` (reject, promote a
lower-tier model, or request a person's approval for a high-risk one), ``approval`` (Airflow's
human-in-the-loop operator: the task waits in ``awaiting_input``) and ``record_approval`` (the answer,
or the timeout as a rejection, recorded and acted on). The tasks pass only the run id; the
``retraining_runs`` row carries the rest. A step that cannot go on records why and fails without retry.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from steward.airflow import context as ctx

__all__ = [
    "APPROVE",
    "REJECT",
    "PromotionApproval",
    "answer_approval",
    "approval_body",
    "approval_subject",
    "evaluate",
    "gate",
    "record_approval",
    "retraining_night",
    "train",
]

log = logging.getLogger(__name__)

APPROVE, REJECT = "Approve", "Reject"


def _conf(context: Any) -> dict[str, Any]:
    params = dict(context.get("params") or {})
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    return {**params, **{k: v for k, v in conf.items() if v not in (None, "")}}


def retraining_night(context: Any) -> dt.date:
    """Return the night retrained for: ``date``, else the decision's ``evidence.night``, else today."""
    conf = _conf(context)
    if conf.get("date"):
        return dt.date.fromisoformat(str(conf["date"]))
    night = (conf.get("evidence") or {}).get("night") if isinstance(conf.get("evidence"), dict) else None
    if night:  # fired by retraining_trigger: the decision's night
        return dt.date.fromisoformat(str(night)[:10])
    dag_run = context.get("dag_run")
    after = getattr(dag_run, "run_after", None) or dt.datetime.now(dt.UTC)
    return after.date()


def _model(context: Any) -> str:
    model = _conf(context).get("model")
    if not model:
        raise AirflowFailException("model_retraining needs the 'model' param (a registered model name)")
    return str(model)


def _report_dir() -> Any:
    from steward import paths

    return paths.reports_dir() / "retraining"


def _fail(exc: Exception) -> AirflowFailException:
    return AirflowFailException(str(exc))


@task
def train() -> dict[str, Any]:
    """Assemble the training set, train and register the challenger (``retraining_runs``: trained)."""
    from steward.registry import load_registry
    from steward.retraining import RetrainingError, train_challenger

    context = get_current_context()
    conf = _conf(context)
    model, night, run_id = _model(context), retraining_night(context), ctx.run_id(context)
    log.info(
        "retraining %s for night %s (decision %s): %s",
        model,
        night,
        conf.get("decision_id"),
        conf.get("reason"),
    )
    with ctx.warehouse() as wh:
        try:
            version = train_challenger(
                wh,
                load_registry(),
                model,
                night,
                run_id=run_id,
                decision_id=conf.get("decision_id") or None,
                reason=str(conf.get("reason") or ""),
            )
        except (RetrainingError, KeyError) as exc:
            raise _fail(exc) from exc
    return {"model": model, "night": night.isoformat(), "run_id": run_id, "challenger": version}


@task
def evaluate(trained: dict[str, Any]) -> dict[str, Any]:
    """Compare with the champion on the same holdout, apply the gates, write the HTML report."""
    from steward.registry import load_registry
    from steward.retraining import RetrainingError, evaluate_challenger

    night = dt.date.fromisoformat(trained["night"])
    with ctx.warehouse() as wh:
        try:
            ev = evaluate_challenger(
                wh,
                load_registry(),
                trained["model"],
                night,
                run_id=trained["run_id"],
                report_dir=_report_dir(),
            )
        except RetrainingError as exc:
            raise _fail(exc) from exc
    log.info("gates of %s: %s", ev.challenger_version, [(g.name, g.passed, g.reasons) for g in ev.gates])
    return {**trained, "passed": ev.passed, "report_path": ev.report_path}


@task.branch
def gate(evaluated: dict[str, Any]) -> str | None:
    """Reject, promote (lower tiers) or request approval (high risk); branch to ``approval`` only then."""
    from steward.registry import load_registry
    from steward.retraining import RetrainingError, conclude

    with ctx.warehouse() as wh:
        try:
            status = conclude(wh, load_registry(), evaluated["model"], run_id=evaluated["run_id"])
        except RetrainingError as exc:
            raise _fail(exc) from exc
    log.info("retraining run %s of %s: %s", evaluated["run_id"], evaluated["model"], status)
    return "approval" if status == "awaiting_approval" else None


#: Reasons listed per gate in the approval body (the report and ``gates_json`` keep them all).
_BODY_REASONS = 12


def _caveats(run: dict[str, Any]) -> list[str]:
    return [str(g["caveat"]) for g in run["gates"] if g.get("caveat")]


def approval_subject(run: dict[str, Any], *, risk_tier: str) -> str:
    """Build the approval request's subject; a caveat (fairness not demonstrated) is named in it."""
    subject = f"Promote {run['model']} {run['challenger_version']}? (risk tier {risk_tier})"
    if any(g.get("outcome") == "not_demonstrated" for g in run["gates"] if g.get("caveat")):
        subject += " - fairness NOT demonstrated"
    return subject


def approval_body(run: dict[str, Any], *, report_url: str) -> str:
    """Build the approval request's Markdown body: any caveat first, the evidence, the gates, the link."""
    c = run["comparison"]
    lines = [
        f"**{run['model']}**: promote challenger `{run['challenger_version']}` over champion "
        f"`{run['champion_version'] or 'none (first version)'}`?",
        "",
    ]
    for caveat in _caveats(run):
        lines += [f"**Caveat: {caveat}.** Approving accepts this risk; the report lists each comparison.", ""]
    lines += [
        f"Holdout {', '.join(c.get('holdout_days', []))}: {c.get('rows')} rows, {c.get('positives')} "
        f"positives; champion scores: {c.get('champion_source')}.",
    ]
    if c.get("auc_champion") is not None:
        boot, dl, mc = c["bootstrap"], c["delong"], c["mcnemar"]
        lines += [
            f"- AUC challenger {c['auc_challenger']:.4f} vs champion {c['auc_champion']:.4f} "
            f"(difference {c['auc_difference']:+.4f}, {boot['confidence']:.0%} bootstrap interval "
            f"[{boot['low']:+.4f}, {boot['high']:+.4f}])",
            f"- DeLong z {dl['z']:.2f}, p {dl['p']:.3g}; McNemar p {mc['p']:.3g}",
        ]
    else:
        lines.append(f"- AUC challenger {c['auc_challenger']:.4f} (no champion to compare)")
    for g in run["gates"]:
        verdict = g.get("outcome") or ("passed" if g["passed"] else "failed")
        reasons = list(g["reasons"])
        more = len(reasons) - _BODY_REASONS
        shown = " / ".join(reasons[:_BODY_REASONS]) + (
            f" / ... ({more} more in the report)" if more > 0 else ""
        )
        lines.append(
            f"- {g['name']} gate {verdict.replace('_', ' ').upper() if not g['passed'] else verdict}: {shown}"
        )
    lines += ["", f"Report: {report_url}", "", "No answer before the timeout counts as a rejection."]
    return "\n".join(lines)


class PromotionApproval(HITLOperator):
    """Ask a person to approve a high-risk promotion (Airflow's human-in-the-loop, ``awaiting_input``).

    Options Approve / Reject; the subject and body are built when the task runs, from the run's
    evidence; the response timeout is the model's ``retraining.gates.approval_timeout_hours``. A
    timeout returns ``{"timed_out": True}`` instead of failing, so ``record_approval`` records it as a
    rejection (and the task is never retried into a second wait).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            subject="Promotion approval",
            options=[APPROVE, REJECT],
            defaults=[REJECT],  # what the scheduler's timeout sweep answers (flagged timedout)
            multiple=False,
            response_timeout=dt.timedelta(hours=72),
            **kwargs,
        )

    def execute(self, context: Any) -> Any:
        """Build the subject and body from the run's evidence, then wait for the answer."""
        from steward.registry import load_registry
        from steward.retraining import read_run

        evaluated = context["ti"].xcom_pull(task_ids="evaluate")
        model = load_registry().model(evaluated["model"])
        self.response_timeout = dt.timedelta(hours=model.retraining.gates.approval_timeout_hours)
        with ctx.warehouse() as wh:
            run = read_run(wh, model.name, evaluated["run_id"])
        assert run is not None
        report = evaluated.get("report_path") or ""
        url = f"/steward/retraining/{evaluated['night']}/{model.name}.html" if report else "(no report)"
        self.subject = approval_subject(run, risk_tier=model.risk_tier)
        self.body = approval_body(run, report_url=url)
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        """Return the answer; a timeout is returned as ``timed_out`` (recorded as a rejection)."""
        if event.get("error_type") == "timeout" or event.get("timedout"):
            self.log.warning("no answer before the response timeout: recorded as a rejection")
            return {"timed_out": True, "chosen_options": [], "responded_by_user": None}
        return super().execute_complete(context, event)


@task
def record_approval(evaluated: dict[str, Any], answer: Any) -> str:
    """Record the answer (approved and promoted, rejected, or timed out = rejected) with the responder."""
    from steward.registry import load_registry
    from steward.retraining import RetrainingError
    from steward.retraining import record_approval as record

    answer = dict(answer or {})
    timed_out = bool(answer.get("timed_out"))
    chosen = list(answer.get("chosen_options") or [])
    user = answer.get("responded_by_user") or {}
    responder = str(user.get("name") or user.get("id") or "unknown") if isinstance(user, dict) else str(user)
    with ctx.warehouse() as wh:
        try:
            return record(
                wh,
                load_registry(),
                evaluated["model"],
                run_id=evaluated["run_id"],
                approved=chosen == [APPROVE],
                responder=responder if not timed_out else "airflow",
                timed_out=timed_out,
            )
        except RetrainingError as exc:
            raise _fail(exc) from exc


def answer_approval(dag_id: str, run_id: str, *, approve: bool, username: str) -> dict[str, Any]:
    """Answer a waiting ``approval`` task through the function behind Airflow's REST endpoint.

    ``PATCH /api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/approval/-1/hitlDetails`` runs
    ``update_hitl_detail`` after the api-server's auth checks; this calls it directly (same metadata
    database, no api-server; the demo and the tests use it). Raises when the task is not waiting.
    """
    import warnings

    from airflow.utils.session import create_session

    with warnings.catch_warnings():  # the api-server modules warn about starlette's httpx client
        warnings.simplefilter("ignore", DeprecationWarning)
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
        from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
        from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail

    with create_session() as session:
        response = update_hitl_detail(
            dag_id=dag_id,
            dag_run_id=run_id,
            task_id="approval",
            update_hitl_detail_payload=UpdateHITLDetailPayload(
                chosen_options=[APPROVE if approve else REJECT]
            ),
            user=SimpleAuthManagerUser(username=username, role="admin"),
            session=session,
            map_index=-1,
        )
        return dict(response.model_dump())
