"""Every example in README.md and docs/ runs verbatim.

Each fenced block is checked by its language: YAML parses and, merged with the other registry snippets
of the same page, passes the registry's validation; SQL runs against a migrated warehouse (so every
table and column it names exists); JSON parses (a suite has its expectations); shell lines that call
``steward`` parse with the real CLI's options, and ``make`` targets exist in the Makefile.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from steward.cli import build_parser
from steward.registry import parse_registry
from steward.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def _blocks(lang: str) -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        for match in FENCE.finditer(page.read_text(encoding="utf-8")):
            if match.group(1) == lang:
                out.append((f"{page.relative_to(ROOT)}:{match.group(2)[:40]!r}", match.group(2)))
    return out


def test_the_pages_have_examples_of_every_kind() -> None:
    assert all(_blocks(lang) for lang in ("yaml", "sql", "bash", "json"))


@pytest.mark.parametrize("page", [p for p in PAGES if "```yaml" in p.read_text()], ids=lambda p: p.name)
def test_yaml_examples_parse_and_pass_the_registry(page: Path) -> None:
    merged: dict[str, list[object]] = {"datasets": [], "models": []}
    for match in FENCE.finditer(page.read_text(encoding="utf-8")):
        if match.group(1) != "yaml":
            continue
        doc = yaml.safe_load(match.group(2))  # a YAML error fails here, naming the page
        assert isinstance(doc, dict), match.group(2)[:80]
        for key in ("datasets", "models"):
            merged[key] += doc.get(key) or []
    parse_registry(merged, source=page)  # raises RegistryError listing every problem


@pytest.mark.parametrize(("where", "sql"), _blocks("sql"), ids=lambda v: str(v)[:60])
def test_sql_examples_run_against_the_warehouse(where: str, sql: str, tmp_path: Path) -> None:
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        wh.fetch(sql.strip().rstrip(";"))


@pytest.mark.parametrize(("where", "text"), _blocks("json"), ids=lambda v: str(v)[:60])
def test_json_examples_parse(where: str, text: str) -> None:
    doc = json.loads(text)
    if "expectations" in doc:
        assert all("type" in e and "kwargs" in e for e in doc["expectations"])


def _commands(text: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("where", "text"), _blocks("bash"), ids=lambda v: str(v)[:60])
def test_shell_examples_use_real_commands_and_options(where: str, text: str) -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    for line in _commands(text):
        words = shlex.split(re.sub(r"\[[^\]]*\]", "", line))  # optional parts shown in brackets
        if words[0] == "make":
            assert set(words[1:]) <= targets, line
        elif words[0].endswith("steward"):
            try:
                build_parser().parse_args(words[1:])
            except SystemExit as exc:
                pytest.fail(f"{where}: `{line}` is not a valid steward command (exit {exc.code})")
        elif words[0] == "cp":
            source = words[1]
            if not source.startswith("$"):  # $STEWARD_HOME/... lives on the user's machine
                assert (ROOT / source).is_file(), f"{where}: `{line}` copies a file the repo does not have"
        elif words[0] == "airflow":
            from airflow.cli.cli_parser import get_parser

            try:
                get_parser().parse_args(words[1:])
            except SystemExit as exc:
                pytest.fail(f"{where}: `{line}` is not a valid airflow command (exit {exc.code})")
        elif words[0] == "export":
            name, _, value = words[1].partition("=")
            assert re.fullmatch(r"(STEWARD_|AIRFLOW__|AIRFLOW_CONN_)[A-Z0-9_]+", name), f"{where}: `{line}`"
            if value.startswith("{"):
                json.loads(value)  # an Airflow connection in JSON form must be valid JSON
        elif words[:2] == ["docker", "compose"]:
            _check_compose_command(where, line, words[2:])
        elif words[0].endswith("python") and words[1:3] == ["-m", "pytest"]:
            paths = [w for w in words[3:] if not w.startswith("-")]
            assert paths and all((ROOT / p.split("::")[0]).exists() for p in paths), f"{where}: `{line}`"
        else:
            pytest.fail(f"{where}: unknown command in `{line}`: add a check for it here")


def _check_compose_command(where: str, line: str, args: list[str]) -> None:
    """``docker compose`` lines: a known subcommand, and every service they name is in docker-compose.yaml."""
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    services = set(compose["services"])
    profiles = {p for svc in compose["services"].values() for p in svc.get("profiles", [])}
    rest = list(args)
    while rest and rest[0].startswith("-"):  # global options before the subcommand
        option = rest.pop(0)
        assert option == "--profile", f"{where}: `{line}`: unexpected option {option}"
        assert rest.pop(0) in profiles, f"{where}: `{line}`: unknown profile"
    assert rest, f"{where}: `{line}` has no subcommand"
    sub, rest = rest[0], rest[1:]
    assert sub in {"up", "down", "build", "run", "exec", "logs", "ps", "config", "pull"}, f"{where}: `{line}`"
    named = []
    while rest:
        word = rest.pop(0)
        if word == "--scale":
            service, _, count = rest.pop(0).partition("=")
            assert count.isdigit(), f"{where}: `{line}`: --scale SERVICE=N"
            named.append(service)
        elif not word.startswith("-"):
            named.append(word)
            if sub in ("run", "exec"):
                _check_container_command(where, line, rest)
                break
    assert set(named) <= services, f"{where}: `{line}` names services not in docker-compose.yaml"


def _check_container_command(where: str, line: str, command: list[str]) -> None:
    """A Steward command run inside a container parses with the real CLI's options."""
    for prefix in (["python", "-m", "steward.cli"], ["python", "-m", "steward"], ["steward"]):
        if command[: len(prefix)] == prefix:
            try:
                build_parser().parse_args(command[len(prefix) :])
            except SystemExit as exc:
                pytest.fail(f"{where}: `{line}` is not a valid steward command (exit {exc.code})")
