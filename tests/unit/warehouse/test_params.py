"""`:name` parameters translated to each driver's placeholders (golden strings)."""

from __future__ import annotations

import pytest

from steward.warehouse._params import translate_params

DUCKDB = {"placeholder": "${name}", "escape_percent": False}
PSYCOPG = {"placeholder": "%({name})s", "escape_percent": True}


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (DUCKDB, "select $a, x::text, '50%' from t where d = $d::date and p like '%:a%'"),
        (PSYCOPG, "select %(a)s, x::text, '50%%' from t where d = %(d)s::date and p like '%%:a%%'"),
    ],
)
def test_translate_named_params(style: dict[str, object], expected: str) -> None:
    sql = "select :a, x::text, '50%' from t where d = :d::date and p like '%:a%'"
    out, used = translate_params(sql, {"a": 1, "d": "2026-11-20", "unused": 3}, **style)  # type: ignore[arg-type]
    assert out == expected
    assert used == {"a": 1, "d": "2026-11-20"}


@pytest.mark.parametrize(
    "sql",
    [
        "select ':a'",
        "select 'it''s :a'",
        'select ":a" from t',
        "select 1 -- :a\n",
        "select 1 /* :a\n :b */",
        "select $$ :a $$",
        "select $body$ :a $body$",
        "select a::int",
        "select arr[lo:hi]",
    ],
)
def test_text_that_is_not_a_parameter_is_left_alone(sql: str) -> None:
    out, used = translate_params(sql, {}, placeholder="${name}", escape_percent=False)
    assert out == sql
    assert used == {}


def test_missing_parameter_is_named() -> None:
    with pytest.raises(KeyError, match=r":dataset, :day have no value"):
        translate_params(
            "select :dataset, :day, :dataset", {"x": 1}, placeholder="${name}", escape_percent=False
        )


def test_percent_without_params_is_escaped_for_psycopg() -> None:
    out, used = translate_params("select '100%'", None, placeholder="%({name})s", escape_percent=True)
    assert (out, used) == ("select '100%%'", {})
