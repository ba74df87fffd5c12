"""Load and validate ``governance.yaml`` into a :class:`~steward.registry.Registry`."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from steward import paths
from steward._yaml import safe_load
from steward.registry._models import Registry

__all__ = ["CARD_REQUIRED_TIERS", "RegistryError", "load_registry", "parse_registry"]

#: Risk tiers whose models must declare a model card (EU AI Act high risk, and what must not run at all).
CARD_REQUIRED_TIERS = ("high", "unacceptable")

_ENV_RE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class RegistryError(ValueError):
    """The registry file is missing or invalid. The message names the file, each key path and the fix."""

    def __init__(self, path: Path | str, problems: Sequence[str]):
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid governance registry {self.path}:\n{lines}")


class _MissingVariable(KeyError):
    """A ``${VAR}`` whose variable is not set, and the key path where it was used."""

    def __init__(self, name: str, loc: str):
        super().__init__(name)
        self.name = name
        self.loc = loc


def _expand(value: Any, variables: dict[str, str], loc: str = "") -> Any:
    """Expand ``${VAR}`` in strings; ``STEWARD_HOME`` defaults to the local state folder."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in variables:
                return variables[name]
            raise _MissingVariable(name, loc or "(top level)")

        return _ENV_RE.sub(repl, value)
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            named = f" ({v['name']})" if isinstance(v, dict) and isinstance(v.get("name"), str) else ""
            out.append(_expand(v, variables, f"{loc}[{i}]{named}"))
        return out
    if isinstance(value, dict):
        return {k: _expand(v, variables, f"{loc}.{k}" if loc else str(k)) for k, v in value.items()}
    return value


def _loc(loc: Iterable[Any], raw: Any) -> str:
    """Render a pydantic error location as ``datasets[2] (leads).source.path``."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    out += f" ({node['name']})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _hint(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key: remove it or check its spelling against README's registry section"
    if kind == "missing":
        return "required key is missing: add it"
    if kind == "literal_error":
        return err["msg"].replace("Input should be", "use one of")
    return err["msg"].removeprefix("Value error, ")


def parse_registry(
    raw: Any, *, source: Path | str = "<registry>", expectations_dir: Path | None = None
) -> Registry:
    """Validate an already-parsed YAML mapping; raise :class:`RegistryError` with every problem found.

    Parameters
    ----------
    raw
        The YAML document as Python objects.
    source
        The file it came from, named in errors.
    expectations_dir
        Where suites live; when given, each dataset's suite file must exist there.

    Examples
    --------
    >>> reg = parse_registry({"datasets": [], "models": []})
    >>> reg.datasets
    []
    """
    if not isinstance(raw, dict):
        raise RegistryError(
            source, ["(top level): the file must be a mapping with 'datasets' and 'models' lists"]
        )
    variables = dict(os.environ)
    variables.setdefault("STEWARD_HOME", str(paths.steward_home()))
    variables.setdefault("STEWARD_PROJECT_DIR", str(paths.project_dir()))
    try:
        expanded = _expand(raw, variables)
    except _MissingVariable as exc:
        raise RegistryError(
            source,
            [f"{exc.loc}: environment variable ${{{exc.name}}} is not set: export it or write the value"],
        ) from None
    try:
        registry = Registry.model_validate(expanded)
    except ValidationError as exc:
        problems = [f"{_loc(e['loc'], expanded)}: {_hint(dict(e))}" for e in exc.errors()]
        raise RegistryError(source, problems) from None
    problems = _cross_check(registry, expectations_dir)
    if problems:
        raise RegistryError(source, problems)
    return registry


def _cross_check(reg: Registry, expectations_dir: Path | None) -> list[str]:
    problems: list[str] = []
    for kind, names in (
        ("datasets", [d.name for d in reg.datasets]),
        ("models", [m.name for m in reg.models]),
    ):
        for name, n in Counter(names).items():
            if n > 1:
                problems.append(f"{kind}: name {name!r} is declared {n} times: names must be unique")
    declared = {d.name for d in reg.datasets}
    for i, m in enumerate(reg.models):
        refs = {
            "prediction_log": m.prediction_log,
            "training_data": m.training_data,
            "labels.dataset": m.labels.dataset if m.labels else None,
            "reference.dataset": m.reference.dataset if m.reference else None,
        }
        for key, ref in refs.items():
            if ref is not None and ref not in declared:
                problems.append(
                    f"models[{i}] ({m.name}).{key}: dataset {ref!r} is not declared under 'datasets': "
                    "declare it or fix the name"
                )
        if m.columns.score is None and m.columns.prediction is None:
            problems.append(f"models[{i}] ({m.name}).columns: give 'score' or 'prediction'")
        measure = m.business_kpi.measure if m.business_kpi else None
        if measure is not None and measure.dataset not in declared:
            problems.append(
                f"models[{i}] ({m.name}).business_kpi.measure.dataset: dataset {measure.dataset!r} is not "
                "declared under 'datasets': declare it or fix the name"
            )
        if m.card is None and m.risk_tier in CARD_REQUIRED_TIERS:
            problems.append(
                f"models[{i}] ({m.name}).card: a model in the {m.risk_tier} risk tier needs a model card: "
                "add 'card:' with intended_use, limitations, assumptions and failure_modes"
            )
    models = {m.name for m in reg.models}
    for name in sorted(set(reg.finance.budgets) - models):
        problems.append(
            f"finance.budgets: model {name!r} is not registered (registered: {sorted(models)}): fix the name"
        )
    problems += _privacy_refs(reg, declared)
    if expectations_dir is not None:
        for i, d in enumerate(reg.datasets):
            suite_file = expectations_dir / f"{d.suite_name}.json"
            if d.suite is not None and not suite_file.is_file():  # no 'suite': the default suite applies
                problems.append(
                    f"datasets[{i}] ({d.name}).suite: suite file {suite_file} does not exist: "
                    f"create it (see include/expectations/) or remove 'suite' to use the default suite"
                )
    return problems


def _privacy_refs(reg: Registry, declared: set[str]) -> list[str]:
    """Every dataset and model the ``privacy`` section names must be registered."""
    p = reg.privacy
    models = {m.name for m in reg.models}
    refs = [
        *(("privacy.declared_pii", name) for name in p.declared_pii),
        *(("privacy.pii_scan.exclude", name) for name in p.pii_scan.exclude),
        *((f"privacy.exports[{i}] ({e.name}).dataset", e.dataset) for i, e in enumerate(p.exports)),
        *((f"privacy.feedback[{i}].dataset", f.dataset) for i, f in enumerate(p.feedback)),
    ]
    problems = [
        f"{loc}: dataset {name!r} is not declared under 'datasets': declare it or fix the name"
        for loc, name in refs
        if name not in declared
    ]
    problems += [
        f"privacy.impact_assessments[{i}].model: model {a.model!r} is not declared under 'models': "
        "declare it or fix the name"
        for i, a in enumerate(p.impact_assessments)
        if a.model not in models
    ]
    for name, n in Counter(e.name for e in p.exports).items():
        if n > 1:
            problems.append(f"privacy.exports: name {name!r} is declared {n} times: names must be unique")
    return problems


def load_registry(path: Path | str | None = None, *, check_suites: bool = True) -> Registry:
    """Load the governance registry.

    Parameters
    ----------
    path
        The YAML file; default ``STEWARD_REGISTRY`` or ``include/governance.yaml``.
    check_suites
        Require the suite file of each dataset that names one (``suite:``) in the expectations folder
        (:func:`steward.paths.expectations_dir`).

    Raises
    ------
    RegistryError
        The file is missing, is not YAML, or fails validation; the message lists every problem.
    """
    file = Path(path) if path is not None else paths.registry_path()
    if not file.is_file():
        raise RegistryError(
            file, ["file not found: create it (see include/governance.yaml) or set STEWARD_REGISTRY"]
        )
    try:
        raw = safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(file, [f"not valid YAML: {exc}"]) from None
    return parse_registry(
        raw, source=file, expectations_dir=paths.expectations_dir(file) if check_suites else None
    )
