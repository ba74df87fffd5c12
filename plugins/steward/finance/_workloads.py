"""Training vs inference: a model's directly tagged cloud cost, split by what each line does.

Lines whose tags resolve a registered model (the allocation's own tag rules and the models'
``cost_tags``) are classified by ``finance.workloads`` (substrings of the line's operation, usage type or
description: ``CreateTrainingJob`` is training, ``Host:ml.m5.xlarge`` inference); the rest of the model's
tagged cost is ``other`` (storage, plain instances). Cost shared by allocation rules is in
``finance_tco`` (workload ``shared``), not here.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from steward.finance._marts import mart_params
from steward.finance._periods import Period

if TYPE_CHECKING:
    from steward.registry import Registry, WorkloadRule
    from steward.warehouse import Warehouse

__all__ = ["classify_workload", "workload_costs"]


def classify_workload(rules: list[WorkloadRule], *texts: object) -> str:
    """Return ``training``, ``inference`` or ``other`` for a line with these texts (first rule that matches).

    Examples
    --------
    >>> from steward.registry import FinanceConfig
    >>> rules = FinanceConfig().workloads
    >>> ops = ("CreateTrainingJob", "USE1-Host:ml.m5.xlarge", "StandardStorage")
    >>> [classify_workload(rules, op) for op in ops]
    ['training', 'inference', 'other']
    """
    haystack = " ".join(str(t).lower() for t in texts if t)
    for rule in rules:
        if any(word.lower() in haystack for word in rule.contains):
            return rule.workload
    return "other"


def workload_costs(warehouse: Warehouse, registry: Registry, period: Period) -> list[dict[str, Any]]:
    """Return one row per model x workload x currency of the model's directly tagged cloud cost."""
    from steward.costs import parse_tags, resolve_tags
    from steward.warehouse import read_sql

    registered = {m.name for m in registry.models}
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in warehouse.fetch(read_sql("marts/workload_lines.sql"), mart_params(period)):
        model = resolve_tags(
            parse_tags(str(r["tags"]) if r["tags"] is not None else None),
            registry.costs.allocation,
            models=registry.models,
        ).model_id
        if model not in registered:
            continue
        workload = classify_workload(
            registry.finance.workloads, r["operation"], r["usage_type"], r["charge_description"]
        )
        total = sums[(str(model), workload, str(r["currency"]))]
        total[0] += Decimal(str(r["billed_cost"]))
        total[1] += Decimal(str(r["effective_cost"]))
    return [
        {"model": m, "workload": w, "currency": c, "billed_cost": b, "effective_cost": e}
        for (m, w, c), (b, e) in sorted(sums.items())
    ]
