"""Where the warehouse URL comes from, and printing it without its password."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from steward.warehouse import WarehouseError, connect, default_url, redact, url_from_connection
from steward.warehouse._url import AIRFLOW_CONN_ENV, URL_ENV, scrub, secrets_of


@pytest.fixture(autouse=True)
def _no_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STEWARD_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", raising=False)


def test_default_is_duckdb_file_in_steward_home(steward_home: Path) -> None:
    assert default_url() == f"duckdb:///{steward_home}/warehouse.duckdb"


def test_steward_env_wins_over_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", "postgresql://a:b@h:5432/w")
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", "postgres://c:d@other:5432/x")
    assert default_url() == "postgresql://a:b@h:5432/w"


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        ("postgres://steward:pw@db:5432/wh", "postgresql://steward:pw@db:5432/wh"),
        ("postgresql://steward:pw@db:5432/wh", "postgresql://steward:pw@db:5432/wh"),
        ("duckdb:////data/wh.duckdb", "duckdb:////data/wh.duckdb"),
        ("postgres://u:pw@db/wh?sslmode=require&__extra__=%7B%7D", "postgresql://u:pw@db/wh?sslmode=require"),
        (
            json.dumps(
                {
                    "conn_type": "postgres",
                    "host": "db.internal",
                    "port": 5433,
                    "login": "steward",
                    "password": "p@ss:w/rd",
                    "schema": "warehouse",
                }
            ),
            "postgresql://steward:p%40ss%3Aw%2Frd@db.internal:5433/warehouse",
        ),
        (json.dumps({"conn_type": "postgres", "host": "db", "schema": "wh"}), "postgresql://db/wh"),
        (json.dumps({"conn_type": "duckdb", "host": "/data/wh.duckdb"}), "duckdb:////data/wh.duckdb"),
    ],
)
def test_airflow_connection_forms(monkeypatch: pytest.MonkeyPatch, conn: str, expected: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", conn)
    assert default_url() == expected


@pytest.mark.parametrize(
    "conn",
    ['{"conn_type": "mysql", "host": "db"}', "{not json", "mysql://u:secret@db/wh"],
)
def test_unsupported_airflow_connection_is_explained(monkeypatch: pytest.MonkeyPatch, conn: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", conn)
    with pytest.raises(ValueError, match="AIRFLOW_CONN_STEWARD_WAREHOUSE") as info:
        default_url()
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://steward:s3cret@db:5432/wh", "postgresql://steward:***@db:5432/wh"),
        (
            "postgresql://steward:p%40ss@db/wh?sslmode=require",
            "postgresql://steward:***@db/wh?sslmode=require",
        ),
        (
            "postgresql://steward@db/wh?password=s3cret&sslmode=require",
            "postgresql://steward@db/wh?password=***&sslmode=require",
        ),
        ("postgresql://postgres:@/postgres?host=/tmp/pg", "postgresql://postgres:@/postgres?host=/tmp/pg"),
        ("duckdb:////data/wh.duckdb", "duckdb:////data/wh.duckdb"),
    ],
)
def test_redact_hides_password(url: str, expected: str) -> None:
    assert redact(url) == expected


def test_connect_refuses_unknown_scheme_without_leaking_password() -> None:
    with pytest.raises(WarehouseError, match="unsupported warehouse URL") as info:
        connect("mysql://u:s3cret@db/wh")
    assert "s3cret" not in str(info.value)
    assert info.value.url == "mysql://u:***@db/wh"


def test_connect_uses_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", "duckdb:///:memory:")
    with connect() as wh:
        assert (wh.backend, wh.url) == ("duckdb", "duckdb:///:memory:")
        assert wh.fetch("select 41 + 1 as answer") == [{"answer": 42}]


def test_duckdb_file_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "wh.duckdb"
    with connect(f"duckdb:///{path}") as wh:
        wh.execute("create table t (x integer)")
    assert path.is_file()


def test_postgres_url_password_is_redacted_on_the_warehouse() -> None:
    wh = connect("postgres://steward:s3cret@db.invalid:5432/wh")
    assert (wh.backend, wh.url) == ("postgres", "postgresql://steward:***@db.invalid:5432/wh")
    assert "s3cret" not in repr(wh)


def test_a_url_is_parsed_once_on_its_way_to_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    from steward.warehouse import _url, parse_url

    seen: list[str] = []
    real = _url._secret_spans
    monkeypatch.setattr(_url, "_secret_spans", lambda url: seen.append(url) or real(url))
    url = "postgres://steward:s3cret@db.invalid:5432/wh?sslpassword=k3y-k3y&sslmode=require"
    wh = connect(url)
    assert seen == ["postgresql" + url[len("postgres") :]]  # connect and the adapter share one parse
    assert wh.url == "postgresql://steward:***@db.invalid:5432/wh?sslpassword=***&sslmode=require"
    target = parse_url(url)
    assert (target.scheme, str(target), target.redacted) == ("postgresql", wh.url, wh.url)
    assert {"s3cret", "k3y-k3y"} <= set(target.secrets)
    assert "s3cret" not in repr(target) and "k3y" not in repr(target)
    assert parse_url(target) is target


# --- property: a password never shows, whatever it holds -----------------------------------------

#: Characters that break naive URL parsing, beside ordinary ones.
_TRICKY = "/#?@:%&=+[]!$'()*,;"
#: A password as it may be typed into a raw URL (no whitespace: a URL cannot hold it unescaped).
raw_passwords = st.text(
    alphabet=st.sampled_from(_TRICKY)
    | st.characters(min_codepoint=33, max_codepoint=126)
    | st.sampled_from("é€ß"),
    min_size=8,
    max_size=24,
)
#: A password given percent-encoded (or in JSON) may hold anything printable, spaces included.
any_passwords = st.text(
    alphabet=st.sampled_from(_TRICKY + " ") | st.characters(exclude_categories=("Cs", "Cc")),
    min_size=8,
    max_size=24,
)

#: Where nothing listens: connecting fails at once with the driver's own error.
_CLOSED = "127.0.0.1:1"


def _spellings(password: str) -> set[str]:
    """The password as written, percent-encoded (with and without '/') and form-encoded."""
    return {password, quote(password, safe=""), quote(password), quote_plus(password)}


def _assert_hidden(password: str, *texts: str) -> None:
    for text in texts:
        for spelling in _spellings(password):
            assert spelling not in text, f"{spelling!r} shows in {text!r}"


#: A password that no message holds by chance: what the messages say around it is boilerplate.
_NEUTRAL = "Zq7Neutral"


def _assume_not_boilerplate(password: str, texts: list[str]) -> None:
    """Skip a password that the messages hold anyway (Hypothesis tries words from the code)."""
    assume(not any(spelling in text for spelling in _spellings(password) for text in texts))


def _messages(exc: BaseException | None) -> list[str]:
    """The message of ``exc`` and of every exception chained to it (what a traceback shows)."""
    found: list[str] = []
    while exc is not None:
        found.append(str(exc))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return found


# Each form puts the password somewhere a warehouse URL can hold it.
URL_FORMS = {
    "userinfo, percent-encoded": lambda p: (
        f"postgresql://steward:{quote(p, safe='')}@{_CLOSED}/wh?sslmode=disable"
    ),
    "userinfo, raw": lambda p: f"postgresql://steward:{p}@{_CLOSED}/wh",
    "airflow uri": lambda p: f"postgres://steward:{quote(p, safe='')}@{_CLOSED}/wh?__extra__=%7B%7D",
    "password param": lambda p: (
        f"postgresql://steward@{_CLOSED}/wh?password={quote(p, safe='')}&sslmode=disable"
    ),
    "sslpassword param": lambda p: (
        f"postgresql://steward:{quote(p, safe='')}@{_CLOSED}/wh?sslcert=/c.pem&sslpassword={quote_plus(p)}"
    ),
    "token param": lambda p: f"postgresql://{_CLOSED}/wh?access_token={quote(p, safe='')}&sslmode=disable",
}
RAW_FORMS = {
    "userinfo, raw": lambda p: f"postgresql://steward:{p}@{_CLOSED}/wh",
    "password param, raw": lambda p: f"postgresql://steward@{_CLOSED}/wh?sslmode=disable&password={p}",
}


@settings(max_examples=300, deadline=None)
@given(password=any_passwords, form=st.sampled_from(sorted(URL_FORMS)))
def test_redact_hides_any_password(password: str, form: str) -> None:
    if form == "userinfo, raw":
        password = password.replace(" ", "")
        assume(len(password) >= 8)
    _assume_not_boilerplate(password, [redact(URL_FORMS[form](_NEUTRAL))])
    _assert_hidden(password, redact(URL_FORMS[form](password)))


@settings(max_examples=300, deadline=None)
@given(password=raw_passwords, form=st.sampled_from(sorted(RAW_FORMS)))
def test_redact_hides_raw_passwords_with_url_characters(password: str, form: str) -> None:
    _assume_not_boilerplate(password, [redact(RAW_FORMS[form](_NEUTRAL))])
    _assert_hidden(password, redact(RAW_FORMS[form](password)))


def _connection_texts(
    url: str, via: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Connect through ``via`` to ``url`` (nothing listens) and return every message and log line shown."""
    texts: list[str] = []
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        if via != "argument":
            monkeypatch.setenv(via, url)
        try:
            wh = connect(url if via == "argument" else None, lock_timeout_s=1)
        except (WarehouseError, ValueError) as exc:  # a URL the driver cannot parse
            texts += [*_messages(exc), str(getattr(exc, "url", ""))]
        else:
            texts += [repr(wh), str(wh), wh.url]
            for read_only in (False, True):
                with pytest.raises(WarehouseError) as info:
                    wh.fetch("select 1", read_only=read_only)
                texts += _messages(info.value)
        finally:
            monkeypatch.delenv(via, raising=False)
    return [*texts, caplog.text, *(r.getMessage() for r in caplog.records)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    password=raw_passwords,
    form=st.sampled_from(sorted({**URL_FORMS, **RAW_FORMS})),
    via=st.sampled_from(["argument", URL_ENV, AIRFLOW_CONN_ENV]),
)
def test_failed_connection_never_shows_the_password(
    password: str, form: str, via: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    make = {**URL_FORMS, **RAW_FORMS}[form]
    _assume_not_boilerplate(password, _connection_texts(make(_NEUTRAL), via, monkeypatch, caplog))
    _assert_hidden(password, *_connection_texts(make(password), via, monkeypatch, caplog))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=any_passwords)
def test_airflow_json_connection_never_shows_the_password(
    password: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def texts(secret: str) -> list[str]:
        conn = {
            "conn_type": "postgres",
            "host": "127.0.0.1",
            "port": 1,
            "login": "steward",
            "password": secret,
            "extra": {"sslmode": "disable", "sslpassword": secret, "cursor": "dictcursor"},
        }
        monkeypatch.setenv(AIRFLOW_CONN_ENV, json.dumps({**conn, "schema": "wh"}))
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            url = default_url()
            # The real password reaches the driver, the extra's sslpassword too; Airflow's own keys do not.
            assert conninfo_to_dict(url) == {
                "user": "steward",
                "password": secret,
                "host": "127.0.0.1",
                "port": "1",
                "dbname": "wh",
                "sslmode": "disable",
                "sslpassword": secret,
            }
            wh = connect(url, lock_timeout_s=1)
            with pytest.raises(WarehouseError, match="cannot connect to") as info:
                wh.migrate()
        return [redact(url), repr(wh), wh.url, *_messages(info.value), caplog.text]

    _assume_not_boilerplate(password, texts(_NEUTRAL))
    _assert_hidden(password, *texts(password))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://steward:p/ss#w?rd@db/wh?sslpassword=k3y&sslmode=require",
            "postgresql://steward:***@db/wh?sslpassword=***&sslmode=require",
        ),
        ("postgresql://steward:a@b/c@db:5432/wh", "postgresql://steward:***@db:5432/wh"),
        (
            "postgresql://db/wh?access_token=abc&api_key=def&sslmode=require",
            "postgresql://db/wh?access_token=***&api_key=***&sslmode=require",
        ),
        ("postgresql://user@tenant:pw@db/wh", "postgresql://user@tenant:***@db/wh"),
        # An '@' after the host: everything up to it is hidden, erring on the safe side.
        ("postgresql://u:pw@db/wh?application_name=me@corp", "postgresql://u:***@corp"),
    ],
)
def test_redact_tricky_urls(url: str, expected: str) -> None:
    assert redact(url) == expected


def test_scrub_removes_every_spelling_of_the_secrets() -> None:
    url = "postgresql://u:p%40ss%2Fw0rd@db/wh?sslpassword=t%20k3n"
    message = "bad token p@ss/w0rd near p%40ss%2Fw0rd; also t k3n and t+k3n"
    assert scrub(message, secrets_of(url)) == "bad token *** near ***; also *** and ***"


@pytest.mark.parametrize(
    ("extra", "query"),
    [
        (
            {"sslmode": "require", "sslrootcert": "/etc/ca.pem"},
            "?sslmode=require&sslrootcert=%2Fetc%2Fca.pem",
        ),
        (
            '{"application_name": "steward", "cursor": "dictcursor", "aws_conn_id": "x"}',
            "?application_name=steward",
        ),
        ({"iam": True}, ""),
        (None, ""),
    ],
)
def test_airflow_connection_extra_carries_libpq_settings(extra: object, query: str) -> None:
    url = url_from_connection(
        conn_type="postgres", host="db", port=5432, login="u", password="p", schema="w", extra=extra
    )
    assert url == "postgresql://u:p@db:5432/w" + query


@pytest.mark.parametrize("extra", ["{not json", "[1, 2]"])
def test_bad_airflow_connection_extra_is_explained(extra: str) -> None:
    with pytest.raises(ValueError, match="connection 'steward_warehouse': 'extra'"):
        url_from_connection(conn_type="postgres", host="db", extra=extra)
