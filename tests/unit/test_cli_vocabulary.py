"""One CLI vocabulary: the same option for the same thing, help for every option, an example per command."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from steward.cli import build_parser, main
from steward.warehouse import connect

#: Options whose meaning is shared: the same name wherever they appear.
SHARED = {"--url": "warehouse URL", "--registry": "registry file"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[path] = parser
        for action in subs:
            for name, child in action.choices.items():
                walk(child, f"{path} {name}".strip())

    walk(build_parser(), "")
    return out


COMMANDS = _commands()


def test_there_are_commands() -> None:
    assert {"fairness audit", "monitor files", "warehouse query", "registry check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_explained_with_its_default_and_the_command_ends_with_an_example(name: str) -> None:
    parser = COMMANDS[name]
    text = parser.format_help()
    assert "example:\n  steward " + name in text, text[-300:]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        assert action.help, (name, action.dest)
        shown = parser._get_formatter()._get_help_string(action)  # what --help prints
        if action.option_strings and action.default not in (None, False, []):
            assert "default" in str(shown), (name, action.dest, shown)
    options = {o for a in parser._actions for o in a.option_strings}
    for option, meaning in SHARED.items():
        if option in options:
            action = next(a for a in parser._actions if option in a.option_strings)
            assert meaning in str(action.help), (name, option)
    assert "--path" not in text  # the registry file is --registry everywhere


def test_registry_is_the_same_option_everywhere() -> None:
    loads = [n for n, p in COMMANDS.items() if any("--registry" in a.option_strings for a in p._actions)]
    assert {"registry check", "dq validate", "monitor run", "fairness audit", "costs ingest"} <= set(loads)


@pytest.fixture
def wh_url(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    with connect(url) as wh:
        wh.migrate()
        wh.execute("create table t as select range as id, 'x' || range as name from range(5)")
    return url


def test_query_prints_json_table_or_csv_and_says_when_it_truncates(
    wh_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "select id, name from t order by id"
    assert main(["warehouse", "query", sql, "--url", wh_url, "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == [0, 1, 2]
    assert "2 more row(s) not shown (5 in all): raise --limit" in err
    assert main(["warehouse", "query", sql, "--url", wh_url, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ["x0", "x1", "x2", "x3", "x4"]
    assert main(["warehouse", "query", sql, "--url", wh_url, "--format", "table", "--limit", "2"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split() == ["id", "name"] and out.splitlines()[2].split() == ["0", "x0"]
    assert "3 more row(s) not shown" in err


def test_a_wrong_column_in_a_query_is_one_line(wh_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["warehouse", "query", "select nope from t", "--url", wh_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err and "Traceback" not in err
